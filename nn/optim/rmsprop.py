"""RMSprop: divide by a running RMS of the gradient (optionally centred, with momentum)."""
from __future__ import annotations

from autograd.ops.optim_update import _RMSPROP, UpdateBatch

from .optimizer import (
    Optimizer,
    _bump_step,
    _check_tensor_hyper,
    _flags,
    _step_tensor,
    _zeros_like,
)


class RMSprop(Optimizer):
    """Same as torch.optim.RMSprop (state keys `step`, `square_avg`, `momentum_buffer`,
    `grad_avg`)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_tensor_hyper("RMSprop", "lr", lr)
        for name, value in (("lr", lr), ("alpha", alpha), ("eps", eps),
                            ("weight_decay", weight_decay), ("momentum", momentum)):
            if value < 0:
                raise ValueError(f"RMSprop: expected {name} >= 0, got {value}")
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      maximize=maximize,
                                      **_flags("RMSprop", differentiable, foreach=foreach,
                                               capturable=capturable)))

    def _update(self, group, params):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        centered = group["centered"]
        batch = UpdateBatch(_RMSPROP[centered, momentum > 0])
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = _zeros_like(p)
                if group["centered"]:
                    state["grad_avg"] = _zeros_like(p)
            _bump_step(state)
            outputs = [p, state["square_avg"]]
            if centered:
                outputs.append(state["grad_avg"])
            if momentum > 0:
                outputs.append(state["momentum_buffer"])
            batch.add((lr, alpha, eps, momentum, group["weight_decay"], group["maximize"]),
                      p.grad, tuple(outputs))
        batch.run()
