"""Universal approximation in practice: one hidden layer of ReLU units fits sin(x) on
[-pi, pi], and the fit gets better as the layer gets wider.

    python examples/sine_approximation.py [--quick] [--out runs/sine_approximation]

A ReLU network with one hidden layer is a piecewise-linear function with at most one kink
per hidden unit, so width 2 can only draw three line segments, while width 64 has enough
kinks to follow the curve closely. Each width keeps the best of three random starts
(narrow ReLU networks easily get stuck). Writes `fits.png` (each width's curve over the truth)
and `loss.png` (the training loss per width, log scale), and prints the largest error
of each fit on a fine grid.
"""
from __future__ import annotations

import math
import time

import numpy as np
from _common import one_blas_thread, parse_args, progress, pyplot, save_figure, say, seed_all

import autograd as ag
import nn
import nn.functional as F

WIDTHS = (2, 8, 64)
RESTARTS = 3


def train(width, x, y, steps, lr, args, desc):
    """Full-batch Adam on the mean squared error; returns the model and its loss curve."""
    model = nn.Sequential(nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1))
    opt = nn.optim.Adam(model.parameters(), lr=lr)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 100)
    losses = []
    start = time.perf_counter()
    for _ in progress(range(steps), args, desc):
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    say(f"{desc}: {steps} steps, MSE {losses[-1]:.2e}, {time.perf_counter() - start:.1f} s")
    return model, losses


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("sine_approximation", __doc__.splitlines()[0], argv)
    steps = 600 if args.quick else 4000
    rng = seed_all(args.seed)
    x_np = rng.uniform(-math.pi, math.pi, size=(256, 1)).astype(np.float32)
    x, y = ag.tensor(x_np), ag.tensor(np.sin(x_np))
    grid_np = np.linspace(-math.pi, math.pi, 1001, dtype=np.float32)[:, None]
    grid = ag.tensor(grid_np)

    fits, curves, max_error = {}, {}, {}
    for width in WIDTHS:
        # a narrow ReLU net often gets stuck (a unit dies, two kinks coincide): keep the
        # best of a few random starts, so each width shows what it can do
        runs = [train(width, x, y, steps, 1e-2, args, f"width {width:2d}, start {r + 1}")
                for r in range(RESTARTS)]
        model, curves[width] = min(runs, key=lambda run: run[1][-1])
        with ag.no_grad():
            fits[width] = model(grid).numpy()[:, 0]
        max_error[width] = float(np.max(np.abs(fits[width] - np.sin(grid_np[:, 0]))))

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(grid_np[:, 0], np.sin(grid_np[:, 0]), color="black", lw=3, alpha=0.35,
            label="sin(x) (truth)")
    for width in WIDTHS:
        ax.plot(grid_np[:, 0], fits[width], lw=1.6,
                label=f"width {width} (max error {max_error[width]:.3f})")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_xlim(-math.pi, math.pi)
    ax.set_title("One hidden ReLU layer fitting sin(x): wider = more kinks = closer fit")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
    fits_png = save_figure(fig, args, "fits.png")

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for width in WIDTHS:
        ax.plot(np.arange(1, steps + 1), curves[width], label=f"width {width}")
    ax.set_xlabel("training step (full batch of 256 points)")
    ax.set_ylabel("mean squared error")
    ax.set_yscale("log")
    ax.set_title("Training loss per hidden-layer width")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    loss_png = save_figure(fig, args, "loss.png")

    print(f"{steps} Adam steps on 256 points of sin(x), x in [-pi, pi]; "
          f"best of {RESTARTS} starts per width")
    for width in WIDTHS:
        print(f"  width {width:2d}: max |fit - sin| = {max_error[width]:.4f}, "
              f"final training MSE {curves[width][-1]:.2e}")
    print("wider hidden layers approximate sin more closely: "
          + ("yes" if max_error[64] < max_error[8] < max_error[2] else "no"))
    print(f"saved {fits_png} and {loss_png}")
    return {"max_error": max_error, "final_loss": {w: c[-1] for w, c in curves.items()},
            "pngs": [fits_png, loss_png]}


if __name__ == "__main__":
    main()
