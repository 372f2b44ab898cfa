"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""
from __future__ import annotations

from autograd import backend

from .optimizer import (
    _LERP,
    Optimizer,
    _bump_step,
    _check_options,
    _decayed,
    _lerp_,
    _step_tensor,
    _zeros_like,
)


class Adamax(Optimizer):
    """Same as torch.optim.Adamax (state keys `step`, `exp_avg`, `exp_inf`)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_options("Adamax", lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                       differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _update(self, group, params):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            step = _bump_step(state)
            clr = lr / (1 - beta1 ** step)
            _adamax(p.grad.array, clr, beta1, beta2, eps, weight_decay, group["maximize"],
                    p.array, state["exp_avg"].array, state["exp_inf"].array)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adamax_cpu(g, clr, beta1, beta2, eps, weight_decay, maximize, p, exp_avg, exp_inf):
    grad = _decayed(g, weight_decay, maximize, p)
    _lerp_(exp_avg, grad, 1 - beta1)
    # u = max(beta2 u, |g| + eps)  (NaN propagates, as torch.maximum)
    xp = backend.array_module(p)
    exp_inf *= beta2
    norm = xp.abs(grad)
    norm += eps
    xp.maximum(exp_inf, norm, out=exp_inf)
    p += -clr * exp_avg / exp_inf


_adamax = backend.Fused(
    "ember_adamax", "T g, float64 clr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
    "bool maximize", "T p, T m, T u", f"""
    T d = maximize ? -g : g;
    if (wd != 0) d = d + (T)wd * p;
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    T decayed = u * (T)beta2;
    T norm = fabs(d) + (T)eps;
    u = (decayed > norm || decayed != decayed) ? decayed : norm;
    p = p + (T)(-clr) * m / u;""", _adamax_cpu)
