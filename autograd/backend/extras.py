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


# ----------------------------------------------------------------------------- LDL (sytrf)
def _host(x):
    return x if type(x) is np.ndarray else x.get()


def _back(out, like):
    return out if type(like) is np.ndarray else array_module(like).asarray(out)


def ldl_factor(a, hermitian=False):
    """LAPACK's Bunch-Kaufman LDL^T of each (symmetric) matrix of `a`, lower form:
    (LD, pivots (int32, LAPACK's 1-based convention), info). Computed on the host."""
    from scipy.linalg import lapack
    h = _host(a)
    fn = lapack.get_lapack_funcs("hetrf" if hermitian and h.dtype.kind == "c" else "sytrf",
                                 (h,))
    flat = h.reshape(-1, *h.shape[-2:])
    ld = np.empty_like(flat)
    piv = np.empty(flat.shape[:-1], dtype=np.int32)
    info = np.empty(flat.shape[0], dtype=np.int32)
    for i, m in enumerate(flat):  # one LAPACK call per matrix of the batch
        lu, ipiv, inf = fn(m, lower=1)
        ld[i], piv[i], info[i] = np.tril(lu), ipiv, inf
    shape = h.shape
    return (_back(ld.reshape(shape), a), _back(piv.reshape(shape[:-1]), a),
            _back(info.reshape(shape[:-2]), a))


def ldl_solve(ld, pivots, b, hermitian=False):
    from scipy.linalg import lapack
    hl, hp, hb = _host(ld), _host(pivots), _host(b)
    fn = lapack.get_lapack_funcs("hetrs" if hermitian and hl.dtype.kind == "c" else "sytrs",
                                 (hl,))
    batch = np.broadcast_shapes(hl.shape[:-2], hb.shape[:-2])
    hl = np.broadcast_to(hl, batch + hl.shape[-2:]).reshape(-1, *hl.shape[-2:])
    hp = np.broadcast_to(hp, batch + hp.shape[-1:]).reshape(-1, hp.shape[-1])
    hb2 = np.broadcast_to(hb, batch + hb.shape[-2:]).reshape(-1, *hb.shape[-2:])
    out = np.empty(hb2.shape, dtype=np.result_type(hl, hb2))
    for i in range(hl.shape[0]):
        out[i] = fn(hl[i], hp[i], hb2[i], lower=1)[0]
    return _back(out.reshape(batch + hb.shape[-2:]), b)
