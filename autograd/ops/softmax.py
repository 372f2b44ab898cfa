"""softmax and log_softmax along one dim (stable for any input; an all -inf slice gives
NaN, as PyTorch; empty inputs give empty outputs)."""
from __future__ import annotations

from .. import amp as _amp
from .. import backend
from ..function import Function
from . import elementwise as _ew
from . import shape as _shape
from . import unary as _unary


class _AlongDim(Function):
    """softmax / log_softmax: normalise along one dim; `normalise(xp, x, d)` is the array
    maths for a non-empty input of at least one dim. A 0-d input is its own slice (`of_0d`:
    softmax 1, log_softmax 0); an empty one has nothing to normalise (max over an empty
    axis would raise)."""

    save_output = True
    name_ = of_0d = None

    @classmethod
    def forward(cls, ctx, a, dim):
        x = a.array
        d = _shape.norm_dim(dim, x.ndim, cls.name_)
        ctx.dim = d
        xp = backend.array_module(x)
        if x.ndim == 0:
            return xp.full_like(x, cls.of_0d)
        if x.size == 0:
            return x.copy()
        return cls.normalise(xp, x - x.max(axis=d, keepdims=True), d)


class Softmax(_AlongDim):
    name_, of_0d = "softmax", 1

    @staticmethod
    def normalise(xp, shifted, d):
        e = xp.exp(shifted)
        e /= e.sum(axis=d, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, grad):
        y = ctx.output
        # dx = y * (g - sum(g * y))
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(_AlongDim):
    name_, of_0d = "log_softmax", 0

    @staticmethod
    def normalise(xp, shifted, d):
        return shifted - xp.log(xp.exp(shifted).sum(axis=d, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        # dx = g - softmax(x) * sum(g)
        return grad - _unary.exp(ctx.output) * grad.sum(ctx.dim, keepdim=True)


def _softmax_input(a, dtype, op):
    if _amp.mode.on and dtype is None:  # an explicit dtype is not autocast (torch's rule)
        a, = _amp.fp32(op, a)
    if dtype is not None:
        a = _ew.cast(a, dtype)
    if backend.kind(a.array.dtype) not in "fc":
        raise NotImplementedError(f"{op}: not implemented for {a.dtype} (expected a floating "
                                  "point tensor)")
    return a


def softmax(a, dim, dtype=None):
    """Same as torch.softmax; stable for inputs of any size."""
    return Softmax.apply(_softmax_input(a, dtype, "softmax"), dim)


def log_softmax(a, dim, dtype=None):
    """Same as torch.log_softmax; stable for inputs of any size."""
    return LogSoftmax.apply(_softmax_input(a, dtype, "log_softmax"), dim)
