"""Embedding lookup; its gradient is a scatter-add into the rows that were used."""
from __future__ import annotations

from .. import backend
from ..function import Function, no_grad
from ..tensor_base import _make
from .compare import where
from .index import IndexAddInto, gather


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


# ----------------------------------------------------------------------------- embedding_bag
def embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode,
                  per_sample_weights, include_last_offset, padding_idx):
    """nn.functional.embedding_bag on checked arguments. Every element gets a bag number
    (from `offsets`, or its row of a 2-d input); the bags are reduced with one scatter-add
    (sum, mean) or scatter-max (max) over all elements, padding elements going to a spare
    bag that is dropped."""
    idx = input.array
    xp = backend.array_module(idx)
    if input.ndim == 2:
        bags, per_bag = input.shape
        bag = xp.arange(bags * per_bag) // max(per_bag, 1)  # element k is in row k // N
        idx = idx.reshape(-1)
    else:
        bags, bag = _bags_from_offsets(idx, offsets, include_last_offset, xp)
    num = weight.shape[0]
    idx = backend.check_index(idx, 0, num, lambda low, high: RuntimeError(
        "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
        f"{backend.first_outside(idx, 0, num)}"))
    if max_norm is not None:
        embedding_renorm_(weight, _make(idx), max_norm, norm_type)
    if padding_idx is not None:
        bag = xp.where(idx == padding_idx, bags, bag)  # padding: into the spare bag
    if mode == "max":
        return _bag_max(weight, idx, bag, bags, xp)
    rows = EmbeddingFn.apply(weight, _make(idx), padding_idx, scale_grad_by_freq)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    dim = weight.shape[1]
    out = IndexAddInto.apply(rows, (bags + 1, dim), 0, _make(bag))[:bags]
    if mode == "mean":  # empty bags: 0 / 1
        counts = backend.bincount(bag, bags + 1)[:bags]
        out = out / _make(xp.maximum(counts, 1).astype(weight.dtype)[:, None])
    return out


def _bags_from_offsets(idx, offsets, include_last_offset, xp):
    """(number of bags, bag number of each element) for a 1-d input cut at `offsets`. With
    include_last_offset the last offset ends the last bag (CSR, as documented; PyTorch 2.13's
    CPU kernel runs it to the end of the input instead); elements outside every bag go to
    the spare bag."""
    off = offsets.array
    bags = off.shape[0] - 1 if include_last_offset else off.shape[0]
    if off.shape[0]:
        first, last = off[0], off[-1]
        backend.check(first != 0, lambda: RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(first)}"))
        backend.check(last > idx.shape[0], lambda: RuntimeError(
            f"offsets[-1] can not be greater than input's length {idx.shape[0]} but got "
            f"offsets[-1] of {int(last)}"))
    # element k belongs to the last bag starting at or before k (bag `bags`: past the end)
    bag = xp.searchsorted(off, xp.arange(idx.shape[0], dtype=off.dtype), side="right") - 1
    return bags, xp.where(bag < 0, bags, bag)


def _bag_max(weight, idx, bag, bags, xp):
    """Per bag and column, the largest value; its gradient goes to the row that gave it (the
    first such element, as PyTorch's kernel keeps a maximum unless strictly exceeded)."""
    w = weight.array
    dim = w.shape[1]
    rows = xp.take(w, idx, axis=0)
    best = xp.full((bags + 1, dim), -xp.inf, dtype=w.dtype)
    backend.reduce_at("maximum", best, bag, rows)
    # the first element of each bag reaching the maximum, per column (L where none)
    length = idx.shape[0]
    position = xp.where(rows == best[bag], xp.arange(length)[:, None], length)
    first = xp.full((bags + 1, dim), length, dtype=position.dtype)
    backend.reduce_at("minimum", first, bag, position)
    first = first[:bags]
    found = first < length
    source = xp.take(idx, xp.minimum(first, max(length - 1, 0))) if length else \
        xp.zeros(first.shape, dtype=idx.dtype)
    picked = gather(weight, 0, _make(source))
    return where(_make(found), picked, _make(xp.zeros((), dtype=w.dtype)))
