"""Embedding lookup; its gradient is a scatter-add into the rows that were used."""
from __future__ import annotations

import autograd as ag
from autograd import backend
from autograd.function import Function
from autograd.ops.index import IndexAddInto
from autograd.tensor import Tensor, _make


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


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Same as torch.nn.functional.embedding (dense gradients only: `sparse` must be False).
    With `max_norm`, the used rows of `weight` are renormalised in place, as in PyTorch."""
    if not isinstance(input, Tensor) or input.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected an integer index tensor, got "
                           f"{getattr(input, 'dtype', type(input).__name__)}")
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    num = weight.shape[0]
    idx = input.array
    if type(idx) is backend.ndarray:
        if idx.size and (int(idx.max()) >= num or int(idx.min()) < 0):
            raise _range_error(num, int(idx.min()), int(idx.max()))
    else:  # GPU: the check waits for the next synchronisation, with idx clipped meanwhile
        idx = backend.check_index(idx, 0, num, lambda low, high: _range_error(num, low, high))
        input = _make(idx)
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError(f"embedding: padding_idx must be within num_embeddings "
                                 f"({num}), got {padding_idx}")
        padding_idx = padding_idx % num
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return EmbeddingFn.apply(weight, input, padding_idx, scale_grad_by_freq)


def _range_error(num, low, high):
    return IndexError(f"embedding: index out of range in self (indices must be in [0, {num}), "
                      f"got min {low}, max {high})")


def _renorm_(weight, idx, max_norm, norm_type):
    """Rows of `weight` used by `idx` whose norm exceeds max_norm are scaled down to it."""
    w = weight.array
    xp = backend.array_module(w)
    if backend.defers_checks(w):
        rows = idx.reshape(-1)  # repeats get the same scale; unique would read its size back
    else:
        rows = xp.unique(idx.reshape(-1))
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    with ag.no_grad():
        w[rows] *= scale[:, None]
        weight._version[0] += 1
