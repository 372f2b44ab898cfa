"""Random draws that are differentiable with respect to their parameters: the standard
Gamma sample with its implicit reparameterisation gradient (Gamma, Beta, Dirichlet and
Chi2 `rsample` build on it), drawn from the default generator on the tensor's device."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make

_SERIES_BELOW = 10.0  # x below this: the exact series; above: Wilson-Hilferty


def _gamma_sample_grad(alpha, x, xp):
    """d x / d alpha for x ~ Gamma(alpha, 1) at fixed quantile u = P(alpha, x).

    Implicit function theorem on P(alpha, x) = u: dx/dalpha = -dP/dalpha / p(x). With the
    series P = e^-x sum_n x^(alpha+n) / Gamma(alpha+n+1) this becomes
    sum_n c_n (psi(alpha+n+1) - log x), c_0 = x / alpha, c_n = c_(n-1) x / (alpha+n): all
    terms small while x is moderate. For large x (then alpha is large too) the cube-root
    normal approximation x = alpha (1 - 1/(9 alpha) + z / (3 sqrt alpha))^3 with z held
    fixed is differentiated instead."""
    a = alpha.astype(xp.float64)
    v = xp.maximum(x.astype(xp.float64), xp.finfo(xp.float64).tiny)
    small = v < _SERIES_BELOW
    vs = xp.where(small, v, 1.0)
    log_x = xp.log(vs)
    c = vs / a
    psi = backend.digamma(a + 1.0)
    total = c * (psi - log_x)
    # terms decay once alpha + n > x; 60 terms bring c_n below 1e-17 for x < 10
    for n in range(1, 60):  # a loop over series terms, each over the whole array
        c = c * vs / (a + n)
        psi = psi + 1.0 / (a + n)
        total = total + c * (psi - log_x)
    u = xp.cbrt(v / a)
    z = (u - 1.0 + 1.0 / (9.0 * a)) * 3.0 * xp.sqrt(a)
    du = 1.0 / (9.0 * a * a) - z / (6.0 * a * xp.sqrt(a))
    approx = u ** 3 + 3.0 * a * u * u * du
    return xp.where(small, total, approx).astype(x.dtype, copy=False)


class StandardGamma(Function):
    """A Gamma(alpha, 1) draw per element of alpha; its gradient is the implicit
    reparameterisation gradient (no double backward, as PyTorch's)."""

    @staticmethod
    def forward(ctx, alpha):
        a = alpha.array
        xp = backend.array_module(a)
        draw = backend.rng(xp).standard_gamma(a.astype(xp.float64))
        out = xp.maximum(draw, xp.finfo(a.dtype).tiny).astype(a.dtype, copy=False)
        ctx.save_for_backward(alpha)
        ctx.sample = out
        return out

    @staticmethod
    def backward(ctx, grad):
        (alpha,) = ctx.saved_tensors
        xp = backend.array_module(alpha.array)
        return grad * _make(_gamma_sample_grad(alpha.array, ctx.sample, xp))


def standard_gamma(alpha: Tensor) -> Tensor:
    """Same as torch._standard_gamma: one Gamma(alpha, 1) draw per element, differentiable
    in alpha."""
    if not isinstance(alpha, Tensor) or not alpha.is_floating_point():
        raise TypeError(f"_standard_gamma: expected a floating point Tensor, got "
                        f"{getattr(alpha, 'dtype', type(alpha).__name__)}")
    return StandardGamma.apply(alpha)


def poisson(rates: Tensor, generator=None) -> Tensor:
    """Same as torch.poisson: one Poisson(rate) draw per element (no gradient)."""
    if not isinstance(rates, Tensor) or not rates.is_floating_point():
        raise TypeError(f"poisson: expected a floating point Tensor of rates, got "
                        f"{getattr(rates, 'dtype', type(rates).__name__)}")
    r = rates.array
    xp = backend.array_module(r)
    backend.check((r < 0).any() | xp.isnan(r).any(), lambda: RuntimeError(
        "poisson: invalid Poisson rate, expected rate to be non-negative"))
    draw = backend.rng(xp, generator).poisson(xp.maximum(xp.nan_to_num(r), 0))
    return _make(draw.astype(r.dtype))


def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """Same as torch.binomial: one Binomial(count, prob) draw per element (no gradient)."""
    c, p = count.array, prob.array
    xp = backend.array_module(p)
    c, p = xp.broadcast_arrays(c, p)
    draw = backend.rng(xp, generator).binomial(c.astype(xp.int64), xp.clip(p, 0, 1))
    return _make(draw.astype(p.dtype))
