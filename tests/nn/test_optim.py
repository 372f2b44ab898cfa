"""Optimisers vs PyTorch: 20 steps on the same loss, every option that changes the maths."""
import itertools

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((3, 4))
B0 = RNG.standard_normal(4)
X = RNG.standard_normal((5, 3))


def _loss(x, w, b):
    # the same expression runs on both libraries (method calls only)
    return ((x @ w + b).tanh() ** 2).sum() + 0.1 * (w * w).sum() + (b * b * b).sum() * 0.05


def _run(lib, opt_name, options, steps=20, groups=None, dtype=np.float64):
    """Returns the final (w, b) as numpy arrays and the optimiser."""
    if lib == "torch":
        w = torch.tensor(W0.astype(dtype), requires_grad=True)
        b = torch.tensor(B0.astype(dtype), requires_grad=True)
        x = torch.tensor(X.astype(dtype))
        cls = getattr(torch.optim, opt_name)
    else:
        w = ag.tensor(W0.astype(dtype), requires_grad=True)
        b = ag.Parameter(ag.tensor(B0.astype(dtype)))
        x = ag.tensor(X.astype(dtype))
        cls = getattr(nn.optim, opt_name)
    params = [w, b] if groups is None else [dict(g, params=[[w, b][i]])
                                            for i, g in enumerate(groups)]
    opt = cls(params, **options)
    for _ in range(steps):
        opt.zero_grad()
        _loss(x, w, b).backward()
        opt.step()
    return w.detach().numpy(), b.detach().numpy(), opt


def _combos(**choices):
    keys = list(choices)
    return [dict(zip(keys, values)) for values in itertools.product(*choices.values())]


CASES = (
    [("SGD", dict(lr=0.05, **c)) for c in _combos(
        momentum=[0, 0.9], weight_decay=[0, 0.1], maximize=[False, True])]
    + [("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
       ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
       ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.05, maximize=True))]
    + [(name, dict(lr=0.05, **c)) for name in ("Adam", "AdamW") for c in _combos(
        amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3))]
    + [("RMSprop", dict(lr=0.01, **c)) for c in _combos(
        centered=[False, True], momentum=[0, 0.9])]
    + [("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1,
                        maximize=True))]
    + [("Adagrad", dict(lr=0.1, **c)) for c in _combos(
        lr_decay=[0, 0.05], initial_accumulator_value=[0, 0.5])]
    + [("Adagrad", dict(lr=0.1, weight_decay=0.1, maximize=True, eps=1e-3))]
)


def _case_id(case):
    name, options = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in options.items() if k != "lr")


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_optimizer_matches_torch_20_steps(case):
    name, options = case
    w, b, opt = _run("ag", name, options)
    tw, tb, topt = _run("torch", name, options)
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-10, atol=1e-12)
    # the state dict has PyTorch's layout: the same indices, keys and values
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["state"].keys() == tsd["state"].keys()
    for index, state in sd["state"].items():
        assert state.keys() == tsd["state"][index].keys()
        for key, value in state.items():
            np.testing.assert_allclose(value.numpy(), tsd["state"][index][key].numpy(),
                                       rtol=1e-10, atol=1e-12)
    assert [g["params"] for g in sd["param_groups"]] == \
        [g["params"] for g in tsd["param_groups"]]
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        assert {k: v for k, v in tgroup.items() if k in group} == group


GROUP_CASES = [
    ("SGD", dict(lr=0.05), [dict(momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=0.2)]),
    ("Adam", dict(lr=0.05), [dict(amsgrad=True), dict(lr=0.01, betas=(0.8, 0.99),
                                                     weight_decay=0.1)]),
    ("AdamW", dict(lr=0.05), [dict(weight_decay=0.3), dict(maximize=True)]),
    ("RMSprop", dict(lr=0.01), [dict(centered=True), dict(momentum=0.9, alpha=0.9)]),
    ("Adagrad", dict(lr=0.1), [dict(lr_decay=0.1), dict(initial_accumulator_value=1.0)]),
]


@requires_torch
@pytest.mark.parametrize("name,defaults,groups", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_with_different_options_match_torch(name, defaults, groups):
    w, b, opt = _run("ag", name, defaults, groups=groups)
    tw, tb, _ = _run("torch", name, defaults, groups=groups)
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-10, atol=1e-12)
    assert opt.param_groups[1]["lr"] == groups[1].get("lr", defaults["lr"])


