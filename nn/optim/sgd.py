"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _decayed, _flags, _zeros_like


class SGD(Optimizer):
    """Same as torch.optim.SGD (PyTorch's update rule, state key `momentum_buffer`)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
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
                                      maximize=maximize,
                                      **_flags("SGD", differentiable, foreach=foreach,
                                               fused=fused)))

    def _update(self, group, params):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        wd, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
        for p in params:
            if momentum == 0:
                _sgd(p.grad.array, lr, wd, maximize, p.array)
                continue
            state = self.state[p]
            buf = state.get("momentum_buffer")
            first = buf is None
            if first:  # the first step seeds the buffer with the gradient itself
                buf = state["momentum_buffer"] = _zeros_like(p)
            _sgd_momentum(p.grad.array, lr, wd, momentum, dampening, nesterov, maximize,
                          first, p.array, buf.array)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _sgd_cpu(g, lr, wd, maximize, p):
    backend.add_scaled_(p, _decayed(g, wd, maximize, p), -lr)


def _sgd_momentum_cpu(g, lr, wd, momentum, dampening, nesterov, maximize, first, p, buf):
    grad = _decayed(g, wd, maximize, p)
    if first:
        buf[...] = grad
    else:
        buf *= momentum
        backend.add_scaled_(buf, grad, 1 - dampening)
    backend.add_scaled_(p, grad + momentum * buf if nesterov else buf, -lr)


_GRAD = "T d = maximize ? -g : g; if (wd != 0) d = d + (T)wd * p;"
_sgd = backend.Fused("ember_sgd", "T g, float64 lr, float64 wd, bool maximize", "T p",
                     _GRAD + "p = p + (T)(-lr) * d;", _sgd_cpu)
_sgd_momentum = backend.Fused(
    "ember_sgd_momentum", "T g, float64 lr, float64 wd, float64 momentum, "
    "float64 dampening, bool nesterov, bool maximize, bool first", "T p, T buf",
    _GRAD + """
    buf = first ? d : buf * (T)momentum + (T)(1 - dampening) * d;
    p = p + (T)(-lr) * (nesterov ? d + (T)momentum * buf : buf);""", _sgd_momentum_cpu)
