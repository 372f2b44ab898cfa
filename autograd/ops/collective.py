"""A differentiable sum across processes: forward all-reduces a copy of its input with the
given in-place reduce function, backward all-reduces the incoming gradient the same way
(the adjoint of a sum over processes is a sum over processes). Used by SyncBatchNorm."""
from __future__ import annotations

from autograd.function import Function
from autograd.tensor import _make


class AllReduceSum(Function):
    @staticmethod
    def forward(ctx, x, reduce_):
        ctx.args = (reduce_,)
        out = _make(x.array.copy())
        reduce_(out)
        return out.array

    @staticmethod
    def backward(ctx, grad):
        (reduce_,) = ctx.args
        return AllReduceSum.apply(grad, reduce_), None
