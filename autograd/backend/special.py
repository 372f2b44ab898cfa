"""Special functions (sigmoid, erf, lgamma, ...): the device type's scipy.special-like
module (SciPy on the host, cupyx.scipy on CUDA) when it has one, else NumPy formulas."""
from __future__ import annotations

import numpy as np

from .cpu import _scipy_special
from .devices import _BY_ARRAY, array_module, owner
from .dtypes import bfloat16

_HOST_EXPIT = _scipy_special.expit if _scipy_special is not None else None


def _library(x):
    return (_BY_ARRAY.get(type(x)) or owner(x)).special


def _in_own_dtype(out, x):
    """The library's result back in x's dtype (SciPy has no float16 loops)."""
    return out if out.dtype is x.dtype else out.astype(x.dtype)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    if type(x) is np.ndarray and _HOST_EXPIT is not None and x.dtype.kind == "f" \
            and x.dtype.itemsize >= 4:  # the hot case, without the dispatch below
        return _HOST_EXPIT(x)
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
