"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from autograd.ops.optim_update import sgd_momentum_update_, sgd_update_

from .optimizer import Optimizer, _check_tensor_hyper, _flags, _zeros_like


class SGD(Optimizer):
    """Same as torch.optim.SGD (PyTorch's update rule, state key `momentum_buffer`)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_tensor_hyper("SGD", "lr", lr)
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
        grads = [p.grad for p in params]
        if momentum == 0:
            sgd_update_(params, grads, lr, wd, maximize)
            return
        # buffers created this step are seeded with the gradient itself: a separate launch
        fresh, seen = ([], [], []), ([], [], [])
        for p, g in zip(params, grads):
            state = self.state[p]
            buf = state.get("momentum_buffer")
            lists = seen
            if buf is None:
                buf = state["momentum_buffer"] = _zeros_like(p)
                lists = fresh
            lists[0].append(p)
            lists[1].append(g)
            lists[2].append(buf)
        for first, (ps, gs, bufs) in ((True, fresh), (False, seen)):
            if ps:
                sgd_momentum_update_(ps, gs, bufs, lr, wd, momentum, dampening, nesterov,
                                     maximize, first)
