"""Indexing (out of place): x[...], gather, scatter, take, masked_select, index_fill,
index_put, index_select, nonzero, masked_fill. Ops in `autograd/ops/index.py` and
`scatter.py`."""
from __future__ import annotations

from ..ops import index as _index
from ..ops import inplace as _inplace
from ..ops import scatter as _scatter


class IndexMixin:
    __slots__ = ()

    def index_add(self, dim, index, source, *, alpha=1):
        return _inplace.index_add(self, dim, index, source, alpha=alpha)

    def masked_fill(self, mask, value):
        return _index.masked_fill(self, mask, value)

    def __getitem__(self, index):
        return _index.getitem(self, index)

    def gather(self, dim, index):
        return _index.gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return _index.scatter_add(self, dim, index, src)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def take(self, index):
        return _scatter.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _scatter.take_along_dim(self, indices, dim)

    def masked_select(self, mask):
        return _scatter.masked_select(self, mask)

    def masked_scatter(self, mask, source):
        return _scatter.masked_scatter(self, mask, source)

    def index_fill(self, dim, index, value):
        return _scatter.index_fill(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _scatter.index_copy(self, dim, index, source)

    def index_put(self, indices, values, accumulate=False):
        return _scatter.index_put(self, indices, values, accumulate)

    def put(self, index, source, accumulate=False):
        return _scatter.put(self, index, source, accumulate)

    def index_select(self, dim, index):
        return _index.index_select(self, dim, index)

    def nonzero(self, as_tuple=False):
        return _index.nonzero(self, as_tuple)
