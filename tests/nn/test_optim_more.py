"""NAdam, RAdam, Adamax, Adadelta and Rprop vs PyTorch: 20 steps on the same loss for every
option that changes the maths, PyTorch's state-dict layout, bit-for-bit resumes through
nn.utils.save/load, and PyTorch's argument checks."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import DEVICES, requires_torch, torch
from tests.nn.test_optim import B0, W0, X, _combos, _loss


def _run(lib, name, options, steps=20, device="cpu", dtype=np.float64, groups=None):
    """The final (w, b) as numpy arrays, and the optimiser."""
    if lib == "torch":
        w = torch.tensor(W0.astype(dtype), requires_grad=True)
        b = torch.tensor(B0.astype(dtype), requires_grad=True)
        x = torch.tensor(X.astype(dtype))
        cls = getattr(torch.optim, name)
    else:
        w = ag.tensor(W0.astype(dtype), device=device, requires_grad=True)
        b = ag.tensor(B0.astype(dtype), device=device, requires_grad=True)
        x = ag.tensor(X.astype(dtype), device=device)
        cls = getattr(nn.optim, name)
    params = [w, b] if groups is None else [dict(g, params=[[w, b][i]])
                                            for i, g in enumerate(groups)]
    opt = cls(params, **options)
    for _ in range(steps):
        opt.zero_grad()
        _loss(x, w, b).backward()
        opt.step()
    return w.detach().cpu().numpy(), b.detach().cpu().numpy(), opt


def _host(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


CASES = (
    [("NAdam", dict(lr=0.05, **c)) for c in _combos(
        weight_decay=[0, 0.1], decoupled_weight_decay=[False, True], maximize=[False, True])]
    + [("NAdam", dict(betas=(0.5, 0.9), eps=1e-3, momentum_decay=0.05)),
       ("NAdam", dict(lr=0.05, momentum_decay=0))]
    + [("RAdam", dict(lr=0.05, **c)) for c in _combos(
        weight_decay=[0, 0.1], decoupled_weight_decay=[False, True], maximize=[False, True])]
    # beta2 = 0.9: rho_t passes 5 at step 6, so both branches of the rectification run
    + [("RAdam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3)),
       ("RAdam", dict())]
    + [("Adamax", dict(lr=0.05, **c)) for c in _combos(
        weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adamax", dict(betas=(0.5, 0.8), eps=1e-2))]
    + [("Adadelta", dict(**c)) for c in _combos(
        weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3)), ("Adadelta", dict(lr=0.1, rho=0.0))]
    + [("Rprop", dict(**c)) for c in _combos(maximize=[False, True])]
    + [("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1))),
       ("Rprop", dict(lr=0.5, step_sizes=(0.01, 0.2), maximize=True))]
)


def _case_id(case):
    name, options = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in options.items())


def _assert_state_like_torch(opt, topt):
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["state"].keys() == tsd["state"].keys()
    for index, state in sd["state"].items():
        assert list(state) == list(tsd["state"][index]), index
        for key, value in state.items():
            np.testing.assert_allclose(_host(value), _host(tsd["state"][index][key]),
                                       rtol=1e-10, atol=1e-12, err_msg=key)
            if key in ("step", "mu_product"):
                assert value.dtype == ag.float32 and value.device.type == "cpu", key
    # the same option names and values in every group (torch's `lr` etc.)
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        assert group == tgroup


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_optimizer_matches_torch_20_steps(case, device):
    name, options = case
    w, b, opt = _run("ag", name, options, device=device)
    tw, tb, topt = _run("torch", name, options)
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-10, atol=1e-12)
    assert not np.allclose(w, W0)  # the optimiser moved the weights
    _assert_state_like_torch(opt, topt)
    for state in opt.state.values():
        for key, value in state.items():
            if key not in ("step", "mu_product"):
                assert value.device.type == device, key


NAMES = ["NAdam", "RAdam", "Adamax", "Adadelta", "Rprop"]


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32_and_matches_torch(name, device):
    options = dict(lr=0.01)
    w, b, opt = _run("ag", name, options, device=device, dtype=np.float32)
    tw, tb, _ = _run("torch", name, options, dtype=np.float32)
    assert w.dtype == np.float32 and b.dtype == np.float32
    for state in opt.state.values():
        for key, value in state.items():
            assert value.dtype == ag.float32, key
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, tb, rtol=1e-5, atol=1e-6)


GROUP_CASES = [
    ("NAdam", dict(lr=0.05), [dict(decoupled_weight_decay=True, weight_decay=0.1),
                              dict(lr=0.01, momentum_decay=0.01, maximize=True)]),
    ("RAdam", dict(lr=0.05), [dict(betas=(0.8, 0.9)), dict(weight_decay=0.1)]),
    ("Adamax", dict(lr=0.05), [dict(betas=(0.5, 0.8)), dict(lr=0.1, weight_decay=0.2)]),
    ("Adadelta", dict(), [dict(rho=0.5), dict(lr=0.3, weight_decay=0.1)]),
    ("Rprop", dict(), [dict(lr=0.1), dict(etas=(0.2, 2.0), step_sizes=(1e-4, 1.0))]),
]


@requires_torch
@pytest.mark.parametrize("name,defaults,groups", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_with_different_options_match_torch(name, defaults, groups):
    w, b, opt = _run("ag", name, defaults, groups=groups)
    tw, tb, topt = _run("torch", name, defaults, groups=groups)
    np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb, rtol=1e-10, atol=1e-12)
    _assert_state_like_torch(opt, topt)


RESUME_CASES = [
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.05, maximize=True)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1)),
    ("Adadelta", dict(rho=0.8, weight_decay=0.1)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5))),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,options", RESUME_CASES,
                         ids=[_case_id(c) for c in RESUME_CASES])
def test_checkpoint_resume_is_bit_for_bit(name, options, device, tmp_path):
    x = ag.tensor(X, device=device)

    def train(w, b, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            _loss(x, w, b).backward()
            opt.step()

    def fresh():
        w = ag.tensor(W0, device=device, requires_grad=True)
        b = ag.tensor(B0, device=device, requires_grad=True)
        return w, b, getattr(nn.optim, name)([w, b], **options)

    w, b, opt = fresh()
    train(w, b, opt, 20)

    w1, b1, opt1 = fresh()
    train(w1, b1, opt1, 10)
    nn.utils.save({"optimizer": opt1.state_dict(), "params": {"w": w1, "b": b1}},
                  tmp_path / "ckpt.safetensors")
    del w1, b1, opt1
    ckpt = nn.utils.load(tmp_path / "ckpt.safetensors")
    w2 = ag.tensor(ckpt["params"]["w"], device=device, requires_grad=True)
    b2 = ag.tensor(ckpt["params"]["b"], device=device, requires_grad=True)
    opt2 = getattr(nn.optim, name)([w2, b2], lr=123.0)  # options come from the checkpoint
    opt2.load_state_dict(ckpt["optimizer"])
    assert opt2.param_groups[0]["lr"] == options.get("lr", opt.defaults["lr"])
    for state in opt2.state.values():
        for key in ("step", "mu_product"):
            if key in state:  # host scalars stay on the host, in their saved dtype
                assert state[key].device.type == "cpu" and state[key].dtype == ag.float32
    train(w2, b2, opt2, 10)
    assert np.array_equal(_host(w2), _host(w))
    assert np.array_equal(_host(b2), _host(b))


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_torch_state_dict_loads_and_training_continues_like_torch(name):
    """A state dict written by PyTorch (its tensors as NumPy arrays) resumes here as the
    same PyTorch run continues."""
    options = dict(lr=0.05)
    _, _, topt = _run("torch", name, options, steps=5)
    tsd = topt.state_dict()
    sd = {"state": {i: {k: v.detach().numpy() for k, v in s.items()}
                    for i, s in tsd["state"].items()},
          "param_groups": tsd["param_groups"]}
    tw, tb = [p.detach().numpy().copy() for p in topt.param_groups[0]["params"]]
    w = ag.tensor(tw, requires_grad=True)
    b = ag.tensor(tb, requires_grad=True)
    opt = getattr(nn.optim, name)([w, b], lr=1.0)
    opt.load_state_dict(sd)
    x = ag.tensor(X)
    tx = torch.tensor(X)
    tparams = topt.param_groups[0]["params"]
    for _ in range(5):
        opt.zero_grad()
        _loss(x, w, b).backward()
        opt.step()
        topt.zero_grad()
        _loss(tx, *tparams).backward()
        topt.step()
    # PyTorch moves NAdam's mu_product to float64 on loading; here it stays float32
    np.testing.assert_allclose(_host(w), _host(tparams[0]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_host(b), _host(tparams[1]), rtol=1e-10, atol=1e-12)


BAD = [
    ("NAdam", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("NAdam", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("NAdam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("NAdam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("NAdam", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("NAdam", dict(momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
    ("RAdam", dict(lr=-0.5), "Invalid learning rate: -0.5"),
    ("RAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("RAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adamax", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("Adamax", dict(betas=(-0.1, 0.9)), "Invalid beta parameter at index 0: -0.1"),
    ("Adadelta", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(rho=-0.1), "Invalid rho value: -0.1"),
    ("Adadelta", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adadelta", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ("Rprop", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("Rprop", dict(etas=(1.0, 1.2)), "Invalid eta values: 1.0, 1.2"),
    ("Rprop", dict(etas=(0.5, 1.0)), "Invalid eta values: 0.5, 1.0"),
    ("Rprop", dict(etas=(0.0, 1.2)), "Invalid eta values: 0.0, 1.2"),
]


@requires_torch
@pytest.mark.parametrize("name,options,message", BAD,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)])
def test_invalid_arguments_raise_like_torch(name, options, message):
    w = ag.tensor(W0, requires_grad=True)
    with pytest.raises(ValueError, match=message) as ours:
        getattr(nn.optim, name)([w], **options)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.tensor(W0, requires_grad=True)], **options)
    assert str(ours.value) == f"{name}: {theirs.value}"


@pytest.mark.parametrize("name", NAMES)
def test_torch_only_keywords_are_accepted_and_kept_in_groups(name):
    w = ag.tensor(W0, requires_grad=True)
    opt = getattr(nn.optim, name)([w], foreach=False, capturable=False, maximize=True)
    group = opt.param_groups[0]
    assert group["foreach"] is False and group["capturable"] is False
    assert group["differentiable"] is False and group["maximize"] is True
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(nn.optim, name)([w], differentiable=True)


def test_defaults_match_torch_signatures():
    expected = {"NAdam": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                              momentum_decay=4e-3, decoupled_weight_decay=False),
                "RAdam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                              decoupled_weight_decay=False),
                "Adamax": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0),
                "Adadelta": dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
                "Rprop": dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))}
    w = ag.tensor(W0, requires_grad=True)
    for name, defaults in expected.items():
        group = getattr(nn.optim, name)([w]).param_groups[0]
        assert {k: group[k] for k in defaults} == defaults, name
        assert group["maximize"] is False


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_rprop_nan_gradient_counts_as_sign_zero_like_torch(device):
    """torch.sign(nan) is 0 in PyTorch: the step size is kept and the weight stays."""
    w = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, device=device, requires_grad=True)
    tw = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt, topt = nn.optim.Rprop([w], lr=0.1), torch.optim.Rprop([tw], lr=0.1)
    nan = float("nan")
    for grad in ([1.0, 1.0, 0.0], [nan, 1.0, -1.0], [1.0, -1.0, nan], [1.0, -1.0, -1.0]):
        w.grad = ag.tensor(grad, dtype=ag.float64, device=device)
        tw.grad = torch.tensor(grad, dtype=torch.float64)
        opt.step()
        topt.step()
        for key in ("prev", "step_size"):
            np.testing.assert_array_equal(_host(opt.state[w][key]),
                                          _host(topt.state[tw][key]), err_msg=key)
        np.testing.assert_array_equal(_host(w), _host(tw))
