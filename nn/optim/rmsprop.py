"""RMSprop: divide by a running RMS of the gradient (optionally centred, with momentum)."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _bump_step, _grad, _lerp_, _step_tensor, _zeros_like


class RMSprop(Optimizer):
    """Same as torch.optim.RMSprop (state keys `step`, `square_avg`, `momentum_buffer`,
    `grad_avg`)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        for name, value in (("lr", lr), ("alpha", alpha), ("eps", eps),
                            ("weight_decay", weight_decay), ("momentum", momentum)):
            if value < 0:
                raise ValueError(f"RMSprop: expected {name} >= 0, got {value}")
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, group, params):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
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
            grad = _grad(p, group["maximize"], group["weight_decay"])
            xp = backend.array_module(p.array)
            square_avg = state["square_avg"].array
            square_avg *= alpha
            square_avg += (1 - alpha) * (grad * grad)
            if group["centered"]:
                # subtract the squared running mean: a running variance estimate
                grad_avg = state["grad_avg"].array
                _lerp_(grad_avg, grad, 1 - alpha)
                avg = xp.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = xp.sqrt(square_avg)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"].array
                buf *= momentum
                buf += grad / avg
                p.array -= lr * buf
            else:
                p.array -= lr * (grad / avg)
