"""Adafactor (same as torch.optim.Adafactor): Adam-like steps whose second-moment estimate
of a matrix gradient is factored into row and column means (O(n + m) state instead of
O(n m)), a relative step size rho_t = min(lr, 1 / sqrt(t)) scaled by the parameter's RMS,
and the update clipped to RMS d."""
from __future__ import annotations

import autograd as ag
from autograd.function import no_grad

from .optimizer import Optimizer, _bump_step, _step_tensor, _zeros_like


class Adafactor(Optimizer):
    """Same as torch.optim.Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3),
    d=1.0, weight_decay=0.0, *, foreach=None, maximize=False); state keys `step`, and
    `row_var` / `col_var` for gradients of 2 or more dims, `variance` for vectors."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, ag.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _update(self, group, params):
        lr, beta2_decay, d = float(group["lr"]), group["beta2_decay"], group["d"]
        eps1, eps2 = group["eps"]
        weight_decay = group["weight_decay"]
        with no_grad():
            for p in params:
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    if grad.dim() > 1:
                        state["row_var"] = _zeros_like(grad).sum(-1, keepdim=True)
                        state["col_var"] = _zeros_like(grad).sum(-2, keepdim=True)
                    else:
                        state["variance"] = _zeros_like(grad)
                e1 = ag.finfo(p.dtype).eps if eps1 is None else eps1
                step = _bump_step(state)
                one_minus_beta2 = step ** beta2_decay
                rho = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, p.norm(2).item() / p.numel() ** 0.5) * rho
                if weight_decay != 0:
                    p.mul_(1 - lr * weight_decay)
                if grad.dim() > 1:
                    row_var, col_var = state["row_var"], state["col_var"]
                    row_mean = grad.norm(dim=-1, keepdim=True).square() / grad.shape[-1]
                    row_var.lerp_(row_mean, one_minus_beta2)
                    col_mean = grad.norm(dim=-2, keepdim=True).square() / grad.shape[-2]
                    col_var.lerp_(col_mean, one_minus_beta2)
                    var = (row_var @ col_var) / row_var.mean(dim=-2, keepdim=True).clamp(
                        min=e1)
                else:
                    variance = state["variance"]
                    variance.lerp_(grad * grad, one_minus_beta2)
                    var = variance.clone()
                update = var.clamp(min=e1 * e1).rsqrt() * grad
                denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * d))
                p.add_(update, alpha=-alpha / denom)
