"""Activation functions (same as torch.nn.functional's). The ones that would take
several ops as a composite are one `Function` each: forward on arrays, backward in
Tensor ops so that second derivatives work."""
from __future__ import annotations

import math
import warnings

import autograd as ag
from autograd import amp as _amp
from autograd import backend
from autograd.function import Function, is_grad_enabled
from autograd.ops import compare as _compare
from autograd.ops import inplace as _inplace
from autograd.ops import reduce as _reduce
from autograd.ops import shape as _shape
from autograd.ops import unary as _unary
from autograd.ops.elementwise import _float_array
from autograd.tensor import _make

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


# ----------------------------------------------------------------------------- fused kernels
# Forward and plain (not create_graph) backward of the smooth activations, one pass each:
# NumPy steps on the host, one CUDA kernel on the GPU. create_graph backward uses the
# Tensor-op formulas in the classes below, which can be differentiated again.
_SQRT1_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _gelu_erf_cpu(x):
    return 0.5 * x * (1 + backend.erf(x * _SQRT1_2))


def _gelu_tanh_cpu(x):
    xp = backend.array_module(x)
    return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x * x * x)))


def _gelu_erf_backward_cpu(g, x):
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    cdf = (backend.erf(x * _SQRT1_2) + 1) * 0.5
    pdf = backend.array_module(x).exp(x * x * -0.5) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


def _gelu_tanh_backward_cpu(g, x):
    xp = backend.array_module(x)
    x2 = x * x
    t = xp.tanh((x + x * x2 * _GELU_C) * _SQRT_2_OVER_PI)
    return g * ((t + 1) * 0.5 + x * (1 - t * t) * (x2 * (3 * _GELU_C) + 1) * (
        0.5 * _SQRT_2_OVER_PI))


def _silu_cpu(x):
    return x * backend.sigmoid(x)


def _silu_backward_cpu(g, x):
    s = backend.sigmoid(x)
    return g * s * (x * (1 - s) + 1)


_GELU_CONSTANTS = (f"const T k = (T){_SQRT_2_OVER_PI!r}; const T c = (T){_GELU_C!r}; "
                   f"const T r2 = (T){_SQRT1_2!r}; const T rpi = (T){_INV_SQRT_2PI!r};")
_gelu_erf = backend.Fused(
    "ember_gelu", "T x", "T out", "out = (T)0.5 * x * ((T)1 + erf(x * (T)" +
    repr(_SQRT1_2) + "))", _gelu_erf_cpu)
_gelu_erf_backward = backend.Fused(
    "ember_gelu_backward", "T g, T x", "T out", _GELU_CONSTANTS + """
    T cdf = (erf(x * r2) + (T)1) * (T)0.5;
    T pdf = exp(x * x * (T)-0.5) * rpi;
    out = g * (cdf + x * pdf);""", _gelu_erf_backward_cpu)
_gelu_tanh = backend.Fused(
    "ember_gelu_tanh", "T x", "T out", _GELU_CONSTANTS +
    "out = (T)0.5 * x * ((T)1 + tanh(k * (x + c * x * x * x)));", _gelu_tanh_cpu)
_gelu_tanh_backward = backend.Fused(
    "ember_gelu_tanh_backward", "T g, T x", "T out", _GELU_CONSTANTS + """
    T x2 = x * x;
    T t = tanh((x + x * x2 * c) * k);
    out = g * ((t + (T)1) * (T)0.5 + x * ((T)1 - t * t) * (x2 * ((T)3 * c) + (T)1) *
               ((T)0.5 * k));""", _gelu_tanh_backward_cpu)
_silu = backend.Fused("ember_silu", "T x", "T out", "out = x / ((T)1 + exp(-x))", _silu_cpu)
_silu_backward = backend.Fused(
    "ember_silu_backward", "T g, T x", "T out", """
    T s = (T)1 / ((T)1 + exp(-x));
    out = g * s * (x * ((T)1 - s) + (T)1);""", _silu_backward_cpu)
_leaky_relu_backward = backend.Fused(
    "ember_leaky_relu_backward", "T g, bool positive, float64 slope", "T out",
    "out = positive ? g : g * (T)slope",
    lambda g, positive, slope: g * backend.array_module(g).where(
        positive, 1.0, slope).astype(g.dtype))


