"""Rprop: per-coordinate step sizes grown or shrunk by the sign agreement of gradients."""
from __future__ import annotations

import autograd as ag
from autograd.ops.optim_update import UpdateBatch, _rprop

from .optimizer import Optimizer, _bump_step, _check_options, _step_tensor, _zeros_like


class Rprop(Optimizer):
    """Same as torch.optim.Rprop (state keys `step`, `prev`, `step_size`; `step_size`
    starts at the group's lr)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_options("Rprop", lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: Invalid eta values: {etas[0]}, {etas[1]}")
        _check_options("Rprop", differentiable=differentiable)
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _update(self, group, params):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        batch = UpdateBatch(_rprop)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["prev"] = _zeros_like(p)
                state["step_size"] = ag.full_like(p, group["lr"])
            _bump_step(state)
            batch.add((etaminus, etaplus, step_size_min, step_size_max, group["maximize"]),
                      p.grad, (p, state["prev"], state["step_size"]))
        batch.run()
