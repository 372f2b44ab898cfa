"""Unary maths: exp, log, sqrt, trigonometry, tanh, sigmoid, erf, relu, abs, sign and
rounding. Integer inputs of float-valued maths are computed in the default float dtype.
Ops whose derivative is cheapest in terms of their output keep it (`save_output`)."""
from __future__ import annotations

import math

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import complex as _complex
from .formula import Formula
from .operands import _float_array


class _Unary(Function):
    """Base of y = f(x) ops: subclasses give `f(xp, arr)` and `grad_of(ctx, x, grad)`."""

    @classmethod
    def forward(cls, ctx, a):
        arr = _float_array(a, cls)
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
        arr = _float_array(a, cls)
        return cls.f(backend.array_module(arr), arr)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.grad_of(ctx, ctx.output, grad)


# ----------------------------------------------------------------------------- fused backward
# An activation's backward is a few elementwise steps: one formula each, one pass (one
# kernel on the GPU) when no graph is recorded, Tensor ops under create_graph.
_tanh_backward = Formula("tanh_backward", "T g, T y", lambda ns, g, y: g - y * y * g)
_sigmoid_backward = Formula("sigmoid_backward", "T g, T y", lambda ns, g, y: (y - y * y) * g)
# relu'(0) = 0, as in PyTorch, and at NaN the gradient passes (PyTorch zeroes it only
# where y <= 0); the mask is a constant of the graph
_relu_backward = Formula("relu_backward", "T g, T y", lambda ns, g, y: ns.where(y <= 0, 0, g))


class Exp(_UnaryOut):
    f = staticmethod(lambda xp, x: xp.exp(x))

    @staticmethod
    def backward(ctx, grad):
        if grad.array.dtype.kind == "c":
            return grad * _complex.conj(ctx.output)
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
    @staticmethod
    def forward(ctx, a):  # _UnaryOut.forward without its helper calls (a hot op)
        x = a.array
        if x.dtype.kind not in "fc":
            x = _float_array(a)
        return backend.array_module(x).tanh(x)

    @staticmethod
    def backward(ctx, grad):
        return TanhBackward.apply(grad, ctx.output)


class TanhBackward(Function):
    """grad * (1 - y^2) as one op (the hot path of every tanh layer)."""

    @staticmethod
    def forward(ctx, g, y):
        if ctx.recording:  # only under create_graph: an ordinary backward saves nothing
            ctx.save_for_backward(g, y)
        return _tanh_backward.fused(g.array, y.array)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        # d/dg = 1 - y^2 ; d/dy = -2 y g
        return TanhBackward.apply(gg, y), gg * g * y * -2


class Sigmoid(_UnaryOut):
    @staticmethod
    def forward(ctx, a):  # as Tanh.forward
        x = a.array
        if x.dtype.kind not in "fc":
            x = _float_array(a)
        # stable for large |x|: never evaluates exp of a large positive number
        return backend.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        return SigmoidBackward.apply(grad, ctx.output)


class SigmoidBackward(Function):
    """grad * y * (1 - y) as one op."""

    @staticmethod
    def forward(ctx, g, y):
        if ctx.recording:
            ctx.save_for_backward(g, y)
        return _sigmoid_backward.fused(g.array, y.array)

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
        return backend.array_module(x).maximum(x, 0)  # one pass; NaN stays NaN, no -0.0

    @staticmethod
    def backward(ctx, grad):
        return _relu_backward(grad, ctx.output)


class Abs(_Unary):
    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return backend.array_module(a.array).abs(a.array)

    grad_of = staticmethod(lambda ctx, x, grad: grad * sign(x))


class Sign(Function):
    @staticmethod
    def forward(ctx, a):
        x = a.array
        xp = backend.array_module(x)
        if x.dtype.kind == "f":  # sign(NaN) = 0, as PyTorch (so abs'(NaN) = 0 too)
            return xp.where(x != x, x.dtype.type(0), xp.sign(x))
        return xp.sign(x)

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
    f = staticmethod(lambda xp, x: xp.floor(x) if backend.is_floating(x.dtype) else x.copy())


class Ceil(_Rounding):
    f = staticmethod(lambda xp, x: xp.ceil(x) if backend.is_floating(x.dtype) else x.copy())


class Round(_Rounding):
    f = staticmethod(
        lambda xp, x, d=0: xp.round(x, d) if backend.is_floating(x.dtype) else x.copy())


class Trunc(_Rounding):
    f = staticmethod(lambda xp, x: xp.trunc(x) if backend.is_floating(x.dtype) else x.copy())


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
    """Same as torch.square (pow(a, 2): a bool tensor gives int64)."""
    if isinstance(a, Tensor) and a.array.dtype.kind == "b":
        a = _make(a.array.astype(backend.int64))
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
    if _is_bool(a):
        raise RuntimeError("relu: boolean inputs are not supported")
    return Relu.apply(a)


def abs(a):
    """Same as torch.abs; the gradient at 0 is 0."""
    _no_bool(a, "abs")
    return Abs.apply(a)


absolute = abs


def sign(a):
    """Same as torch.sign (zero gradient)."""
    if _is_bool(a):
        return _make(a.array.copy())
    return Sign.apply(a)


def floor(a):
    _no_bool(a, "floor")
    return Floor.apply(a)


def ceil(a):
    _no_bool(a, "ceil")
    return Ceil.apply(a)


def round(a, decimals=0):
    _no_bool(a, "round")
    if decimals and isinstance(a, Tensor) and a.array.dtype.kind in "iu":
        raise NotImplementedError(f"round: decimals={decimals} is not implemented for {a.dtype}")
    return Round.apply(a, decimals)


def _is_bool(a) -> bool:
    return isinstance(a, Tensor) and a.array.dtype.kind == "b"


def _no_bool(a, op):
    if _is_bool(a):
        raise NotImplementedError(f"{op}: not implemented for bool tensors")


def trunc(a):
    _no_bool(a, "trunc")
    return Trunc.apply(a)
