"""Less common elementwise maths, under PyTorch's names: inverse hyperbolics, erfc/erfinv,
lgamma/digamma/polygamma, sinc, logit, frac, i0, atan2, hypot, logaddexp, xlogy, copysign,
fmax/fmin, float_power; and ops with no gradient: signbit, isposinf/isneginf, heaviside,
the integer-only bitwise ops, shifts, gcd and lcm.

Integer inputs of float-valued maths are computed in the default float dtype, as PyTorch.
Backward formulas are written in Tensor ops, so they differentiate again."""
from __future__ import annotations

import math

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import unary as _unary
from .elementwise import cast
from .elementwise import pow as _pow
from .inplace import math_ as inplace  # noqa: F401 (the in-place forms: Tensor.atan2_, ...)
from .operands import _float_array, binary_operands, broadcast_error
from .unary import _Unary, _UnaryOut

_where = _compare.where


def _not_implemented(op, dtype):
    return NotImplementedError(f"{op}: not implemented for {dtype} tensors")


def _float_only(a, op):
    if not backend.is_floating(a.array.dtype):
        raise _not_implemented(op, a.array.dtype)
    return a.array


# ----------------------------------------------------------------------------- unary
class Asinh(_Unary):
    f = staticmethod(lambda xp, x: xp.arcsinh(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * _unary.rsqrt(x * x + 1))


class Acosh(_Unary):
    f = staticmethod(lambda xp, x: xp.arccosh(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * _unary.rsqrt(x * x - 1))


class Atanh(_Unary):
    f = staticmethod(lambda xp, x: xp.arctanh(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / (1 - x * x))


class Erfc(_Unary):
    f = staticmethod(lambda xp, x: backend.erfc(x))
    # d/dx erfc(x) = -2/sqrt(pi) exp(-x^2)
    grad_of = staticmethod(
        lambda ctx, x, grad: grad * _unary.exp(-(x * x)) * (-2 / math.sqrt(math.pi)))


class Erfinv(_UnaryOut):
    f = staticmethod(lambda xp, x: backend.erfinv(x))
    # y = erfinv(x): dy/dx = sqrt(pi)/2 exp(y^2)
    grad_of = staticmethod(
        lambda ctx, y, grad: grad * _unary.exp(y * y) * (math.sqrt(math.pi) / 2))


class Lgamma(_Unary):
    f = staticmethod(lambda xp, x: backend.lgamma(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * digamma(x))


class Digamma(_Unary):
    f = staticmethod(lambda xp, x: backend.digamma(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * polygamma(1, x))


class Polygamma(Function):
    @staticmethod
    def forward(ctx, n, a):
        arr = _float_array(a, "polygamma")
        ctx.save_for_backward(a)
        ctx.n = n
        return backend.polygamma(n, arr)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return None, grad * polygamma(ctx.n + 1, a)


class Sinc(_Unary):
    @staticmethod
    def f(xp, x):
        px = x * math.pi
        return xp.where(x == 0, 1, xp.sin(px) / px).astype(x.dtype, copy=False)

    @staticmethod
    def grad_of(ctx, x, grad):
        # d/dx sin(pi x)/(pi x) = (pi x cos(pi x) - sin(pi x)) / (pi x^2); 0 at x = 0.
        # x = 0 is replaced by 1 inside the formula so no 0/0 reaches a double backward.
        zero = _make(x.array == 0)
        safe = _where(zero, 1.0, x)
        px = safe * math.pi
        d = (px * _unary.cos(px) - _unary.sin(px)) / (px * safe)
        return grad * _where(zero, 0.0, d)


class Logit(Function):
    @staticmethod
    def forward(ctx, a, eps):
        arr = _float_array(a, "logit")
        xp = backend.array_module(arr)
        ctx.save_for_backward(a)
        ctx.eps = eps
        z = arr if eps is None else xp.clip(arr, eps, 1 - eps)
        return xp.log(z / (1 - z))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        eps, x = ctx.eps, a.array
        # 1 / (x (1 - x)) inside [eps, 1 - eps] (or [0, 1]); outside, 0 with eps, else nan
        lo, hi, fill = (0, 1, math.nan) if eps is None else (eps, 1 - eps, 0.0)
        outside = _make((x < lo) | (x > hi))
        safe = _where(outside, 0.5, a)
        return _where(outside, fill, grad / (safe * (1 - safe))), None


class Frac(Function):
    @staticmethod
    def forward(ctx, a):
        x = _float_only(a, "frac")
        return x - backend.array_module(x).trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _Scale(Function):
    """y = c x (deg2rad, rad2deg)."""

    @classmethod
    def forward(cls, ctx, a):
        return _float_array(a, cls) * cls.c

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.c


class Deg2rad(_Scale):
    c = math.pi / 180


class Rad2deg(_Scale):
    c = 180 / math.pi


class I0(_Unary):
    f = staticmethod(lambda xp, x: backend.i0(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * _i1(x))


class I1(_Unary):
    f = staticmethod(lambda xp, x: backend.i1(x))

    @staticmethod
    def grad_of(ctx, x, grad):
        # I1'(x) = I0(x) - I1(x) / x, with the limit 1/2 at x = 0
        zero = _make(x.array == 0)
        safe = _where(zero, 1.0, x)
        return grad * _where(zero, 0.5, i0(safe) - _i1(safe) / safe)


def asinh(input):
    """Same as torch.asinh."""
    return Asinh.apply(input)


def acosh(input):
    """Same as torch.acosh."""
    return Acosh.apply(input)


def atanh(input):
    """Same as torch.atanh."""
    return Atanh.apply(input)


arcsinh, arccosh, arctanh = asinh, acosh, atanh


def erfc(input):
    """Same as torch.erfc."""
    return Erfc.apply(input)


def erfinv(input):
    """Same as torch.erfinv."""
    return Erfinv.apply(input)


def lgamma(input):
    """Same as torch.lgamma."""
    return Lgamma.apply(input)


def digamma(input):
    """Same as torch.digamma."""
    return Digamma.apply(input)


def polygamma(n, input):
    """Same as torch.polygamma(n, input)."""
    if type(n) is not int:
        raise TypeError(f"polygamma: expected n to be an int, got {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma: expected n >= 0, got {n}; polygamma(n, x) does not "
                           "support negative n")
    return Polygamma.apply(n, input)


def sinc(input):
    """Same as torch.sinc (normalised: sin(pi x) / (pi x))."""
    return Sinc.apply(input)


def logit(input, eps=None):
    """Same as torch.logit."""
    return Logit.apply(input, eps)


def frac(input):
    """Same as torch.frac (x - trunc(x))."""
    return Frac.apply(input)


def deg2rad(input):
    """Same as torch.deg2rad."""
    return Deg2rad.apply(input)


def rad2deg(input):
    """Same as torch.rad2deg."""
    return Rad2deg.apply(input)


def i0(input):
    """Same as torch.i0."""
    return I0.apply(input)


def _i1(input):
    """torch.special.i1, the derivative of i0."""
    return I1.apply(input)


def signbit(input):
    """Same as torch.signbit (True for -0.0 and negative nan); no gradient."""
    if not isinstance(input, Tensor):
        raise TypeError(f"signbit(): argument 'input' must be Tensor, not {type(input).__name__}")
    x = input.array
    if backend.is_floating(x.dtype):
        return _make(backend.array_module(x).signbit(x))
    return _make(x < 0)


def isposinf(input):
    """Same as torch.isposinf."""
    return _make(input.array == math.inf)


def isneginf(input):
    """Same as torch.isneginf."""
    return _make(input.array == -math.inf)


# ----------------------------------------------------------------------------- binary
def _tensors(op, input, other):
    for name, v in (("input", input), ("other", other)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{op}: expected argument '{name}' to be a Tensor, got "
                            f"{type(v).__name__}")


def _float_operands(a, b, op, ints=True):
    """binary_operands, then integer/bool results in the default float dtype (or, with
    ints=False, NotImplementedError as PyTorch); Python scalars become 0-d arrays of the
    result dtype, so no NumPy scalar upcasts a float32 result."""
    x, y = binary_operands(a, b, op)
    arr = x if hasattr(x, "dtype") else y
    xp = backend.array_module(arr)
    dt = arr.dtype
    if dt.kind in "biu":
        if not ints:
            raise _not_implemented(op, dt)
        dt = backend.get_default_dtype()
    x = x.astype(dt, copy=False) if hasattr(x, "dtype") else xp.asarray(x, dtype=dt)
    y = y.astype(dt, copy=False) if hasattr(y, "dtype") else xp.asarray(y, dtype=dt)
    return xp, x, y


def _broadcasting(op, f, x, y):
    try:
        return f(x, y)
    except ValueError:
        raise broadcast_error(op, x, y) from None


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        xp, x, y = _float_operands(a, b, "atan2")
        ctx.save_for_backward(a, b)
        return _broadcasting("atan2", xp.arctan2, x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d atan2(a, b) = (b da - a db) / (a^2 + b^2); 0 at a = b = 0, as PyTorch
        r2 = a * a + b * b
        zero = _make(r2.array == 0)
        inv = _where(zero, 0.0, 1 / _where(zero, 1.0, r2))
        return (grad * b * inv if ctx.next[0] is not None else None,
                grad * -a * inv if ctx.next[1] is not None else None)


class Hypot(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        xp, x, y = _float_operands(a, b, "hypot", ints=False)
        ctx.save_for_backward(a, b)
        return _broadcasting("hypot", xp.hypot, x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        out = ctx.output
        return (grad * a / out if ctx.next[0] is not None else None,
                grad * b / out if ctx.next[1] is not None else None)


class Logaddexp(Function):
    @staticmethod
    def forward(ctx, a, b, base2=False):
        op = "logaddexp2" if base2 else "logaddexp"
        xp, x, y = _float_operands(a, b, op, ints=False)
        ctx.save_for_backward(a, b)
        ctx.scale = math.log(2.0) if base2 else 1.0
        return _broadcasting(op, xp.logaddexp2 if base2 else xp.logaddexp, x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d/da log(e^a + e^b) = 1 / (1 + e^(b - a)) = sigmoid(a - b) (base 2: scaled by ln 2)
        d = (a - b) * ctx.scale if ctx.scale != 1.0 else a - b
        return (grad * _unary.sigmoid(d) if ctx.next[0] is not None else None,
                grad * _unary.sigmoid(-d) if ctx.next[1] is not None else None, None)


class Xlogy(Function):
    @staticmethod
    def forward(ctx, a, b):
        xp, x, y = _float_operands(a, b, "xlogy")
        ctx.save_for_backward(a, b)
        out = _broadcasting("xlogy", lambda u, v: u * xp.log(v), x, y)
        # 0 where x == 0, unless y is nan
        return xp.where((x == 0) & ~xp.isnan(y), 0, out)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.next[0] is not None:  # log(y), as xlogy(grad, y); 0 where x == 0 and y <= 0
            mask = (a.array == 0) & ((b.array if isinstance(b, Tensor) else b) <= 0)
            ga = _where(_make(mask), 0.0, xlogy(grad, b))
        if ctx.next[1] is not None:
            gb = grad * a / b
        return ga, gb


class Copysign(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        xp, x, y = _float_operands(a, b, "copysign")
        ctx.save_for_backward(a)
        return _broadcasting("copysign", xp.copysign, x, y)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        ga = gb = None
        if ctx.next[0] is not None:  # +-1 (0 where a == 0): piecewise constant
            x, out = a.array, ctx.output.array
            ga = grad * backend.array_module(x).where(x == 0, 0, out / x).astype(out.dtype)
        if ctx.next[1] is not None:
            gb = grad * 0
        return ga, gb


class _FMaxMin(Function):
    """fmax/fmin: NaN only where both are NaN. The gradient goes to input where it was
    picked (ties included) or where other is NaN, else to other, as PyTorch."""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_operands(a, b, cls.name())
        ctx.save_for_backward(a, b)
        return _broadcasting(cls.name(), getattr(backend.array_module(x), cls.name()), x, y)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        x, y = binary_operands(a, b, cls.name())
        xp = backend.array_module(x)
        to_a = ((x >= y) if cls is Fmax else (x <= y)) | xp.isnan(y)
        return (grad * to_a if ctx.next[0] is not None else None,
                grad * ~to_a if ctx.next[1] is not None else None)


class Fmax(_FMaxMin):
    pass


class Fmin(_FMaxMin):
    pass


def atan2(input, other):
    """Same as torch.atan2."""
    _tensors("atan2", input, other)
    return Atan2.apply(input, other)


arctan2 = atan2


def hypot(input, other):
    """Same as torch.hypot."""
    _tensors("hypot", input, other)
    return Hypot.apply(input, other)


def logaddexp(input, other):
    """Same as torch.logaddexp."""
    _tensors("logaddexp", input, other)
    return Logaddexp.apply(input, other, False)


def logaddexp2(input, other):
    """Same as torch.logaddexp2."""
    _tensors("logaddexp2", input, other)
    return Logaddexp.apply(input, other, True)


def xlogy(input, other):
    """Same as torch.xlogy: input * log(other), 0 where input == 0 (unless other is nan);
    a Python number on either side."""
    return Xlogy.apply(input, other)


def copysign(input, other):
    """Same as torch.copysign (other may be a number)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"copysign: expected argument 'input' to be a Tensor, got "
                        f"{type(input).__name__}")
    return Copysign.apply(input, other)


def fmax(input, other):
    """Same as torch.fmax."""
    _tensors("fmax", input, other)
    return Fmax.apply(input, other)


def fmin(input, other):
    """Same as torch.fmin."""
    _tensors("fmin", input, other)
    return Fmin.apply(input, other)


def float_power(input, exponent):
    """Same as torch.float_power: pow computed in float64."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power: expected input or exponent to be a Tensor, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    f64 = backend.float64
    base = cast(input, f64) if isinstance(input, Tensor) else float(input)
    power = cast(exponent, f64) if isinstance(exponent, Tensor) else exponent
    return _pow(base, power)


def clamp_min(input, min):
    """Same as torch.clamp_min."""
    return _compare.clamp(input, min, None)


def clamp_max(input, max):
    """Same as torch.clamp_max."""
    return _compare.clamp(input, None, max)


class Heaviside(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, v = a.array, b.array
        if x.dtype != v.dtype:
            raise RuntimeError(f"heaviside: expected tensors of one dtype, got {x.dtype} and "
                               f"{v.dtype}")
        xp = backend.array_module(x)
        out = _broadcasting("heaviside", lambda u, w: xp.where(u == 0, w, u > 0), x, v)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("heaviside: the derivative is not implemented (as in PyTorch)")


def heaviside(input, values):
    """Same as torch.heaviside: 0 for x < 0 (and nan), values at 0, 1 for x > 0. Like
    PyTorch, a backward through it raises."""
    _tensors("heaviside", input, values)
    return Heaviside.apply(input, values)


# ----------------------------------------------------------------------------- integer ops
def _int_operands(a, b, op, bools=True):
    """Both operands as arrays of PyTorch's result dtype, which must be integer (or bool
    when `bools`): floats raise NotImplementedError, as PyTorch."""
    x, y = binary_operands(a, b, op)
    dt = backend.result_type(x, y)
    if dt.kind not in ("biu" if bools else "iu"):
        raise _not_implemented(op, dt)
    xp = backend.array_module(x if hasattr(x, "dtype") else y)
    x = x.astype(dt, copy=False) if hasattr(x, "dtype") else xp.asarray(x, dtype=dt)
    y = y.astype(dt, copy=False) if hasattr(y, "dtype") else xp.asarray(y, dtype=dt)
    return xp, x, y


def _bitwise(op, f, bools=True):
    def fn(input, other):
        xp, x, y = _int_operands(input, other, op, bools)
        return _make(_broadcasting(op, lambda u, v: f(xp, u, v), x, y))
    fn.__name__ = op
    fn.__doc__ = f"Same as torch.{op} (integer or bool tensors; no gradient)."
    return fn


def _left_shift(xp, x, s):
    # shifting by a negative amount or by the bit width or more gives 0
    bits = x.dtype.itemsize * 8
    out = xp.left_shift(x, xp.clip(s, 0, bits - 1))
    return xp.where((s < 0) | (s >= bits), 0, out).astype(x.dtype, copy=False)


def _right_shift(xp, x, s):
    # a negative amount or the bit width or more fills with the sign bit (0 if unsigned)
    bits = x.dtype.itemsize * 8
    if x.dtype.kind == "u":
        out = xp.right_shift(x, xp.minimum(s, bits - 1))
        return xp.where(s >= bits, 0, out).astype(x.dtype, copy=False)
    return xp.right_shift(x, xp.where((s < 0) | (s >= bits), bits - 1, s))


bitwise_and = _bitwise("bitwise_and", lambda xp, x, y: x & y)
bitwise_or = _bitwise("bitwise_or", lambda xp, x, y: x | y)
bitwise_xor = _bitwise("bitwise_xor", lambda xp, x, y: x ^ y)
bitwise_left_shift = _bitwise("bitwise_left_shift", _left_shift, bools=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", _right_shift, bools=False)
_gcd = _bitwise("gcd", lambda xp, x, y: xp.gcd(x, y), bools=False)
_lcm = _bitwise("lcm", lambda xp, x, y: xp.lcm(x, y), bools=False)


def gcd(input, other):
    """Same as torch.gcd (integer tensors; no gradient)."""
    _tensors("gcd", input, other)
    return _gcd(input, other)


def lcm(input, other):
    """Same as torch.lcm (integer tensors; no gradient)."""
    _tensors("lcm", input, other)
    return _lcm(input, other)


def bitwise_not(input):
    """Same as torch.bitwise_not (integer or bool tensors; no gradient)."""
    x = input.array
    if x.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not", x.dtype)
    return _make(~x)
