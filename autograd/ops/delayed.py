"""DelayedError: an identity whose backward raises, marking a gradient computed by a
backward decorated with once_differentiable (autograd/custom.py)."""
from __future__ import annotations

from ..function import Function


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
