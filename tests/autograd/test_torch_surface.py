"""PyTorch names real programs use beyond the core table: the legacy Tensor
constructors, inference_mode, finfo/iinfo, addmm and friends, diag/trace, index_add,
repeat_interleave, unique, multinomial/bernoulli and autograd.linalg's norms. Each
compared with PyTorch; each differentiable one gradient-checked in float64."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import DEVICES, requires_torch, torch

rng = np.random.default_rng(7)


def _t(arr, device="cpu", grad=False):
    return ag.tensor(np.array(arr), device=device, requires_grad=grad)


def _close(ours, theirs, tol=1e-10):
    a = ours.detach().cpu().numpy() if isinstance(ours, ag.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _grads_match(fe, ft, arrays, device="cpu"):
    """Values and the gradients of every float input agree with torch (float64)."""
    ins_e = [ag.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    ins_t = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    oe, ot = fe(*ins_e), ft(*ins_t)
    _close(oe, ot)
    g = rng.standard_normal(tuple(ot.shape))
    oe.backward(ag.tensor(g, device=device))
    ot.backward(torch.tensor(g))
    for e, t in zip(ins_e, ins_t):
        if t.requires_grad:
            _close(e.grad, t.grad)


# ----------------------------------------------------------------------------- constructors
def test_legacy_tensor_constructor_like_torch():
    assert ag.Tensor(2, 3).shape == (2, 3) and ag.Tensor(2, 3).dtype == ag.float32
    assert ag.Tensor().shape == (0,)
    assert ag.Tensor([1, 2]).dtype == ag.float32  # data: the default dtype, not int64
    assert ag.Tensor(np.zeros(2, np.float64)).dtype == ag.float32
    assert ag.Tensor(ag.ones(2, 3).shape).shape == (2, 3)  # a Size is a shape
    np.testing.assert_array_equal(ag.Tensor((2, 3)).numpy(), [2.0, 3.0])  # a tuple is data
    with pytest.raises(TypeError, match="data must be a sequence"):
        ag.Tensor(2.5)
    w = nn.Parameter(ag.Tensor(4, 3))  # the custom-layer idiom
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert w.shape == (4, 3) and w.requires_grad and float(w.detach().abs().sum()) > 0


@pytest.mark.parametrize("name, dtype", [("FloatTensor", "float32"), ("DoubleTensor", "float64"),
                                         ("LongTensor", "int64"), ("IntTensor", "int32"),
                                         ("BoolTensor", "bool"), ("ByteTensor", "uint8")])
def test_typed_legacy_constructors(name, dtype):
    t = getattr(ag, name)([1, 0, 2])
    assert str(t.dtype) == f"torch.{dtype}" and t.shape == (3,)
    assert getattr(ag, name)(2, 2).shape == (2, 2)
    if torch is not None:
        np.testing.assert_array_equal(t.numpy(), getattr(torch, name)([1, 0, 2]).numpy())


# ----------------------------------------------------------------------------- modes, info
def test_inference_mode_records_no_graph_and_restores():
    x = ag.ones(2, requires_grad=True)
    assert not ag.is_inference_mode_enabled()
    with ag.inference_mode():
        assert ag.is_inference_mode_enabled() and not ag.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode()
    def f(a):
        return a * 2

    @ag.inference_mode
    def g(a):
        return a * 3
    assert not f(x).requires_grad and not g(x).requires_grad
    assert (x * 2).requires_grad


@requires_torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_finfo_matches_torch(dtype):
    ours, theirs = ag.finfo(getattr(ag, dtype)), torch.finfo(getattr(torch, dtype))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert ag.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError):
        ag.finfo(ag.int64)


@requires_torch
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_matches_torch(dtype):
    ours, theirs = ag.iinfo(getattr(ag, dtype)), torch.iinfo(getattr(torch, dtype))
    assert (ours.bits, ours.max, ours.min) == (theirs.bits, theirs.max, theirs.min)


# ----------------------------------------------------------------------------- add*mm
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, -2.0), (0, 1.5)])
def test_addmm_family_matches_torch(beta, alpha, device):
    kw = dict(beta=beta, alpha=alpha)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    for inp in (rng.standard_normal((3, 5)), rng.standard_normal((5,))):
        _grads_match(lambda i, x, y: ag.addmm(i, x, y, **kw),
                     lambda i, x, y: torch.addmm(i, x, y, **kw), [inp, a, b], device)
    b1, b2 = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    _grads_match(lambda i, x, y: i.baddbmm(x, y, **kw), lambda i, x, y: i.baddbmm(x, y, **kw),
                 [rng.standard_normal((2, 3, 5)), b1, b2], device)
    _grads_match(lambda i, x, y: ag.addbmm(i, x, y, **kw),
                 lambda i, x, y: torch.addbmm(i, x, y, **kw),
                 [rng.standard_normal((3, 5)), b1, b2], device)
    _grads_match(lambda i, x, y: ag.addmv(i, x, y, **kw),
                 lambda i, x, y: torch.addmv(i, x, y, **kw),
                 [rng.standard_normal(3), a, rng.standard_normal(4)], device)


def test_addmm_beta_zero_ignores_nan_input_and_checks_shapes():
    out = ag.addmm(ag.full((2, 2), float("nan"), dtype=ag.float64), ag.eye(2, dtype=ag.float64),
                   ag.eye(2, dtype=ag.float64), beta=0)
    np.testing.assert_array_equal(out.numpy(), np.eye(2))
    with pytest.raises(RuntimeError, match=r"addmm: expected 2-d matrices"):
        ag.addmm(ag.zeros(2, 2), ag.zeros(2, 2, 2), ag.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"addmm: input of shape \(3,\)"):
        ag.addmm(ag.zeros(3), ag.zeros(2, 2), ag.zeros(2, 2))
    fn = lambda i, x, y: ag.addmm(i, x, y, beta=0.3, alpha=2.0)  # noqa: E731
    assert ag.gradcheck(fn, tuple(_t(rng.standard_normal(s), grad=True)
                                  for s in ((2, 3), (2, 4), (4, 3))))


# ----------------------------------------------------------------------------- diag, trace
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_and_trace_match_torch(k, device):
    _grads_match(lambda v: ag.diag(v, k), lambda v: torch.diag(v, k),
                 [rng.standard_normal(4)], device)
    _grads_match(lambda m: m.diag(k), lambda m: m.diag(k), [rng.standard_normal((4, 5))],
                 device)
    _grads_match(lambda m: ag.trace(m).reshape(1), lambda m: torch.trace(m).reshape(1),
                 [rng.standard_normal((3, 5))], device)


def test_diag_gradchecks_and_errors():
    assert ag.gradgradcheck(lambda v: ag.diag(v, 1) * 2, (_t(rng.standard_normal(3), grad=True),))
    assert ag.gradcheck(lambda m: ag.diag(m, -1), (_t(rng.standard_normal((3, 4)), grad=True),))
    assert ag.trace(ag.tensor([[1, 2], [3, 4]])).item() == 5
    with pytest.raises(RuntimeError, match=r"diag: expected a 1-d or 2-d tensor"):
        ag.diag(ag.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="trace: expected a matrix"):
        ag.trace(ag.zeros(3))


# ----------------------------------------------------------------------------- index_add
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_index_add_out_of_place_matches_torch(device):
    idx = np.array([0, 2, 2, 1])
    _grads_match(lambda x, i, s: ag.index_add(x, 1, i, s, alpha=-1.5),
                 lambda x, i, s: torch.index_add(x, 1, i, s, alpha=-1.5),
                 [rng.standard_normal((3, 4)), idx, rng.standard_normal((3, 4))], device)
    idx_t = _t(idx)
    assert ag.gradcheck(lambda x, s: ag.index_add(x, 1, idx_t, s, alpha=0.5),
                        (_t(rng.standard_normal((3, 4)), grad=True),
                         _t(rng.standard_normal((3, 4)), grad=True)))
    x = _t(np.zeros(3), device)
    y = x.index_add(0, _t([1, 1], device), _t([1.0, 2.0], device))
    assert y.tolist() == [0.0, 3.0, 0.0] and x.tolist() == [0.0, 0.0, 0.0]


# ----------------------------------------------------------------------------- repeat_interleave
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_repeat_interleave_matches_torch(device):
    x = rng.standard_normal((2, 3))
    reps = np.array([1, 0, 3])
    _grads_match(lambda a: a.repeat_interleave(2), lambda a: a.repeat_interleave(2), [x], device)
    _grads_match(lambda a: ag.repeat_interleave(a, 3, dim=0),
                 lambda a: torch.repeat_interleave(a, 3, dim=0), [x], device)
    _grads_match(lambda a, r: a.repeat_interleave(r, dim=1),
                 lambda a, r: a.repeat_interleave(r, dim=1), [x, reps], device)
    _grads_match(lambda a, r: a.repeat_interleave(r, dim=-2),
                 lambda a, r: a.repeat_interleave(r, dim=-2), [x, np.array([2])], device)
    _close(ag.repeat_interleave(_t(reps, device)), torch.repeat_interleave(torch.tensor(reps)))
    assert ag.gradcheck(lambda a: a.repeat_interleave(_t(reps), dim=1), (_t(x, grad=True),))


def test_repeat_interleave_errors():
    x = ag.zeros(2, 3)
    with pytest.raises(RuntimeError, match="repeats can not be negative"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match="same size as input along dim"):
        x.repeat_interleave(ag.tensor([1, 2]), dim=1)
    with pytest.raises(RuntimeError, match="output_size 5"):
        x.repeat_interleave(2, dim=0, output_size=5)


# ----------------------------------------------------------------------------- unique
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_unique_matches_torch(device):
    a = np.array([[3, 1, 3], [2, 1, 3]])
    for kw in (dict(), dict(return_inverse=True), dict(return_counts=True),
               dict(return_inverse=True, return_counts=True), dict(dim=0), dict(dim=1),
               dict(dim=1, return_inverse=True, return_counts=True)):
        ours, theirs = ag.unique(_t(a, device), **kw), torch.unique(torch.tensor(a), **kw)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t)
    f = np.array([2.5, -1.0, 2.5])
    _close(_t(f, device).unique(), torch.tensor(f).unique())


# ----------------------------------------------------------------------------- sampling
@pytest.mark.parametrize("device", DEVICES)
def test_multinomial_frequencies_and_rules(device):
    w = _t([[0.0, 1.0, 3.0, 0.0], [2.0, 2.0, 0.0, 4.0]], device)
    draws = ag.multinomial(w, 4000, replacement=True)
    assert draws.shape == (2, 4000) and draws.dtype == ag.int64
    counts = np.stack([np.bincount(r, minlength=4) for r in draws.cpu().numpy()]) / 4000
    np.testing.assert_allclose(counts, [[0, 0.25, 0.75, 0], [0.25, 0.25, 0, 0.5]], atol=0.04)
    # without replacement: distinct, and only categories with weight
    assert set(w[1].multinomial(3).cpu().numpy()) == {0, 1, 3}
    picked = w.multinomial(2).cpu().numpy()
    assert picked.shape == (2, 2) and set(picked[0]) == {1, 2} and len(set(picked[1])) == 2
    # first draws without replacement follow the weights too
    first = np.bincount(ag.multinomial(_t(np.tile([1.0, 3.0], (3000, 1)), device), 1)
                        .cpu().numpy()[:, 0], minlength=2) / 3000
    np.testing.assert_allclose(first, [0.25, 0.75], atol=0.04)
    assert ag.multinomial(_t([0.2, 0.8], device), 5, True).shape == (5,)
    ag.manual_seed(3)
    a = ag.multinomial(w, 5, True).cpu().numpy()
    ag.manual_seed(3)
    np.testing.assert_array_equal(a, ag.multinomial(w, 5, True).cpu().numpy())


def test_multinomial_errors():
    with pytest.raises(RuntimeError, match="without replacement"):
        ag.multinomial(ag.ones(3), 4)
    with pytest.raises(RuntimeError, match="not enough non-negative category"):
        ag.multinomial(ag.tensor([1.0, 0.0, 0.0]), 2)
    with pytest.raises(RuntimeError, match="inf, nan or element < 0"):
        ag.multinomial(ag.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        ag.multinomial(ag.zeros(3), 1, True)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        ag.multinomial(ag.ones(2, 2, 2), 1)


@pytest.mark.parametrize("device", DEVICES)
def test_bernoulli(device):
    p = _t(np.full(20000, 0.3, np.float32), device)
    b = ag.bernoulli(p)
    assert b.dtype == ag.float32 and set(np.unique(b.cpu().numpy())) <= {0.0, 1.0}
    assert abs(float(b.mean().item()) - 0.3) < 0.02
    assert abs(float(p.bernoulli(0.9).mean().item()) - 0.9) < 0.02
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        ag.bernoulli(ag.tensor([1.5]))


# ----------------------------------------------------------------------------- linalg norms
@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("ord", [2, 1, 3.5, float("inf"), -float("inf")])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), ((0, 2), True)])
def test_vector_norm_matches_torch(ord, dim, keepdim, device):
    x = rng.standard_normal((2, 3, 4))
    _grads_match(lambda a: ag.linalg.vector_norm(a, ord, dim, keepdim).reshape(-1),
                 lambda a: torch.linalg.vector_norm(a, ord, dim, keepdim).reshape(-1),
                 [x], device)


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("ord", ["fro", 1, -1, float("inf"), -float("inf")])
@pytest.mark.parametrize("dim, keepdim", [((-2, -1), False), ((2, 0), True)])
def test_matrix_norm_matches_torch(ord, dim, keepdim, device):
    x = rng.standard_normal((3, 4, 5))
    _grads_match(lambda a: ag.linalg.matrix_norm(a, ord, dim, keepdim).reshape(-1),
                 lambda a: torch.linalg.matrix_norm(a, ord, dim, keepdim).reshape(-1),
                 [x], device)


@requires_torch
def test_linalg_norm_dispatch_and_errors():
    m, v = rng.standard_normal((3, 4)), rng.standard_normal(5)
    for a, kw in ((m, {}), (m, dict(ord="fro")), (m, dict(ord=1)), (v, dict(ord=3)),
                  (m, dict(dim=1)), (m, dict(ord=float("inf"), dim=(0, 1))),
                  (rng.standard_normal((2, 3, 4)), {})):
        _close(ag.linalg.norm(_t(a), **kw), torch.linalg.norm(torch.tensor(a), **kw))
    _close(ag.linalg.vector_norm(_t(v), 0), torch.linalg.vector_norm(torch.tensor(v), 0))
    with pytest.raises(RuntimeError, match="1-D or 2-D"):
        ag.linalg.norm(ag.zeros(2, 2, 2), ord=1)
    for ord in ("nuc", 2, -2):  # from the singular values
        _close(ag.linalg.matrix_norm(_t(m), ord), torch.linalg.matrix_norm(torch.tensor(m), ord))
    with pytest.raises(RuntimeError, match="floating point"):
        ag.linalg.vector_norm(ag.tensor([1, 2]))
    assert ag.gradcheck(lambda a: ag.linalg.matrix_norm(a, 1), (_t(m, grad=True),))
    for ord in (2, 3.5, float("inf")):
        assert ag.gradcheck(lambda a: ag.linalg.vector_norm(a, ord, dim=1),
                            (_t(m, grad=True),))
    assert ag.gradcheck(lambda a: ag.linalg.norm(a), (_t(m, grad=True),))


# ----------------------------------------------------------------------------- top level
def test_num_threads_seed_compile_save_load(tmp_path):
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1 or ag.backend._BLAS_THREADS is None
    finally:
        ag.set_num_threads(max(before, 1))
    with pytest.raises(RuntimeError, match="positive number of threads"):
        ag.set_num_threads(0)
    ag.manual_seed(5)
    assert ag.initial_seed() == 5
    s = ag.seed()
    assert ag.initial_seed() == s
    m = nn.Linear(3, 2)
    assert ag.compile(m, disable=True) is m and ag.compile(m)._orig_mod is m
    assert ag.compile()(len)([1, 2]) == 2
    ag.save(m.state_dict(), tmp_path / "m.safetensors")
    sd = ag.load(tmp_path / "m.safetensors", map_location="cpu")
    assert list(sd) == ["weight", "bias"]
    np.testing.assert_array_equal(sd["weight"].numpy(), m.weight.detach().numpy())


def test_torch_namespaces_under_the_engine_name():
    # code that imports Ember as torch reaches nn, optim, utils.data, autograd, backends
    assert ag.nn is nn and ag.optim is nn.optim and ag.utils.data is nn.data
    assert ag.autograd.grad is ag.grad
    assert ag.utils.checkpoint.checkpoint is ag.checkpoint
    ag.backends.cudnn.benchmark = True  # kept, without effect
    assert ag.backends.cudnn.benchmark is True and not ag.backends.mps.is_available()
    with pytest.raises(AttributeError):
        ag.not_a_namespace
    t = ag.ones(2)
    assert t.pin_memory() is t and not t.is_pinned()
    assert ag.cuda.memory_allocated() >= 0
    ag.cuda.empty_cache()
    if not ag.cuda.is_available():
        with pytest.raises(RuntimeError, match="cuda.current_device"):
            ag.cuda.current_device()
