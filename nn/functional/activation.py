"""Activation functions (same as torch.nn.functional's): signatures, argument checks and
in-place variants. The ops themselves (forward and backward) live in
autograd.ops.activation."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd import amp as _amp
from autograd.ops import inplace as _inplace
from autograd.ops import unary as _unary
from autograd.ops.activation import (
    Elu,
    Gelu,
    Glu,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyRelu,
    LogSigmoid,
    Mish,
    Prelu,
    RreluWithNoise,
    Silu,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from autograd.ops.shape import norm_dim as _norm_dim


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


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Same as torch.nn.functional.leaky_relu."""
    _float_only(input, "leaky_relu")
    return _inplace_or(input, inplace, lambda x: LeakyRelu.apply(x, negative_slope),
                       "leaky_relu_")


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """Same as torch.nn.functional.elu."""
    _float_only(input, "elu")
    return _inplace_or(input, inplace, lambda x: Elu.apply(x, alpha, 1.0, 1.0), "elu_", True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """Same as torch.nn.functional.gelu (approximate='none' uses erf, 'tanh' the tanh
    approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: expected approximate 'none' or 'tanh', got {approximate!r}")
    _float_only(input, "gelu")
    return Gelu.apply(input, approximate)


def silu(input, inplace=False):
    """Same as torch.nn.functional.silu."""
    _float_only(input, "silu")
    return _inplace_or(input, inplace, Silu.apply, "silu_", True)


def softplus(input, beta=1.0, threshold=20.0):
    """Same as torch.nn.functional.softplus."""
    _float_only(input, "softplus")
    return Softplus.apply(input, beta, threshold)


def logsigmoid(input):
    """Same as torch.nn.functional.logsigmoid."""
    _float_only(input, "logsigmoid")
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
    if not isinstance(input, ag.Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dtype.kind in "biu":
        raise NotImplementedError(f"{op}: expected a floating point tensor, got {input.dtype}")


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


def mish(input, inplace=False):
    """Same as torch.nn.functional.mish: x tanh(softplus(x))."""
    _float_only(input, "mish")
    return _inplace_or(input, inplace, Mish.apply, "mish_", True)


def softsign(input):
    """Same as torch.nn.functional.softsign: x / (1 + |x|)."""
    return Softsign.apply(input)


def tanhshrink(input):
    """Same as torch.nn.functional.tanhshrink: x - tanh(x)."""
    return Tanhshrink.apply(input)


def glu(input, dim=-1):
    """Same as torch.nn.functional.glu: first half * sigmoid(second half) along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu: glu does not support scalars because halving size must be "
                           "even")
    _float_only(input, "glu")
    d = _norm_dim(dim, input.ndim, "glu")
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                           f"{size}")
    return Glu.apply(input, d)


# ----------------------------------------------------------------------------- PReLU, RReLU
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
