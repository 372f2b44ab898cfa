"""Overfitting and three cures: a wide MLP (1-256-256-256-1) fits 30 noisy samples of
sin(3x), with no regularisation, with dropout, with weight decay (AdamW) and with early
stopping.

    python examples/overfitting.py [--quick] [--out runs/overfitting]

Without regularisation the network has far more weights than there are training points,
so it bends itself through the noise: the training loss keeps falling while the
validation loss (600 fresh noisy samples) turns around and climbs. The gap between the
two curves is the overfitting. Dropout (p=0.5) and decoupled weight decay (AdamW,
weight_decay=3) keep the network from building such sharp bends and narrow the gap; early
stopping watches the validation loss and keeps the weights from the check where it was
lowest. Losses are measured in eval mode (no dropout) every 10 full-batch steps. Writes
`curves.png` (training and validation loss of all four runs in one figure) and `fits.png`
(the fitted curves), and prints the train-validation gap of each run. The noise alone
puts a floor of 0.09 (its variance) under the validation loss.
"""
from __future__ import annotations

import time

import numpy as np
from _common import one_blas_thread, parse_args, progress, pyplot, save_figure, say, seed_all

import autograd as ag
import nn
import nn.functional as F

RUNS = ("no regularisation", "dropout 0.5", "weight decay (AdamW)", "early stopping")
NOISE = 0.3
CHECK_EVERY = 10  # full-batch steps between two measurements


def make_mlp(dropout: float) -> nn.Sequential:
    layers = []
    for fan_in, fan_out in ((1, 256), (256, 256), (256, 256)):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(256, 1))


def evaluate(model, x, y) -> float:
    model.eval()
    with ag.no_grad():
        loss = F.mse_loss(model(x), y).item()
    model.train()
    return loss


def train(run, data, steps, args):
    (x_train, y_train), (x_val, y_val) = data
    model = make_mlp(0.5 if run == "dropout 0.5" else 0.0)
    decay = 3.0 if run == "weight decay (AdamW)" else 0.0
    opt = nn.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=decay)
    stopper = None
    if run == "early stopping":
        stopper = nn.utils.EarlyStopping(patience=30, restore_best_weights=True)
    curves = {"step": [], "train": [], "val": []}
    start = time.perf_counter()
    for step in progress(range(1, steps + 1), args, f"{run:20s}"):
        loss = F.mse_loss(model(x_train), y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % CHECK_EVERY:
            continue
        curves["step"].append(step)
        curves["train"].append(evaluate(model, x_train, y_train))
        curves["val"].append(evaluate(model, x_val, y_val))
        if stopper is not None and stopper.step(curves["val"][-1], model):
            break
    best = len(curves["val"]) - 1
    if stopper is not None:
        stopper.restore(model)
        best = stopper.best_epoch
    say(f"{run}: {step} steps, train MSE {curves['train'][best]:.4f}, validation MSE "
        f"{curves['val'][best]:.4f}, {time.perf_counter() - start:.1f} s")
    return {"curves": curves, "model": model, "step": curves["step"][best],
            "train_loss": curves["train"][best], "val_loss": curves["val"][best],
            "gap": curves["val"][best] - curves["train"][best]}


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("overfitting", __doc__.splitlines()[0], argv)
    steps = 600 if args.quick else 3000
    rng = seed_all(args.seed)

    def sample(n):
        x = rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)
        y = (np.sin(3 * x) + NOISE * rng.standard_normal(x.shape)).astype(np.float32)
        return x, y

    (x_train, y_train), (x_val, y_val) = sample(30), sample(600)
    data = [(ag.tensor(x_train), ag.tensor(y_train)), (ag.tensor(x_val), ag.tensor(y_val))]

    results = {}
    for run in RUNS:
        ag.manual_seed(args.seed)  # the same starting weights for every run
        results[run] = train(run, data, steps, args)
    pngs = [_plot_curves(results, args), _plot_fits(results, x_train, y_train, args)]

    print(f"wide MLP, 30 training and 600 validation points, up to {steps} full-batch steps")
    print(f"  {'run':22s} {'step':>5s} {'train MSE':>10s} {'val MSE':>9s} {'gap':>7s}")
    for run, r in results.items():
        print(f"  {run:22s} {r['step']:5d} {r['train_loss']:10.4f} {r['val_loss']:9.4f} "
              f"{r['gap']:7.4f}")
    base = results[RUNS[0]]["gap"]
    for run in RUNS[1:]:
        print(f"  {run}: train-validation gap {results[run]['gap']:.3f} vs {base:.3f} "
              f"without regularisation ({'narrower' if results[run]['gap'] < base else 'wider'})")
    print("saved " + " and ".join(pngs))
    keep = ("step", "train_loss", "val_loss", "gap")
    summary = {run: {k: r[k] for k in keep} for run, r in results.items()}
    return {"runs": summary, "pngs": pngs}


def _plot_curves(results, args) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(RUNS), figsize=(15, 4), sharey=True)
    for ax, (run, r) in zip(axes, results.items()):
        c = r["curves"]
        ax.plot(c["step"], c["train"], label="training")
        ax.plot(c["step"], c["val"], label="validation")
        ax.axhline(NOISE ** 2, color="grey", ls=":", lw=1, label="noise floor")
        ax.vlines(r["step"], r["train_loss"], r["val_loss"], color="black", lw=2.5,
                  label=f"gap {r['gap']:.3f} at step {r['step']}")
        ax.set_title(run + (" (kept the marked step)" if run == "early stopping" else ""))
        ax.set_xlabel("full-batch step")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(3e-3, 2)  # room for the legend above the curves
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="upper right", ncol=2)
    axes[0].set_ylabel("mean squared error (eval mode)")
    fig.suptitle("Wide MLP on 30 noisy points: training vs validation loss")
    return save_figure(fig, args, "curves.png")


def _plot_fits(results, x_train, y_train, args) -> str:
    plt = pyplot()
    grid = np.linspace(-1, 1, 400, dtype=np.float32)[:, None]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(grid[:, 0], np.sin(3 * grid[:, 0]), color="black", lw=3, alpha=0.3,
            label="sin(3x) (truth)")
    ax.scatter(x_train[:, 0], y_train[:, 0], color="black", s=14, zorder=3,
               label="30 noisy training points")
    for run, r in results.items():
        model = r["model"]
        model.eval()
        with ag.no_grad():
            ax.plot(grid[:, 0], model(ag.tensor(grid)).numpy()[:, 0], lw=1.4, label=run)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("What each run learnt")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return save_figure(fig, args, "fits.png")


if __name__ == "__main__":
    main()
