"""NAdam: Adam with Nesterov momentum and a decaying momentum schedule (mu_t)."""
from __future__ import annotations

from autograd import backend

from .optimizer import (
    _LERP,
    Optimizer,
    _bump_step,
    _check_options,
    _decayed,
    _lerp_,
    _step_tensor,
    _zeros_like,
)


class NAdam(Optimizer):
    """Same as torch.optim.NAdam (state keys `step`, `mu_product`, `exp_avg`,
    `exp_avg_sq`). `step` and `mu_product` are 0-d host tensors in the scalar dtype, as
    PyTorch keeps them; loading a state dict keeps `mu_product` there too (PyTorch casts
    it to the parameter's dtype and device)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_options("NAdam", lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                       differentiable=differentiable)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"NAdam: Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    def _update(self, group, params):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["mu_product"] = _step_tensor(1.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            step = _bump_step(state)
            # momentum schedule mu_t = beta1 (1 - 0.96^(t psi) / 2); the product of all
            # mu_i up to t is kept (in the scalar dtype, as PyTorch rounds it)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
            mu_product = state["mu_product"].array
            mu_product *= mu
            mu_product = float(mu_product)
            coef_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
            coef_avg = -lr * mu_next / (1.0 - mu_product * mu_next)
            _nadam(p.grad.array, lr, beta1, beta2, eps, weight_decay, 1 - beta2 ** step,
                   coef_grad, coef_avg, group["decoupled_weight_decay"], group["maximize"],
                   p.array, state["exp_avg"].array, state["exp_avg_sq"].array)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU.
def _nadam_cpu(g, lr, beta1, beta2, eps, weight_decay, bias_correction2, coef_grad,
               coef_avg, decoupled, maximize, p, exp_avg, exp_avg_sq):
    grad = _decayed(g, 0 if decoupled else weight_decay, maximize, p)
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
    denom = backend.array_module(p).sqrt(exp_avg_sq / bias_correction2)
    denom += eps
    # p += c_g g / denom + c_m m / denom (two addcdiv's, as PyTorch rounds them)
    p += coef_grad * grad / denom
    p += coef_avg * exp_avg / denom


_nadam = backend.Fused(
    "ember_nadam", "T g, float64 lr, float64 beta1, float64 beta2, float64 eps, float64 wd, "
    "float64 bc2, float64 coef_grad, float64 coef_avg, bool decoupled, bool maximize",
    "T p, T m, T v", f"""
    T d = maximize ? -g : g;
    if (wd != 0) {{
        if (decoupled) p = p * (T)(1 - lr * wd); else d = d + (T)wd * p;
    }}
    {_LERP.format(a="m", b="d", w="(1 - beta1)")}
    v = v * (T)beta2 + (T)(1 - beta2) * (d * d);
    T denom = sqrt(v / (T)bc2) + (T)eps;
    p = p + (T)coef_grad * d / denom;
    p = p + (T)coef_avg * m / denom;""", _nadam_cpu)
