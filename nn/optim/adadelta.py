"""Adadelta: steps scaled by the ratio of running RMS of past updates and of gradients."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _bump_step, _check_options, _decayed, _step_tensor, _zeros_like


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
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            _bump_step(state)
            _adadelta(p.grad.array, group["lr"], group["rho"], group["eps"],
                      group["weight_decay"], group["maximize"], p.array,
                      state["square_avg"].array, state["acc_delta"].array)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adadelta_cpu(g, lr, rho, eps, weight_decay, maximize, p, square_avg, acc_delta):
    grad = _decayed(g, weight_decay, maximize, p)
    xp = backend.array_module(p)
    square_avg *= rho
    square_avg += (1 - rho) * (grad * grad)
    # delta = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
    delta = xp.sqrt(acc_delta + eps)
    delta /= xp.sqrt(square_avg + eps)
    delta *= grad
    acc_delta *= rho
    acc_delta += (1 - rho) * (delta * delta)
    p += -lr * delta


_adadelta = backend.Fused(
    "ember_adadelta", "T g, float64 lr, float64 rho, float64 eps, float64 wd, bool maximize",
    "T p, T sq, T acc", """
    T d = maximize ? -g : g;
    if (wd != 0) d = d + (T)wd * p;
    sq = sq * (T)rho + (T)(1 - rho) * (d * d);
    T delta = sqrt(acc + (T)eps) / sqrt(sq + (T)eps) * d;
    acc = acc * (T)rho + (T)(1 - rho) * (delta * delta);
    p = p + (T)(-lr) * delta;""", _adadelta_cpu)
