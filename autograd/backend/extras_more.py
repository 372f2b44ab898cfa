"""Array helpers for torch's long tail (autograd/torch_extras.py): frombuffer, histogram /
histogramdd (host only, as PyTorch's), nextafter, frexp, and the Poisson and binomial
draws from a generator's stream."""
from __future__ import annotations

import numpy as np

from .devices import array_module


def frombuffer(buffer, dtype, count: int = -1, offset: int = 0):
    return np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)


def histogram(x, bins, range_=None, weight=None, density=False):
    if type(x) is not np.ndarray:
        raise NotImplementedError("histogram: only CPU tensors are supported (as PyTorch)")
    hist, edges = np.histogram(x, bins=bins, range=range_, weights=weight, density=density)
    return hist.astype(x.dtype), edges.astype(x.dtype)


def histogramdd(x, bins, range_=None, weight=None, density=False):
    if type(x) is not np.ndarray:
        raise NotImplementedError("histogramdd: only CPU tensors are supported (as PyTorch)")
    if range_ is not None:
        range_ = [tuple(range_[2 * i:2 * i + 2]) for i in range(len(range_) // 2)]
    hist, edges = np.histogramdd(x.reshape(-1, x.shape[-1]), bins=bins, range=range_,
                                 weights=None if weight is None else weight.reshape(-1),
                                 density=density)
    return hist.astype(x.dtype), [e.astype(x.dtype) for e in edges]


def nextafter(x, y):
    return array_module(x).nextafter(x, y)


def frexp(x):
    xp = array_module(x)
    m, e = xp.frexp(x)
    return m.astype(x.dtype, copy=False), e.astype(np.int32)


def poisson(r, rates):
    return r.poisson(rates).astype(rates.dtype)


def binomial(r, count, prob):
    xp = array_module(count)
    n = xp.asarray(count).astype(np.int64)
    return r.binomial(n, prob).astype(count.dtype)
