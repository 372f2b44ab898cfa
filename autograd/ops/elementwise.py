"""Elementwise arithmetic (+ - * / ** and friends) with broadcasting and PyTorch's dtype
promotion, and dtype casts. Unary maths live in unary.py, comparisons and selection
(clamp, maximum, where) in compare.py.

A backward returns gradients in the broadcast shape and result dtype; the engine sums
them back to each input's shape and casts to its dtype. `ctx.next[i] is not None` says
whether input i needs a gradient."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import complex as _complex
from . import unary as _unary
from .operands import (
    _float_array,  # noqa: F401 (nn.functional.activation imports it from here)
    binary_operands,
    broadcast_error,
)

_float64 = backend.float64


# ----------------------------------------------------------------------------- helpers
def _is_bool(x):
    return x.dtype.kind == "b" if hasattr(x, "dtype") else type(x) is bool


def _no_bool_pair(x, y, op):
    """PyTorch implements no floor division, remainder or power of two bools."""
    if _is_bool(x) and _is_bool(y):
        raise NotImplementedError(f"{op}: not implemented for two bool operands")


def _no_int_zero_division(x, y, op):
    """Integer division (floor, trunc, remainder) by zero raises, as in PyTorch."""
    if _int_kind(x) and _int_kind(y):  # on the GPU, checked at the next synchronisation
        backend.check((y == 0) if not hasattr(y, "dtype") else (y == 0).any(),
                      lambda: RuntimeError(f"{op}: ZeroDivisionError (integer division by "
                                           "zero)"))


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
        x, y = binary_operands(a, b, "add", True)
        try:
            return x + y
        except ValueError:
            raise broadcast_error("add", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def add(input, other, alpha=1):
    """Same as torch.add."""
    return Add.apply(input, other if alpha == 1 else other * alpha)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "sub", True)
        # any bool operand is an error, also when promotion made it an int/float
        if (a.array.dtype.kind == "b" if isinstance(a, Tensor) else type(a) is bool) or (
                b.array.dtype.kind == "b" if isinstance(b, Tensor) else type(b) is bool):
            raise RuntimeError("sub: subtraction with a bool tensor or a bool scalar is not "
                               "supported; use logical_xor() or ~ instead")
        try:
            return x - y
        except ValueError:
            raise broadcast_error("sub", x, y) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.next[1] is not None else None)


def sub(input, other, alpha=1):
    """Same as torch.sub."""
    return Sub.apply(input, other if alpha == 1 else other * alpha)


subtract = sub


def _conj(v):
    """The conjugate of a saved operand: a Tensor, a Python number, or None (not saved)."""
    if v is None or not isinstance(v, Tensor):
        return v if v is None else v.conjugate()
    return _complex.conj(v)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "mul", True)
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
        if grad.array.dtype.kind == "c":  # complex: grad times the conjugate derivative
            a, b = _conj(a), _conj(b)
        return (grad * b if b is not None else None,
                grad * a if a is not None else None)


def mul(input, other):
    """Same as torch.mul."""
    return Mul.apply(input, other)


multiply = mul


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "div", True)
        if ctx.recording:  # the operands, not the output: y / z then y += 1 is allowed
            ctx.save_for_backward(a, b)
        try:
            out = x / y
        except ValueError:
            raise broadcast_error("div", x, y) from None
        # true division of integers gives floats (NumPy's float64: test that first)
        if out.dtype is _float64 and _int_kind(x) and _int_kind(y):
            out = out.astype(backend.get_default_dtype())
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        is_complex = grad.array.dtype.kind == "c"  # grad times the conjugate derivative
        if is_complex:
            b = _conj(b)
            a = _conj(a) if isinstance(a, Tensor) else complex(a).conjugate()
        ga = grad / b if ctx.next[0] is not None else None
        if ctx.next[1] is None:  # a constant divisor (x / 1.1)
            return ga, None
        return ga, -grad * ((a / b) / b)  # PyTorch's formula: -grad (a / b) / b


def div(input, other, *, rounding_mode=None):
    """Same as torch.div (rounding_mode None, 'trunc' or 'floor')."""
    a, b = input, other
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
        _no_bool_pair(x, y, "floor_divide" if mode == "floor" else "div")
        _no_int_zero_division(x, y, "floor_divide" if mode == "floor" else "div")
        xp = backend.array_module(x if hasattr(x, "dtype") else y)
        try:
            if mode == "floor":
                return xp.floor_divide(x, y)
            out = xp.trunc(xp.true_divide(x, y))
        except ValueError:
            raise broadcast_error("div", x, y) from None
        dt = x.dtype if hasattr(x, "dtype") else y.dtype
        return out if backend.is_floating(dt) else out.astype(dt)

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0  # piecewise constant
        return zero, zero


def floor_divide(input, other):
    """Same as torch.floor_divide."""
    return RoundingDiv.apply(input, other, "floor")


class Remainder(Function):
    @staticmethod
    def forward(ctx, a, b, fmod=False):
        x, y = binary_operands(a, b, "remainder")
        _no_bool_pair(x, y, "fmod" if fmod else "remainder")
        _no_int_zero_division(x, y, "fmod" if fmod else "remainder")
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


def remainder(input, other):
    """Same as torch.remainder (sign of the divisor)."""
    return Remainder.apply(input, other)


def fmod(input, other):
    """Same as torch.fmod (sign of the dividend)."""
    return Remainder.apply(input, other, True)


class Pow(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_operands(a, b, "pow")
        if _int_kind(x) and _int_kind(y):  # on the GPU, checked at the next synchronisation
            backend.check((y < 0).any() if hasattr(y, "dtype") else y < 0, lambda: RuntimeError(
                "pow: integers to negative integer powers are not allowed"))
        ctx.save_for_backward(a, b)
        try:
            out = x ** y
        except ValueError:
            raise broadcast_error("pow", x, y) from None
        if out.dtype.kind in "iu" and _is_bool(x):
            # NumPy gives int8 for bool ** bool/int; PyTorch: a bool tensor to a bool scalar
            # stays bool, to an int gives int64, and a bool tensor exponent is an error
            if _is_bool(y):
                if hasattr(y, "dtype"):
                    _no_bool_pair(x, y, "pow")
                return out.astype(x.dtype)
            if not hasattr(y, "dtype"):
                return out.astype(backend.int64)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if grad.array.dtype.kind == "c" and not isinstance(b, Tensor):  # z ** number
            return grad * _complex.conj(b * pow(a, b - 1)) if b != 0 else grad * 0.0, None
        if ctx.next[0] is not None:
            if isinstance(b, Tensor):
                # d/da a^b = b * a^(b-1); zero where b == 0 (also for a == 0)
                ga = _compare.where(b == 0, 0.0, grad * b * pow(a, b - 1))
            elif b == 0:
                ga = grad * 0.0
            else:
                ga = grad * b * pow(a, b - 1) if b != 2 else grad * 2 * a
        if ctx.next[1] is not None:
            # d/db a^b = a^b * log(a); zero where a == 0 and b >= 0
            out = ctx.output
            base = a if isinstance(a, Tensor) else _as_tensor(a, out)
            mask = (base == 0) & (b >= 0)
            safe_base = _compare.where(mask, 1.0, base)
            gb = _compare.where(mask, 0.0, grad * out * _unary.log(safe_base))
        return ga, gb


def pow(input, exponent):
    """Same as torch.pow."""
    return Pow.apply(input, exponent)


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
            # PyTorch's two-sided form: exact at w = 1, and the same infinities/NaNs
            diff = y - x
            if not backend.is_array(w):
                return x + w * diff if abs(w) < 0.5 else y - diff * (1 - w)
            xp = backend.array_module(w)
            return backend.select(xp.abs(w) < 0.5, x + w * diff, y - diff * (1 - w))
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
    if isinstance(a, Tensor) and a.array.dtype.kind in "biu":
        raise NotImplementedError(f"lerp: not implemented for {a.dtype} (floating point only)")
    return Lerp.apply(a, end, weight)


# ----------------------------------------------------------------------------- dtype
class Cast(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.array.dtype
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        if backend.kind(ctx.src) not in "fc":
            return None
        return cast(grad, ctx.src)


def cast(a, dtype):
    """`a` converted to `dtype` (differentiable between float dtypes)."""
    dtype = backend.as_dtype(dtype)
    if a.array.dtype == dtype:
        return a
    return Cast.apply(a, dtype)
