"""The activations beyond API.md's list (relu6, hardtanh, hardsigmoid, hardswish, mish,
selu, celu, glu, softsign, softmin, tanhshrink, softshrink, hardshrink, threshold, prelu,
rrelu, Softmax2d) against PyTorch: values and gradients (the kinks included), gradcheck
and gradgradcheck, in-place forms, module reprs and state dicts, and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES

from .helpers import check_module_parity, close, pair

DTYPES = [np.float64, np.float32]
# every kink of the ops below: PyTorch puts each on a definite side, so test them exactly
KINKS = [-3.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 6.0]


def _input(dtype, shape=(4, 6), seed=0):
    """Random values in (-5, 8) with the kinks written into the first elements."""
    x = np.random.default_rng(seed).uniform(-5, 8, size=shape)
    flat = x.reshape(-1)
    n = min(len(KINKS), flat.size)
    flat[:n] = KINKS[:n]
    return x.astype(dtype)


def _away_from_kinks(shape=(3, 4), seed=1):
    """float64 values at least 0.05 from every kink (finite differences need smoothness)."""
    x = np.random.default_rng(seed).uniform(-5, 8, size=shape)
    for k in KINKS:
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.1
    return x


FUNCTIONAL = [
    ("relu6", lambda f, x: f.relu6(x)),
    ("hardtanh", lambda f, x: f.hardtanh(x)),
    ("hardtanh_bounds", lambda f, x: f.hardtanh(x, -0.5, 3.0)),
    ("hardtanh_equal_bounds", lambda f, x: f.hardtanh(x, 1.0, 1.0)),
    ("hardsigmoid", lambda f, x: f.hardsigmoid(x)),
    ("hardswish", lambda f, x: f.hardswish(x)),
    ("mish", lambda f, x: f.mish(x)),
    ("selu", lambda f, x: f.selu(x)),
    ("celu", lambda f, x: f.celu(x)),
    ("celu_alpha", lambda f, x: f.celu(x, alpha=0.5)),
    ("celu_negative_alpha", lambda f, x: f.celu(x, alpha=-1.5)),
    ("glu", lambda f, x: f.glu(x)),
    ("glu_dim0", lambda f, x: f.glu(x, dim=0)),
    ("glu_dim_negative", lambda f, x: f.glu(x, -2)),
    ("softsign", lambda f, x: f.softsign(x)),
    ("softmin", lambda f, x: f.softmin(x, dim=1)),
    ("softmin_dim0", lambda f, x: f.softmin(x, 0)),
    ("tanhshrink", lambda f, x: f.tanhshrink(x)),
    ("softshrink", lambda f, x: f.softshrink(x)),
    ("softshrink_lambd", lambda f, x: f.softshrink(x, 1.0)),
    ("softshrink_zero", lambda f, x: f.softshrink(x, 0.0)),
    ("hardshrink", lambda f, x: f.hardshrink(x)),
    ("hardshrink_lambd", lambda f, x: f.hardshrink(x, lambd=1.0)),
    ("hardshrink_zero", lambda f, x: f.hardshrink(x, 0.0)),
    ("hardshrink_negative", lambda f, x: f.hardshrink(x, -1.0)),
    ("threshold", lambda f, x: f.threshold(x, 1.5, 5.0)),
    ("threshold_negative", lambda f, x: f.threshold(x, -0.5, -2.0)),
    ("rrelu_eval", lambda f, x: f.rrelu(x)),
    ("rrelu_eval_bounds", lambda f, x: f.rrelu(x, 0.25, 0.5, training=False)),
    ("rrelu_train_fixed_slope", lambda f, x: f.rrelu(x, 0.2, 0.2, training=True)),
    ("prelu_scalar", lambda f, x: f.prelu(x, x[:1, 0] * 0 + 0.3)),
    ("elu_at_kink", lambda f, x: f.elu(x, 0.7)),
]


def _grads_close(ours, theirs, dtype, what, device, float32_constant=False):
    """close(), except where PyTorch's float64 backward rounds a constant to float32
    (hardsigmoid's 1/6, celu's 1/alpha): there Ember keeps the exact constant, so the
    gradients agree to float32 precision only (test_exact_constants_in_float64 checks
    Ember's values against the exact derivative)."""
    if float32_constant and dtype == np.float64:
        assert ours.device.type == ag.device(device).type
        np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(),
                                   rtol=2e-7, atol=1e-12, err_msg=what)
    else:
        close(ours, theirs, dtype, what, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_matches_torch_kinks_included(name, fn, dtype, device):
    a, b = pair(_input(dtype), requires_grad=True, device=device)
    out_a, out_b = fn(F, a), fn(TF, b)
    close(out_a, out_b, dtype, name, device)
    w = np.random.default_rng(3).standard_normal(tuple(out_b.shape)).astype(dtype)
    (out_a * ag.tensor(w, device=device)).sum().backward()
    (out_b * torch.tensor(w)).sum().backward()
    _grads_close(a.grad, b.grad, dtype, name + " grad", device, name == "hardsigmoid")


@pytest.mark.parametrize("device", DEVICES)
def test_exact_constants_in_float64(device):
    x_np = _input(np.float64, (3, 5))
    x = ag.tensor(x_np, device=device, requires_grad=True)
    F.hardsigmoid(x).sum().backward()
    expected = np.where((x_np > -3) & (x_np < 3), 1 / 6, 0.0)
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected, rtol=1e-15, atol=0)
    x.grad = None
    alpha = 0.8
    F.celu(x, alpha).sum().backward()
    expected = np.where(x_np > 0, 1.0, np.exp(np.minimum(x_np, 0) / alpha))
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,fn", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_gradcheck_and_gradgradcheck(name, fn, device):
    x = ag.tensor(_away_from_kinks((4, 2)), device=device, requires_grad=True)
    assert ag.gradcheck(lambda t: fn(F, t), (x,))
    assert ag.gradgradcheck(lambda t: fn(F, t), (x,))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape,w_shape", [
    ((2, 3, 4), (3,)), ((2, 3, 4), (1,)), ((2, 3, 2, 2), (3,)), ((5, 3), (3,)), ((6,), (1,)),
    ((), (1,)), ((2, 3), ()),
], ids=str)
def test_prelu_matches_torch_input_and_weight_grads(x_shape, w_shape, dtype, device):
    x = np.random.default_rng(0).uniform(-2, 2, size=x_shape).astype(dtype)
    if x.size:
        x.reshape(-1)[0] = 0.0  # the kink: PyTorch takes the weight side
    w = np.random.default_rng(1).uniform(0, 0.5, size=w_shape).astype(dtype)
    xa, xb = pair(x, requires_grad=True, device=device)
    wa, wb = pair(w, requires_grad=True, device=device)
    out_a, out_b = F.prelu(xa, wa), TF.prelu(xb, wb)
    close(out_a, out_b, dtype, "prelu", device)
    g = np.random.default_rng(2).standard_normal(tuple(out_b.shape)).astype(dtype)
    (out_a * ag.tensor(g, device=device)).sum().backward()
    (out_b * torch.tensor(g)).sum().backward()
    close(xa.grad, xb.grad, dtype, "grad of input", device)
    close(wa.grad, wb.grad, dtype, "grad of weight", device)


