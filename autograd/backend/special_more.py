"""The rest of torch.special on arrays: the Bessel family, erfcx, i0e/i1e, log_ndtr,
ndtri, the incomplete gammas, Hurwitz zeta (SciPy on the host, cupyx.scipy on CUDA), and
the classical orthogonal polynomials by their three-term recurrences (on any device)."""
from __future__ import annotations

import numpy as np

from .devices import array_module
from .special import _library
from .special import _scipy_special as _call


def _lib(name, x):
    lib = _library(x)
    if lib is None or not hasattr(lib, name):
        raise RuntimeError(f"{name}: not available for {type(x).__module__} arrays (expected "
                           "SciPy on the CPU or cupyx.scipy on the GPU)")
    return lib


def unary(name: str, x):
    """scipy.special.<name>(x) in x's dtype (the names: j0, j1, y0, y1, i0, i1, k0, k1,
    k0e, k1e, i0e, i1e, erfcx, log_ndtr, ndtri)."""
    _lib(name, x)
    return _call(name, x)


def airy_ai(x):
    _lib("airy", x)
    arr = x.astype(np.float32) if x.dtype == np.float16 else x
    return _library(arr).airy(arr)[0].astype(x.dtype, copy=False)


def binary(name: str, a, x):
    """scipy.special.<name>(a, x) (gammainc, gammaincc, zeta), both arrays of one dtype."""
    lib = _lib(name, x)
    lo = x.dtype == np.float16
    a2, x2 = (a.astype(np.float32), x.astype(np.float32)) if lo else (a, x)
    return getattr(lib, name)(a2, x2).astype(x.dtype, copy=False)


def spherical_j0(x):
    """sin(x) / x, 1 at 0."""
    xp = array_module(x)
    safe = xp.where(x == 0, 1, x)
    return xp.where(x == 0, 1, xp.sin(safe) / safe).astype(x.dtype, copy=False)


# (p0(x), p1(x), a(n, x), b(n, x)) with p_{n+1} = a p_n - b p_{n-1}
def _poly_terms(kind, x):
    one = x * 0 + 1
    if kind == "T":
        return one, x, lambda n: 2 * x, lambda n: 1
    if kind == "U":
        return one, 2 * x, lambda n: 2 * x, lambda n: 1
    if kind == "V":
        return one, 2 * x - 1, lambda n: 2 * x, lambda n: 1
    if kind == "W":
        return one, 2 * x + 1, lambda n: 2 * x, lambda n: 1
    if kind == "H":  # physicists' Hermite: H_{n+1} = 2x H_n - 2n H_{n-1}
        return one, 2 * x, lambda n: 2 * x, lambda n: 2 * n
    if kind == "He":  # probabilists' Hermite: He_{n+1} = x He_n - n He_{n-1}
        return one, x, lambda n: x, lambda n: n
    if kind == "L":  # Laguerre: (n+1) L_{n+1} = (2n+1-x) L_n - n L_{n-1}
        return one, 1 - x, lambda n: (2 * n + 1 - x) / (n + 1), lambda n: n / (n + 1)
    if kind == "P":  # Legendre: (n+1) P_{n+1} = (2n+1) x P_n - n P_{n-1}
        return one, x, lambda n: (2 * n + 1) * x / (n + 1), lambda n: n / (n + 1)
    raise ValueError(kind)


def polynomial(kind: str, x, n):
    """The degree-n polynomial of family `kind` at x (x and n broadcast; n < 0 gives 0,
    as PyTorch; n is truncated to an integer). One pass per degree up to max(n)."""
    xp = array_module(x)
    dtype = x.dtype
    xw = x.astype(np.float64) if dtype != np.float64 else x
    n = xp.asarray(n)
    xw, n = xp.broadcast_arrays(xw, n)
    n = n.astype(np.int64)
    p0, p1, a, b = _poly_terms(kind, xw)
    out = xp.where(n == 0, p0, 0.0)
    out = xp.where(n == 1, p1, out)
    top = int(n.max()) if n.size else 0
    prev, cur = p0, p1
    for k in range(1, top):
        prev, cur = cur, a(k) * cur - b(k) * prev
        out = xp.where(n == k + 1, cur, out)
    return xp.asarray(out, dtype=dtype)
