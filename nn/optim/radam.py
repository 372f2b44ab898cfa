"""RAdam: Adam whose adaptive step is rectified by the variance of its running estimate."""
from __future__ import annotations

import math

from autograd.ops.optim_update import UpdateBatch, _radam

from .optimizer import (
    Optimizer,
    _bump_step,
    _check_options,
    _step_tensor,
    _zeros_like,
)


class RAdam(Optimizer):
    """Same as torch.optim.RAdam (state keys `step`, `exp_avg`, `exp_avg_sq`)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_options("RAdam", lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                       differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _update(self, group, params):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        batch = UpdateBatch(_radam)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            step = _bump_step(state)
            bias_correction2 = 1 - beta2 ** step
            # length of the approximated simple moving average, and its limit
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            rectified = rho_t > 5.0  # else the variance is intractable: plain momentum step
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) if rectified else 0.0
            batch.add((lr, beta1, beta2, eps, weight_decay, 1 - beta1 ** step,
                       bias_correction2 ** 0.5, rect, rectified,
                       group["decoupled_weight_decay"], group["maximize"]), p.grad,
                      (p, state["exp_avg"], state["exp_avg_sq"]))
        batch.run()
