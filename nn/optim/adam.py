"""Adam and AdamW: Adam with L2 decay in the gradient or decoupled from it."""
from __future__ import annotations

from autograd.ops.optim_update import adam_update_
from autograd.tensor import Tensor

from .optimizer import (
    Optimizer,
    _bump_step,
    _check_options,
    _check_tensor_hyper,
    _flags,
    _step_tensor,
    _zeros_like,
)


class Adam(Optimizer):
    """Same as torch.optim.Adam (PyTorch's update rule and state keys `step`, `exp_avg`,
    `exp_avg_sq`, `max_exp_avg_sq`)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        name = type(self).__name__
        _check_tensor_hyper(name, "lr", lr, foreach, capturable)
        if lr < 0:
            raise ValueError(f"{name}: expected lr >= 0, got {lr}")
        if eps < 0:
            raise ValueError(f"{name}: expected eps >= 0, got {eps}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{name}: expected betas in [0, 1), got {tuple(betas)}")
        if weight_decay < 0:
            raise ValueError(f"{name}: expected weight_decay >= 0, got {weight_decay}")
        # PyTorch's rule for Tensor betas (used by value here, as its for-loop path does)
        if isinstance(betas[0], Tensor) != isinstance(betas[1], Tensor):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            _check_tensor_hyper(name, f"betas[{i}]", betas[i], foreach, capturable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      **_flags(name, differentiable, foreach=foreach,
                                               capturable=capturable, fused=fused)))

    def _update(self, group, params):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        amsgrad = group["amsgrad"]
        by_step = {}  # parameters sharing a step count share one launch (usually all)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            lists = by_step.setdefault(_bump_step(state), ([], [], [], [], []))
            lists[0].append(p)
            lists[1].append(p.grad)
            lists[2].append(state["exp_avg"])
            lists[3].append(state["exp_avg_sq"])
            if amsgrad:
                lists[4].append(state["max_exp_avg_sq"])
        for step, (ps, gs, ms, vs, vmaxs) in by_step.items():
            adam_update_(ps, gs, ms, vs, vmaxs if amsgrad else None, lr, beta1, beta2, eps,
                         weight_decay, 1 - beta1 ** step, (1 - beta2 ** step) ** 0.5,
                         group["decoupled_weight_decay"], group["maximize"])


class AdamW(Adam):
    """Same as torch.optim.AdamW: decoupled decay p *= 1 - lr * weight_decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class SparseAdam(Optimizer):
    """Same as torch.optim.SparseAdam. Ember has no sparse gradients, so step() on a
    parameter with a (dense) gradient raises PyTorch's error for dense gradients."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        # PyTorch's checks: lr and eps must be strictly positive here
        if not 0.0 < lr:
            raise ValueError(f"SparseAdam: Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"SparseAdam: Invalid epsilon value: {eps}")
        _check_options("SparseAdam", betas=betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _update(self, group, params):
        raise RuntimeError("SparseAdam does not support dense gradients, please consider "
                           "Adam instead")
