"""Activation ops (torch.nn.functional's activations): forward on arrays, backward in
Tensor ops or one `Formula` (fused on the GPU, Tensor ops under create_graph). The
signatures and argument checks live in nn.functional.activation."""
from __future__ import annotations

import math

from .. import backend
from ..function import Function
from ..tensor_base import _make
from . import compare as _compare
from . import reduce as _reduce
from . import split as _split
from . import unary as _unary
from .elementwise import _float_array
from .formula import Formula

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
_SQRT1_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


# ----------------------------------------------------------------------------- formulas
def _gelu_tanh_inner(ns, x):
    return ns.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x))


def _gelu_tanh_grad(ns, g, x):
    # t = tanh(k (x + c x^3)); d/dx = (1 + t)/2 + x (1 - t^2) k (1 + 3 c x^2) / 2
    x2 = x * x
    t = ns.tanh((x + x * x2 * _GELU_C) * _SQRT_2_OVER_PI)
    return g * ((t + 1) * 0.5 + x * (1 - t * t) * (x2 * (3 * _GELU_C) + 1) * (
        0.5 * _SQRT_2_OVER_PI))


def _gelu_erf_grad(ns, g, x):
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    cdf = (ns.erf(x * _SQRT1_2) + 1) * 0.5
    pdf = ns.exp(x * x * -0.5) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


def _silu_grad(ns, g, x):
    s = ns.sigmoid(x)
    return g * s * (x * (1 - s) + 1)  # d/dx x s(x) = s (1 + x (1 - s))


def _elu(ns, x, alpha, scale, input_scale):
    # expm1 of min(x, 0): the unused branch never overflows
    return ns.where(x > 0, x * scale, alpha * scale * ns.expm1(ns.minimum(x, 0) * input_scale))


def _elu_grad(ns, g, x, alpha, scale, input_scale):
    # d/dx = scale for x > 0, alpha scale input_scale exp(x input_scale) otherwise
    neg = ns.exp(ns.minimum(x, 0) * input_scale) * (alpha * scale * input_scale)
    return ns.where(x > 0, g * scale, g * neg)


def _softplus(ns, x, beta, threshold):
    # above the threshold softplus(x) = x to working precision (as PyTorch)
    bx = x * beta
    return ns.where(bx > threshold, x, ns.log1p(ns.exp(ns.minimum(bx, threshold))) / beta)


def _softplus_grad(ns, g, x, beta, threshold):
    # d/dx log(1 + exp(beta x)) / beta = sigmoid(beta x)
    bx = x * beta
    return ns.where(bx > threshold, g, g * ns.sigmoid(bx))


def _mish_tanh_softplus(ns, x):
    # softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for any x
    return ns.tanh(ns.log1p(ns.exp(-ns.abs(x))) + ns.maximum(x, 0))


def _mish_grad(ns, g, x):
    # t = tanh(softplus(x)); d/dx x t = t + x sigmoid(x) (1 - t^2)
    t = _mish_tanh_softplus(ns, x)
    return g * (t + x * ns.sigmoid(x) * (1 - t * t))


def _hardswish_grad(ns, g, x):
    # d/dx = 0 for x <= -3, x / 3 + 1/2 inside (-3, 3), 1 for x >= 3 (as PyTorch)
    return ns.where((x > -3) & (x < 3), g * (x * (1 / 3) + 0.5), ns.where(x >= 3, g, 0))


gelu_erf = Formula("gelu", "T x", lambda ns, x: 0.5 * x * (1 + ns.erf(x * _SQRT1_2)))
gelu_erf_grad = Formula("gelu_backward", "T g, T x", _gelu_erf_grad)
gelu_tanh = Formula("gelu_tanh", "T x", lambda ns, x: 0.5 * x * (1 + _gelu_tanh_inner(ns, x)))
gelu_tanh_grad = Formula("gelu_tanh_backward", "T g, T x", _gelu_tanh_grad)
silu = Formula("silu", "T x", lambda ns, x: x * ns.sigmoid(x))
silu_grad = Formula("silu_backward", "T g, T x", _silu_grad)
leaky_relu_grad = Formula("leaky_relu_backward", "T g, bool positive, float64 slope",
                          lambda ns, g, positive, slope: ns.where(positive, g, g * slope))
