"""Elementwise ops: arithmetic with broadcasting and PyTorch's dtype promotion, unary
maths, comparisons. A backward returns gradients in the broadcast shape and result
dtype; the engine sums them back to each input's shape and casts to its dtype.
`ctx.next[i] is not None` says whether input i needs a gradient."""
from __future__ import annotations

import builtins
import math

from .. import backend
from ..function import Function
from ..tensor import Tensor, _make

_Number = (bool, int, float)


# ----------------------------------------------------------------------------- helpers
def _operand(x, op):
    """A non-Tensor operand as something the backend can combine with an array."""
    if isinstance(x, _Number):
        return x
    if backend.is_numpy_scalar(x):
        return x.item()
    if backend.is_array(x):
        return x
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(x).__name__}")


def binary_operands(a, b, op):
    """Arrays (or Python scalars) for a binary op, promoted as PyTorch promotes."""
    if isinstance(a, Tensor):
        x = a.array
        if isinstance(b, Tensor):
            y = b.array
            if x.dtype is not y.dtype:
                dt = backend.result_type(x, y)
                if x.dtype != dt:
                    x = x.astype(dt)
                if y.dtype != dt:
                    y = y.astype(dt)
            return x, y
        y = _operand(b, op)
        if x.dtype.kind in "biu" and not (type(y) is int or type(y) is bool):
            dt = backend.result_type(x, y)
            if dt != x.dtype:
                x = x.astype(dt)
        return x, y
    x = _operand(a, op)
    y = b.array
    if y.dtype.kind in "biu" and not (type(x) is int or type(x) is bool):
        dt = backend.result_type(x, y)
        if dt != y.dtype:
            y = y.astype(dt)
    return x, y


def broadcast_error(op, a, b):
    sa = tuple(a.shape) if hasattr(a, "shape") else ()
    sb = tuple(b.shape) if hasattr(b, "shape") else ()
    return RuntimeError(f"{op}: shapes {sa} and {sb} cannot broadcast")


def _float_array(x):
    """Integer/bool inputs of float-valued maths become the default float dtype."""
    arr = x.array
    if arr.dtype.kind in "biu":
        return arr.astype(backend.get_default_dtype())
    return arr


def _int_kind(x):
    return x.dtype.kind in "iub" if hasattr(x, "dtype") else type(x) is int or type(x) is bool


def _as_tensor(x, like):
    if isinstance(x, Tensor):
        return x
    return _make(backend.array_module(like.array).asarray(x, dtype=like.array.dtype))


# ----------------------------------------------------------------------------- arithmetic
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "add")
        try:
            return x + y
        except ValueError:
            raise broadcast_error("add", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def add(a, b, alpha=1):
    """Same as torch.add."""
    return Add.apply(a, b if alpha == 1 else b * alpha)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "sub")
        # any bool tensor operand is an error, also when promotion made it an int/float
        if (isinstance(a, Tensor) and a.array.dtype.kind == "b") or (
                isinstance(b, Tensor) and b.array.dtype.kind == "b"):
            raise RuntimeError("sub: subtraction with a bool tensor is not supported; use "
                               "logical_xor() or ~ instead")
        try:
            return x - y
        except ValueError:
            raise broadcast_error("sub", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.next[1] is not None else None)


def sub(a, b, alpha=1):
    """Same as torch.sub."""
    return Sub.apply(a, b if alpha == 1 else b * alpha)


subtract = sub


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "mul")
        if ctx.recording:  # keep only what backward needs: b for a's gradient, a for b's
            nxt = ctx.next
            ctx.save_for_backward(a if nxt[1] is not None else None,
                                  b if nxt[0] is not None else None)
        try:
            return x * y
        except ValueError:
            raise broadcast_error("mul", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if b is not None else None,
                grad * a if a is not None else None)


def mul(a, b):
    """Same as torch.mul."""
    return Mul.apply(a, b)


multiply = mul


class Div(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "div")
        if ctx.recording:
            ctx.save_for_backward(b)
        try:
            out = x / y
        except ValueError:
            raise broadcast_error("div", x, y) from None
        if _int_kind(x) and _int_kind(y):  # true division of integers gives floats
            out = out.astype(backend.get_default_dtype())
        return out

    @staticmethod
    def backward(ctx, grad):
        (b,) = ctx.saved_tensors
        ga = grad / b if ctx.next[0] is not None else None
        gb = -grad * ctx.output / b if ctx.next[1] is not None else None
        return ga, gb


