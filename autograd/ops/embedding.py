"""Embedding lookup; its gradient is a scatter-add into the rows that were used."""
from __future__ import annotations

from .. import backend
from ..function import Function, no_grad
from ..tensor import _make
from .index import IndexAddInto


class EmbeddingFn(Function):
    @staticmethod
    def forward(ctx, weight, index, padding_idx, scale_grad_by_freq):
        w, idx = weight.array, index.array
        xp = backend.array_module(w)
        ctx.args = (index, padding_idx, scale_grad_by_freq, w.shape)
        return xp.take(w, idx, axis=0)

    @staticmethod
    def backward(ctx, grad):
        index, padding_idx, by_freq, shape = ctx.args
        idx = index.array
        scale = None
        if padding_idx is not None:  # the padding row gets no gradient
            scale = (idx != padding_idx).astype(grad.dtype)
        if by_freq:  # each row's gradient divided by how often it occurs in the batch
            counts = backend.bincount(idx.reshape(-1), shape[0])
            inv = (1.0 / counts[idx]).astype(grad.dtype)
            scale = inv if scale is None else scale * inv
        if scale is not None:
            grad = grad * _make(scale[..., None])
        flat = _make(idx.reshape(-1))
        g = IndexAddInto.apply(grad.reshape(-1, shape[1]), shape, 0, flat)
        return g, None, None, None


def embedding_renorm_(weight, input, max_norm: float, norm_type: float):
    """Same as torch.embedding_renorm_: the rows of `weight` used by `input` whose norm
    exceeds max_norm are scaled down to it, in place."""
    w, idx = weight.array, input.array
    xp = backend.array_module(w)
    if backend.defers_checks(w):
        rows = idx.reshape(-1)  # repeats get the same scale; unique would read its size back
    else:
        rows = xp.unique(idx.reshape(-1))
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    with no_grad():
        w[rows] *= scale[:, None]
        weight._version[0] += 1
    return weight