@requires_torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_float32_stays_float32_and_matches_torch(name):
    options = dict(lr=0.01, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.01)
    w, b, opt = _run("ag", name, options, dtype=np.float32)
    tw, tb, _ = _run("torch", name, options, dtype=np.float32)
    assert w.dtype == np.float32 and b.dtype == np.float32
    for state in opt.state.values():
        for key, value in state.items():
            if key != "step":
                assert value.dtype == ag.float32, key
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, tb, rtol=1e-5, atol=1e-6)


RESUME_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
]


@pytest.mark.parametrize("name,options", RESUME_CASES, ids=[c[0] for c in RESUME_CASES])
def test_checkpoint_resume_is_bit_for_bit(name, options, tmp_path):
    x = ag.tensor(X)

    def train(w, b, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            _loss(x, w, b).backward()
            opt.step()

    def fresh():
        w, b = ag.tensor(W0, requires_grad=True), ag.tensor(B0, requires_grad=True)
        return w, b, getattr(nn.optim, name)([w, b], **options)

    w, b, opt = fresh()
    train(w, b, opt, 20)

    w1, b1, opt1 = fresh()
    train(w1, b1, opt1, 10)
    nn.utils.save({"optimizer": opt1.state_dict(), "params": {"w": w1, "b": b1}},
                  tmp_path / "ckpt.safetensors")
    del w1, b1, opt1
    ckpt = nn.utils.load(tmp_path / "ckpt.safetensors")
    w2 = ag.tensor(ckpt["params"]["w"], requires_grad=True)
    b2 = ag.tensor(ckpt["params"]["b"], requires_grad=True)
    opt2 = getattr(nn.optim, name)([w2, b2], lr=123.0)  # options come from the checkpoint
    opt2.load_state_dict(ckpt["optimizer"])
    assert opt2.param_groups[0]["lr"] == options["lr"]
    train(w2, b2, opt2, 10)
    assert np.array_equal(w2.detach().numpy(), w.detach().numpy())
    assert np.array_equal(b2.detach().numpy(), b.detach().numpy())


def test_load_state_dict_copies_and_checks_sizes():
    w = ag.tensor(W0, requires_grad=True)
    opt = nn.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    sd = opt.state_dict()
    w2 = ag.tensor(W0, requires_grad=True)
    opt2 = nn.optim.Adam([w2], lr=0.1)
    opt2.load_state_dict(sd)
    assert opt2.state[w2]["exp_avg"].array is not sd["state"][0]["exp_avg"].array
    with pytest.raises(ValueError, match="parameter group"):
        nn.optim.Adam([w, w2]).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameter groups"):
        nn.optim.Adam([{"params": [w]}, {"params": [w2]}]).load_state_dict(sd)


def test_parameters_without_grad_are_skipped_and_versions_bump():
    w = ag.tensor(W0, requires_grad=True)
    b = ag.tensor(B0, requires_grad=True)
    opt = nn.optim.Adam([w, b], lr=0.1)
    (w * w).sum().backward()
    version = w._version[0]
    opt.step()
    assert w._version[0] == version + 1
    assert np.array_equal(b.detach().numpy(), B0) and b not in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_zero_grad_sets_none_or_zeros():
    w = ag.tensor(W0, requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and not w.grad.numpy().any()
    opt.zero_grad()
    assert w.grad is None


def test_closure_is_evaluated_with_grad():
    w = ag.tensor(W0, requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert float(loss) == pytest.approx(float((W0 * W0).sum()))
    np.testing.assert_allclose(w.detach().numpy(), W0 * 0.8)


def test_constructor_errors():
    w = ag.tensor(W0, requires_grad=True)
    with pytest.raises(TypeError, match="iterable"):
        nn.optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        nn.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="more than one"):
        nn.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        nn.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="lr"):
        nn.optim.Adam([w], lr=-1)


def test_add_param_group_fills_defaults():
    w = ag.tensor(W0, requires_grad=True)
    b = ag.tensor(B0, requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    adagrad = nn.optim.Adagrad([w], initial_accumulator_value=0.5)
    adagrad.add_param_group({"params": [b], "initial_accumulator_value": 2.0})
    b.grad = ag.zeros(4, dtype=ag.float64)
    adagrad.step()  # like PyTorch: the state starts from the constructor's value
    assert np.all(adagrad.state[b]["sum"].numpy() == 0.5)
