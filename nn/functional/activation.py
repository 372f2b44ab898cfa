"""Activation functions (same as torch.nn.functional's). The ones that would take
several ops as a composite are one `Function` each: forward on arrays, backward in
Tensor ops so that second derivatives work."""
from __future__ import annotations

import math
import warnings

import autograd as ag
from autograd import backend
from autograd.function import Function, is_grad_enabled
from autograd.ops import compare as _compare
from autograd.ops import inplace as _inplace
from autograd.ops import unary as _unary
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


class Elu(Function):
    @staticmethod
    def forward(ctx, a, alpha):
        x = a.array
        xp = backend.array_module(x)
        ctx.save_for_backward(a)
        ctx.alpha = alpha
        # expm1 of min(x, 0): the unused branch never overflows
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # d/dx = 1 for x > 0, alpha exp(x) otherwise
        neg = _unary.exp(_compare.clamp(a, max=0)) * ctx.alpha
        return _compare.where(_make(a.array > 0), grad, grad * neg), None


def elu(input, alpha=1.0, inplace=False):
    """Same as torch.nn.functional.elu."""
    return _inplace_or(input, inplace, lambda x: Elu.apply(x, alpha), "elu_", True)


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
