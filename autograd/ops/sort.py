"""Sorting: argsort, sort, msort and topk. The order is computed on arrays (stable, NaN
ranked highest as in PyTorch) and the values taken with a gather, so the gradient goes to
the element each output came from."""
from __future__ import annotations

from .. import backend
from ..return_types import return_type
from ..tensor_base import _make
from .index import gather, getitem
from .shape import norm_dim

_Sorted = return_type("sort", ["values", "indices"])
_TopK = return_type("topk", ["values", "indices"])


def argsort(a, dim=-1, descending=False, stable=False):
    """Same as torch.argsort."""
    x = a.array
    xp = backend.array_module(x)
    d = norm_dim(dim, x.ndim, "argsort")
    if x.ndim == 0:
        return _make(xp.zeros((), dtype=backend.int64))
    if descending:
        # a stable descending order: sort the reversed axis ascending on the negation
        key = -x if x.dtype.kind not in "bu" else (x.max() - x)
        idx = xp.argsort(key, axis=d, kind="stable")
        if x.dtype.kind in "fc" and x.size:
            # NaN ranks highest (as PyTorch): move the NaNs, last here, to the front with a
            # stable sort of a bool key (a radix pass on the host; no host decision)
            nan_last = ~xp.isnan(xp.take_along_axis(x, idx, axis=d))
            idx = xp.take_along_axis(idx, xp.argsort(nan_last, axis=d, kind="stable"), axis=d)
    else:
        idx = xp.argsort(x, axis=d, kind="stable")
    return _make(idx.astype(backend.int64))


def sort(a, dim=-1, descending=False, stable=False):
    """Same as torch.sort: (values, indices); values carry the gradient."""
    idx = argsort(a, dim, descending, stable)
    if a.array.ndim == 0:
        return _Sorted(a.clone(), idx)
    return _Sorted(gather(a, dim, idx), idx)


def msort(input):
    """Same as torch.msort: the values of sort along dim 0."""
    return sort(input, 0).values


def topk(a, k, dim=-1, largest=True, sorted=True):
    """Same as torch.topk."""
    d = norm_dim(dim, a.array.ndim, "topk")
    n = a.array.shape[d] if a.array.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size {n}")
    if a.array.ndim == 0:  # a 0-d input is one element along dim 0 or -1
        v, i = topk(a.reshape(1), k, 0, largest, sorted)
        return _TopK(v.reshape(()), i.reshape(())) if k else _TopK(v, i)
    idx = argsort(a, d, descending=largest)
    idx = getitem(idx, (slice(None),) * d + (slice(0, k),))
    return _TopK(gather(a, d, idx), idx)
