"""RMSprop: divide by a running RMS of the gradient (optionally centred, with momentum)."""
from __future__ import annotations

import functools

from autograd import backend

from .optimizer import (
    _LERP,
    Optimizer,
    _bump_step,
    _decayed,
    _flags,
    _lerp_,
    _step_tensor,
    _zeros_like,
)


class RMSprop(Optimizer):
    """Same as torch.optim.RMSprop (state keys `step`, `square_avg`, `momentum_buffer`,
    `grad_avg`)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
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
            args = [p.grad.array, lr, alpha, eps, momentum, group["weight_decay"],
                    group["maximize"], p.array, state["square_avg"].array]
            centered = group["centered"]
            if centered:
                args.append(state["grad_avg"].array)
            if momentum > 0:
                args.append(state["momentum_buffer"].array)
            _RMSPROP[centered, momentum > 0](*args)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU (a kernel per
# combination of `centered` and momentum, since each has its own state arrays).
def _rmsprop_cpu(centered, g, lr, alpha, eps, momentum, weight_decay, maximize, p,
                 square_avg, *rest):
    grad_avg = rest[0] if centered else None
    buf = rest[-1] if momentum > 0 else None
    grad = _decayed(g, weight_decay, maximize, p)
    xp = backend.array_module(p)
    square_avg *= alpha
    square_avg += (1 - alpha) * (grad * grad)
    if centered:
        # subtract the squared running mean: a running variance estimate
        _lerp_(grad_avg, grad, 1 - alpha)
        avg = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps
    if buf is not None:
        buf *= momentum
        buf += grad / avg
        p -= lr * buf
    else:
        p -= lr * (grad / avg)


def _rmsprop_kernel(centered, with_momentum):
    outs = "T p, T sq" + (", T ga" if centered else "") + (", T buf" if with_momentum else "")
    body = f"""
    T d = maximize ? -g : g;
    if (wd != 0) d = d + (T)wd * p;
    sq = sq * (T)alpha + (T)(1 - alpha) * (d * d);
    {_LERP.format(a="ga", b="d", w="(1 - alpha)") + " T avg = sqrt(sq - ga * ga);"
     if centered else "T avg = sqrt(sq);"}
    avg = avg + (T)eps;
    {"buf = buf * (T)momentum + d / avg; p = p - (T)lr * buf;" if with_momentum else
     "p = p - (T)lr * (d / avg);"}"""
    name = "ember_rmsprop" + ("_centered" if centered else "") + (
        "_momentum" if with_momentum else "")
    return backend.Fused(
        name, "T g, float64 lr, float64 alpha, float64 eps, float64 momentum, float64 wd, "
        "bool maximize", outs, body, functools.partial(_rmsprop_cpu, centered))


_RMSPROP = {(c, m): _rmsprop_kernel(c, m) for c in (False, True) for m in (False, True)}