elu = Formula("elu", "T x, float64 alpha, float64 scale, float64 input_scale", _elu)
elu_grad = Formula("elu_backward",
                   "T g, T x, float64 alpha, float64 scale, float64 input_scale", _elu_grad)
softplus = Formula("softplus", "T x, float64 beta, float64 threshold", _softplus)
softplus_grad = Formula("softplus_backward", "T g, T x, float64 beta, float64 threshold",
                        _softplus_grad)
mish = Formula("mish", "T x", lambda ns, x: x * _mish_tanh_softplus(ns, x))
mish_grad = Formula("mish_backward", "T g, T x", _mish_grad)
hardswish_grad = Formula("hardswish_backward", "T g, T x", _hardswish_grad)


# ----------------------------------------------------------------------------- ops
class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, a, slope):
        x = a.array
        positive = x > 0
        ctx.save_for_backward(positive)  # leaky_relu'(0) = slope, as PyTorch
        ctx.slope = slope
        return backend.array_module(x).where(positive, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors  # a constant of the graph
        return leaky_relu_grad(grad, positive, ctx.slope), None


class Elu(Function):
    """elu, selu and celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.params = (alpha, scale, input_scale)
        return elu.fused(a.array, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (elu_grad(grad, a, *ctx.params),) + (None,) * 3


class Gelu(Function):
    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        return (gelu_tanh if approximate == "tanh" else gelu_erf).fused(a.array)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (gelu_tanh_grad if ctx.approximate == "tanh" else gelu_erf_grad)(grad, x), None


class _OfInput(Function):
    """y = f(x) with its derivative written in terms of x: a Formula pair `f`, `grad`."""

    f = grad = None

    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return cls.f.fused(a.array)

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return cls.grad(grad, x)


class Silu(_OfInput):
    f, grad = silu, silu_grad


class Softplus(Function):
    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.params = (beta, threshold)
        return softplus.fused(a.array, beta, threshold)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return softplus_grad(grad, x, *ctx.params), None, None


class LogSigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        x = a.array
        xp = backend.array_module(x)
        ctx.save_for_backward(a)
        # log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)): no overflow for any x
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _unary.sigmoid(-x)


class Mish(_OfInput):
    f, grad = mish, mish_grad


class Hardswish(Function):
    @staticmethod
    def forward(ctx, a):
        x = a.array
        ctx.save_for_backward(a)
        out = backend.array_module(x).asarray(x + 3)  # an array also for 0-d x
        backend.array_module(x).clip(out, 0, 6, out=out)
        out *= x
        out /= 6
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return hardswish_grad(grad, x)


# ----------------------------------------------------------------------------- piecewise linear
class _Masked(Function):
    """y = f(x) with dy/dx = `slope` where `mask(x)` holds and 0 elsewhere; the kinks sit
    on the zero side, as in PyTorch. Subclasses give `f(xp, x, p, q)` and `mask(x, p, q)`.
    backward is one product with a constant mask: one formula on every path."""

    slope = 1.0

    @classmethod
    def forward(cls, ctx, a, p, q):
        x = a.array
        if ctx.recording:
            ctx.save_for_backward(cls.mask(x, p, q))
        return cls.f(backend.array_module(x), x, p, q).astype(x.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, grad):
        (mask,) = ctx.saved_tensors  # a constant of the graph: the second derivative is 0
        grad = grad * mask
        return (grad if cls.slope == 1 else grad * cls.slope), None, None


class Hardtanh(_Masked):
    f = staticmethod(lambda xp, x, lo, hi: xp.minimum(xp.maximum(x, lo), hi))
    # strictly inside (lo, hi); NaN passes the gradient too, as in PyTorch
    mask = staticmethod(lambda x, lo, hi: ~((x <= lo) | (x >= hi)))


class Threshold(_Masked):
    # NaN is not <= threshold: it stays NaN and passes the gradient
    f = staticmethod(lambda xp, x, threshold, value: xp.where(x <= threshold, value, x))
    mask = staticmethod(lambda x, threshold, _: ~(x <= threshold))


def _inside(x, lambd):
    return (x >= -lambd) & (x <= lambd)


class Hardshrink(_Masked):
    f = staticmethod(lambda xp, x, lambd, _: xp.where(_inside(x, lambd), 0, x))
    mask = staticmethod(lambda x, lambd, _: ~_inside(x, lambd))


class Softshrink(_Masked):
    # x - clip(x) is x - lambd above, x + lambd below and 0 inside [-lambd, lambd]
    f = staticmethod(lambda xp, x, lambd, _: x - xp.clip(x, -lambd, lambd))
    mask = staticmethod(lambda x, lambd, _: ~_inside(x, lambd))


class Hardsigmoid(_Masked):
    slope = 1 / 6

    @staticmethod
    def f(xp, x, _p, _q):
        out = xp.asarray(x + 3)  # an array also for 0-d x
        xp.clip(out, 0, 6, out=out)
        out /= 6
        return out

    mask = staticmethod(lambda x, _p, _q: (x > -3) & (x < 3))


# ----------------------------------------------------------------------------- others
class Softsign(Function):
    @staticmethod
    def forward(ctx, a):
        x = _float_array(a, "softsign")
        ctx.save_for_backward(a)
        return x / (backend.array_module(x).abs(x) + 1)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # d/dx x / (1 + |x|) = 1 / (1 + |x|)^2
        den = _unary.abs(x) + 1
        return grad / (den * den)


class Tanhshrink(Function):
    @staticmethod
    def forward(ctx, a):
        x = _float_array(a, "tanhshrink")
        ctx.save_for_backward(a)
        return x - backend.array_module(x).tanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = _unary.tanh(x)
        return grad * (t * t)  # d/dx (x - tanh x) = tanh(x)^2


class Glu(Function):
    @staticmethod
    def forward(ctx, a, dim):
        x = a.array
        ctx.save_for_backward(a)
        ctx.dim = dim
        first, second = backend.array_module(x).split(x, 2, axis=dim)
        return first * backend.sigmoid(second)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        first, second = _split.chunk(x, 2, ctx.dim)
        s = _unary.sigmoid(second)
        # d/da a s(b) = s(b); d/db = a s(b) (1 - s(b))
        grad_first = grad * s
        return _split.cat([grad_first, grad_first * first * (1 - s)], ctx.dim), None


class Prelu(Function):
    @staticmethod
    def forward(ctx, a, weight, wshape):
        x = a.array
        w = weight.array.reshape(wshape)
        positive = x > 0
        ctx.save_for_backward(a, weight, positive)
        ctx.wshape = wshape
        return backend.array_module(x).where(positive, x, x * w)

    @staticmethod
    def backward(ctx, grad):
        x, weight, positive = ctx.saved_tensors
        pos = _make(positive)
        # d/dx = 1 for x > 0, weight otherwise; d/dweight = x where x <= 0, summed per channel
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_x = _compare.where(pos, grad, grad * weight.reshape(ctx.wshape))
        if ctx.needs_input_grad[1]:
            grad_w = _reduce.sum_to(grad * x * ~positive, ctx.wshape).reshape(weight.shape)
        return grad_x, grad_w, None


class RreluWithNoise(Function):
    @staticmethod
    def forward(ctx, a, lower, upper):
        x = a.array
        xp = backend.array_module(x)
        # slope drawn from U(lower, upper) where x <= 0, 1 elsewhere (the noise PyTorch keeps)
        draw = x.dtype if x.dtype in (backend.float32, backend.float64) else backend.float32
        noise = backend.rng(xp).random(x.shape, dtype=draw)
        noise *= upper - lower
        noise += lower
        noise = xp.where(x <= 0, noise, 1).astype(x.dtype, copy=False)
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        (noise,) = ctx.saved_tensors
        return grad * noise, None, None
