"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _grad, _make


class SGD(Optimizer):
    """Same as torch.optim.SGD (PyTorch's update rule, state key `momentum_buffer`)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        if lr < 0:
            raise ValueError(f"SGD: expected lr >= 0, got {lr}")
        if momentum < 0:
            raise ValueError(f"SGD: expected momentum >= 0, got {momentum}")
        if weight_decay < 0:
            raise ValueError(f"SGD: expected weight_decay >= 0, got {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _update(self, group, params):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        for p in params:
            grad = _grad(p, group["maximize"], group["weight_decay"])
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    # the first step seeds the buffer with the gradient itself
                    buf = state["momentum_buffer"] = _make(grad.copy())
                else:
                    buf.array *= momentum
                    buf.array += (1 - dampening) * grad
                grad = grad + momentum * buf.array if group["nesterov"] else buf.array
            backend.add_scaled_(p.array, grad, -lr)
