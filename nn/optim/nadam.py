"""NAdam: Adam with Nesterov momentum and a decaying momentum schedule (mu_t)."""
from __future__ import annotations

from autograd.ops.optim_update import UpdateBatch, _nadam

from .optimizer import (
    Optimizer,
    _bump_step,
    _check_options,
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
        batch = UpdateBatch(_nadam)
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
            batch.add((lr, beta1, beta2, eps, weight_decay, 1 - beta2 ** step, coef_grad,
                       coef_avg, group["decoupled_weight_decay"], group["maximize"]), p.grad,
                      (p, state["exp_avg"], state["exp_avg_sq"]))
        batch.run()
