"""autograd/ops/special.py against PyTorch: values and gradients (float32 and float64, with
broadcasting, Python scalars and special values), gradcheck/gradgradcheck, dtype promotion
of integer and bool inputs, the integer-only ops and the errors PyTorch raises."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd.ops import special as S
from tests.conftest import DEVICES, requires_torch, torch

pytestmark = requires_torch

INF, NAN = math.inf, math.nan
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def _close(ours, theirs, what, loose=False):
    ours_np = ours.detach().cpu().numpy()
    theirs_np = theirs.detach().numpy()
    assert ours_np.shape == theirs_np.shape, f"{what}: shape {ours_np.shape} vs {theirs_np.shape}"
    assert ours_np.dtype == theirs_np.dtype, f"{what}: dtype {ours_np.dtype} vs {theirs_np.dtype}"
    tol = TOL.get(ours_np.dtype.type, dict(rtol=0, atol=0))
    if loose and ours_np.dtype == np.float64:  # PyTorch's trigamma: see TRIGAMMA
        tol = dict(rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours_np, theirs_np, err_msg=what, **tol)


def _parity(ours_fn, torch_fn, arrays, device, grad=True, loose=False):
    """Same inputs (arrays or Python numbers) through both: outputs and, for float inputs,
    gradients of sum(out * g) agree."""
    ours_in, torch_in = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            rg = grad and a.dtype.kind == "f"
            ours_in.append(ag.tensor(a.copy(), device=device, requires_grad=rg))
            torch_in.append(torch.tensor(a.copy(), requires_grad=rg))
        else:
            ours_in.append(a)
            torch_in.append(a)
    out_o, out_t = ours_fn(*ours_in), torch_fn(*torch_in)
    _close(out_o, out_t, "value", loose)
    assert out_o.device.type == ag.device(device).type
    if not (grad and out_t.requires_grad):
        assert not out_o.requires_grad
        return
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape))
    g = g.astype(out_o.array.dtype) if hasattr(out_o.array, "dtype") else g
    out_o.backward(ag.tensor(g, device=device))
    out_t.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(ours_in, torch_in)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            assert (a.grad is None) == (b.grad is None), f"grad of input {i}"
            if b.grad is not None:
                _close(a.grad, b.grad, f"grad of input {i}", loose)


# ----------------------------------------------------------------------------- unary table
# name: (ours, torch's, random domain, special values, supports double backward)
UNARY = {
    "asinh": (S.asinh, torch.asinh, (-3, 3), [0.0, -0.0, -2.0, INF, -INF, NAN]),
    "acosh": (S.acosh, torch.acosh, (1.1, 4), [1.0, 0.5, INF, NAN]),
    "atanh": (S.atanh, torch.atanh, (-0.9, 0.9), [0.0, 1.0, -1.0, 2.0, NAN]),
    "erfc": (S.erfc, torch.erfc, (-3, 3), [0.0, -3.0, 30.0, INF, -INF, NAN]),
    "erfinv": (S.erfinv, torch.erfinv, (-0.9, 0.9), [0.0, 1.0, -1.0, 2.0, NAN]),
    "lgamma": (S.lgamma, torch.lgamma, (0.2, 5), [0.0, -1.0, -2.5, 1.0, 2.0, INF, NAN]),
    "digamma": (S.digamma, torch.digamma, (0.2, 5), [0.0, -2.5, 1.0, INF, NAN]),
    "polygamma1": (lambda x: S.polygamma(1, x), lambda x: torch.polygamma(1, x), (0.3, 4),
                   [0.0, -2.5, 1e-3, NAN]),
    "polygamma2": (lambda x: S.polygamma(2, x), lambda x: torch.polygamma(2, x), (0.3, 4),
                   [0.0, -2.5, NAN]),
    "sinc": (S.sinc, torch.sinc, (-2, 2), [0.0, 1.0, -2.0, 0.5, INF, NAN]),
    "logit": (S.logit, torch.logit, (0.05, 0.95), [0.0, 1.0, 0.5, -0.5, 2.0, NAN]),
    "logit_eps": (lambda x: S.logit(x, eps=0.1), lambda x: torch.logit(x, eps=0.1),
                  (0.15, 0.85), [0.0, 1.0, 0.1, 0.9, 0.05, -3.0, NAN]),
    "frac": (S.frac, torch.frac, (-3, 3), [0.0, -1.5, 2.0, INF, -INF, NAN]),
    "deg2rad": (S.deg2rad, torch.deg2rad, (-360, 360), [0.0, -180.0, INF, NAN]),
    "rad2deg": (S.rad2deg, torch.rad2deg, (-4, 4), [0.0, -math.pi, INF, NAN]),
    "i0": (S.i0, torch.i0, (-3, 3), [0.0, -3.0, 50.0, NAN]),
}


# PyTorch's trigamma (polygamma(1, x), digamma's derivative) is accurate to ~5e-10 only;
# ours (SciPy's) is exact to rounding: compared with PyTorch at 1e-8, with mpmath at 1e-13.
TRIGAMMA = {"digamma", "polygamma1"}


def _unary_input(name, dtype, special=True):
    lo, hi = UNARY[name][2]
    x = np.random.default_rng(0).uniform(lo, hi, size=(3, 4))
    if special:
        x = np.concatenate([x.ravel(), UNARY[name][3]])
    return x.astype(dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_values_and_grads_match_torch(name, dtype, device):
    ours, theirs = UNARY[name][:2]
    loose = name in TRIGAMMA
    _parity(ours, theirs, [_unary_input(name, dtype, special=False)], device, loose=loose)
    _parity(ours, theirs, [_unary_input(name, dtype)], device, loose=loose)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_gradcheck_and_gradgradcheck(name):
    x = ag.tensor(_unary_input(name, np.float64, special=False)[:6], requires_grad=True)
    fn = UNARY[name][0]
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64"])
def test_unary_integer_inputs_promote_as_torch(name, dtype):
    arr = np.array([0, 1, 2, 3]).astype(dtype)
    ours, theirs = UNARY[name][:2]
    try:
        expected = theirs(torch.tensor(arr))
    except Exception as e:  # frac: NotImplementedError for integers, as PyTorch
        with pytest.raises(type(e)):
            ours(ag.tensor(arr))
        return
    _close(ours(ag.tensor(arr)), expected, f"{name} of {dtype}")


def _three_derivatives(grad, lgamma, x):
    (g,) = grad(lgamma(x).sum(), x, create_graph=True)
    (gg,) = grad(g.sum(), x, create_graph=True)
    (ggg,) = grad(gg.sum(), x)
    return g, gg, ggg


def test_lgamma_third_derivative_goes_through_digamma_and_polygamma():
    x0 = np.array([0.4, 1.3, 2.7])
    ours = _three_derivatives(ag.grad, S.lgamma, ag.tensor(x0, requires_grad=True))
    theirs = _three_derivatives(torch.autograd.grad, torch.lgamma,
                                torch.tensor(x0, requires_grad=True))
    for what, a, b in zip(("digamma", "polygamma(1)", "polygamma(2)"), ours, theirs):
        _close(a, b, what, loose=True)


def test_polygamma_is_exact_to_rounding():
    mpmath = pytest.importorskip("mpmath")
    x = np.array([0.27, 1.3, 2.7, 4.1, 11.5])
    for n in range(4):
        ref = np.array([float(mpmath.polygamma(n, v)) for v in x])
        np.testing.assert_allclose(S.polygamma(n, ag.tensor(x)).numpy(), ref, rtol=1e-13)


def test_polygamma_rejects_negative_order():
    with pytest.raises(RuntimeError):
        torch.polygamma(-1, torch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="polygamma"):
        S.polygamma(-1, ag.tensor([1.0]))


@pytest.mark.parametrize("device", DEVICES)
def test_sign_and_inf_predicates_match_torch(device):
    arr = np.array([-0.0, 0.0, NAN, -NAN, -1.0, 2.0, INF, -INF], dtype=np.float32)
    for name in ("signbit", "isposinf", "isneginf"):
        for a in (arr, np.array([-3, 0, 4]), np.array([True, False])):
            _parity(getattr(S, name), getattr(torch, name), [a], device)
        x = ag.tensor(arr, requires_grad=True, device=device)
        assert not getattr(S, name)(x).requires_grad


# ----------------------------------------------------------------------------- binary table
# name: (ours, torch's, domain of both inputs, special (input, other) pairs, takes numbers)
BINARY = {
    "atan2": (S.atan2, torch.atan2, (-3, 3),
              [(0.0, 0.0), (0.0, -1.0), (-0.0, -1.0), (1.0, 0.0), (INF, 1.0), (NAN, 1.0)], ""),
    "hypot": (S.hypot, torch.hypot, (-3, 3),
              [(3.0, -4.0), (INF, NAN), (-INF, 1.0), (NAN, 1.0)], ""),
    "logaddexp": (S.logaddexp, torch.logaddexp, (-5, 5),
                  [(-INF, -INF), (INF, INF), (-INF, 1.0), (800.0, 0.0), (NAN, 0.0)], ""),
    "logaddexp2": (S.logaddexp2, torch.logaddexp2, (-5, 5),
                   [(-INF, -INF), (INF, 1.0), (-INF, 1.0), (NAN, 0.0)], ""),
    "xlogy": (S.xlogy, torch.xlogy, (0.1, 3),
              [(0.0, 0.0), (0.0, 1.0), (0.0, 0.5), (0.0, -2.0), (0.0, NAN), (0.5, 0.0),
               (-1.0, 2.0), (2.0, -1.0), (0.0, INF), (1.0, INF)], "lr"),
    "copysign": (S.copysign, torch.copysign, (-3, 3),
                 [(0.0, -1.0), (-0.0, 1.0), (2.0, -0.0), (-2.0, 0.0), (1.0, NAN), (INF, -1.0)],
                 "r"),
    "fmax": (S.fmax, torch.fmax, (-3, 3),
             [(0.0, 0.0), (1.0, 1.0), (NAN, 1.0), (2.0, NAN), (NAN, NAN), (-INF, 3.0)], ""),
    "fmin": (S.fmin, torch.fmin, (-3, 3),
             [(0.0, 0.0), (1.0, 1.0), (NAN, 1.0), (2.0, NAN), (NAN, NAN), (INF, 3.0)], ""),
    "float_power": (S.float_power, torch.float_power, (0.2, 3),
                    [(0.0, 2.0), (0.0, 0.0), (-2.0, 3.0), (4.0, -0.5), (-1.0, 0.5)], "lr"),
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (3,))]


def _binary_inputs(name, dtype, shapes):
    lo, hi = BINARY[name][2]
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(lo, hi, size=s) for s in shapes)
    if name in ("fmax", "fmin"):  # no ties in random data: ties are tested as specials
        b = b + 0.01
    return a.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_values_and_grads_match_torch(name, dtype, device):
    ours, theirs, _, specials, numbers = BINARY[name]
    for shapes in SHAPES:
        _parity(ours, theirs, list(_binary_inputs(name, dtype, shapes)), device)
    a, b = (np.array(v, dtype=dtype) for v in zip(*specials))
    _parity(ours, theirs, [a, b], device)
    x, _ = _binary_inputs(name, dtype, ((3, 4), ()))
    for s in (2.5, 0, -1):
        if "r" in numbers:
            _parity(ours, theirs, [x, s], device)
        if "l" in numbers:
            _parity(ours, theirs, [s, x], device)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_gradcheck_and_gradgradcheck(name):
    a, b = _binary_inputs(name, np.float64, ((2, 3), (3,)))
    ta, tb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    fn = BINARY[name][0]
    assert ag.gradcheck(fn, (ta, tb))
    assert ag.gradgradcheck(fn, (ta, tb))
    if "r" in BINARY[name][4]:
        assert ag.gradgradcheck(lambda t: fn(t, 1.7), (ta,))
    if "l" in BINARY[name][4]:
        assert ag.gradgradcheck(lambda t: fn(1.7, t), (tb,))


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("bool", "bool"), ("int32", "float32"),
                                    ("int64", "float64"), ("float32", "float64")])
def test_binary_promotion_matches_torch(name, dtypes):
    arrays = [np.array([0, 1, 2, 3]).astype(d) for d in dtypes]
    ours, theirs = BINARY[name][:2]
    try:
        expected = theirs(*(torch.tensor(a) for a in arrays))
    except Exception as e:  # hypot/logaddexp of integers: NotImplementedError, as PyTorch
        with pytest.raises(type(e)):
            ours(*(ag.tensor(a) for a in arrays))
        return
    _close(ours(*(ag.tensor(a) for a in arrays)), expected, f"{name} of {dtypes}")


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_python_scalars_on_either_side_as_torch(name, scalar):
    """Promotion with numbers (int tensor with a float number: default float), or the
    TypeError PyTorch raises where it takes tensors only."""
    ours, theirs = BINARY[name][:2]
    for arr in (np.array([1, 2, 3]), np.array([0.5, 1.5], dtype=np.float32)):
        for args in ((arr, scalar), (scalar, arr)):
            def call(fn, lib):
                return fn(*(lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args))
            try:
                expected = call(theirs, torch)
            except TypeError:
                with pytest.raises(TypeError):
                    call(ours, ag)
                continue
            _close(call(ours, ag), expected, f"{name}{args}")


def test_binary_shape_mismatch_is_runtime_error_naming_op():
    a, b = ag.tensor(np.ones((3, 4))), ag.tensor(np.ones(5))
    for name in BINARY:
        with pytest.raises(RuntimeError, match=r"\(3, 4\).*\(5,\)"):
            BINARY[name][0](a, b)


def test_fmax_and_fmin_keep_integer_dtypes():
    for name in ("fmax", "fmin"):
        a, b = np.array([1, -5, 3], dtype=np.int32), np.array([2, -6, 3], dtype=np.int32)
        _parity(getattr(S, name), getattr(torch, name), [a, b], "cpu")


@pytest.mark.parametrize("device", DEVICES)
def test_clamp_min_and_clamp_max_functions_match_torch(device):
    x = np.array([-2.0, 0.5, 0.5, 3.0])
    bound = np.array([0.5, 0.5, 1.0, 1.0])
    for name in ("clamp_min", "clamp_max"):
        ours, theirs = getattr(S, name), getattr(torch, name)
        _parity(ours, theirs, [x, 0.5], device)
        _parity(ours, theirs, [x, bound], device)
        _parity(ours, theirs, [np.array([-2, 1, 3]), 0], device)
        _parity(ours, theirs, [np.array([-2, 1, 3]), 0.5], device)


@pytest.mark.parametrize("device", DEVICES)
def test_heaviside_matches_torch(device):
    x = np.array([-1.5, 0.0, -0.0, 2.0, NAN, INF])
    for args in ([x, np.array(0.5)], [x, np.array([7.0] * 6)],
                 [np.array([-2, 0, 3]), np.array(4)],
                 [np.array([True, False]), np.array(True)]):
        _parity(S.heaviside, torch.heaviside, args, device, grad=False)
    with pytest.raises(RuntimeError):
        S.heaviside(ag.tensor(x), ag.tensor(np.float32(0.5)))
    with pytest.raises(TypeError):
        S.heaviside(ag.tensor(x), 0.5)
    # no derivative: backward raises in both
    xo = ag.tensor(x, requires_grad=True, device=device)
    xt = torch.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.heaviside(xt, torch.tensor(0.5, dtype=torch.float64)).sum().backward()
    with pytest.raises(RuntimeError, match="heaviside"):
        S.heaviside(xo, ag.tensor(0.5, dtype=ag.float64, device=device)).sum().backward()


# ----------------------------------------------------------------------------- integer ops
INT_OPS = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift", "gcd", "lcm"]


def _outcome(fn):
    try:
        return fn()
    except Exception as e:
        return type(e)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", INT_OPS)
def test_integer_ops_match_torch(name, device):
    ours, theirs = getattr(S, name), getattr(torch, name)
    rng = np.random.default_rng(0)
    a = rng.integers(-50, 50, size=(3, 4))
    b = rng.integers(0, 6, size=(4,)) if "shift" in name else rng.integers(-50, 50, size=(4,))
    _parity(ours, theirs, [a, b], device)
    _parity(ours, theirs, [a.astype(np.int32), b.astype(np.int32)], device)
    _parity(ours, theirs, [a.astype(np.int32), b], device)  # promotes to int64
    _parity(ours, theirs, [np.array([0, 7, 0]), np.array([0, 0, 5])], device)
    if "shift" not in name and name not in ("gcd", "lcm"):
        bools = np.array([True, True, False, False]), np.array([True, False, True, False])
        _parity(ours, theirs, list(bools), device)
    for scalar in (3, True):
        for args in (([a, scalar]), ([scalar, a])):
            expected = _outcome(lambda: theirs(*(torch.tensor(v) if isinstance(v, np.ndarray)
                                                 else v for v in args)))
            if isinstance(expected, type):
                with pytest.raises(expected):
                    ours(*(ag.tensor(v, device=device) if isinstance(v, np.ndarray) else v
                           for v in args))
            else:
                _parity(ours, theirs, args, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_shifts_out_of_range_match_torch(dtype, device):
    bits = np.dtype(dtype).itemsize * 8
    x = np.array([1, -1, 5, -8, 8, 100, -100], dtype=np.int64)
    x = x.astype(dtype) if dtype is not np.uint8 else np.abs(x).astype(dtype)
    s = np.array([bits - 1, bits, bits + 6, -1, -2, 3, 0]).astype(dtype if dtype is not
                                                                   np.uint8 else np.int64)
    if dtype is np.uint8:
        s = np.array([7, 8, 14, 0, 1, 3, 0], dtype=np.uint8)
    for name in ("bitwise_left_shift", "bitwise_right_shift"):
        _parity(getattr(S, name), getattr(torch, name), [x, s], device)


def test_integer_ops_reject_floats_as_torch():
    f = np.array([1.0, 2.0], dtype=np.float32)
    i = np.array([1, 2])
    for name in INT_OPS:
        for args in ((f, f), (i, f), (f, i), (i, 2.5)):
            expected = _outcome(lambda: getattr(torch, name)(
                *(torch.tensor(v) if isinstance(v, np.ndarray) else v for v in args)))
            assert isinstance(expected, type), f"torch accepted {name}{args}"
            with pytest.raises(expected):
                getattr(S, name)(*(ag.tensor(v) if isinstance(v, np.ndarray) else v
                                   for v in args))
    for name in ("bitwise_left_shift", "gcd", "lcm"):  # bool tensors too
        b = np.array([True, False])
        with pytest.raises(NotImplementedError):
            torch_fn = getattr(torch, name)
            torch_fn(torch.tensor(b), torch.tensor(b))
        with pytest.raises(NotImplementedError):
            getattr(S, name)(ag.tensor(b), ag.tensor(b))


def test_bitwise_not_matches_torch():
    for arr in (np.array([0, 5, -3]), np.array([1, 2], dtype=np.int32),
                np.array([True, False])):
        _parity(S.bitwise_not, torch.bitwise_not, [arr], "cpu")
    with pytest.raises(NotImplementedError):
        torch.bitwise_not(torch.tensor([1.0]))
    with pytest.raises(NotImplementedError):
        S.bitwise_not(ag.tensor([1.0]))


def test_inplace_helper_writes_and_refuses_float_into_int():
    x = ag.tensor([0.3, 1.2], dtype=ag.float64)
    y = S.inplace(x, "atan2_", S.atan2, ag.tensor([1.0, -1.0], dtype=ag.float64))
    assert y is x
    np.testing.assert_allclose(x.numpy(), np.arctan2([0.3, 1.2], [1.0, -1.0]))
    with pytest.raises(RuntimeError):
        S.inplace(ag.tensor([1, 2]), "lgamma_", S.lgamma)
    w = ag.tensor([0.5, 0.25], dtype=ag.float64, requires_grad=True)
    h = w * 1
    S.inplace(h, "erfinv_", S.erfinv)
    h.sum().backward()
    wt = torch.tensor([0.5, 0.25], dtype=torch.float64, requires_grad=True)
    torch.erfinv(wt).sum().backward()
    _close(w.grad, wt.grad, "grad through an in-place erfinv_")


# ----------------------------------------------------------------------------- wiring
WIRED = ["asinh", "acosh", "atanh", "arcsinh", "erfc", "erfinv", "lgamma", "digamma",
         "sinc", "logit", "frac", "deg2rad", "rad2deg", "i0", "signbit", "isposinf",
         "isneginf"]
wired = pytest.mark.skipif(not hasattr(ag, "lgamma"), reason="wired by the integrator")


@wired
@pytest.mark.parametrize("name", WIRED)
def test_unary_ops_are_ag_functions_and_tensor_methods(name):
    x = ag.tensor([0.3, 0.6], dtype=ag.float64)
    expected = getattr(S, name)(x).numpy()
    np.testing.assert_array_equal(getattr(ag, name)(x).numpy(), expected)
    np.testing.assert_array_equal(getattr(x, name)().numpy(), expected)


@wired
@pytest.mark.parametrize("name", ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2",
                                  "xlogy", "copysign", "fmax", "fmin", "float_power",
                                  "clamp_min", "clamp_max"])
def test_binary_ops_are_ag_functions_and_tensor_methods(name):
    x = ag.tensor([0.3, 0.6], dtype=ag.float64)
    y = ag.tensor([0.7, 0.2], dtype=ag.float64)
    expected = getattr(S, name)(x, y).numpy()
    np.testing.assert_array_equal(getattr(ag, name)(x, y).numpy(), expected)
    np.testing.assert_array_equal(getattr(x, name)(y).numpy(), expected)


@wired
def test_integer_ops_are_wired_with_operators():
    a, b = ag.tensor([12, 5, -7]), ag.tensor([10, 3, 2])
    at, bt = torch.tensor([12, 5, -7]), torch.tensor([10, 3, 2])
    for name in INT_OPS:
        assert getattr(ag, name)(a, b).tolist() == getattr(torch, name)(at, bt).tolist()
        assert getattr(a, name)(b).tolist() == getattr(at, name)(bt).tolist()
    assert (a & b).tolist() == (at & bt).tolist()
    assert (a | 3).tolist() == (at | 3).tolist()
    assert (6 ^ a).tolist() == (6 ^ at).tolist()
    assert (a << 2).tolist() == (at << 2).tolist()
    assert (a >> b).tolist() == (at >> bt).tolist()
    assert ag.polygamma(1, ag.tensor([1.0])).item() == pytest.approx(math.pi ** 2 / 6)


@wired
def test_inplace_methods_are_wired():
    x = ag.tensor([0.3, 0.6], dtype=ag.float64)
    expected = np.arcsinh([0.3, 0.6])
    assert x.asinh_() is x
    np.testing.assert_allclose(x.numpy(), expected)
    a = ag.tensor([12, 5])
    a.bitwise_and_(ag.tensor([10, 3]))
    assert a.tolist() == [8, 1]