def _inplace_or(input, inplace, fn, op, saves_input=False):
    """fn(input), or fn's result written into input when `inplace` (like relu_). An op
    whose backward reads its input works on a copy when a graph is recorded."""
    if inplace:
        if saves_input and ag.is_grad_enabled() and input.requires_grad:
            return _inplace.unary_(input, lambda x: fn(x.clone()), op)
        return _inplace.unary_(input, fn, op)
    return fn(input)


# ----------------------------------------------------------------------------- ReLU family
def relu(input, inplace=False):
    """Same as torch.nn.functional.relu."""
    return _inplace_or(input, inplace, _unary.relu, "relu_")


def relu_(input):
    return relu(input, inplace=True)


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, a, slope):
        x = a.array
        xp = backend.array_module(x)
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = slope
        return xp.where(positive, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        if not is_grad_enabled():  # plain backward: one pass
            return _make(_leaky_relu_backward(grad.array, positive, ctx.slope)), None
        xp = backend.array_module(positive)
        # slope for x <= 0 (leaky_relu'(0) = slope, as PyTorch); a constant of the graph
        return grad * xp.where(positive, 1.0, ctx.slope).astype(grad.dtype), None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Same as torch.nn.functional.leaky_relu."""
    return _inplace_or(input, inplace, lambda x: LeakyRelu.apply(x, negative_slope),
                       "leaky_relu_")


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


class Elu(Function):
    """elu, selu and celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        x = a.array
        xp = backend.array_module(x)
        ctx.save_for_backward(a)
        ctx.params = (alpha, scale, input_scale)
        # expm1 of min(x, 0): the unused branch never overflows
        neg = xp.minimum(x, 0)
        if input_scale != 1:
            neg *= input_scale
        neg = alpha * scale * xp.expm1(neg)
        return xp.where(x > 0, x if scale == 1 else x * scale, neg)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        # d/dx = scale for x > 0, alpha scale input_scale exp(x input_scale) otherwise
        z = _compare.clamp(a, max=0)
        neg = _unary.exp(z if input_scale == 1 else z * input_scale) * (
            alpha * scale * input_scale)
        pos = grad if scale == 1 else grad * scale
        return _compare.where(_make(a.array > 0), pos, grad * neg), None, None, None


def elu(input, alpha=1.0, inplace=False):
    """Same as torch.nn.functional.elu."""
    return _inplace_or(input, inplace, lambda x: Elu.apply(x, alpha, 1.0, 1.0), "elu_", True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


class Gelu(Function):
    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        return (_gelu_tanh if approximate == "tanh" else _gelu_erf)(a.array)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():  # plain backward: one pass
            fn = _gelu_tanh_backward if ctx.approximate == "tanh" else _gelu_erf_backward
            return _make(fn(grad.array, x.array)), None
        if ctx.approximate == "tanh":
            # t = tanh(k (x + c x^3)); d/dx = (1 + t)/2 + x (1 - t^2) k (1 + 3 c x^2) / 2
            x2 = x * x
            t = _unary.tanh((x + x * x2 * _GELU_C) * _SQRT_2_OVER_PI)
            d = (t + 1) * 0.5 + x * (1 - t * t) * (x2 * (3 * _GELU_C) + 1) * (
                0.5 * _SQRT_2_OVER_PI)
        else:
            # d/dx x Phi(x) = Phi(x) + x phi(x)
            cdf = (_unary.erf(x * (1 / math.sqrt(2.0))) + 1) * 0.5
            pdf = _unary.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
            d = cdf + x * pdf
        return grad * d, None


def gelu(input, approximate="none"):
    """Same as torch.nn.functional.gelu (approximate='none' uses erf, 'tanh' the tanh
    approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: expected approximate 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(input, approximate)


class Silu(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _silu(a.array)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():  # plain backward: one pass
            return _make(_silu_backward(grad.array, x.array))
        s = _unary.sigmoid(x)
        # d/dx x s(x) = s (1 + x (1 - s))
        return grad * s * (x * (1 - s) + 1)


def silu(input, inplace=False):
    """Same as torch.nn.functional.silu."""
    return _inplace_or(input, inplace, Silu.apply, "silu_", True)


class Softplus(Function):
    @staticmethod
    def forward(ctx, a, beta, threshold):
        x = a.array
        xp = backend.array_module(x)
        bx = x * beta
        linear = bx > threshold
        ctx.save_for_backward(a, linear)
        ctx.beta = beta
        # above the threshold softplus(x) = x to working precision (as PyTorch)
        soft = xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta
        return xp.where(linear, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, linear = ctx.saved_tensors
        # d/dx log(1 + exp(beta x)) / beta = sigmoid(beta x)
        return _compare.where(_make(linear), grad, grad * _unary.sigmoid(x * ctx.beta)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """Same as torch.nn.functional.softplus."""
    return Softplus.apply(input, beta, threshold)


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


def logsigmoid(input):
    """Same as torch.nn.functional.logsigmoid."""
    return LogSigmoid.apply(input)


def sigmoid(input):
    return _unary.sigmoid(input)


def tanh(input):
    return _unary.tanh(input)


# ----------------------------------------------------------------------------- softmax
def _softmax_dim(name, ndim):
    # PyTorch's legacy rule when dim is not given: dim 0 for 0-, 1- and 3-d inputs, else 1
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Same as torch.nn.functional.softmax."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return ag.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Same as torch.nn.functional.log_softmax."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return ag.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Same as torch.nn.functional.softmin: softmax(-input)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return ag.softmax(-input, dim, dtype=dtype)


# ----------------------------------------------------------------------------- piecewise linear
def _float_only(input, op):
    # PyTorch has no integer kernel for these ops
    if input.array.dtype.kind in "biu":
        raise NotImplementedError(f"{op}: expected a floating point tensor, got {input.dtype}")


class _Masked(Function):
    """y = f(x) with dy/dx = `slope` where `mask(x)` holds and 0 elsewhere; the kinks sit
    on the zero side, as in PyTorch. Subclasses give `f(xp, x, p, q)` and `mask(x, p, q)`."""

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
        out = x + 3
        xp.clip(out, 0, 6, out=out)
        out /= 6
        return out

    mask = staticmethod(lambda x, _p, _q: (x > -3) & (x < 3))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Same as torch.nn.functional.hardtanh."""
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val} and max_val={max_val}")
    return _inplace_or(input, inplace, lambda x: Hardtanh.apply(x, min_val, max_val),
                       "hardtanh_")


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """Same as torch.nn.functional.relu6: hardtanh(input, 0, 6)."""
    return _inplace_or(input, inplace, lambda x: Hardtanh.apply(x, 0.0, 6.0), "relu6_")


def _threshold(input, threshold, value, inplace=False):
    """Same as torch.nn.functional.threshold: value where input <= threshold."""
    return _inplace_or(input, inplace, lambda x: Threshold.apply(x, threshold, value),
                       "threshold_")


threshold = _threshold  # (as in PyTorch: the argument `threshold` shadows the name)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


def hardshrink(input, lambd=0.5):
    """Same as torch.nn.functional.hardshrink."""
    _float_only(input, "hardshrink")
    return Hardshrink.apply(input, lambd, None)


def softshrink(input, lambd=0.5):
    """Same as torch.nn.functional.softshrink."""
    _float_only(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"softshrink: expected lambda >= 0, got {lambd}")
    return Softshrink.apply(input, lambd, None)


def hardsigmoid(input, inplace=False):
    """Same as torch.nn.functional.hardsigmoid: relu6(x + 3) / 6."""
    _float_only(input, "hardsigmoid")
    return _inplace_or(input, inplace, lambda x: Hardsigmoid.apply(x, None, None),
                       "hardsigmoid_")


class Hardswish(Function):
    @staticmethod
    def forward(ctx, a):
        x = a.array
        ctx.save_for_backward(a)
        out = x + 3
        backend.array_module(x).clip(out, 0, 6, out=out)
        out *= x
        out /= 6
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # d/dx = 0 for x <= -3, x / 3 + 1/2 inside (-3, 3), 1 for x >= 3 (as PyTorch)
        arr = x.array
        mid = _make((arr > -3) & (arr < 3))
        return _compare.where(mid, grad * (x * (1 / 3) + 0.5), grad * (arr >= 3))


def hardswish(input, inplace=False):
    """Same as torch.nn.functional.hardswish: x relu6(x + 3) / 6."""
    _float_only(input, "hardswish")
    return _inplace_or(input, inplace, Hardswish.apply, "hardswish_", True)


# ----------------------------------------------------------------------------- smooth
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """Same as torch.nn.functional.selu: scale * elu(x, alpha) with the SELU constants."""
    _float_only(input, "selu")
    return _inplace_or(input, inplace, lambda x: Elu.apply(x, _SELU_ALPHA, _SELU_SCALE, 1.0),
                       "selu_", True)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """Same as torch.nn.functional.celu: max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    _float_only(input, "celu")
    if alpha == 0:
        raise RuntimeError("celu: expected a nonzero alpha, got 0 (ZeroDivisionError: alpha "
                           "cannot be 0 for CELU)")
    return _inplace_or(input, inplace, lambda x: Elu.apply(x, alpha, 1.0, 1.0 / alpha),
                       "celu_", True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


class Mish(Function):
    @staticmethod
    def forward(ctx, a):
        x = a.array
        xp = backend.array_module(x)
        ctx.save_for_backward(a)
        # softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for any x
        sp = xp.log1p(xp.exp(-xp.abs(x)))
        sp += xp.maximum(x, 0)
        return x * xp.tanh(sp)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # t = tanh(softplus(x)); d/dx x t = t + x sigmoid(x) (1 - t^2)
        t = _unary.tanh(Softplus.apply(x, 1.0, 20.0))
        return grad * (t + x * _unary.sigmoid(x) * (1 - t * t))


def mish(input, inplace=False):
    """Same as torch.nn.functional.mish: x tanh(softplus(x))."""
    _float_only(input, "mish")
    return _inplace_or(input, inplace, Mish.apply, "mish_", True)


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


def softsign(input):
    """Same as torch.nn.functional.softsign: x / (1 + |x|)."""
    return Softsign.apply(input)


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


def tanhshrink(input):
    """Same as torch.nn.functional.tanhshrink: x - tanh(x)."""
    return Tanhshrink.apply(input)


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
        first, second = _shape.chunk(x, 2, ctx.dim)
        s = _unary.sigmoid(second)
        # d/da a s(b) = s(b); d/db = a s(b) (1 - s(b))
        grad_first = grad * s
        return _shape.cat([grad_first, grad_first * first * (1 - s)], ctx.dim), None


def glu(input, dim=-1):
    """Same as torch.nn.functional.glu: first half * sigmoid(second half) along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu: glu does not support scalars because halving size must be "
                           "even")
    _float_only(input, "glu")
    d = _shape.norm_dim(dim, input.ndim, "glu")
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                           f"{size}")
    return Glu.apply(input, d)


# ----------------------------------------------------------------------------- PReLU, RReLU
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


def prelu(input, weight):
    """Same as torch.nn.functional.prelu: weight has one value or one per channel (dim 1)."""
    if _amp.mode.on:  # on torch's lower-precision autocast lists
        input, weight = _amp.lower(input, weight, op="prelu")
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {input.dtype} and "
                           f"{weight.dtype}")
    _float_only(input, "prelu")
    n = weight.numel()
    if n == 1:
        wshape = ()
    else:
        if input.ndim == 0:
            raise RuntimeError("prelu: Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError("prelu: Mismatch of parameter numbers and input channel size. "
                               f"Found parameter numbers = {n} and channel size = {channels}.")
        wshape = (n,) + (1,) * (input.ndim - 2)
    return Prelu.apply(input, weight, wshape)


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


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Same as torch.nn.functional.rrelu: random negative slopes in training (from the
    default generator), the fixed slope (lower + upper) / 2 otherwise."""
    _float_only(input, "rrelu")
    if lower > upper:
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper "
                           f"bound, got lower={lower} and upper={upper}")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    return _inplace_or(input, inplace, lambda x: RreluWithNoise.apply(x, lower, upper),
                       "rrelu_")


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)
