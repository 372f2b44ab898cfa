"""Gradient health over training: `GradientMonitor(model)` and the one-step `grad_report`."""
from __future__ import annotations

import math

import autograd as ag
from autograd import health

__all__ = ["GradientMonitor", "grad_report"]


def _norm(t) -> float:
    return float(ag.linalg.vector_norm(t.detach().reshape(-1)))


class GradientMonitor:
    """Records, per parameter and per training step: the gradient norm, the weight norm,
    the update-to-weight ratio ||w_after - w_before|| / ||w_before||, the fraction of
    exact zeros in the gradient (dead ReLU units give whole zero rows) and NaN/Inf
    counts.

    Use: call `monitor.step()` after `opt.step()` (before `zero_grad()`), or pass
    `optimizer=opt` and the monitor records after every `opt.step()` by itself. Without
    `optimizer`, the update ratio is known from the second `step()` on (the weights are
    compared with a copy kept at the previous call: one extra copy of the parameters).

    Flags (per parameter, at its latest step):
      * vanishing: grad norm < `vanish_rel` (autograd.health.VANISHING, 1e-3) x the
        largest grad norm of the model at that step; the definition drawings use too;
      * zero: an exactly zero gradient (the loss does not depend on it at this step);
      * exploding: any NaN/Inf in the gradient, grad norm > `explode_abs` (1e3), or
        update-to-weight ratio > `explode_update` (1.0: a step larger than the weight;
        healthy training sits near 1e-3).
    """

    def __init__(self, model, optimizer=None, vanish_rel: float = health.VANISHING,
                 explode_abs: float = 1e3, explode_update: float = 1.0):
        self.model = model
        self.vanish_rel = vanish_rel
        self.explode_abs, self.explode_update = explode_abs, explode_update
        self.history = {name: [] for name, p in model.named_parameters()}
        self.steps = 0
        self._before = None
        self._optimizer = None
        if optimizer is not None:
            self.attach(optimizer)

    def attach(self, optimizer):
        """Record after every `optimizer.step()` (wraps that optimizer's step)."""
        inner = optimizer.step
        monitor = self

        def step(closure=None):
            monitor._snapshot()
            out = inner(closure)
            monitor.step()
            return out
        optimizer.step = step
        self._optimizer = (optimizer, inner)
        return self

    def detach(self):
        """Undo `attach`."""
        if self._optimizer is not None:
            opt, inner = self._optimizer
            opt.step = inner
            self._optimizer = None

    def _snapshot(self):
        self._before = {name: p.detach().clone() for name, p in self.model.named_parameters()}

    def step(self):
        """Record the current gradients and the update the optimizer just made."""
        before = self._before
        for name, p in self.model.named_parameters():
            rec = {"step": self.steps, "weight_norm": _norm(p)}
            g = p.grad
            if g is None:
                rec.update(grad_norm=None, zero_frac=None, nan=0, inf=0)
            else:
                g = g.detach()
                nan = int(g.isnan().sum())
                inf = int(g.isinf().sum())
                rec.update(grad_norm=_norm(g), nan=nan, inf=inf,
                           zero_frac=float((g == 0).sum()) / max(g.numel(), 1))
            ratio = None
            if before is not None and name in before:
                w0 = before[name]
                ratio = _norm(p.detach() - w0) / max(_norm(w0), 1e-30)
            rec["update_ratio"] = ratio
            self.history.setdefault(name, []).append(rec)
        self.steps += 1
        if self._optimizer is None:
            self._snapshot()  # the next step's update is measured from here

    record = step

    # -- verdicts
    def flags(self, step=-1) -> dict:
        """{parameter name: 'vanishing' | 'zero' | 'exploding'} at a recorded step
        (default last)."""
        latest = {n: h[step] for n, h in self.history.items() if h}
        top = health.largest(r["grad_norm"] for r in latest.values())
        out = {}
        for name, r in latest.items():
            gn, ratio = r["grad_norm"], r["update_ratio"]
            if gn is None:
                continue
            if (r["nan"] or r["inf"] or not math.isfinite(gn) or gn > self.explode_abs
                    or (ratio is not None and ratio > self.explode_update)):
                out[name] = "exploding"
            else:
                verdict = health.verdict(gn, top, self.vanish_rel)
                if verdict is not None:
                    out[name] = verdict
        return out

    def report(self, step=-1) -> str:
        """A table of the latest (or given) step; `print(monitor.report())`."""
        flags = self.flags(step)
        head = (f"{'parameter':<28} {'grad norm':>10} {'weight norm':>11} {'update/w':>9} "
                f"{'zeros':>6} {'nan':>5} {'inf':>5}  flag")
        lines = [head, "-" * len(head)]

        def f(v, fmt):
            return "--" if v is None else format(v, fmt)
        for name, h in self.history.items():
            if not h:
                continue
            r = h[step]
            lines.append(
                f"{name[:28]:<28} {f(r['grad_norm'], '.3e'):>10} {r['weight_norm']:>11.3e} "
                f"{f(r['update_ratio'], '.2e'):>9} {f(r['zero_frac'], '.1%'):>6} "
                f"{r['nan']:>5} {r['inf']:>5}  {flags.get(name, '')}")
        lines.append(f"{self.steps} step(s) recorded; flags: vanishing = grad norm < "
                     f"{self.vanish_rel:g} x the largest (zero: exactly 0), exploding = NaN/Inf, "
                     f"grad norm > "
                     f"{self.explode_abs:g} or update/weight > {self.explode_update:g}")
        return "\n".join(lines)

    def __str__(self):
        return self.report()

    def plot(self, path, key="grad_norm"):
        """Save a figure of `key` (grad_norm, weight_norm, update_ratio) per parameter
        over the recorded steps, log scale."""
        from matplotlib.figure import Figure  # no pyplot: the user's backend is untouched
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
        for name, h in self.history.items():
            pts = [(r["step"], r[key]) for r in h if r[key] is not None and r[key] > 0]
            if pts:
                ax.plot([s for s, _ in pts], [v for _, v in pts], label=name)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(key.replace("_", " "))
        ax.legend(fontsize="small", ncol=2)
        ax.set_title(f"{key.replace('_', ' ')} per parameter (log scale)")
        fig.tight_layout()
        fig.savefig(path)
        return path


def grad_report(model, **thresholds) -> str:
    """One-step form of GradientMonitor: a table of the model's current gradients (after
    `backward()`), with vanishing/exploding flags; the update ratio is not known here."""
    monitor = GradientMonitor(model, **thresholds)
    monitor.step()
    return monitor.report()
