"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _bump_step, _grad, _make, _step_tensor


class Adagrad(Optimizer):
    """Same as torch.optim.Adagrad (state keys `step`, `sum`). As in PyTorch the state is
    created for every parameter in the constructor."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, *, maximize=False):
        for name, value in (("lr", lr), ("lr_decay", lr_decay), ("eps", eps),
                            ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value)):
            if value < 0:
                raise ValueError(f"Adagrad: expected {name} >= 0, got {value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      maximize=maximize))

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = _step_tensor()
        xp = backend.array_module(p.array)
        state["sum"] = _make(xp.full_like(p.array, group["initial_accumulator_value"]))

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            if not self.state.get(p):
                self._init_state(p, group)

    def _update(self, group, params):
        lr, eps, lr_decay = group["lr"], group["eps"], group["lr_decay"]
        for p in params:
            state = self.state[p]
            if not state:
                self._init_state(p, group)
            step = _bump_step(state)
            grad = _grad(p, group["maximize"], group["weight_decay"])
            xp = backend.array_module(p.array)
            state_sum = state["sum"].array
            state_sum += grad * grad
            std = xp.sqrt(state_sum)
            std += eps
            clr = lr / (1 + (step - 1) * lr_decay)
            p.array -= clr * (grad / std)
