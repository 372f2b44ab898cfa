"""Adadelta: steps scaled by the ratio of running RMS of past updates and of gradients."""
from __future__ import annotations

from autograd.ops.optim_update import UpdateBatch, _adadelta

from .optimizer import Optimizer, _bump_step, _check_options, _step_tensor, _zeros_like


class Adadelta(Optimizer):
    """Same as torch.optim.Adadelta (state keys `step`, `square_avg`, `acc_delta`)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_options("Adadelta", lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: Invalid rho value: {rho}")
        _check_options("Adadelta", eps=eps, weight_decay=weight_decay,
                       differentiable=differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable,
                                      foreach=foreach, differentiable=differentiable))

    def _update(self, group, params):
        batch = UpdateBatch(_adadelta)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            _bump_step(state)
            batch.add((group["lr"], group["rho"], group["eps"], group["weight_decay"],
                       group["maximize"]), p.grad, (p, state["square_avg"], state["acc_delta"]))
        batch.run()
