"""Exploding gradients and two cures: a 20-layer ReLU MLP whose weights start 1.5 times
too large (std 1.5 * He), trained by SGD on a regression task, without help, with
`nn.utils.clip_grad_norm_`, and with batch normalisation after every layer.

    python examples/exploding_gradients.py [--quick] [--out runs/exploding_gradients]

Each layer multiplies the signal by about 1.5, so the output and the gradients are about
1.5^20 = 3000 times too large. Without help the first SGD step is enormous and the run
diverges (the loss becomes inf or NaN). Clipping rescales the gradient to norm at most 1
before each step, so every step stays small however large the raw gradient is.
Batch normalisation re-centres and re-scales every layer's output, so the signal (and the
gradient) never grows in the first place. Writes `grad_norm.png` (the gradient norm per
step, log scale, and the loss) and prints whether each run diverged.
"""
from __future__ import annotations

import math
import time

import numpy as np
from _common import one_blas_thread, parse_args, progress, pyplot, save_figure, say, seed_all

import autograd as ag
import nn
import nn.functional as F

DEPTH, WIDTH, GAIN = 20, 64, 1.5
MAX_NORM = 1.0
RUNS = ("no clipping", f"clip_grad_norm_(max_norm={MAX_NORM:g})", "batch normalisation")


def make_mlp(batch_norm: bool) -> nn.Sequential:
    layers, fan_in = [], 16
    for _ in range(DEPTH - 1):
        linear = nn.Linear(fan_in, WIDTH)
        nn.init.normal_(linear.weight, 0.0, GAIN * math.sqrt(2.0 / fan_in))  # 1.5 x He
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH))
        layers.append(nn.ReLU())
        fan_in = WIDTH
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1))


def train(run, x, y, steps, args):
    model = make_mlp(batch_norm=run == "batch normalisation")
    opt = nn.optim.SGD(model.parameters(), lr=0.01)
    raw, applied, losses = [], [], []
    diverged_at = None
    start = time.perf_counter()
    for step in progress(range(steps), args, f"{run:28s}"):
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        # max_norm=inf measures the norm without changing the gradients
        limit = MAX_NORM if run.startswith("clip") else math.inf
        norm = nn.utils.clip_grad_norm_(model.parameters(), limit).item()
        raw.append(norm)
        applied.append(min(norm, MAX_NORM) if run.startswith("clip") else norm)
        losses.append(loss.item())
        if not (math.isfinite(losses[-1]) and math.isfinite(norm)):
            diverged_at = step
            break
        opt.step()
    final = losses[-1]
    diverged = diverged_at is not None or not final < losses[0]
    say(f"{run}: {len(losses)} steps, loss {final:.3g}, largest gradient norm "
        f"{max(raw):.3g}{' (diverged)' if diverged else ''}, {time.perf_counter() - start:.1f} s")
    return {"raw": raw, "applied": applied, "loss": losses, "diverged": diverged,
            "diverged_at": diverged_at, "first_loss": losses[0], "final_loss": final,
            "max_applied_norm": max(applied)}


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("exploding_gradients", __doc__.splitlines()[0], argv)
    steps = 150 if args.quick else 1000
    rng = seed_all(args.seed)
    # a smooth target of 16 inputs: y = sin(w . x), 256 samples
    x_np = rng.standard_normal((256, 16)).astype(np.float32)
    w = rng.standard_normal((16, 1)).astype(np.float32) / 4
    x, y = ag.tensor(x_np), ag.tensor(np.sin(x_np @ w))

    results = {}
    for run in RUNS:
        ag.manual_seed(args.seed)
        results[run] = train(run, x, y, steps, args)
    png = _plot(results, steps, args)

    print(f"{DEPTH}-layer ReLU MLP, weights {GAIN} x He, SGD lr 0.01, up to {steps} steps")
    for run, r in results.items():
        if r["diverged_at"] is not None:
            outcome = f"DIVERGED at step {r['diverged_at'] + 1} (loss became non-finite)"
        elif r["diverged"]:
            outcome = "diverged (the loss ended higher than it started)"
        else:
            outcome = f"trained: loss {r['first_loss']:.3g} -> {r['final_loss']:.3g}"
        print(f"  {run:30s} first gradient norm {r['raw'][0]:9.3g}, largest applied "
              f"{r['max_applied_norm']:9.3g}; {outcome}")
    print(f"saved {png}")
    summary = {run: {k: v for k, v in r.items() if k not in ("raw", "applied", "loss")}
               for run, r in results.items()}
    return {"runs": summary, "pngs": [png]}


def _plot(results, steps, args) -> str:
    plt = pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.3))
    colors = dict(zip(RUNS, ("tab:red", "tab:blue", "tab:green")))
    for run, r in results.items():
        t = np.arange(1, len(r["raw"]) + 1)
        c = colors[run]
        if run.startswith("clip"):
            ax.plot(t, r["raw"], color=c, ls="--", lw=1, label=f"{run}: before clipping")
            ax.plot(t, r["applied"], color=c, label=f"{run}: applied")
        else:
            ax.plot(t, r["raw"], color=c, marker="o" if len(t) < 5 else None, label=run)
        bx.plot(t, r["loss"], color=c, marker="o" if len(t) < 5 else None, label=run)
        if r["diverged_at"] is not None:
            for axis, values in ((ax, r["raw"]), (bx, r["loss"])):
                finite = [v for v in values if math.isfinite(v)]
                axis.scatter([len(t)], [finite[-1] if finite else 1.0], marker="X", s=120,
                             color=c, zorder=4, label=f"{run}: inf/NaN at step {len(t)}"
                             if axis is ax else None)
    ax.axhline(MAX_NORM, color="grey", ls=":", lw=1)
    ax.set_title("Gradient norm per step")
    ax.set_ylabel("total gradient norm (2-norm over all parameters)")
    bx.set_title("Training loss")
    bx.set_ylabel("mean squared error")
    for axis in (ax, bx):
        axis.set_xlabel("SGD step")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlim(0.8, steps * 1.2)
        axis.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="center right")
    bx.legend(fontsize=8, loc="center right")
    return save_figure(fig, args, "grad_norm.png")


if __name__ == "__main__":
    main()
