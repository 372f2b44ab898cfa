"""Adam and AdamW: Adam with L2 decay in the gradient or decoupled from it."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _bump_step, _grad, _lerp_, _step_tensor, _zeros_like


class Adam(Optimizer):
    """Same as torch.optim.Adam (PyTorch's update rule and state keys `step`, `exp_avg`,
    `exp_avg_sq`, `max_exp_avg_sq`)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
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
                                      decoupled_weight_decay=decoupled_weight_decay))

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
            grad = _grad(p, group["maximize"], 0 if decoupled else weight_decay)
            if decoupled and weight_decay != 0:
                p.array *= 1 - lr * weight_decay
            exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
            # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
            _lerp_(exp_avg, grad, 1 - beta1)
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * (grad * grad)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
            xp = backend.array_module(p.array)
            if group["amsgrad"]:
                max_sq = state["max_exp_avg_sq"].array
                xp.maximum(max_sq, exp_avg_sq, out=max_sq)
                denom = xp.sqrt(max_sq)
            else:
                denom = xp.sqrt(exp_avg_sq)
            # p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
            denom /= bias_correction2_sqrt
            denom += eps
            p.array -= (lr / bias_correction1) * (exp_avg / denom)


class AdamW(Adam):
    """Same as torch.optim.AdamW: decoupled decay p *= 1 - lr * weight_decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)
