"""LBFGS: limited-memory BFGS on all parameters flattened into one vector, with PyTorch's
optional strong-Wolfe line search (cubic interpolation)."""
from __future__ import annotations

import math

import autograd as ag
from autograd import _nn_support as _nn
from autograd.tensor import Tensor

from .optimizer import Optimizer, _by_value, _check_options


class LBFGS(Optimizer):
    """Same as torch.optim.LBFGS: one parameter group, `step(closure)` re-evaluates the
    loss up to `max_eval` times. Its state (`func_evals`, `n_iter`, `d`, `t`, `old_dirs`,
    `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`) lives under the
    first parameter, as PyTorch keeps it; vectors are flat over all parameters."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_options("LBFGS", lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: LBFGS doesn't support per-parameter options "
                             "(parameter groups)")

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # --------------------------------------------------------------- flat-vector helpers
    def _gather_flat_grad(self):
        """All gradients as one new vector (zeros for a parameter without one)."""
        return _nn.flat_grad(self._params)

    def _add_grad(self, step_size: float, update) -> None:
        """parameters += step_size * update, the flat vector cut back into parameters."""
        _nn.add_flat_(self._params, step_size, update)

    def _set_param(self, values) -> None:
        _nn.set_params_(self._params, values)

    def _evaluate(self, closure):
        with ag.enable_grad():
            return closure()

    def _directional_evaluate(self, closure, x, t, d):
        """(loss, flat gradient) at x + t d; the parameters are put back to x."""
        self._add_grad(t, d)
        loss = float(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ------------------------------------------------------------------------ the step
    def step(self, closure):
        """Same as torch.optim.LBFGS.step: up to `max_iter` L-BFGS iterations; returns the
        first evaluation of closure()."""
        if len(self.param_groups) != 1:
            raise RuntimeError(f"LBFGS: expected exactly one param_group, got "
                               f"{len(self.param_groups)}")
        self._follow_devices(self._params[:1])  # its state lives under the first parameter
        group = _by_value(self.param_groups[0])  # a Tensor lr is used by value
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # global state, kept under the first parameter (so loading casts it like any state)
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._evaluate(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _nn.max_abs(flat_grad) <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = _array(state.get("d")), _array(state.get("t"))
        old_dirs, old_stps, ro = (_arrays(state.get(k)) for k in ("old_dirs", "old_stps", "ro"))
        H_diag = _array(state.get("H_diag"))
        prev_flat_grad, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")
        al = _arrays(state.get("al"))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ---- the direction d = -H g by the two-loop recursion over the history
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                if al is None:
                    al = [None] * history_size
                    state["al"] = al
                d, H_diag = _nn.lbfgs_direction(flat_grad, prev_flat_grad, d, t, old_dirs,
                                                old_stps, ro, H_diag, al, history_size)

            prev_flat_grad = flat_grad  # never modified in place
            prev_loss = loss

            # ---- the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / _nn.abs_sum(flat_grad)) * lr
            else:
                t = lr
            gtd = float(_nn.dot(flat_grad, d))  # directional derivative
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("LBFGS: only 'strong_wolfe' is supported")
                x_init = _nn.copy_params(self._params)

                def obj_func(t, d):
                    return self._directional_evaluate(closure, x_init, t, d)

                # PyTorch passes its own max_ls and leaves tolerance_change at 1e-9 here
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = _nn.max_abs(flat_grad) <= tolerance_grad
            else:
                self._add_grad(t, d)  # fixed step
                if n_iter != max_iter:  # the last iteration's loss is never needed
                    loss = float(self._evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = _nn.max_abs(flat_grad) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # ---- stopping conditions
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            # lack of progress: max |t d| = |t| max |d| (rounding is monotone)
            if _nn.max_abs(d) * abs(t) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _tensor(d)
        state["t"] = _tensor(t)
        state["old_dirs"] = _tensors(old_dirs)
        state["old_stps"] = _tensors(old_stps)
        state["ro"] = _tensors(ro)
        state["H_diag"] = _tensor(H_diag)
        state["prev_flat_grad"] = _tensor(prev_flat_grad)
        state["prev_loss"] = prev_loss
        if al is not None:
            state["al"] = _tensors(al)
        return orig_loss


# ----------------------------------------------------------------------------- helpers
def _array(value):
    """A state entry as the step works on it: Tensors become their arrays."""
    return value.array if isinstance(value, Tensor) else value


def _arrays(values):
    return None if values is None else [_array(v) for v in values]


_tensor = _nn.state_tensor


def _tensors(values):
    return None if values is None else [_tensor(v) for v in values]


def _div(a: float, b: float) -> float:
    """a / b with IEEE results for b = 0 (PyTorch computes on tensors here)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to
    `bounds` (default: between x1 and x2); the midpoint if the cubic has none."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    # d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2);  d2 = sqrt(d1^2 - g1 g2)
    d1 = g1 + g2 - 3 * _div(f1 - f2, x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * _div(g2 + d2 - d1, g2 - g1 + 2 * d2)
        else:
            min_pos = x1 - (x1 - x2) * _div(g1 + d2 - d1, g1 - g2 + 2 * d2)
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """PyTorch's line search for a step t along d meeting the strong Wolfe conditions
    f(t) <= f + c1 t gtd and |f'(t)| <= -c2 gtd: bracket, then zoom by cubic
    interpolation. Returns (f, g, t, function evaluations)."""
    d_norm = _nn.max_abs(d)
    f_new, g_new = obj_func(t, d)
    ls_func_evals = 1
    gtd_new = float(_nn.dot(g_new, d))

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        # no sufficient decrease (or no decrease): the minimum lies in [t_prev, t]
        rises = f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev)
        if not rises and abs(gtd_new) <= -c2 * gtd:  # t meets both conditions
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if rises or gtd_new >= 0:  # ... or the slope turned: it lies there too
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate: a cubic step in [t + 0.01 (t - t_prev), 10 t]
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                          bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(t, d)
        ls_func_evals += 1
        gtd_new = float(_nn.dot(g_new, d))
        ls_iter += 1
    if ls_iter == max_ls:  # no bracket found: [0, t]
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:  # bracket too small
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial too close to an end (twice in a row, or outside): move it 0.1 of the
        # bracket's length inside
        hi, lo = max(bracket), min(bracket)
        eps = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < eps:
            if insuf_progress or t >= hi or t <= lo:
                t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(t, d)
        ls_func_evals += 1
        gtd_new = float(_nn.dot(g_new, d))
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # no sufficient decrease, or not below the low end: t is the new high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the old low end becomes the high end
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
