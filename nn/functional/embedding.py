"""Embedding lookup; its gradient is a scatter-add into the rows that were used."""
from __future__ import annotations

import autograd as ag
from autograd import backend
from autograd.ops.embedding import EmbeddingFn, embedding_renorm_
from autograd.ops.index import IndexAddInto
from autograd.tensor import Tensor, _make


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
        embedding_renorm_(weight, _make(idx), max_norm, norm_type)
    return EmbeddingFn.apply(weight, input, padding_idx, scale_grad_by_freq)


def _range_error(num, low, high):
    return IndexError(f"embedding: index out of range in self (indices must be in [0, {num}), "
                      f"got min {low}, max {high})")


# ----------------------------------------------------------------------------- embedding_bag
_MODES = ("sum", "mean", "max")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Same as torch.nn.functional.embedding_bag (dense gradients only: `sparse` must be
    False). Every element gets a bag number (from `offsets`, or its row of a 2-d input); the
    bags are reduced with one scatter-add (sum, mean) or scatter-max (max) over all elements,
    padding elements going to a spare bag that is dropped."""
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"embedding_bag: expected input and weight to be Tensors, got "
                        f"{type(input).__name__} and {type(weight).__name__}")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)})"
                         f" is not None, then it must have the same shape as the input "
                         f"({tuple(input.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    for name, t in (("input", input), ("offsets", offsets)):
        if isinstance(t, Tensor) and t.dtype.kind not in "iu":
            raise RuntimeError(f"embedding_bag: expected {name} to be an int or long tensor, "
                               f"got {t.dtype}")
    idx = input.array
    xp = backend.array_module(idx)
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        bags, per_bag = input.shape
        bag = xp.arange(bags * per_bag) // max(per_bag, 1)  # element k is in row k // N
        idx = idx.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if not isinstance(offsets, Tensor) or offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        bags, bag = _bags_from_offsets(idx, offsets, include_last_offset, xp)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse gradients are not supported (Ember has "
                                  "no sparse tensors); use sparse=False")
    num = weight.shape[0]
    idx = backend.check_index(idx, 0, num, lambda low, high: RuntimeError(
        "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
        f"{backend.first_outside(idx, 0, num)}"))
    if max_norm is not None:
        embedding_renorm_(weight, _make(idx), max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(f"embedding_bag: expected per_sample_weights to have the weight's "
                           f"dtype {weight.dtype}, got {per_sample_weights.dtype}")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-num} "
                               f"through {num - 1}, but got {padding_idx}")
        padding_idx %= num
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
    picked = ag.gather(weight, 0, _make(source))
    return ag.where(_make(found), picked, _make(xp.zeros((), dtype=w.dtype)))
