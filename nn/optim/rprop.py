"""Rprop: per-coordinate step sizes grown or shrunk by the sign agreement of gradients."""
from __future__ import annotations

from autograd import backend

from .optimizer import Optimizer, _bump_step, _check_options, _make, _step_tensor, _zeros_like


class Rprop(Optimizer):
    """Same as torch.optim.Rprop (state keys `step`, `prev`, `step_size`; `step_size`
    starts at the group's lr)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_options("Rprop", lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: Invalid eta values: {etas[0]}, {etas[1]}")
        _check_options("Rprop", differentiable=differentiable)
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _update(self, group, params):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["prev"] = _zeros_like(p)
                xp = backend.array_module(p.array)
                state["step_size"] = _make(xp.full_like(p.array, group["lr"]))
            _bump_step(state)
            _rprop(p.grad.array, etaminus, etaplus, step_size_min, step_size_max,
                   group["maximize"], p.array, state["prev"].array, state["step_size"].array)


# ----------------------------------------------------------------------------- the update
# One pass per parameter: NumPy steps on the host, one kernel on the GPU. As in PyTorch,
# the sign of NaN counts as 0 (factor 1, no move).
def _rprop_cpu(g, etaminus, etaplus, step_size_min, step_size_max, maximize, p, prev,
               step_size):
    xp = backend.array_module(p)
    grad = -g if maximize else g.copy()
    agree = grad * prev
    grow, flip = agree > 0, agree < 0
    # same sign: step * etaplus; sign change: step * etaminus; a zero: step unchanged
    factor = xp.ones_like(step_size)
    factor[grow] = etaplus
    factor[flip] = etaminus
    step_size *= factor
    xp.clip(step_size, step_size_min, step_size_max, out=step_size)
    grad[flip] = 0  # after a sign change, skip this move and forget the gradient
    p -= xp.where(grad > 0, step_size, xp.where(grad < 0, -step_size, 0))
    prev[...] = grad


_rprop = backend.Fused(
    "ember_rprop", "T g, float64 etaminus, float64 etaplus, float64 smin, float64 smax, "
    "bool maximize", "T p, T prev, T ss", """
    T d = maximize ? -g : g;
    T agree = d * prev;
    T factor = agree > 0 ? (T)etaplus : (agree < 0 ? (T)etaminus : (T)1);
    ss = ss * factor;
    ss = ss < (T)smin ? (T)smin : (ss > (T)smax ? (T)smax : ss);
    d = agree < 0 ? (T)0 : d;
    p = p - (d > 0 ? ss : (d < 0 ? -ss : (T)0));
    prev = d;""", _rprop_cpu)
