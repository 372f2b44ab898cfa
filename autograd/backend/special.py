"""Special functions (sigmoid, erf, lgamma, ...): the device type's scipy.special-like
module (SciPy on the host, cupyx.scipy on CUDA) when it has one, else NumPy formulas.
Then the rest of torch.special on arrays: the Bessel family, erfcx, i0e/i1e, log_ndtr,
ndtri, the incomplete gammas, Hurwitz zeta, and the classical orthogonal polynomials by
their three-term recurrences (on any device)."""
from __future__ import annotations

import numpy as np

from .cpu import scipy_special
from .devices import _BY_ARRAY, array_module, owner
from .dtypes import bfloat16

_HOST_EXPIT = None  # scipy.special.expit once loaded: sigmoid's hot case


def _host_expit():
    global _HOST_EXPIT
    lib = scipy_special()
    _HOST_EXPIT = lib.expit if lib is not None else None
    return _HOST_EXPIT


def _library(x):
    return (_BY_ARRAY.get(type(x)) or owner(x)).special


def _in_own_dtype(out, x):
    """The library's result back in x's dtype (SciPy has no float16 loops)."""
    return out if out.dtype is x.dtype else out.astype(x.dtype)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.dtype.itemsize >= 4:
        expit = _HOST_EXPIT or _host_expit()  # the hot case, without the dispatch below
        if expit is not None:
            return expit(x)
    if x.dtype is bfloat16:  # in float32 on every device, rounded once
        return sigmoid(x.astype(np.float32)).astype(bfloat16)
    lib = _library(x)
    if lib is not None:
        return _in_own_dtype(lib.expit(x), x)
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def erf(x):
    """The error function, elementwise."""
    if x.dtype is bfloat16:  # as sigmoid
        return erf(x.astype(np.float32)).astype(bfloat16)
    lib = _library(x)
    if lib is not None:
        return _in_own_dtype(lib.erf(x), x)
    return _erf_series(x)


def _scipy_special(name, x, *args):
    """The special function `name` of x's device type (SciPy's on host arrays,
    cupyx.scipy.special's on the GPU), in x's dtype (float16 and bfloat16 are computed
    in float32)."""
    arr = x.astype(np.float32) if x.dtype == np.float16 or x.dtype is bfloat16 else x
    lib = _library(arr)
    if lib is None:
        raise RuntimeError(f"{name}: expected SciPy (CPU) or cupyx.scipy (GPU) to be installed, "
                           "got neither")
    return getattr(lib, name)(*args, arr).astype(x.dtype, copy=False)


def erfc(x):
    """1 - erf(x), accurate for large x."""
    return _scipy_special("erfc", x)


def erfinv(x):
    return _scipy_special("erfinv", x)


def lgamma(x):
    """log |gamma(x)|; +inf at -inf, as PyTorch (SciPy gives -inf there)."""
    out = _scipy_special("gammaln", x)
    return array_module(x).where(x == -np.inf, np.inf, out).astype(x.dtype, copy=False)


def digamma(x):
    return _scipy_special("psi", x)


def polygamma(n: int, x):
    """The n-th derivative of digamma (n >= 0)."""
    if n == 0:
        return digamma(x)
    # n as an array of x's device: cupyx's polygamma takes no Python int
    return _scipy_special("polygamma", x, array_module(x).asarray(n))


def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return _scipy_special("i0", x)


def i1(x):
    """Modified Bessel function of the first kind, order 1."""
    return _scipy_special("i1", x)


def _erf_series(x):
    # |x| < 3: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), all terms
    # positive (no cancellation). |x| >= 3: erf = 1 - erfc, erfc by its continued fraction.
    xp = array_module(x)
    dtype = x.dtype
    a = xp.abs(x.astype(np.float64))
    small = xp.minimum(a, 3.0)
    term = small.copy()
    total = small.copy()
    x2 = small * small
    for n in range(1, 80):
        term = term * (2 * x2) / (2 * n + 1)
        total = total + term
    erf_small = 2 / np.sqrt(np.pi) * xp.exp(-x2) * total
    big = xp.maximum(a, 3.0)
    # erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
    frac = big.copy()
    for k in range(60, 0, -1):
        frac = big + (k / 2) / frac
    erfc_big = xp.exp(-big * big) / np.sqrt(np.pi) / frac
    out = xp.where(a < 3.0, erf_small, 1 - erfc_big)
    return (xp.sign(x) * out).astype(dtype, copy=False)


# ----------------------------------------------------------------------------- the rest
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
    return _scipy_special(name, x)


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