@pytest.mark.parametrize("device", DEVICES)
def test_prelu_gradcheck_and_gradgradcheck(device):
    x = ag.tensor(_away_from_kinks((2, 3, 2)), device=device, requires_grad=True)
    w = ag.tensor(np.array([0.1, -0.3, 0.7]), device=device, requires_grad=True)
    assert ag.gradcheck(F.prelu, (x, w))
    assert ag.gradgradcheck(F.prelu, (x, w))


MODULES = [
    ("ReLU6", lambda m: m.ReLU6()),
    ("Hardtanh", lambda m: m.Hardtanh(-2.0, 3.0)),
    ("Hardsigmoid", lambda m: m.Hardsigmoid()),
    ("Hardswish", lambda m: m.Hardswish()),
    ("Mish", lambda m: m.Mish()),
    ("SELU", lambda m: m.SELU()),
    ("CELU", lambda m: m.CELU(0.8)),
    ("GLU", lambda m: m.GLU()),
    ("GLU_dim1", lambda m: m.GLU(1)),
    ("Softsign", lambda m: m.Softsign()),
    ("Softmin", lambda m: m.Softmin(dim=-1)),
    ("Tanhshrink", lambda m: m.Tanhshrink()),
    ("Softshrink", lambda m: m.Softshrink(0.25)),
    ("Hardshrink", lambda m: m.Hardshrink()),
    ("Threshold", lambda m: m.Threshold(0.5, -1.0)),
    ("PReLU", lambda m: m.PReLU()),
    ("PReLU_channels", lambda m: m.PReLU(4, init=0.1)),
    ("RReLU_eval", lambda m: m.RReLU(0.1, 0.3).eval()),
    ("Softmax2d", lambda m: m.Softmax2d()),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,make", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, make, dtype, device):
    if dtype == np.float64 and name in ("Hardsigmoid", "CELU"):  # see _grads_close
        ours, theirs = make(nn).to(device), make(torch.nn).double()
        a, b = pair(_input(dtype, (2, 4, 2, 2)), requires_grad=True, device=device)
        out_a, out_b = ours(a), theirs(b)
        close(out_a, out_b, dtype, name, device)
        out_a.sum().backward()
        out_b.sum().backward()
        _grads_close(a.grad, b.grad, dtype, name, device, float32_constant=True)
        return
    check_module_parity(make(nn), make(torch.nn), [_input(dtype, (2, 4, 2, 2))], dtype,
                        device=device)


REPRS = [
    lambda m: m.ReLU6(), lambda m: m.ReLU6(inplace=True), lambda m: m.Hardtanh(),
    lambda m: m.Hardtanh(-2.0, 2.5, True), lambda m: m.Hardsigmoid(True),
    lambda m: m.Hardswish(inplace=True), lambda m: m.Mish(), lambda m: m.Mish(True),
    lambda m: m.SELU(), lambda m: m.SELU(inplace=True), lambda m: m.CELU(),
    lambda m: m.CELU(0.5, True), lambda m: m.GLU(), lambda m: m.GLU(0), lambda m: m.Softsign(),
    lambda m: m.Softmin(), lambda m: m.Softmin(1), lambda m: m.Tanhshrink(),
    lambda m: m.Softshrink(), lambda m: m.Softshrink(1), lambda m: m.Hardshrink(0.3),
    lambda m: m.Threshold(0.1, 20), lambda m: m.Threshold(0.1, 2.0, inplace=True),
    lambda m: m.PReLU(), lambda m: m.PReLU(3, 0.1), lambda m: m.RReLU(),
    lambda m: m.RReLU(0.1, 0.2, True), lambda m: m.Softmax2d(),
]


@pytest.mark.parametrize("make", REPRS, ids=range(len(REPRS)))
def test_module_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_prelu_state_dict_moves_both_ways_and_matches_torch():
    ours, theirs = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    close(ours.weight, theirs.weight, np.float32, "init")
    assert [n for n, _ in ours.named_parameters()] == ["weight"]
    theirs.weight.data = torch.tensor([0.2, -0.4, 0.6])
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    close(ours.weight, theirs.weight, np.float32, "loaded")
    back = torch.nn.PReLU(3)
    back.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in
                          ours.state_dict().items()})
    close(ours.weight, back.weight, np.float32, "loaded back")
    with pytest.raises(RuntimeError):
        nn.PReLU(2).load_state_dict({"weight": np.zeros(3, np.float32)})
    p64 = nn.PReLU(2, dtype=ag.float64)
    assert p64.weight.dtype == ag.float64 and p64.weight.is_leaf and p64.weight.requires_grad
    p64.weight.data.fill_(0.0)
    p64.reset_parameters()
    np.testing.assert_array_equal(p64.weight.detach().numpy(), [0.25, 0.25])


