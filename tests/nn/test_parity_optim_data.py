"""PyTorch parity: Tensor hyperparameters in optimisers, the scheduler/optimizer step-order
warning and `_LRScheduler`, in-place dropout, default_collate / default_convert."""
import collections
import copy
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn import data, optim
from nn.optim import lr_scheduler as L
from tests.conftest import requires_torch, torch

START = [[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]]

OPTIMS = [
    ("SGD", {}), ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {}), ("Adam", {"amsgrad": True, "weight_decay": 0.1}), ("AdamW", {}),
    ("Adagrad", {}), ("RMSprop", {"momentum": 0.5}), ("Adadelta", {}), ("Adamax", {}),
    ("NAdam", {}), ("RAdam", {}), ("ASGD", {}), ("Rprop", {}), ("LBFGS", {}),
    ("Adafactor", {}),
]


def _run(lib, name, lr, tensor_kw=False, steps=3, **kw):
    p = lib.nn.Parameter(lib.tensor(START))
    if tensor_kw:
        kw = {k: lib.tensor(v) if isinstance(v, float) else v for k, v in kw.items()}
    o = getattr(lib.optim, name)([p], lr=lr, **kw)

    def closure():
        o.zero_grad()
        loss = (p ** 2).sum() + p.sum()
        loss.backward()
        return loss

    for _ in range(steps):
        if name == "LBFGS":
            o.step(closure)
        else:
            closure()
            o.step()
    return np.array(p.detach().tolist())


def test_sgd_tensor_lr_is_not_a_no_op():
    p = nn.Parameter(ag.tensor([1.0, -2.0]))
    o = optim.SGD([p], lr=ag.tensor(0.1))
    (p ** 2).sum().backward()
    o.step()
    assert np.allclose(p.detach().tolist(), [0.8, -1.6])
    assert isinstance(o.param_groups[0]["lr"], ag.Tensor)  # kept, as PyTorch keeps it


@pytest.mark.parametrize("name,kw", OPTIMS)
def test_tensor_lr_matches_float_lr(name, kw):
    ours = _run(ag, name, ag.tensor(0.1), **kw)
    assert np.allclose(ours, _run(ag, name, 0.1, **kw), rtol=1e-6, atol=1e-7)
    assert not np.allclose(ours, START)


@requires_torch
@pytest.mark.parametrize("name,kw", OPTIMS)
def test_tensor_lr_matches_torch(name, kw):
    ours = _run(ag, name, ag.tensor(0.1), tensor_kw=name == "SGD", **kw)
    theirs = _run(torch, name, torch.tensor(0.1), tensor_kw=name == "SGD", **kw)
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@requires_torch
def test_tensor_betas_and_one_element_lr_match_torch():
    kw = {"betas": (0.8, 0.9)}
    ours = _run(ag, "Adam", ag.tensor([0.1]), betas=(ag.tensor(0.8), ag.tensor(0.9)))
    theirs = _run(torch, "Adam", torch.tensor([0.1]),
                  betas=(torch.tensor(0.8), torch.tensor(0.9)))
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert np.allclose(ours, _run(ag, "Adam", 0.1, **kw), rtol=1e-5, atol=1e-6)


