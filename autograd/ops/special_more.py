"""The rest of torch.special: erfcx, i0e, i1e, log_ndtr, ndtri, the regularised
incomplete gammas (gammainc / gammaincc, torch.igamma / igammac), Hurwitz zeta and
multigammaln with PyTorch's gradients; and, without a gradient (PyTorch gives their
results requires_grad=False), the Bessel functions (bessel_j0/j1/y0/y1, modified_bessel_
i0/i1/k0/k1, scaled_modified_bessel_k0/k1, spherical_bessel_j0, airy_ai) and the
orthogonal polynomials (Chebyshev T/U/V/W and their shifted forms, Hermite H/He,
Laguerre L, Legendre P). Backward formulas are Tensor ops, so they differentiate again."""
from __future__ import annotations

import math

from .. import backend
from ..backend import special as _b
from ..function import Function
from ..grad_mode import no_grad
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import unary as _unary
from .operands import _float_array
from .special import _broadcasting as _bc
from .special import _float_operands, lgamma

_where = _compare.where
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _need(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


class _ScipyUnary(Function):
    name = ""

    @classmethod
    def forward(cls, ctx, a):
        arr = _float_array(a, cls)
        ctx.save_for_backward(a)
        out = _b.unary(cls.name, arr)
        ctx.out_arr = out
        return out

    @classmethod
    def backward(cls, ctx, grad):
        (a,) = ctx.saved_tensors
        return cls.grad_of(a, _make(ctx.out_arr), grad)


class Erfcx(_ScipyUnary):
    name = "erfcx"
    grad_of = staticmethod(lambda x, y, g: g * (2 * x * y - 2 / _SQRT_PI))


class I0e(_ScipyUnary):
    name = "i0e"
    # d/dx e^-|x| I0(x) = i1e(x) - sign(x) i0e(x)
    grad_of = staticmethod(lambda x, y, g: g * (i1e(x) - _unary.sign(x) * y))


class I1e(_ScipyUnary):
    name = "i1e"

    @staticmethod
    def grad_of(x, y, g):
        # i0e(x) - i1e(x) (sign(x) + 1/x), with the limit 1/2 at x = 0
        zero = _make(x.array == 0)
        safe = _where(zero, 1.0, x)
        return g * _where(zero, 0.5, i0e(safe) - i1e(safe) * (_unary.sign(safe) + 1 / safe))


class LogNdtr(_ScipyUnary):
    name = "log_ndtr"
    # phi(x) / Phi(x) = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi)
    grad_of = staticmethod(lambda x, y, g: g * _unary.exp(-0.5 * x * x - y) / _SQRT_2PI)


class Ndtri(_ScipyUnary):
    name = "ndtri"
    grad_of = staticmethod(lambda x, y, g: g * _SQRT_2PI * _unary.exp(0.5 * y * y))


def erfcx(input):
    """Same as torch.special.erfcx: exp(x^2) erfc(x)."""
    return Erfcx.apply(_need("erfcx", input))


def i0e(input):
    """Same as torch.special.i0e: exp(-|x|) i0(x)."""
    return I0e.apply(_need("i0e", input))


def i1e(input):
    """Same as torch.special.i1e: exp(-|x|) i1(x)."""
    return I1e.apply(_need("i1e", input))


def log_ndtr(input):
    """Same as torch.special.log_ndtr: log of the standard normal CDF."""
    return LogNdtr.apply(_need("log_ndtr", input))


def ndtri(input):
    """Same as torch.special.ndtri: the inverse of the standard normal CDF."""
    return Ndtri.apply(_need("ndtri", input))


# ----------------------------------------------------------------------------- binary
def _no_derivative(op, which):
    return RuntimeError(f"the derivative for '{op}: {which}' is not implemented.")


class _Gamma(Function):
    upper = False

    @classmethod
    def forward(cls, ctx, a, x):
        op = "igammac" if cls.upper else "igamma"
        xp, aa, xx = _float_operands(a, x, op, ints=False)
        ctx.save_for_backward(a, x)
        name = "gammaincc" if cls.upper else "gammainc"
        return _bc(op, lambda p, q: _b.binary(name, *xp.broadcast_arrays(p, q)), aa, xx)

    @classmethod
    def backward(cls, ctx, grad):
        a, x = ctx.saved_tensors
        op = "igammac" if cls.upper else "igamma"
        if ctx.next[0] is not None:
            raise _no_derivative(op, "input")
        if ctx.next[1] is None:
            return None, None
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
        d = _unary.exp((a - 1) * _unary.log(x) - x - lgamma(_as_tensor(a, x)))
        return None, (-grad * d if cls.upper else grad * d)


def _as_tensor(v, like):
    if isinstance(v, Tensor):
        return v
    return _make(backend.array_module(like.array).asarray(v, dtype=like.array.dtype))


class Igamma(_Gamma):
    upper = False


class Igammac(_Gamma):
    upper = True


def gammainc(input, other):
    """Same as torch.special.gammainc (torch.igamma): the regularised lower incomplete
    gamma P(input, other); differentiable in `other` only, as PyTorch."""
    return Igamma.apply(input, other)


def gammaincc(input, other):
    """Same as torch.special.gammaincc (torch.igammac): Q(input, other) = 1 - P."""
    return Igammac.apply(input, other)


class Zeta(Function):
    @staticmethod
    def forward(ctx, x, q):
        xp, xx, qq = _float_operands(x, q, "zeta", ints=True)
        ctx.save_for_backward(x, q)
        return _bc("zeta", lambda p, r: _b.binary("zeta", *xp.broadcast_arrays(p, r)), xx, qq)

    @staticmethod
    def backward(ctx, grad):
        x, q = ctx.saved_tensors
        if ctx.next[0] is not None:
            raise _no_derivative("zeta", "self")
        if ctx.next[1] is None:
            return None, None
        # d/dq zeta(x, q) = -x zeta(x + 1, q)
        return None, -grad * x * zeta(x + 1, q)


def zeta(input, other):
    """Same as torch.special.zeta: the Hurwitz zeta function sum_k (k + other)^-input."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("zeta: expected at least one Tensor argument")
    return Zeta.apply(input, other)


def multigammaln(input, p: int):
    """Same as torch.special.multigammaln: the log multivariate gamma of dimension p,
    p(p-1)/4 log(pi) + sum_j lgamma(x - j/2); every element must exceed (p-1)/2."""
    x = _need("multigammaln", input)
    if not isinstance(p, int) or p < 1:
        raise RuntimeError(f"multigammaln: p has to be greater than or equal to 1, got {p}")
    if not x.is_floating_point():
        raise RuntimeError(f"multigammaln: expected a floating point tensor, got {x.dtype}")
    backend.check((x.array <= (p - 1) / 2).any(), lambda: RuntimeError(
        f"multigammaln: All elements must be greater than (p-1)/2, (p-1)/2 = {(p - 1) / 2}"))
    shifts = backend.array_module(x.array).arange(p, dtype=x.array.dtype) / 2
    terms = lgamma(x.unsqueeze(-1) - _make(shifts))
    return terms.sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


# ----------------------------------------------------------------------------- no gradient
def _plain(op, input):
    x = _need(op, input)
    with no_grad():
        return _float_array(x, op)


def _no_grad_unary(op, scipy_name):
    def fn(input):
        return _make(_b.unary(scipy_name, _plain(op, input)))
    fn.__name__ = op
    fn.__doc__ = f"Same as torch.special.{op} (no gradient, as PyTorch)."
    return fn


bessel_j0 = _no_grad_unary("bessel_j0", "j0")
bessel_j1 = _no_grad_unary("bessel_j1", "j1")
bessel_y0 = _no_grad_unary("bessel_y0", "y0")
bessel_y1 = _no_grad_unary("bessel_y1", "y1")
modified_bessel_i0 = _no_grad_unary("modified_bessel_i0", "i0")
modified_bessel_i1 = _no_grad_unary("modified_bessel_i1", "i1")
modified_bessel_k0 = _no_grad_unary("modified_bessel_k0", "k0")
modified_bessel_k1 = _no_grad_unary("modified_bessel_k1", "k1")
scaled_modified_bessel_k0 = _no_grad_unary("scaled_modified_bessel_k0", "k0e")
scaled_modified_bessel_k1 = _no_grad_unary("scaled_modified_bessel_k1", "k1e")


def airy_ai(input):
    """Same as torch.special.airy_ai (no gradient, as PyTorch)."""
    return _make(_b.airy_ai(_plain("airy_ai", input)))


def spherical_bessel_j0(input):
    """Same as torch.special.spherical_bessel_j0: sin(x)/x (no gradient, as PyTorch)."""
    return _make(_b.spherical_j0(_plain("spherical_bessel_j0", input)))


def _poly(op, kind, shifted=False):
    def fn(input, n):
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError(f"{op}: expected input or n to be a Tensor")
        with no_grad():
            xp, x, nn = _float_operands(input, n, op)
            if shifted:
                x = 2 * x - 1
            return _make(_bc(op, lambda p, q: _b.polynomial(kind, p, q), x, nn))
    fn.__name__ = op
    fn.__doc__ = f"Same as torch.special.{op}(input, n) (no gradient, as PyTorch)."
    return fn


chebyshev_polynomial_t = _poly("chebyshev_polynomial_t", "T")
chebyshev_polynomial_u = _poly("chebyshev_polynomial_u", "U")
chebyshev_polynomial_v = _poly("chebyshev_polynomial_v", "V")
chebyshev_polynomial_w = _poly("chebyshev_polynomial_w", "W")
shifted_chebyshev_polynomial_t = _poly("shifted_chebyshev_polynomial_t", "T", True)
shifted_chebyshev_polynomial_u = _poly("shifted_chebyshev_polynomial_u", "U", True)
shifted_chebyshev_polynomial_v = _poly("shifted_chebyshev_polynomial_v", "V", True)
shifted_chebyshev_polynomial_w = _poly("shifted_chebyshev_polynomial_w", "W", True)
hermite_polynomial_h = _poly("hermite_polynomial_h", "H")
hermite_polynomial_he = _poly("hermite_polynomial_he", "He")
laguerre_polynomial_l = _poly("laguerre_polynomial_l", "L")
legendre_polynomial_p = _poly("legendre_polynomial_p", "P")
