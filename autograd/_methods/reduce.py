"""Reductions and orderings: sum, mean, var, max, norm, cumsum, softmax, sort, topk,
median, quantile, histc, unique. Ops in `autograd/ops/reduce.py` and `order.py`."""
from __future__ import annotations

from ..ops import index as _index
from ..ops import order as _order
from ..ops import reduce as _reduce
from ..ops import sort as _sort


class ReduceMixin:
    __slots__ = ()

    def sum(self, dim=None, keepdim=False, dtype=None):
        return _reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return _reduce.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, dtype=None):
        return _reduce.prod(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def amax(self, dim=(), keepdim=False):
        return _reduce.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _reduce.amin(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        return _reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _reduce.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _reduce.argmin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return _reduce.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _reduce.norm(self, p, dim, keepdim, dtype=dtype)

    def cumsum(self, dim, dtype=None):
        return _reduce.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, dtype=None):
        return _reduce.cumprod(self, dim, dtype=dtype)

    def softmax(self, dim, dtype=None):
        return _reduce.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _reduce.log_softmax(self, dim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return _reduce.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _reduce.any(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return _reduce.count_nonzero(self, dim)

    def msort(self):
        return _sort.msort(self)

    def sort(self, dim=-1, descending=False, stable=False):
        return _sort.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _sort.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sort.topk(self, k, dim, largest, sorted)

    def median(self, dim=None, keepdim=False):
        return _order.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _order.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _order.mode(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _order.kthvalue(self, k, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _order.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _order.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _order.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _order.nanmean(self, dim, keepdim, dtype=dtype)

    def cummax(self, dim):
        return _order.cummax(self, dim)

    def cummin(self, dim):
        return _order.cummin(self, dim)

    def logcumsumexp(self, dim):
        return _order.logcumsumexp(self, dim)

    def histc(self, bins=100, min=0, max=0):
        return _order.histc(self, bins, min, max)

    def bincount(self, weights=None, minlength=0):
        return _order.bincount(self, weights, minlength)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _index.unique(self, sorted, return_inverse, return_counts, dim)
