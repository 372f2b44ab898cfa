"""Adam and AdamW: Adam with L2 decay in the gradient or decoupled from it."""
from __future__ import annotations

from autograd import backend

from .optimizer import (
    _LERP,
    Optimizer,
    _bump_step,
    _check_options,
    _decayed,
    _flags,
    _lerp_,
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
        if lr < 0:
            raise ValueError(f"{name}: expected lr >= 0, got {lr}")
        if eps < 0:
            raise ValueError(f"{name}: expected eps >= 0, got {eps}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{name}: expected betas in [0, 1), got {tuple(betas)}")
        if weight_decay < 0:
            raise ValueError(f"{name}: expected weight_decay >= 0, got {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      **_flags(name, differentiable, foreach=foreach,
                                               capturable=capturable, fused=fused)))

    def _update(self, group, params):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            step = _bump_step(state)
            args = (p.grad.array, lr, beta1, beta2, eps, weight_decay, 1 - beta1 ** step,
                    (1 - beta2 ** step) ** 0.5, decoupled, group["maximize"], p.array,
                    state["exp_avg"].array, state["exp_avg_sq"].array)
            if group["amsgrad"]:
                _adam_amsgrad(*args, state["max_exp_avg_sq"].array)
            else:
                _adam(*args)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _adam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction1,
              bias_correction2_sqrt, decoupled, maximize, p, exp_avg, exp_avg_sq,
              max_exp_avg_sq=None):
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
    xp = backend.array_module(p)
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = xp.sqrt(max_exp_avg_sq)
    else:
        denom = xp.sqrt(exp_avg_sq)
    # p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
    denom /= bias_correction2_sqrt
    denom += eps
    p -= (lr / bias_correction1) * (exp_avg / denom)


_ADAM_IN = ("T g, float64 lr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
            "float64 bc1, float64 bc2_sqrt, bool decoupled, bool maximize")


def _adam_body(amsgrad):
    return f"""
    T d = maximize ? -g : g;
    if (wd != 0) {{
        if (decoupled) p = p * (T)(1 - lr * wd); else d = d + (T)wd * p;
    }}
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    v = v * (T)beta2 + (T)(1 - beta2) * (d * d);
    {"vmax = (v > vmax || v != v) ? v : vmax; T denom = sqrt(vmax);" if amsgrad else
     "T denom = sqrt(v);"}
    denom = denom / (T)bc2_sqrt + (T)eps;
    p = p - (T)(lr / bc1) * (m / denom);"""


_adam = backend.Fused("ember_adam", _ADAM_IN, "T p, T m, T v", _adam_body(False), _adam_cpu)
_adam_amsgrad = backend.Fused("ember_adam_amsgrad", _ADAM_IN, "T p, T m, T v, T vmax",
                              _adam_body(True), _adam_cpu)


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
