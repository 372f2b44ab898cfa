"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
from __future__ import annotations

import autograd as ag
from autograd.ops.optim_update import UpdateBatch, _adagrad

from .optimizer import Optimizer, _bump_step, _check_tensor_hyper, _flags, _step_tensor


class Adagrad(Optimizer):
    """Same as torch.optim.Adagrad (state keys `step`, `sum`). As in PyTorch the state of
    the constructor's parameters is created at once (later groups' on their first step),
    and `sum` always starts at the constructor's initial_accumulator_value, even where a
    parameter group sets its own."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        _check_tensor_hyper("Adagrad", "lr", lr)
        for name, value in (("lr", lr), ("lr_decay", lr_decay), ("eps", eps),
                            ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value)):
            if value < 0:
                raise ValueError(f"Adagrad: expected {name} >= 0, got {value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      maximize=maximize,
                                      **_flags("Adagrad", differentiable, foreach=foreach,
                                               fused=fused)))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = ag.full_like(p, self.defaults["initial_accumulator_value"])

    def _update(self, group, params):
        lr, eps, lr_decay = group["lr"], group["eps"], group["lr_decay"]
        batch = UpdateBatch(_adagrad)
        for p in params:
            state = self.state[p]
            if not state:
                self._init_state(p)
            step = _bump_step(state)
            clr = lr / (1 + (step - 1) * lr_decay)
            batch.add((clr, eps, group["weight_decay"], group["maximize"]), p.grad,
                      (p, state["sum"]))
        batch.run()
