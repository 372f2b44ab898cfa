"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""
from __future__ import annotations

from autograd.ops.optim_update import UpdateBatch, _adamax

from .optimizer import (
    Optimizer,
    _bump_step,
    _check_options,
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
        batch = UpdateBatch(_adamax)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            step = _bump_step(state)
            clr = lr / (1 - beta1 ** step)
            batch.add((clr, beta1, beta2, eps, weight_decay, group["maximize"]), p.grad,
                      (p, state["exp_avg"], state["exp_inf"]))
        batch.run()
