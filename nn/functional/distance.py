"""Distances and the losses built on them: cosine_similarity, pairwise_distance,
triplet_margin_loss, cosine_embedding_loss (PyTorch's formulas, in Tensor ops)."""
from __future__ import annotations

import autograd as ag
from autograd import _checks
from autograd.ops import compare as _compare
from autograd.ops import elementwise as _ew
from autograd.ops.shape import broadcast_tensors, norm_dim
from autograd.tensor import Tensor

from .loss import _reduce_loss, _reduction


def _check_tensor(x, name, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _broadcast(x1, x2):
    try:
        return broadcast_tensors(x1, x2)
    except (RuntimeError, ValueError):
        a, b = tuple(x1.shape), tuple(x2.shape)
        # PyTorch names the first mismatching dim counted from the right
        for k in range(1, min(len(a), len(b)) + 1):
            if a[-k] != b[-k] and 1 not in (a[-k], b[-k]):
                raise RuntimeError(
                    f"The size of tensor a ({a[-k]}) must match the size of tensor b "
                    f"({b[-k]}) at non-singleton dimension {max(len(a), len(b)) - k}") from None
        raise


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Same as torch.nn.functional.cosine_similarity: the inputs are broadcast, each is
    divided by its norm clamped to eps, and the products are summed over `dim`. As in
    PyTorch the clamp changes the value only: the gradient flows through the plain norm."""
    _check_tensor(x1, "x1", "cosine_similarity")
    _check_tensor(x2, "x2", "cosine_similarity")
    dtype = _checks.result_type(x1, x2)
    if dtype.kind != "f":
        name = {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(dtype.name, dtype.name)
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{name}")
    x1 = x1 if x1.array.dtype == dtype else _ew.cast(x1, dtype)
    x2 = x2 if x2.array.dtype == dtype else _ew.cast(x2, dtype)
    x1, x2 = _broadcast(x1, x2)
    d = norm_dim(dim, x1.ndim, "cosine_similarity")
    n1, n2 = (_clamped_norm(x, d, eps) for x in (x1, x2))
    return ((x1 / n1) * (x2 / n2)).sum(d)


def _clamped_norm(x, dim, eps):
    norm = x.norm(2, dim=dim, keepdim=True)
    # value max(norm, eps), derivative that of norm (PyTorch clamps in place under no_grad)
    return norm + (norm.detach().clamp_min(eps) - norm.detach())


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """Same as torch.nn.functional.pairwise_distance: ||x1 - x2 + eps||_p over the last
    dim of the broadcast shape."""
    _check_tensor(x1, "x1", "pairwise_distance")
    _check_tensor(x2, "x2", "pairwise_distance")
    last = max(x1.ndim, x2.ndim) - 1
    diff = x1 - x2
    if tuple(diff.shape) == () and last < 0:  # two 0-d tensors: |x1 - x2 + eps|
        return (diff + eps).abs()
    return ag.norm(diff + eps, p, dim=last, keepdim=keepdim)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """Same as torch.nn.functional.triplet_margin_loss:
    max(d(a, p) - d(a, n) + margin, 0), d the pairwise distance (swap: d(a, n) is the
    smaller of d(a, n) and d(p, n))."""
    reduction = _reduction_checked(size_average, reduce, reduction, _reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = _compare.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce_loss((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def _reduction_checked(size_average, reduce, reduction, check):
    try:
        return check("reduction", size_average, reduce, reduction)
    except ValueError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


_EPSILON = 1e-12  # PyTorch's constant in cosine_embedding_loss


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """Same as torch.nn.functional.cosine_embedding_loss: 1 - cos where target is 1,
    max(0, cos - margin) where it is -1 (0 elsewhere)."""
    reduction = _reduction_checked(size_average, reduce, reduction, _reduction)
    t = target.ndim
    if t not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if t == 1 else 1
    if input1.ndim != want or input2.ndim != want:
        raise RuntimeError(f"{t}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(t)
    mag1 = (input1 * input1).sum(t) + _EPSILON
    mag2 = (input2 * input2).sum(t) + _EPSILON
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = ag.zeros_like(cos)
    pos = _compare.where(target == 1, 1 - cos, zeros)
    neg = _compare.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce_loss(pos + neg, reduction)
