"""Module mechanics: registration, traversal, names, state_dict, devices, hooks, repr."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _arch(lib):
    """The same nested architecture in Ember (`nn`) or PyTorch (`torch.nn`)."""
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.stem = lib.Sequential(lib.Linear(4, 8), lib.ReLU(),
                                       lib.Sequential(lib.Linear(8, 8), lib.Tanh()))
            self.blocks = lib.ModuleList([lib.Linear(8, 8), lib.Linear(8, 8, bias=False)])
            self.heads = lib.ModuleDict({"cls": lib.Linear(8, 3), "reg": lib.Bilinear(8, 8, 2)})
            self.loss = lib.CrossEntropyLoss(weight=None)
            self.register_buffer("running", (ag if lib is nn else torch).zeros(3))
            self.register_buffer("scratch", (ag if lib is nn else torch).ones(2),
                                 persistent=False)

        def forward(self, x):
            h = self.stem(x)
            for block in self.blocks:
                h = block(h)
            return self.heads["cls"](h) + self.heads["reg"](h, h).sum(-1, keepdim=True)
    return Net()


def test_state_dict_keys_and_shapes_equal_torch_for_nested_containers():
    ours, theirs = _arch(nn), _arch(torch.nn)
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    assert all(tuple(sd_o[k].shape) == tuple(sd_t[k].shape) for k in sd_t)
    assert "scratch" not in sd_o
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]


def test_state_dict_round_trips_to_torch_and_back_with_equal_outputs():
    ours, theirs = _arch(nn), _arch(torch.nn)
    theirs.double()
    ours.double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.randn(5, 4)
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    # and back: torch loads ours
    fresh = _arch(torch.nn).double()
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(fresh(torch.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_state_dict_values_are_detached_and_share_storage():
    lin = nn.Linear(2, 3)
    sd = lin.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert sd["weight"].array is lin.weight.array
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight
    assert list(lin.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]


def test_shared_parameter_is_yielded_once_and_named_as_torch():
    def build(lib):
        a = lib.Linear(3, 3)
        m = lib.Sequential(a, lib.ReLU(), a)
        return m
    ours, theirs = build(nn), build(torch.nn)
    assert len(list(ours.parameters())) == 2
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_setattr_type_errors_like_torch():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'Tensor' as parameter 'weight'"):
        lin.weight = ag.zeros(2, 2)
    seq = nn.Sequential(nn.ReLU())
    seq.act = nn.Tanh()
    with pytest.raises(TypeError, match="as child module 'act'"):
        seq.act = 3
    lin.register_buffer("buf", ag.zeros(1))
    with pytest.raises(TypeError, match="as buffer 'buf'"):
        lin.buf = np.zeros(1)
    with pytest.raises(TypeError, match="to parameter 'p'"):
        lin.register_parameter("p", ag.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        lin.register_buffer("weight", ag.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        lin.register_buffer("a.b", ag.zeros(1))
    with pytest.raises(TypeError, match="not a Module subclass"):
        lin.add_module("m", 3)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ag.zeros(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_setattr_none_and_reassignment_move_between_registries():
    lin = nn.Linear(2, 2)
    lin.bias = None
    assert lin.bias is None and "bias" not in lin.state_dict()
    lin.extra = nn.Parameter(ag.ones(3))
    assert "extra" in dict(lin.named_parameters())
    del lin.extra
    assert "extra" not in dict(lin.named_parameters())
    with pytest.raises(AttributeError, match="has no attribute 'extra'"):
        lin.extra
    assert "weight" in dir(lin)
    lin.register_buffer("stat", None)
    assert "stat" not in lin.state_dict()


def test_train_eval_requires_grad_and_zero_grad():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 1)))
    assert m.training and m[1][0].training
    assert m.eval() is m and not m[1][0].training
    m.train()
    assert m[1][0].training
    with pytest.raises(ValueError):
        m.train("yes")
    m(ag.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_dtype_keeps_parameter_identity_and_converts_grads_and_float_buffers_only():
    lin = nn.Linear(3, 2)
    lin.register_buffer("count", ag.tensor(3))
    lin.register_buffer("stat", ag.zeros(2))
    lin(ag.randn(4, 3)).sum().backward()
    w = lin.weight
    w_before = w.detach().numpy().copy()
    assert lin.double() is lin
    assert lin.weight is w and w.dtype == ag.float64 and w.grad.dtype == ag.float64
    np.testing.assert_array_equal(w.detach().numpy(), w_before)
    assert lin.stat.dtype == ag.float64 and lin.count.dtype == ag.int64
    lin.to(ag.float32)
    assert lin.weight is w and w.dtype == ag.float32
    assert lin.cpu() is lin and lin.weight.device == "cpu"
    with pytest.raises(TypeError, match="floating point"):
        lin.to(ag.int64)


def test_apply_visits_children_before_parent():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_forward_hooks_change_args_and_outputs_and_remove():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    post = lin.register_forward_hook(lambda mod, args, out: calls.append(out) or out + 1)
    out = lin(ag.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None] + 1,
                               rtol=1e-6)
    assert len(calls) == 1
    pre.remove()
    post.remove()
    out = lin(ag.ones(1, 2))
    expected = lin.weight.detach().numpy().sum(1) + lin.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy()[0], expected, rtol=1e-6)
    assert len(calls) == 1


def test_forward_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor
    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    assert m(ag.ones(1)).item() == 3.0


def _repr_models(lib):
    return [
        lib.Sequential(lib.Linear(4, 8), lib.ReLU(inplace=True), lib.Identity(),
                       lib.Linear(8, 2, bias=False)),
        lib.Sequential(OrderedDict([("fc", lib.Linear(2, 3)), ("act", lib.GELU("tanh")),
                                    ("out", lib.LogSoftmax(dim=1))])),
        lib.ModuleList([lib.Linear(3, 3) for _ in range(3)] + [lib.LeakyReLU(0.2, True)]),
        lib.ModuleDict({"a": lib.ELU(alpha=0.5), "b": lib.Softplus(beta=2.0),
                        "c": lib.Sequential(lib.Flatten(), lib.Unflatten(1, (2, 3)))}),
        lib.Sequential(lib.SiLU(), lib.Sigmoid(), lib.Tanh(), lib.Softmax(dim=-1),
                       lib.Bilinear(2, 3, 4), lib.MSELoss(), lib.CrossEntropyLoss(),
                       lib.Identity()),
        lib.Sequential(),
    ]


def test_repr_equals_torch():
    for ours, theirs in zip(_repr_models(nn), _repr_models(torch.nn)):
        assert repr(ours) == repr(theirs)


def test_sequential_indexing_slicing_and_editing():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b, c)
    assert s[0] is a and s[-1] is c and len(s) == 3 and list(s) == [a, b, c]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]  # keys kept, as PyTorch
    with pytest.raises(IndexError):
        s[3]
    s.append(nn.Identity())
    s.insert(1, nn.SiLU())
    assert [type(m).__name__ for m in s] == ["Linear", "SiLU", "ReLU", "Tanh", "Identity"]
    assert list(s._modules) == ["0", "1", "2", "3", "4"]
    s.extend([nn.Sigmoid()])
    del s[0]
    assert list(s._modules) == [str(i) for i in range(5)] and isinstance(s[0], nn.SiLU)
    x = ag.randn(2, 1)
    np.testing.assert_allclose(nn.Sequential(a, b)(x).detach().numpy(),
                               b(a(x)).detach().numpy())


def test_module_list_and_dict_behave_like_torch():
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    ml += [nn.SiLU()]
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh", "SiLU"]
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3 and ml[-1] is ml[3]
    md = nn.ModuleDict([("x", nn.ReLU()), ("y", nn.Tanh())])
    assert list(md) == ["x", "y"] and "x" in md and len(md) == 2
    md["z"] = nn.Linear(1, 1)
    assert list(md.keys()) == ["x", "y", "z"]
    assert [n for n, _ in md.named_parameters()] == ["z.weight", "z.bias"]
    assert md.pop("x").__class__ is nn.ReLU and "x" not in md


def test_flatten_unflatten_identity():
    x = ag.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(2, (2, 2))(x).shape == (2, 3, 2, 2)
    assert nn.Identity(54, unused="x")(x) is x


# ----------------------------------------------------------------------------- load_state_dict
def _snapshot(m):
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def test_load_state_dict_reports_missing_unexpected_and_shape_at_once_and_changes_nothing():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = _snapshot(m)
    sd = {k: np.zeros(v.shape) for k, v in before.items()}
    del sd["1.bias"]
    sd["extra.weight"] = np.zeros(2)
    sd["0.weight"] = np.zeros((4, 2))
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict(sd)
    msg = str(err.value)
    assert '"1.bias"' in msg and '"extra.weight"' in msg
    assert "size mismatch for 0.weight" in msg and "(4, 2)" in msg and "(3, 2)" in msg
    after = _snapshot(m)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_non_strict_returns_keys_but_still_rejects_shapes():
    m = nn.Linear(2, 3)
    result = m.load_state_dict({"weight": np.ones((3, 2)), "junk": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["junk"]
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones((3, 2)))
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict({"weight": np.ones((2, 2))}, strict=False)


def test_load_state_dict_wrong_type_is_a_clear_type_error_and_changes_nothing():
    m = nn.Linear(2, 3)
    before = _snapshot(m)
    with pytest.raises(TypeError, match='"bias".*got list'):
        m.load_state_dict({"weight": np.zeros((3, 2)), "bias": [0.0, 0.0, 0.0]})
    assert np.array_equal(_snapshot(m)["weight"], before["weight"])


def test_load_state_dict_converts_dtype_and_keeps_parameter_objects():
    m = nn.Linear(2, 2)
    w = m.weight
    version = w._version[0]
    r = m.load_state_dict({"weight": np.full((2, 2), 0.5, np.float64),
                           "bias": ag.tensor([1.0, 2.0], dtype=ag.float64)})
    assert repr(r) == "<All keys matched successfully>"
    assert m.weight is w and w.dtype == ag.float32 and w._version[0] > version
    np.testing.assert_array_equal(w.detach().numpy(), np.full((2, 2), 0.5, np.float32))


def test_frozen_submodule_unchanged_by_manual_sgd_step_while_rest_changes():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model[0].requires_grad_(False)
    before = _snapshot(model)
    loss = nn.functional.cross_entropy(model(ag.randn(8, 3)), ag.tensor([0, 1] * 4))
    loss.backward()
    with ag.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p -= 0.5 * p.grad
    after = _snapshot(model)
    assert model[0].weight.grad is None
    assert np.array_equal(before["0.weight"], after["0.weight"])
    assert np.array_equal(before["0.bias"], after["0.bias"])
    assert not np.array_equal(before["2.weight"], after["2.weight"])
    assert not np.array_equal(before["2.bias"], after["2.bias"])


def test_get_submodule_and_missing_forward():
    m = _arch(nn)
    assert m.get_submodule("stem.2.0") is m.stem[2][0]
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)
