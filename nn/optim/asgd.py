"""ASGD: SGD with a decaying step size eta_t and a running (Polyak) average `ax` of the
parameters, kept from step t0 on."""
from __future__ import annotations

from autograd.ops.optim_update import UpdateBatch, _asgd

from .optimizer import Optimizer, _bump_step, _check_options, _step_tensor, _zeros_like


class ASGD(Optimizer):
    """Same as torch.optim.ASGD (state keys `step`, `eta`, `mu`, `ax`). `step`, `eta` and
    `mu` are 0-d host tensors in the scalar dtype (float32 unless the default dtype is
    float64), so eta and mu carry PyTorch's float32 rounding; loading a state dict keeps
    them there (PyTorch casts eta and mu to the parameter's dtype and device)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_options("ASGD", lr=lr, weight_decay=weight_decay,
                       differentiable=differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _update(self, group, params):
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        batch = UpdateBatch(_asgd)
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["eta"] = _step_tensor(lr)
                state["mu"] = _step_tensor(1.0)
                state["ax"] = _zeros_like(p)
            step = _bump_step(state)
            # eta and mu are host scalars: reading them costs no device sync
            eta_arr, mu_arr = state["eta"].array, state["mu"].array
            batch.add((group["weight_decay"], lambd, float(eta_arr), float(mu_arr),
                       group["maximize"]), p.grad, (p, state["ax"]))
            # eta_t = lr / (1 + lambd lr t)^alpha;  mu_t = 1 / max(1, t - t0), both
            # rounded to the scalar dtype as PyTorch stores them
            eta_arr[...] = lr / ((1 + lambd * lr * step) ** alpha)
            mu_arr[...] = 1 / max(1, step - t0)
        batch.run()
