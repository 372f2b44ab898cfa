"""PyTorch's long tail, compared with torch: torch.special's namespace, the composite ops
(diff, tensor_split, isin, aminmax, cov, corrcoef, dist, vdot, addcmul/addcdiv,
sum_to_size) with float64 gradchecks, the generated in-place forms and aliases, in-place
view changes, random fills, Tensor.type() names, .data's own version counter, normal and
the RNG state, torch's constants."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd import special as S
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
rng = np.random.default_rng(3)


def _close(ours, theirs, tol=1e-12):
    a = ours.detach().numpy() if isinstance(ours, ag.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "expit", "logit", "gammaln",
                                  "digamma", "psi", "i0", "i1", "log1p", "expm1", "exp2",
                                  "sinc", "round", "entr", "ndtr"])
def test_special_unary_matches_torch(name):
    x = np.array([-2.0, -0.5, 0.0, 0.3, 0.9, 3.0])
    if name in ("erfinv", "logit"):
        x = np.array([-0.9, -0.2, 0.0, 0.3, 0.6, 0.9]) if name == "erfinv" else \
            np.array([0.01, 0.2, 0.5, 0.7, 0.9, 0.99])
    _close(getattr(S, name)(ag.tensor(x)), getattr(torch.special, name)(torch.tensor(x)))


@pytest.mark.parametrize("name", ["entr", "ndtr"])
def test_special_compositions_gradcheck_and_grad_parity(name):
    x = rng.uniform(0.1, 2.0, 5)
    assert ag.gradcheck(getattr(S, name), (ag.tensor(x, requires_grad=True),))
    xe, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    getattr(S, name)(xe).sum().backward()
    getattr(torch.special, name)(xt).sum().backward()
    _close(xe.grad, xt.grad)


def test_special_xlog1py_and_softmax_family():
    x = np.array([0.0, 0.0, 2.0, 1.5, 0.0])
    y = np.array([-1.0, 0.3, 1.0, np.nan, np.nan])
    _close(S.xlog1py(ag.tensor(x), ag.tensor(y)), torch.special.xlog1py(torch.tensor(x),
                                                                        torch.tensor(y)))
    a, b = rng.uniform(0.1, 2, 4), rng.uniform(0.1, 2, 4)
    assert ag.gradcheck(S.xlog1py, (ag.tensor(a, requires_grad=True),
                                    ag.tensor(b, requires_grad=True)))
    m = rng.standard_normal((3, 4))
    _close(S.softmax(ag.tensor(m), 1), torch.special.softmax(torch.tensor(m), 1))
    _close(S.log_softmax(ag.tensor(m), 0), torch.special.log_softmax(torch.tensor(m), 0))
    _close(S.logsumexp(ag.tensor(m), 1), torch.special.logsumexp(torch.tensor(m), 1))
    _close(S.xlogy(ag.tensor(a), ag.tensor(b)), torch.special.xlogy(torch.tensor(a),
                                                                    torch.tensor(b)))
    _close(S.bessel_j0(ag.tensor(a)), torch.special.bessel_j0(torch.tensor(a)))


COMPOSITES = {
    "diff": (lambda L, x: L.diff(x, n=2, dim=1), lambda L, x: x.diff(dim=0)),
    "diff-pre-app": (lambda L, x: L.diff(x, dim=1, prepend=x[:, :1], append=x[:, -2:]),
                     lambda L, x: x.diff(n=0)),
    "tensor_split": (lambda L, x: L.stack([p.sum() for p in L.tensor_split(x, 3, dim=1)]),
                     lambda L, x: L.cat([p.reshape(-1) for p in x.tensor_split([1, -1])])),
    "aminmax": (lambda L, x: L.aminmax(x, dim=1).max, lambda L, x: x.aminmax().min),
    "cov": (lambda L, x: L.cov(x), lambda L, x: x.cov(correction=0)),
    "cov-w": (lambda L, x: L.cov(x, fweights=L.tensor([1, 2, 1, 3, 1]),
                                 aweights=L.tensor([0.5, 1.0, 2.0, 1.0, 0.3],
                                                   dtype=L.float64)),
              lambda L, x: L.cov(x[0], aweights=L.tensor([0.5, 1.0, 2.0, 1.0, 0.3],
                                                         dtype=L.float64))),
    "corrcoef": (lambda L, x: L.corrcoef(x), lambda L, x: x.corrcoef()),
    "dist": (lambda L, x: L.dist(x, x.flip(0), p=3), lambda L, x: x.dist(x * 2)),
    "vdot": (lambda L, x: L.vdot(x[0], x[1]), lambda L, x: x[1].vdot(x[2])),
    "addcmul": (lambda L, x: L.addcmul(x, x, x.flip(1), value=0.5),
                lambda L, x: x.addcmul(x, x, value=2)),
    "addcdiv": (lambda L, x: L.addcdiv(x, x, x.flip(1) + 3, value=0.5),
                lambda L, x: x.addcdiv(x, x + 4)),
    "sum_to_size": (lambda L, x: x.sum_to_size(1, 5), lambda L, x: x.sum_to_size((3, 1))),
}


@pytest.mark.parametrize("name", list(COMPOSITES))
def test_composites_match_torch_and_gradcheck(name):
    x = rng.uniform(0.5, 2.0, (3, 5))
    for fn in COMPOSITES[name]:
        xe, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        oe, ot = fn(ag, xe), fn(torch, xt)
        _close(oe, ot)
        g = rng.standard_normal(tuple(ot.shape))
        oe.backward(ag.tensor(g))
        ot.backward(torch.tensor(g))
        _close(xe.grad, xt.grad, 1e-10)
        assert ag.gradcheck(lambda t: fn(ag, t), (ag.tensor(x, requires_grad=True),))


def test_composite_values_and_errors():
    t = ag.tensor([1, 3, 6, 10])
    _close(t.diff(), torch.tensor([1, 3, 6, 10]).diff())
    b = ag.tensor([True, False, False, True])
    _close(b.diff(), torch.tensor([True, False, False, True]).diff())
    for arg in (3, [2, 5], ag.tensor([1, 4]), ag.tensor(2)):
        targ = torch.tensor(arg.numpy()) if isinstance(arg, ag.Tensor) else arg
        ours, theirs = ag.arange(7).tensor_split(arg), torch.arange(7).tensor_split(targ)
        assert [p.tolist() for p in ours] == [p.tolist() for p in theirs]
    _close(ag.isin(ag.tensor([1, 2, 3, 4]), ag.tensor([2, 4])),
           torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4])))
    _close(ag.tensor([1, 2, 3]).isin(2, invert=True), torch.isin(torch.tensor([1, 2, 3]), 2,
                                                                 invert=True))
    _close(ag.tensor([-2.0, 0.0, 3.0]).sgn_(), torch.tensor([-2.0, 0.0, 3.0]).sgn_())
    _close(ag.tensor([-2.0, 0.5]).arcsinh_(), torch.tensor([-2.0, 0.5]).arcsinh_(), 1e-6)
    _close(ag.argwhere(ag.tensor([[0, 1], [2, 0]])), torch.argwhere(torch.tensor([[0, 1],
                                                                                   [2, 0]])))
    with pytest.raises(RuntimeError, match="diff: order must be non-negative"):
        t.diff(n=-1)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0"):
        t.tensor_split(0)
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        ag.vdot(ag.ones(2, 2), ag.ones(2))
    with pytest.raises(RuntimeError, match="is not expandable"):
        ag.ones(2, 3).sum_to_size(4)
    with pytest.raises(RuntimeError, match="integer division"):
        ag.addcdiv(ag.ones(2), ag.tensor([1, 2]), ag.tensor([1, 2]))


INPLACE = ["acos_", "asin_", "atan_", "arccos_", "cos_", "cosh_", "sin_", "sinh_", "tan_",
           "ceil_", "floor_", "round_", "trunc_", "fix_", "log_", "log10_", "log1p_", "log2_",
           "expm1_", "exp2_", "erf_", "rsqrt_", "reciprocal_", "sign_", "square_",
           "negative_", "absolute_", "tril_", "triu_", "arctan_"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_match_torch_values_and_grads(name):
    x = rng.uniform(0.1, 0.9, (3, 3))
    xe, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = xe * 1.5, xt * 1.5
    ye2 = getattr(ye, name)()
    getattr(yt, name)()
    assert ye2 is ye and ye._version_count == yt._version
    _close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    _close(xe.grad, xt.grad, 1e-10)


@pytest.mark.parametrize("name, args", [("eq_", (0.5,)), ("lt_", (0.5,)), ("ge_", (0.5,)),
                                        ("greater_", (0.4,)), ("not_equal_", (0.5,)),
                                        ("fmod_", (0.3,)), ("remainder_", (0.3,)),
                                        ("floor_divide_", (0.3,)), ("multiply_", (3,)),
                                        ("subtract_", (0.2,)), ("divide_", (4,)),
                                        ("cumsum_", (1,)), ("cumprod_", (0,)),
                                        ("logical_and_", (1,)), ("logical_xor_", (0,)),
                                        ("nan_to_num_", ())])
def test_inplace_binary_forms_match_torch(name, args):
    x = np.round(rng.uniform(0.0, 1.0, (3, 3)), 1)
    xe, xt = ag.tensor(x), torch.tensor(x)
    getattr(xe, name)(*(ag.tensor(a) if name.startswith("logical") else a for a in args))
    getattr(xt, name)(*(torch.tensor(a) if name.startswith("logical") else a for a in args))
    _close(xe, xt)


def test_inplace_view_changes_match_torch():
    for name, args in [("squeeze_", ()), ("unsqueeze_", (0,)), ("t_", ()),
                       ("transpose_", (0, 1)), ("swapaxes_", (1, 0)), ("swapdims_", (0, 1))]:
        x = rng.standard_normal((3, 1)) if name == "squeeze_" else rng.standard_normal((2, 3))
        xe, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = xe * 2, xt * 2
        assert getattr(ye, name)(*args) is ye
        getattr(yt, name)(*args)
        _close(ye, yt)
        g = rng.standard_normal(tuple(yt.shape))
        ye.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        _close(xe.grad, xt.grad)
    leaf = ag.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.t_()


def test_aliases_and_queries():
    x = ag.tensor([[0.5, -1.0], [2.0, 0.25]])
    t = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    for name, args in [("absolute", ()), ("greater", (0.3,)), ("less_equal", (0.5,)),
                       ("multiply", (2,)), ("negative", ()), ("fix", ()), ("sgn", ()),
                       ("positive", ()), ("ravel", ()), ("msort", ()), ("moveaxis", (0, 1)),
                       ("floor_divide", (0.3,)), ("true_divide", (3,)), ("arctan", ()),
                       ("mH", None), ("H", None)]:
        a = getattr(x, name) if args is None else getattr(x, name)(*args)
        b = getattr(t, name) if args is None else getattr(t, name)(*args)
        _close(a, b)
    assert x.get_device() == t.get_device() == -1 and x.is_cpu
    assert (str(x.byte().dtype), str(x.char().dtype), str(x.short().dtype)) == \
        ("torch.uint8", "torch.int8", "torch.int16")
    assert x.is_signed() and not x.byte().is_signed()
    assert ag.tensor([3.0]).is_nonzero() and not ag.tensor([0]).is_nonzero()
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        x.is_nonzero()


def test_type_names_like_torch():
    for dt in ("float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"):
        e = ag.zeros(2, dtype=getattr(ag, dt if dt != "bool" else "bool"))
        t = torch.zeros(2, dtype=getattr(torch, dt))
        assert e.type() == t.type()
    assert ag.zeros(2).type("torch.LongTensor").dtype == ag.int64
    assert ag.zeros(2).type(ag.float64).dtype == ag.float64


def test_data_has_its_own_version_counter_like_torch():
    p = ag.ones(3, requires_grad=True)
    y = p * 2
    y2 = y.exp()  # saves its output
    y.data.mul_(3)  # invisible to autograd, as in PyTorch
    y2.sum().backward()
    assert p.grad is not None
    d = p.data
    d.add_(1)
    assert p._version_count == 0 and float(p.detach().sum()) == 6.0


def test_random_fills_draw_the_right_distributions():
    n = 20000
    x = ag.empty(n, dtype=ag.float64)
    assert abs(float(x.exponential_(lambd=2.0).mean()) - 0.5) < 6 * 0.5 / math.sqrt(n)
    r = ag.empty(n).random_(3, 7).numpy()
    assert set(np.unique(r)) == {3, 4, 5, 6}
    assert set(np.unique(ag.empty(1000, dtype=ag.int64).random_(4).numpy())) == {0, 1, 2, 3}
    g = ag.empty(n, dtype=ag.float64).geometric_(0.25).numpy()
    assert g.min() >= 1 and abs(g.mean() - 4) < 6 * math.sqrt(12) / math.sqrt(n)
    c = ag.empty(n, dtype=ag.float64).cauchy_(median=1.0).numpy()
    assert abs(np.median(c) - 1.0) < 0.05
    ln = ag.empty(n, dtype=ag.float64).log_normal_(0.0, 0.5).numpy()
    assert abs(np.log(ln).std() - 0.5) < 0.02
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        ag.empty(2).random_(5, 5)


def test_normal_and_rng_state():
    m = ag.zeros(3, requires_grad=True)
    s = ag.ones(3, requires_grad=True)
    y = ag.normal(m, s)
    y.sum().backward()  # PyTorch 2.13: a graph with zero gradients
    _close(m.grad, torch.zeros(3))
    _close(s.grad, torch.zeros(3))
    assert ag.normal(2.0, 3.0, size=(4,)).shape == (4,)
    assert ag.normal(ag.zeros(2, 3), 1.0).shape == (2, 3)
    assert ag.normal(0.0, ag.ones(4)).shape == (4,)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        ag.normal(ag.zeros(2), ag.tensor([1.0, -1.0]))
    big = ag.normal(ag.full((40000,), 3.0, dtype=ag.float64), 2.0).numpy()
    assert abs(big.mean() - 3) < 6 * 2 / 200 and abs(big.std() - 2) < 0.05
    state = ag.get_rng_state()
    assert state.dtype == ag.uint8
    a = ag.randn(5)
    ag.set_rng_state(state)
    _close(ag.randn(5), a.detach().numpy())
    with pytest.raises(RuntimeError, match="not a state made by Ember"):
        ag.set_rng_state(ag.tensor([1, 2, 3], dtype=ag.uint8))


def test_constants():
    assert (ag.pi, ag.e, ag.inf) == (torch.pi, torch.e, torch.inf)
    assert math.isnan(ag.nan) and ag.newaxis is None
