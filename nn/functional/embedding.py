"""Embedding lookup; its gradient is a scatter-add into the rows that were used."""
from __future__ import annotations

from autograd import _checks
from autograd.ops.embedding import EmbeddingFn, embedding_renorm_
from autograd.ops.embedding import embedding_bag as _embedding_bag
from autograd.tensor import Tensor


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Same as torch.nn.functional.embedding (dense gradients only: `sparse` must be False).
    With `max_norm`, the used rows of `weight` are renormalised in place, as in PyTorch."""
    if not isinstance(input, Tensor) or input.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected an integer index tensor, got "
                           f"{getattr(input, 'dtype', type(input).__name__)}")
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {tuple(weight.shape)}")
    num = weight.shape[0]
    # on the GPU the check waits for the next synchronisation, with input clipped meanwhile
    input = _checks.check_index(input, 0, num, lambda low, high: _range_error(num, low, high))
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError(f"embedding: padding_idx must be within num_embeddings "
                                 f"({num}), got {padding_idx}")
        padding_idx = padding_idx % num
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
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
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if not isinstance(offsets, Tensor) or offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
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
    return _embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq,
                          mode, per_sample_weights, include_last_offset, padding_idx)
