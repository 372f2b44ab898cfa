"""`autograd.special`: the torch.special namespace. Most functions are the engine's own
under torch.special's names (expit is sigmoid, gammaln is lgamma, psi is digamma); entr,
ndtr and xlog1py are compositions of Tensor ops (so their gradients come from those ops).
The Bessel and orthogonal-polynomial families, zeta, gammainc/gammaincc, erfcx,
i0e/i1e, log_ndtr, ndtri and multigammaln come from autograd/ops/special_more.py."""
from __future__ import annotations

import math as _math

from .creation import full_like as _full_like
from .creation import tensor as _new_tensor
from .creation import zeros_like as _zeros_like
from .ops import compare as _compare
from .ops import elementwise as _ew
from .ops import reduce as _reduce
from .ops import special as _special
from .ops import unary as _unary
from .ops.special_more import (  # noqa: F401  (re-exported as torch.special's)
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    erfcx,
    gammainc,
    gammaincc,
    hermite_polynomial_h,
    hermite_polynomial_he,
    i0e,
    i1e,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    log_ndtr,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    multigammaln,
    ndtri,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    spherical_bessel_j0,
    zeta,
)
from .tensor import Tensor  # torch.special.Tensor is torch.Tensor
from .tensor_base import TensorBase as _Tensor

__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln",
           "i0", "i1", "log1p", "log_softmax", "logit", "logsumexp", "ndtr", "polygamma",
           "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "airy_ai", "bessel_j0",
           "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "erfcx", "gammainc", "gammaincc", "hermite_polynomial_h", "hermite_polynomial_he",
           "i0e", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log_ndtr",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
           "modified_bessel_k1", "multigammaln", "ndtri", "scaled_modified_bessel_k0",
           "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "spherical_bessel_j0", "zeta", "Tensor"]

erf = _unary.erf
erfc = _special.erfc
erfinv = _special.erfinv
expit = _unary.sigmoid
logit = _special.logit
gammaln = _special.lgamma
digamma = psi = _special.digamma
polygamma = _special.polygamma
i0 = _special.i0
i1 = _special._i1
log1p = _unary.log1p
expm1 = _unary.expm1
exp2 = _unary.exp2
sinc = _special.sinc
round = _unary.round
xlogy = _special.xlogy


def _tensor(x, like=None):
    if isinstance(x, _Tensor):
        return x
    return _new_tensor(x, dtype=like.dtype if isinstance(like, _Tensor) else None,
                  device=like.device if isinstance(like, _Tensor) else None)


def logsumexp(input, dim, keepdim: bool = False):
    """Same as torch.special.logsumexp."""
    return _reduce.logsumexp(input, dim, keepdim)


def softmax(input, dim, *, dtype=None):
    """Same as torch.special.softmax."""
    return _reduce.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """Same as torch.special.log_softmax."""
    return _reduce.log_softmax(input, dim, dtype)


def entr(input):
    """Same as torch.special.entr: -x log x for x > 0, 0 at 0, -inf for x < 0; the
    gradient is -(log x + 1) (-inf at 0, as PyTorch's)."""
    x = _tensor(input)
    if not x.is_floating_point():
        x = x.float()
    pos = x > 0
    safe = _compare.where(pos, x, _full_like(x, 1.0))  # log of 1 where x <= 0
    inner = _ew.mul(_ew.mul(x, -1), _unary.log(safe))
    zero_or_neg = _compare.where(x == 0, _zeros_like(x), _full_like(x, -_math.inf))
    return _compare.where(pos, inner, zero_or_neg)


def ndtr(input):
    """Same as torch.special.ndtr: the standard normal CDF, (1 + erf(x / sqrt 2)) / 2."""
    x = _tensor(input)
    if not x.is_floating_point():
        x = x.float()
    return _ew.mul(_ew.add(_unary.erf(_ew.mul(x, 1 / _math.sqrt(2))), 1), 0.5)


def xlog1py(input, other):
    """Same as torch.special.xlog1py: x * log1p(y), 0 where x == 0 (unless y is NaN)."""
    x = _tensor(input, other)
    y = _tensor(other, x)
    prod = _ew.mul(x, _unary.log1p(y))
    zero = (x == 0) & (y == y)  # y == y: not NaN
    return _compare.where(zero, _zeros_like(prod), prod)
