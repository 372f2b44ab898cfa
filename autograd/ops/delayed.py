"""DelayedError: an identity whose backward raises, marking a gradient computed by a
backward decorated with once_differentiable, and that decorator."""
from __future__ import annotations

import functools

from ..function import Function
from ..grad_mode import _mode, no_grad
from ..tensor_base import TensorBase as Tensor


class DelayedError(Function):
    """apply(value, link, name): `value`'s data, recorded as a function of `link` (a
    gradient that requires grad), so that reaching it in backward raises."""

    @staticmethod
    def forward(ctx, a, link, name):
        ctx.fn_name = name
        return a.array

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"trying to differentiate twice a function that was marked with "
                           f"@once_differentiable ({ctx.fn_name})")


def once_differentiable(fn):
    """Same as torch.autograd.function.once_differentiable: backward runs without
    recording a graph, and differentiating its result again (create_graph=True) raises
    when backward is reached a second time."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        link = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
        if not _mode.enabled or link is None:
            return outputs
        one = not isinstance(outputs, tuple)
        wrapped = tuple(DelayedError.apply(o, link, type(ctx).__name__)
                        if isinstance(o, Tensor) else o
                        for o in ((outputs,) if one else outputs))
        return wrapped[0] if one else wrapped
    return wrapper