INPLACE = [
    ("relu6", lambda f, x: f.relu6(x, inplace=True)),
    ("hardtanh", lambda f, x: f.hardtanh(x, -0.5, 1.0, True)),
    ("hardtanh_", lambda f, x: f.hardtanh_(x, -0.5, 1.0)),
    ("hardsigmoid", lambda f, x: f.hardsigmoid(x, True)),
    ("hardswish", lambda f, x: f.hardswish(x, inplace=True)),
    ("mish", lambda f, x: f.mish(x, inplace=True)),
    ("selu", lambda f, x: f.selu(x, True)),
    ("selu_", lambda f, x: f.selu_(x)),
    ("celu", lambda f, x: f.celu(x, 0.5, True)),
    ("celu_", lambda f, x: f.celu_(x, 2.0)),
    ("threshold", lambda f, x: f.threshold(x, 0.5, -3.0, True)),
    ("threshold_", lambda f, x: f.threshold_(x, 0.5, -3.0)),
    ("rrelu_eval", lambda f, x: f.rrelu(x, 0.1, 0.3, False, True)),
    ("rrelu_", lambda f, x: f.rrelu_(x, 0.1, 0.3)),
    ("elu_", lambda f, x: f.elu_(x, 0.5)),
    ("leaky_relu_", lambda f, x: f.leaky_relu_(x, 0.2)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,fn", INPLACE, ids=[f[0] for f in INPLACE])
def test_inplace_writes_input_and_backprops_like_torch(name, fn, device):
    a, b = pair(_input(np.float64, (3, 4)), requires_grad=True, device=device)
    ya, yb = a * 2, b * 2
    out_a, out_b = fn(F, ya), fn(TF, yb)
    assert out_a is ya
    close(ya, yb, np.float64, name, device)
    (out_a * out_a).sum().backward()
    (out_b * out_b).sum().backward()
    _grads_close(a.grad, b.grad, np.float64, name + " grad", device,
                 name.startswith(("hardsigmoid", "celu")))


@pytest.mark.parametrize("device", DEVICES)
def test_inplace_modules_write_their_input(device):
    for make in (lambda: nn.ReLU6(True), lambda: nn.Hardtanh(inplace=True),
                 lambda: nn.Hardswish(True), lambda: nn.SELU(True), lambda: nn.CELU(inplace=True),
                 lambda: nn.Mish(True), lambda: nn.Threshold(0.0, 1.0, True),
                 lambda: nn.RReLU(inplace=True), lambda: nn.Hardsigmoid(True)):
        x = ag.tensor(_input(np.float32, (2, 3)), device=device)
        before = x.detach().cpu().numpy().copy()
        out = make()(x)
        assert out is x
        assert not np.array_equal(x.cpu().numpy(), before), repr(make())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rrelu_training_draws_slopes_in_bounds_from_the_default_generator(dtype, device):
    lower, upper = 0.1, 0.4
    x_np = _input(dtype, (40, 50))
    x_np[x_np == 0] = -1.0
    ag.manual_seed(7)
    x = ag.tensor(x_np, device=device, requires_grad=True)
    out = F.rrelu(x, lower, upper, training=True)
    assert out.dtype == x.dtype
    y = out.detach().cpu().numpy()
    neg = x_np < 0
    slopes = y[neg] / x_np[neg]
    assert ((slopes >= lower) & (slopes <= upper)).all()
    assert abs(slopes.mean() - (lower + upper) / 2) < 0.02  # ~1000 draws from U(0.1, 0.4)
    assert len(np.unique(slopes)) > 100
    np.testing.assert_array_equal(y[~neg], x_np[~neg])
    out.sum().backward()
    grad = x.grad.cpu().numpy()
    np.testing.assert_allclose(grad[neg], slopes, rtol=1e-6)
    np.testing.assert_array_equal(grad[~neg], 1)
    ag.manual_seed(7)  # re-seeding reproduces the draws
    again = F.rrelu(ag.tensor(x_np, device=device), lower, upper, training=True)
    np.testing.assert_array_equal(again.cpu().numpy(), y)
    # the module draws in training mode only
    m = nn.RReLU(lower, upper)
    assert not np.array_equal(m(x).detach().cpu().numpy(), y)
    m.eval()
    np.testing.assert_allclose(m(x).detach().cpu().numpy()[neg], x_np[neg] * 0.25, rtol=1e-6)


def test_rrelu_training_slope_at_zero_is_drawn_and_gradchecks():
    ag.manual_seed(0)
    x = ag.tensor(np.zeros(200), requires_grad=True)
    F.rrelu(x, 0.1, 0.3, training=True).sum().backward()
    g = x.grad.numpy()
    assert ((g >= 0.1) & (g <= 0.3)).all() and len(np.unique(g)) > 50
    # with one fixed draw of noise (re-seeded per call) the op is a smooth function
    x = ag.tensor(_away_from_kinks((3, 4)), requires_grad=True)

    def fn(t):
        ag.manual_seed(3)
        return F.rrelu(t, 0.1, 0.3, training=True)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("device", DEVICES)
def test_integer_inputs_like_torch(device):
    x_np = np.array([-7, -1, 0, 2, 6, 9])
    for name, fn in [("relu6", lambda f, x: f.relu6(x)), ("hardtanh", lambda f, x: f.hardtanh(x)),
                     ("threshold", lambda f, x: f.threshold(x, 1, 5))]:
        out_a = fn(F, ag.tensor(x_np, device=device))
        out_b = fn(TF, torch.tensor(x_np))
        assert out_a.dtype == ag.int64
        np.testing.assert_array_equal(out_a.cpu().numpy(), out_b.numpy(), err_msg=name)
    for name in ("hardsigmoid", "hardswish", "mish", "selu", "celu", "glu", "softshrink",
                 "hardshrink", "rrelu"):
        with pytest.raises(NotImplementedError):
            getattr(TF, name)(torch.tensor([1, 2]))
        with pytest.raises(NotImplementedError, match=name):
            getattr(F, name)(ag.tensor([1, 2], device=device))


def _both_raise(ours, theirs):
    """Both calls raise, with the same exception type; returns ours."""
    with pytest.raises(Exception) as t_err:
        theirs()
    with pytest.raises(Exception) as e_err:
        ours()
    assert type(e_err.value) is type(t_err.value), (e_err.value, t_err.value)
    return e_err.value


ERRORS = [
    ("glu_odd", lambda f, t: f.glu(t.randn(2, 3))),
    ("glu_odd_dim0", lambda f, t: f.glu(t.randn(3, 2), 0)),
    ("glu_scalar", lambda f, t: f.glu(t.randn(()))),
    ("glu_dim_out_of_range", lambda f, t: f.glu(t.randn(2, 4), 2)),
    ("glu_dim_negative_out_of_range", lambda f, t: f.glu(t.randn(4), -2)),
    ("softshrink_negative", lambda f, t: f.softshrink(t.randn(3), -1.0)),
    ("hardtanh_min_above_max", lambda f, t: f.hardtanh(t.randn(3), 2.0, 1.0)),
    ("celu_alpha_zero", lambda f, t: f.celu(t.randn(3), 0.0)),
    ("rrelu_lower_above_upper", lambda f, t: f.rrelu(t.randn(3), 0.5, 0.1, True)),
    ("rrelu_eval_lower_above_upper", lambda f, t: f.rrelu(t.randn(3), 0.5, 0.1)),
    ("prelu_channels", lambda f, t: f.prelu(t.randn(2, 3), t.ones(2))),
    ("prelu_1d_input", lambda f, t: f.prelu(t.randn(3), t.ones(3))),
    ("prelu_2d_weight", lambda f, t: f.prelu(t.randn(2, 3), t.ones(1, 3))),
    ("prelu_scalar_input", lambda f, t: f.prelu(t.randn(()), t.ones(2))),
    ("prelu_dtype", lambda f, t: f.prelu(t.randn(2, 3, dtype=t.float64), t.ones(3))),
]


@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_have_torch_exception_types(name, call):
    err = _both_raise(lambda: call(F, ag), lambda: call(TF, torch))
    assert str(err)


def test_module_errors_have_torch_exception_types():
    _both_raise(lambda: nn.Hardtanh(1.0, 1.0), lambda: torch.nn.Hardtanh(1.0, 1.0))
    _both_raise(lambda: nn.Softmax2d()(ag.randn(2, 3)),
                lambda: torch.nn.Softmax2d()(torch.randn(2, 3)))
    err = _both_raise(lambda: nn.GLU()(ag.randn(4, 5)), lambda: torch.nn.GLU()(torch.randn(4, 5)))
    assert "dimension 1 is size 5" in str(err)
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0


def test_softmin_without_dim_warns_and_uses_torch_rule():
    x_np = np.random.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = F.softmin(ag.tensor(x_np))
    with pytest.warns(UserWarning):
        expected = TF.softmin(torch.tensor(x_np))
    close(out, expected, np.float64)
    close(F.softmin(ag.tensor(x_np), 1, dtype=ag.float32),
          TF.softmin(torch.tensor(x_np), 1, dtype=torch.float32), np.float32)


@pytest.mark.parametrize("device", DEVICES)
def test_extreme_inputs_stay_finite(device):
    x = ag.tensor([-1e4, -80.0, -30.0, 30.0, 80.0, 1e4], dtype=ag.float32, device=device,
                  requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for f in (F.mish, F.selu, F.celu, F.softsign, F.tanhshrink, F.hardswish, F.glu):
            x.grad = None
            y = f(x)
            y.sum().backward()
            assert np.isfinite(y.detach().cpu().numpy()).all(), f.__name__
            assert np.isfinite(x.grad.cpu().numpy()).all(), f.__name__


def test_nan_propagates_like_torch():
    x_np = np.array([np.nan, -1.0, 2.0])
    for fn in (lambda f, x: f.hardtanh(x), lambda f, x: f.threshold(x, 0.0, 7.0),
               lambda f, x: f.relu6(x), lambda f, x: f.softshrink(x), lambda f, x: f.hardshrink(x)):
        a, b = pair(x_np, requires_grad=True)
        out_a, out_b = fn(F, a), fn(TF, b)
        np.testing.assert_array_equal(out_a.detach().numpy(), out_b.detach().numpy())
        out_a.sum().backward()
        out_b.sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_graph_names_and_no_graph_when_not_needed():
    x = ag.randn(2, 4, requires_grad=True)
    assert F.relu6(x).grad_fn.name() == "hardtanh"
    assert F.selu(x).grad_fn.name() == "elu"
    assert F.glu(x).grad_fn.name() == "glu"
    with ag.no_grad():
        assert F.hardswish(x).grad_fn is None
    assert F.mish(ag.randn(3)).requires_grad is False