def div(a, b, rounding_mode=None):
    """Same as torch.div (rounding_mode None, 'trunc' or 'floor')."""
    if rounding_mode is None:
        return Div.apply(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div: expected rounding_mode None, 'trunc' or 'floor', got "
                         f"{rounding_mode!r}")
    return RoundingDiv.apply(a, b, rounding_mode)


true_divide = divide = div


class RoundingDiv(Function):
    @staticmethod
    def forward(ctx, a, b, mode):
        x, y = binary_operands(a, b, "div")
        xp = backend.array_module(x if hasattr(x, "dtype") else y)
        try:
            if mode == "floor":
                return xp.floor_divide(x, y)
            out = xp.trunc(xp.true_divide(x, y))
        except ValueError:
            raise broadcast_error("div", x, y) from None
        dt = x.dtype if hasattr(x, "dtype") else y.dtype
        return out if dt.kind == "f" else out.astype(dt)

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0  # piecewise constant
        return zero, zero


def floor_divide(a, b):
    """Same as torch.floor_divide."""
    return RoundingDiv.apply(a, b, "floor")


class Remainder(Function):
    @staticmethod
    def forward(ctx, a, b, fmod=False):
        x, y = binary_operands(a, b, "remainder")
        xp = backend.array_module(x if hasattr(x, "dtype") else y)
        ctx.save_for_backward(a, b)
        ctx.fmod = fmod
        try:
            return xp.fmod(x, y) if fmod else xp.remainder(x, y)
        except ValueError:
            raise broadcast_error("fmod" if fmod else "remainder", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # x mod y = x - q * y with q piecewise constant
        gb = None
        if ctx.next[1] is not None:
            q = div(a, b, rounding_mode="trunc" if ctx.fmod else "floor").detach()
            gb = -grad * q
        return grad, gb


def remainder(a, b):
    """Same as torch.remainder (sign of the divisor)."""
    return Remainder.apply(a, b)


def fmod(a, b):
    """Same as torch.fmod (sign of the dividend)."""
    return Remainder.apply(a, b, True)


class Pow(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "pow")
        if _int_kind(x) and _int_kind(y) and bool((backend.array_module(y).asarray(y) < 0).any()
                                               if hasattr(y, "dtype") else y < 0):
            raise RuntimeError("pow: integers to negative integer powers are not allowed")
        ctx.save_for_backward(a, b)
        try:
            return x ** y
        except ValueError:
            raise broadcast_error("pow", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.next[0] is not None:
            if isinstance(b, Tensor):
                # d/da a^b = b * a^(b-1); zero where b == 0 (also for a == 0)
                ga = where(b == 0, 0.0, grad * b * pow(a, b - 1))
            elif b == 0:
                ga = grad * 0.0
            else:
                ga = grad * b * pow(a, b - 1) if b != 2 else grad * 2 * a
        if ctx.next[1] is not None:
            # d/db a^b = a^b * log(a); zero where a == 0 and b >= 0
            out = ctx.output
            base = a if isinstance(a, Tensor) else _as_tensor(a, out)
            mask = (base == 0) & (b >= 0)
            gb = where(mask, 0.0, grad * out * log(where(mask, 1.0, base)))
        return ga, gb


def pow(a, b):
    """Same as torch.pow."""
    return Pow.apply(a, b)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        if a.array.dtype.kind == "b":
            raise RuntimeError("neg: negation of a bool tensor is not supported; use "
                               "logical_not() instead")
        return -a.array

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(a):
    """Same as torch.neg."""
    return Neg.apply(a)


negative = neg


class Lerp(Function):
    @staticmethod
    def forward(ctx, a, end, weight):
        x, y = binary_operands(a, end, "lerp")
        w = weight.array if isinstance(weight, Tensor) else weight
        ctx.save_for_backward(a, end, weight)
        try:
            return x + w * (y - x)
        except ValueError:
            raise RuntimeError(f"lerp: shapes {tuple(a.shape)}, {tuple(end.shape)} and "
                               f"{tuple(getattr(w, 'shape', ()))} cannot broadcast") from None

    @staticmethod
    def backward(ctx, grad):
        a, end, w = ctx.saved_tensors
        n = ctx.next
        return (grad * (1 - w) if n[0] is not None else None,
                grad * w if n[1] is not None else None,
                grad * (end - a) if n[2] is not None else None)


def lerp(a, end, weight):
    """Same as torch.lerp."""
    return Lerp.apply(a, end, weight)


# ----------------------------------------------------------------------------- unary maths
class _Unary(Function):
    """Base of y = f(x) ops: subclasses give `f(xp, arr)` and `grad_of(ctx, x, grad)`."""

    @classmethod
    def forward(cls, ctx, a):
        arr = _float_array(a)
        ctx.save_for_backward(a)
        return cls.f(backend.array_module(arr), arr)

    @classmethod
    def backward(cls, ctx, grad):
        (a,) = ctx.saved_tensors
        return cls.grad_of(ctx, a, grad)


class _UnaryOut(Function):
    """Base of y = f(x) ops whose derivative is cheapest in terms of y."""

    save_output = True

    @classmethod
    def forward(cls, ctx, a):
        arr = _float_array(a)
        return cls.f(backend.array_module(arr), arr)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.grad_of(ctx, ctx.output, grad)


class Exp(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.exp(x))

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.output


class Exp2(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.exp2(x))
    grad_of = staticmethod(lambda ctx, y, grad: grad * y * math.log(2.0))


class Expm1(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.expm1(x))
    grad_of = staticmethod(lambda ctx, y, grad: grad * (y + 1))


class Log(_Unary):
    f = staticmethod(lambda xp, x: xp.log(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / x)


class Log2(_Unary):
    f = staticmethod(lambda xp, x: xp.log2(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / (x * math.log(2.0)))


class Log10(_Unary):
    f = staticmethod(lambda xp, x: xp.log10(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / (x * math.log(10.0)))


class Log1p(_Unary):
    f = staticmethod(lambda xp, x: xp.log1p(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / (x + 1))


class Sqrt(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.sqrt(x))
    grad_of = staticmethod(lambda ctx, y, grad: grad / (y * 2))


class Rsqrt(_UnaryOut):
    # y = x^(-1/2), dy/dx = -y^3 / 2
    f = staticmethod(lambda xp, x: 1 / xp.sqrt(x))
    grad_of = staticmethod(lambda ctx, y, grad: grad * y * y * y * -0.5)


class Reciprocal(_UnaryOut):
    f = staticmethod(lambda xp, x: 1 / x)
    grad_of = staticmethod(lambda ctx, y, grad: -grad * y * y)


class Square(_Unary):
    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return a.array * a.array

    grad_of = staticmethod(lambda ctx, x, grad: grad * x * 2)


class Sin(_Unary):
    f = staticmethod(lambda xp, x: xp.sin(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * cos(x))


class Cos(_Unary):
    f = staticmethod(lambda xp, x: xp.cos(x))
    grad_of = staticmethod(lambda ctx, x, grad: -grad * sin(x))


class Tan(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.tan(x))
    grad_of = staticmethod(lambda ctx, y, grad: grad * (y * y + 1))


class Sinh(_Unary):
    f = staticmethod(lambda xp, x: xp.sinh(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * cosh(x))


class Cosh(_Unary):
    f = staticmethod(lambda xp, x: xp.cosh(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * sinh(x))


class Asin(_Unary):
    f = staticmethod(lambda xp, x: xp.arcsin(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad * rsqrt(1 - x * x))


class Acos(_Unary):
    f = staticmethod(lambda xp, x: xp.arccos(x))
    grad_of = staticmethod(lambda ctx, x, grad: -grad * rsqrt(1 - x * x))


class Atan(_Unary):
    f = staticmethod(lambda xp, x: xp.arctan(x))
    grad_of = staticmethod(lambda ctx, x, grad: grad / (x * x + 1))


class Tanh(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.tanh(x))

    @staticmethod
    def backward(ctx, grad):
        return TanhBackward.apply(grad, ctx.output)


class TanhBackward(Function):
    """grad * (1 - y^2) as one op (the hot path of every tanh layer)."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        out = y.array * y.array
        out *= -1
        out += 1
        out *= g.array
        return out

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        # d/dg = 1 - y^2 ; d/dy = -2 y g
        return TanhBackward.apply(gg, y), gg * g * y * -2


class Sigmoid(_UnaryOut):
    # stable for large |x|: never evaluates exp of a large positive number
    f = staticmethod(lambda xp, x: backend.sigmoid(x))

    @staticmethod
    def backward(ctx, grad):
        return SigmoidBackward.apply(grad, ctx.output)


class SigmoidBackward(Function):
    """grad * y * (1 - y) as one op."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        out = 1 - y.array
        out *= y.array
        out *= g.array
        return out

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        # d/dg = y (1 - y) ; d/dy = g (1 - 2y)
        return SigmoidBackward.apply(gg, y), gg * g * (1 - 2 * y)


class Erf(_Unary):
    f = staticmethod(lambda xp, x: backend.erf(x))
    # d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
    grad_of = staticmethod(lambda ctx, x, grad: grad * exp(-(x * x)) * (2 / math.sqrt(math.pi)))


class Relu(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a):
        x = a.array
        return x * (x > 0) if x.dtype.kind == "f" else backend.array_module(x).maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        # relu'(0) = 0, as in PyTorch; the mask is a constant of the graph
        return grad * (ctx.output.array > 0)


class Abs(_Unary):
    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return backend.array_module(a.array).abs(a.array)

    grad_of = staticmethod(lambda ctx, x, grad: grad * sign(x))


class Sign(Function):
    @staticmethod
    def forward(ctx, a):
        return backend.array_module(a.array).sign(a.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class _Rounding(Function):
    """floor, ceil, round, trunc: piecewise constant, zero gradient."""

    @classmethod
    def forward(cls, ctx, a, *args):
        return cls.f(backend.array_module(a.array), a.array, *args)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Floor(_Rounding):
    f = staticmethod(lambda xp, x: xp.floor(x) if x.dtype.kind == "f" else x.copy())


class Ceil(_Rounding):
    f = staticmethod(lambda xp, x: xp.ceil(x) if x.dtype.kind == "f" else x.copy())


class Round(_Rounding):
    f = staticmethod(lambda xp, x, d=0: xp.round(x, d) if x.dtype.kind == "f" else x.copy())


class Trunc(_Rounding):
    f = staticmethod(lambda xp, x: xp.trunc(x) if x.dtype.kind == "f" else x.copy())


def exp(a):
    """Same as torch.exp."""
    return Exp.apply(a)


def exp2(a):
    return Exp2.apply(a)


def expm1(a):
    """Same as torch.expm1."""
    return Expm1.apply(a)


def log(a):
    """Same as torch.log."""
    return Log.apply(a)


def log2(a):
    return Log2.apply(a)


def log10(a):
    return Log10.apply(a)


def log1p(a):
    """Same as torch.log1p."""
    return Log1p.apply(a)


def sqrt(a):
    """Same as torch.sqrt."""
    return Sqrt.apply(a)


def rsqrt(a):
    """Same as torch.rsqrt."""
    return Rsqrt.apply(a)


def reciprocal(a):
    """Same as torch.reciprocal."""
    return Reciprocal.apply(a)


def square(a):
    return Square.apply(a)


def sin(a):
    """Same as torch.sin."""
    return Sin.apply(a)


def cos(a):
    """Same as torch.cos."""
    return Cos.apply(a)


def tan(a):
    return Tan.apply(a)


def sinh(a):
    return Sinh.apply(a)


def cosh(a):
    return Cosh.apply(a)


def asin(a):
    return Asin.apply(a)


def acos(a):
    return Acos.apply(a)


def atan(a):
    return Atan.apply(a)


arcsin, arccos, arctan = asin, acos, atan


def tanh(a):
    """Same as torch.tanh."""
    return Tanh.apply(a)


def sigmoid(a):
    """Same as torch.sigmoid; finite and exact for inputs of any size."""
    return Sigmoid.apply(a)


def erf(a):
    """Same as torch.erf."""
    return Erf.apply(a)


def relu(a):
    """Same as torch.relu."""
    return Relu.apply(a)


def abs(a):
    """Same as torch.abs; the gradient at 0 is 0."""
    return Abs.apply(a)


absolute = abs


def sign(a):
    """Same as torch.sign (zero gradient)."""
    return Sign.apply(a)


def floor(a):
    return Floor.apply(a)


def ceil(a):
    return Ceil.apply(a)


def round(a, decimals=0):
    return Round.apply(a, decimals)


def trunc(a):
    return Trunc.apply(a)


# ----------------------------------------------------------------------------- selection
class Clamp(Function):
    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a.array
        xp = backend.array_module(x)
        lo_a = lo.array if isinstance(lo, Tensor) else lo
        hi_a = hi.array if isinstance(hi, Tensor) else hi
        if x.dtype.kind in "biu" and (type(lo_a) is float or type(hi_a) is float):
            x = x.astype(backend.get_default_dtype())
        ctx.save_for_backward(a, lo, hi)
        out = x
        try:
            if lo_a is not None:
                out = xp.maximum(out, lo_a)
            if hi_a is not None:
                out = xp.minimum(out, hi_a)
        except ValueError:
            raise RuntimeError(
                f"clamp: shapes {tuple(x.shape)}, {tuple(getattr(lo_a, 'shape', ()))} and "
                f"{tuple(getattr(hi_a, 'shape', ()))} cannot broadcast") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        n = ctx.next
        # the gradient passes where lo <= x <= hi (inclusive, as PyTorch)
        inside = None
        lo_mask = hi_mask = None
        if lo is not None:
            lo_mask = a.array < (lo.array if isinstance(lo, Tensor) else lo)
        if hi is not None:
            hi_mask = a.array > (hi.array if isinstance(hi, Tensor) else hi)
            if lo_mask is not None:  # when lo > hi the result is hi
                lo_mask = lo_mask & ~hi_mask
        if lo_mask is not None and hi_mask is not None:
            inside = ~(lo_mask | hi_mask)
        else:
            inside = ~(lo_mask if lo_mask is not None else hi_mask)
        return (grad * inside if n[0] is not None else None,
                grad * lo_mask if n[1] is not None else None,
                grad * hi_mask if n[2] is not None else None)


def clamp(a, min=None, max=None):
    """Same as torch.clamp: min and max may be numbers or tensors."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(a, min, max)


clip = clamp


class _MaxMin(Function):
    """Elementwise maximum/minimum; on ties the gradient is split evenly, as PyTorch."""

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = binary_operands(a, b, cls.name())
        ctx.save_for_backward(a, b)
        try:
            return cls.f(backend.array_module(x), x, y)
        except ValueError:
            raise broadcast_error(cls.name(), x, y) from None

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        x, y = binary_operands(a, b, cls.name())
        pick_a = cls.f_mask(x, y)
        tie = x == y
        xp = backend.array_module(grad.array)
        dt = grad.array.dtype
        wa = pick_a.astype(dt) + tie.astype(dt) * 0.5
        wa = xp.where(tie, 0.5, wa).astype(dt)
        wb = 1 - wa
        return (grad * wa if ctx.next[0] is not None else None,
                grad * wb if ctx.next[1] is not None else None)


class Maximum(_MaxMin):
    f = staticmethod(lambda xp, x, y: xp.maximum(x, y))
    f_mask = staticmethod(lambda x, y: x > y)


class Minimum(_MaxMin):
    f = staticmethod(lambda xp, x, y: xp.minimum(x, y))
    f_mask = staticmethod(lambda x, y: x < y)


def maximum(a, b):
    """Same as torch.maximum."""
    return Maximum.apply(a, b)


def minimum(a, b):
    """Same as torch.minimum."""
    return Minimum.apply(a, b)


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        c = cond.array if isinstance(cond, Tensor) else cond
        if getattr(c, "dtype", None) is None or c.dtype.kind != "b":
            raise RuntimeError(f"where: expected condition to be a bool tensor, got "
                               f"{getattr(c, 'dtype', type(c).__name__)}")
        x, y = binary_operands(a, b, "where")
        ctx.save_for_backward(cond)
        try:
            return backend.array_module(c).where(c, x, y)
        except ValueError:
            raise RuntimeError(
                f"where: shapes {tuple(c.shape)}, {tuple(getattr(x, 'shape', ()))} and "
                f"{tuple(getattr(y, 'shape', ()))} cannot broadcast") from None

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        c = cond.array if isinstance(cond, Tensor) else cond
        return (None,
                grad * c if ctx.next[1] is not None else None,
                grad * ~c if ctx.next[2] is not None else None)


def where(condition, input=None, other=None):
    """Same as torch.where(condition, input, other); where(condition) gives nonzero()."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    return Where.apply(condition, input, other)


# ----------------------------------------------------------------------------- dtype
class Cast(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.array.dtype
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.src.kind not in "fc":
            return None
        return cast(grad, ctx.src)


def cast(a, dtype):
    """`a` converted to `dtype` (differentiable between float dtypes)."""
    dtype = backend.as_dtype(dtype)
    if a.array.dtype == dtype:
        return a
    return Cast.apply(a, dtype)


# ----------------------------------------------------------------------------- comparisons
class _Compare(Function):
    """Comparisons and logical ops: bool results with no gradient."""

    @classmethod
    def apply(cls, a, b):
        x, y = binary_operands(a, b, cls.name())
        try:
            return _make(cls.f(backend.array_module(x if hasattr(x, "dtype") else y), x, y))
        except ValueError:
            raise broadcast_error(cls.name(), x, y) from None


def _compare(name, fn):
    cls = type(name.capitalize(), (_Compare,), {"f": staticmethod(fn)})
    return cls


Eq = _compare("eq", lambda xp, x, y: xp.equal(x, y))
Ne = _compare("ne", lambda xp, x, y: xp.not_equal(x, y))
Lt = _compare("lt", lambda xp, x, y: xp.less(x, y))
Le = _compare("le", lambda xp, x, y: xp.less_equal(x, y))
Gt = _compare("gt", lambda xp, x, y: xp.greater(x, y))
Ge = _compare("ge", lambda xp, x, y: xp.greater_equal(x, y))
LogicalAnd = _compare("logical_and", lambda xp, x, y: xp.logical_and(x, y))
LogicalOr = _compare("logical_or", lambda xp, x, y: xp.logical_or(x, y))
LogicalXor = _compare("logical_xor", lambda xp, x, y: xp.logical_xor(x, y))


def eq(a, b):
    """Same as torch.eq."""
    return Eq.apply(a, b)


def ne(a, b):
    """Same as torch.ne."""
    return Ne.apply(a, b)


def lt(a, b):
    """Same as torch.lt."""
    return Lt.apply(a, b)


def le(a, b):
    """Same as torch.le."""
    return Le.apply(a, b)


def gt(a, b):
    """Same as torch.gt."""
    return Gt.apply(a, b)


def ge(a, b):
    """Same as torch.ge."""
    return Ge.apply(a, b)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(a, b):
    return LogicalAnd.apply(a, b)


def logical_or(a, b):
    return LogicalOr.apply(a, b)


def logical_xor(a, b):
    return LogicalXor.apply(a, b)


def logical_not(a):
    return _make(backend.array_module(a.array).logical_not(a.array))


def bitwise_not(a):
    if a.array.dtype.kind == "f":
        raise TypeError("bitwise_not: not supported for floating point tensors")
    return _make(~a.array)


def isnan(a):
    return _make(backend.array_module(a.array).isnan(a.array))


def isinf(a):
    return _make(backend.array_module(a.array).isinf(a.array))


def isfinite(a):
    return _make(backend.array_module(a.array).isfinite(a.array))


def isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    x, y = binary_operands(a, b, "isclose")
    xp = backend.array_module(x if hasattr(x, "dtype") else y)
    return _make(xp.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return builtins.bool(isclose(a, b, rtol, atol, equal_nan).array.all())


def nan_to_num(a, nan=0.0, posinf=None, neginf=None):
    """Same as torch.nan_to_num; the gradient passes where the input is finite."""
    x = a.array
    xp = backend.array_module(x)
    return where(_make(xp.isfinite(x)), a,
                 _make(xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)))