def test_tensor_hyperparameter_errors():
    p = nn.Parameter(ag.tensor([1.0]))
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.SGD([p], lr=ag.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.Adagrad([p], lr=ag.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="capturable=False and foreach=True"):
        optim.Adam([p], lr=ag.tensor(0.1), foreach=True)
    optim.Adam([p], lr=ag.tensor(0.1), foreach=True, capturable=True)
    with pytest.raises(ValueError, match="both floats or both Tensors"):
        optim.Adam([p], betas=(ag.tensor(0.9), 0.99))
    # a Tensor put into a group later with several elements: a clear error, not a no-op
    o = optim.SGD([p], lr=0.1)
    o.param_groups[0]["weight_decay"] = ag.tensor([0.1, 0.2])
    p.grad = ag.tensor([1.0])
    with pytest.raises(ValueError, match="one element"):
        o.step()


def test_tensor_lr_set_in_group_later_and_scheduler_fills_it():
    p = nn.Parameter(ag.tensor([1.0]))
    o = optim.SGD([p], lr=0.5)
    lr = ag.tensor(0.1)
    o.param_groups[0]["lr"] = lr
    s = L.StepLR(o, 1, gamma=0.5)
    p.grad = ag.tensor([1.0])
    o.step()
    assert np.allclose(p.detach().tolist(), [0.9])
    s.step()
    assert o.param_groups[0]["lr"] is lr and np.isclose(float(lr), 0.05)
    last = s.get_last_lr()[0]
    assert isinstance(last, ag.Tensor) and last is not lr
    o.step()
    assert np.allclose(p.detach().tolist(), [0.85])


def _caught(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [str(x.message) for x in w]


def _sgd():
    p = nn.Parameter(ag.tensor([1.0, -2.0]))
    return p, optim.SGD([p], lr=0.1)


def test_lr_scheduler_alias():
    assert L._LRScheduler.__name__ == "_LRScheduler"
    assert issubclass(L._LRScheduler, L.LRScheduler)

    class Warmup(L._LRScheduler):
        def __init__(self, opt, n, last_epoch=-1):
            self.n = n
            super().__init__(opt, last_epoch)

        def get_lr(self):
            return [b * min(1.0, (self.last_epoch + 1) / self.n) for b in self.base_lrs]

    p, o = _sgd()
    s = Warmup(o, 4)
    assert np.isclose(o.param_groups[0]["lr"], 0.025)
    p.grad = ag.ones(2)
    o.step()
    s.step()
    assert np.isclose(s.get_last_lr()[0], 0.05)


def test_scheduler_step_before_optimizer_step_warns():
    p, o = _sgd()
    s = L.StepLR(o, 1, gamma=0.5)
    msgs = _caught(s.step)
    assert len(msgs) == 1 and msgs[0].startswith(
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`")
    assert _caught(s.step) == []  # only the first step checks
    p, o = _sgd()
    s = L.StepLR(o, 1, gamma=0.5)
    p.grad = ag.ones(2)
    assert _caught(lambda: (o.step(), s.step())) == []
    assert o._stepped_since_scheduler and o.step._ember_counts_steps
    p, o = _sgd()
    s = L.StepLR(o, 1)
    o.step = lambda *a, **k: None
    msgs = _caught(s.step)
    assert len(msgs) == 1 and "has been overridden" in msgs[0]
    p, o = _sgd()
    s = L.ReduceLROnPlateau(o)
    assert _caught(lambda: s.step(1.0)) == []


def test_wrapped_step_keeps_hooks_and_copies():
    p, o = _sgd()
    seen = []
    o.register_step_post_hook(lambda *a: seen.append(1))
    L.StepLR(o, 1)
    L.ExponentialLR(o, 0.9)  # wraps once
    p.grad = ag.ones(2)
    o.step()
    assert seen == [1] and np.allclose(p.detach().tolist(), [0.9, -2.1])
    o2 = copy.deepcopy(o)
    assert not hasattr(o2.step, "_ember_counts_steps")
    o2.step()
    assert seen == [1, 1] and np.allclose(p.detach().tolist(), [0.9, -2.1])


@requires_torch
def test_scheduler_warnings_match_torch():
    def scenario(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        o = lib.optim.SGD([p], lr=lib.tensor(0.1), momentum=0.9)
        s = lib.optim.lr_scheduler.SequentialLR(
            o, [lib.optim.lr_scheduler.ConstantLR(o, 0.5, 2),
                lib.optim.lr_scheduler.ExponentialLR(o, 0.9)], [2])
        out = [_caught(s.step)]
        for _ in range(3):
            o.zero_grad()
            (p ** 2).sum().backward()
            o.step()
            out.append(_caught(s.step))
        return out, float(o.param_groups[0]["lr"]), p.detach().tolist()

    ours, theirs = scenario(ag), scenario(torch)
    assert ours[0] == theirs[0]
    assert np.isclose(ours[1], theirs[1])
    assert np.allclose(ours[2], theirs[2], rtol=1e-6)


# ----------------------------------------------------------------------------- dropout
DROPOUTS = [("dropout", (4, 6)), ("dropout1d", (2, 3, 4)), ("dropout2d", (2, 3, 4, 4)),
            ("dropout3d", (2, 3, 2, 2, 2)), ("alpha_dropout", (4, 6)),
            ("feature_alpha_dropout", (2, 3, 4))]


@pytest.mark.parametrize("name,shape", DROPOUTS)
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("training", [True, False])
def test_dropout_inplace_returns_input(name, shape, p, training):
    fn = getattr(F, name)
    t = ag.randn(*shape)
    before = t.detach().clone()
    ag.manual_seed(3)
    y = fn(t, p, training, inplace=True)
    assert y is t
    ag.manual_seed(3)
    expected = fn(before, p, training)
    assert np.allclose(t.detach().numpy(), expected.detach().numpy())
    modified = not np.array_equal(t.detach().numpy(), before.numpy())
    assert modified == (training and p > 0)


@pytest.mark.parametrize("name,shape", DROPOUTS)
def test_dropout_inplace_autograd(name, shape):
    fn = getattr(F, name)
    leaf = ag.randn(*shape, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        fn(leaf, 0.5, True, inplace=True)
    assert fn(leaf, 0.5, False, inplace=True) is leaf  # identity: no in-place op
    with ag.no_grad():
        assert fn(leaf, 0.5, True, inplace=True) is leaf
    leaf2 = ag.randn(*shape, requires_grad=True)
    h = leaf2 * 2
    ag.manual_seed(5)
    y = fn(h, 0.5, True, inplace=True)
    assert y is h and y.grad_fn is not None
    (y * ag.arange(y.numel(), dtype=y.dtype).reshape(shape)).sum().backward()
    ref = ag.tensor(leaf2.detach().numpy(), requires_grad=True)
    ag.manual_seed(5)
    out = fn(ref * 2, 0.5, True)
    (out * ag.arange(out.numel(), dtype=out.dtype).reshape(shape)).sum().backward()
    assert np.allclose(leaf2.grad.numpy(), ref.grad.numpy())


def test_dropout_module_inplace():
    m = nn.Dropout(0.5, inplace=True)
    t = ag.randn(8, 8)
    assert m(t) is t
    m2 = nn.Dropout2d(0.5, inplace=True)
    t2 = ag.randn(2, 3, 4, 4)
    assert m2(t2) is t2
    m.eval()
    assert m(t) is t


@requires_torch
@pytest.mark.parametrize("name,shape", DROPOUTS)
def test_dropout_inplace_grad_pattern_like_torch(name, shape):
    """Gradients through an in-place dropout keep exactly the kept units (scaled)."""
    def grads(lib):
        x = lib.ones(*shape, requires_grad=True)
        h = x * 1
        out = getattr(lib.nn.functional, name)(h, 0.5, True, inplace=True)
        kept = (out.detach() != 0) if "alpha" not in name else None
        out.sum().backward()
        return x.grad, kept

    g, kept = grads(ag)
    tg, _ = grads(torch)
    # both scale kept units by the same constant and zero the dropped ones
    assert set(np.unique(g.numpy().round(5))) <= set(np.unique(tg.numpy().round(5))) | {0.0}
    if kept is not None:
        assert np.array_equal(g.numpy() != 0, kept.numpy())


# ----------------------------------------------------------------------------- collate
Point = collections.namedtuple("Point", "x y")


def _as_plain(obj):
    """Tensors (Ember's or torch's) as (dtype name, nested list), containers as their type
    name and contents: a structure two libraries' outputs can be compared by."""
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and not isinstance(obj, np.ndarray):
        return ("tensor", str(obj.dtype).split(".")[-1], obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: _as_plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_as_plain(v) for v in obj])
    return obj


COLLATE_CASES = {
    "tuple_int_str": [(1, "a"), (2, "b")],
    "list_int_str": [[1, "a"], [2, "b"]],
    "strs": ["a", "b"],
    "bytes": [b"a", b"b"],
    "floats": [1.0, 2.5],
    "bools": [True, False],
    "ints": [1, 2],
    "dict": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "ordered_dict": [collections.OrderedDict(a=1.0), collections.OrderedDict(a=2.0)],
    "namedtuple": [Point(1, 2.0), Point(3, 4.0)],
    "arrays": [np.array([1, 2]), np.array([3, 4])],
    "np_float32": [np.float32(1), np.float32(2)],
    "np_int64": [np.int64(1), np.int64(2)],
    "nested": [(1, (2, "a")), (3, (4, "b"))],
    "np_str": [np.str_("a"), np.str_("b")],
}


def test_default_collate_tuple_of_strings():
    out = data.default_collate([(1, "a"), (2, "b")])
    assert isinstance(out, list) and out[1] == ("a", "b")
    assert out[0].tolist() == [1, 2]
    assert data.default_collate(["a", "b"]) == ["a", "b"]


@requires_torch
@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    batch = COLLATE_CASES[case]
    ours = data.default_collate(batch)
    theirs = torch.utils.data.default_collate(batch)
    assert _as_plain(ours) == _as_plain(theirs)


@requires_torch
def test_default_collate_errors_match_torch():
    for batch, err in (([None, None], TypeError), ([np.array(["a"]), np.array(["b"])],
                                                   TypeError), ([(1, 2), (3,)], RuntimeError)):
        with pytest.raises(err) as ours:
            data.default_collate(batch)
        with pytest.raises(err) as theirs:
            torch.utils.data.default_collate(batch)
        assert str(ours.value) == str(theirs.value)


@requires_torch
@pytest.mark.parametrize("sample", [(1, np.array([1.0])), [1, "a"], Point(np.array([1]), 2),
                                    {"a": np.arange(2)}, np.float32(2.0), "s"])
def test_default_convert_matches_torch(sample):
    ours = data.default_convert(sample)
    theirs = torch.utils.data.default_convert(sample)
    assert _as_plain(ours) == _as_plain(theirs)


@requires_torch
@pytest.mark.parametrize("num_workers", [0, 1])
def test_dataloader_batch_size_none_matches_torch(num_workers):
    xs, ys = np.arange(4.0, dtype=np.float32), np.arange(4)
    ours = list(data.DataLoader(data.TensorDataset(ag.tensor(xs), ag.tensor(ys)),
                                batch_size=None, num_workers=num_workers))
    theirs = list(torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(xs), torch.tensor(ys)), batch_size=None))
    assert _as_plain(ours) == _as_plain(theirs)
    pairs = [(1, "a"), (2, "b")]
    assert _as_plain(list(data.DataLoader(pairs, batch_size=None))) == _as_plain(
        list(torch.utils.data.DataLoader(pairs, batch_size=None)))
    assert _as_plain(list(data.DataLoader(pairs, batch_size=2))) == _as_plain(
        list(torch.utils.data.DataLoader(pairs, batch_size=2)))
