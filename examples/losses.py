"""Choosing a loss: MSE against Huber on regression data with outliers, and binary
against categorical cross-entropy on a two-class problem.

    python examples/losses.py [--quick] [--out runs/losses]

Regression: a line y = 2x + 1 with small noise, where 15% of the points are outliers far
above it. The squared error grows with the square of a residual, so the few outliers
dominate the mean squared error and drag the MSE line up towards them; Huber's loss
(delta=1) grows only linearly beyond delta, so each outlier pulls with a bounded force
and the fit stays on the inliers. Writes `regression.png`.

Classification: scikit-learn's two moons, the same MLP with one output and
`BCEWithLogitsLoss`, or with two outputs and `CrossEntropyLoss`. For two classes they are
the same loss: softmax([a, b])[1] = sigmoid(b - a), so cross-entropy on logits [a, b] equals
binary cross-entropy on the logit b - a; the example checks that to float64 precision and
shows both models learn the same kind of boundary. Writes `classification.png`.
"""
from __future__ import annotations

import time

import numpy as np
from _common import one_blas_thread, parse_args, progress, pyplot, save_figure, say, seed_all

import autograd as ag
import nn
import nn.functional as F

SLOPE, INTERCEPT = 2.0, 1.0


def fit_line(loss_fn, x, y, steps, args, desc):
    model = nn.Linear(1, 1)
    opt = nn.optim.Adam(model.parameters(), lr=0.05)
    start = time.perf_counter()
    for _ in progress(range(steps), args, desc):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    say(f"{desc}: {steps} steps, loss {loss.item():.3f}, fit y = {model.weight.item():.3f}x + "
        f"{model.bias.item():.3f}, {time.perf_counter() - start:.1f} s")
    return float(model.weight.item()), float(model.bias.item())


def regression(rng, args, steps):
    n = 100
    x = rng.uniform(0, 10, size=(n, 1)).astype(np.float32)
    y = SLOPE * x + INTERCEPT + rng.normal(0, 0.5, size=(n, 1)).astype(np.float32)
    outlier = rng.random(n) < 0.15
    y[outlier] += rng.uniform(15, 30, size=(outlier.sum(), 1)).astype(np.float32)
    fits = {}
    for name, loss_fn in (("MSE", nn.MSELoss()), ("Huber (delta=1)", nn.HuberLoss(delta=1.0))):
        fits[name] = fit_line(loss_fn, ag.tensor(x), ag.tensor(y), steps, args, name)
    # how far each fitted line is from the inliers (mean absolute residual)
    inlier_error = {name: float(np.mean(np.abs(w * x[~outlier] + b - y[~outlier])))
                    for name, (w, b) in fits.items()}
    return x, y, outlier, fits, inlier_error


def make_classifier(outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, outputs))


def classification(args, steps, seed):
    from sklearn.datasets import make_moons
    x_np, y_np = make_moons(n_samples=600, noise=0.2, random_state=seed)
    x_np = x_np.astype(np.float32)
    train, test = np.arange(400), np.arange(400, 600)
    x, y = ag.tensor(x_np), ag.tensor(y_np.astype(np.int64))
    runs = {}
    for name, outputs in (("binary (BCEWithLogitsLoss, 1 logit)", 1),
                          ("categorical (CrossEntropyLoss, 2 logits)", 2)):
        ag.manual_seed(seed)
        model = make_classifier(outputs)
        opt = nn.optim.Adam(model.parameters(), lr=0.01)
        curve = []
        start = time.perf_counter()
        for _ in progress(range(steps), args, name[:11]):
            logits = model(x[train])
            if outputs == 1:
                loss = F.binary_cross_entropy_with_logits(logits[:, 0], y[train].float())
            else:
                loss = F.cross_entropy(logits, y[train])
            opt.zero_grad()
            loss.backward()
            opt.step()
            curve.append(loss.item())
        with ag.no_grad():
            logits = model(x[test])
            pred = (logits[:, 0] > 0) if outputs == 1 else logits.argmax(dim=1) == 1
        acc = float((pred == (y[test] == 1)).float().mean().item())
        say(f"{name}: {steps} steps, loss {curve[-1]:.3f}, test accuracy {acc:.3f}, "
            f"{time.perf_counter() - start:.1f} s")
        runs[name] = {"model": model, "curve": curve, "acc": acc, "outputs": outputs}

    # the identity behind it: CE on logits [a, b] == BCE on the logit b - a
    rng = np.random.default_rng(seed)
    pair = ag.tensor(rng.standard_normal((1000, 2)) * 3)  # float64
    labels = ag.tensor(rng.integers(0, 2, 1000))
    ce = F.cross_entropy(pair, labels, reduction="none")
    bce = F.binary_cross_entropy_with_logits(pair[:, 1] - pair[:, 0], labels.double(),
                                             reduction="none")
    identity_gap = float((ce - bce).abs().max().item())
    return x_np, y_np, train, runs, identity_gap


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("losses", __doc__.splitlines()[0], argv)
    steps = 300 if args.quick else 1500
    rng = seed_all(args.seed)

    x, y, outlier, fits, inlier_error = regression(rng, args, steps)
    reg_png = _plot_regression(x, y, outlier, fits, args)
    # few steps on purpose: longer training only carves the boundary around noisy points
    cx, cy, train, runs, identity_gap = classification(args, min(steps, 400), args.seed)
    cls_png = _plot_classification(cx, cy, train, runs, args)

    print(f"regression: y = {SLOPE:g}x + {INTERCEPT:g} + noise, {outlier.sum()} of "
          f"{len(x)} points are outliers")
    for name, (w, b) in fits.items():
        print(f"  {name:16s} fit y = {w:.3f}x + {b:.3f}; mean |residual| on the inliers "
              f"{inlier_error[name]:.3f}")
    better = inlier_error["Huber (delta=1)"] < inlier_error["MSE"]
    print(f"  Huber's line is closer to the inliers than MSE's: {better}")
    print("classification: two moons, 400 training and 200 test points")
    for name, r in runs.items():
        print(f"  {name:42s} test accuracy {r['acc']:.3f}, final training loss "
              f"{r['curve'][-1]:.4f}")
    print(f"  max |CE([a, b]) - BCE(b - a)| over 1000 random float64 pairs: {identity_gap:.1e}")
    print(f"saved {reg_png} and {cls_png}")
    return {"fits": fits, "inlier_error": inlier_error,
            "accuracy": {name: r["acc"] for name, r in runs.items()},
            "identity_gap": identity_gap, "pngs": [reg_png, cls_png]}


def _plot_regression(x, y, outlier, fits, args) -> str:
    plt = pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.3),
                                 gridspec_kw={"width_ratios": [1.4, 1]})
    ax.scatter(x[~outlier, 0], y[~outlier, 0], s=12, color="black", label="inliers")
    ax.scatter(x[outlier, 0], y[outlier, 0], s=30, marker="^", color="tab:red",
               label="outliers")
    line = np.array([0.0, 10.0])
    ax.plot(line, SLOPE * line + INTERCEPT, color="grey", lw=3, alpha=0.4,
            label=f"truth y = {SLOPE:g}x + {INTERCEPT:g}")
    for (name, (w, b)), color in zip(fits.items(), ("tab:orange", "tab:blue")):
        ax.plot(line, w * line + b, color=color, lw=1.8, label=f"{name}: y = {w:.2f}x + {b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Fitting a line through outliers")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)

    r = np.linspace(-6, 6, 400)
    huber = np.where(np.abs(r) < 1, 0.5 * r ** 2, np.abs(r) - 0.5)
    bx.plot(r, r ** 2, color="tab:orange", label="squared error r²")
    bx.plot(r, huber, color="tab:blue", label="Huber, delta=1")
    bx.set_xlabel("residual r = prediction - target")
    bx.set_ylabel("penalty for one point")
    bx.set_ylim(0, 12)
    bx.set_title("Why: an outlier's penalty, quadratic vs linear")
    bx.legend(fontsize=8)
    bx.grid(alpha=0.3)
    return save_figure(fig, args, "regression.png")


def _plot_classification(x, y, train, runs, args) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    gx, gy = np.meshgrid(np.linspace(-1.6, 2.6, 200), np.linspace(-1.2, 1.7, 150))
    grid = ag.tensor(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
    for ax, (name, r) in zip(axes, runs.items()):
        with ag.no_grad():
            logits = r["model"](grid)
            prob = (logits[:, 0].sigmoid() if r["outputs"] == 1
                    else logits.softmax(dim=1)[:, 1]).numpy().reshape(gx.shape)
        filled = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                             alpha=0.6)
        ax.contour(gx, gy, prob, levels=[0.5], colors="black", linewidths=1.5)
        ax.scatter(x[train, 0], x[train, 1], c=y[train], cmap="RdBu_r", s=10,
                   edgecolors="black", linewidths=0.3)
        ax.set_title(f"{name}\ntest accuracy {r['acc']:.3f}", fontsize=10)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        fig.colorbar(filled, ax=ax, label="P(class 1)")
    for name, r in runs.items():
        axes[2].plot(np.arange(1, len(r["curve"]) + 1), r["curve"], label=name)
    axes[2].set_xlabel("full-batch Adam step")
    axes[2].set_ylabel("training loss (nats per point)")
    axes[2].set_yscale("log")
    axes[2].set_title("Training loss")
    axes[2].legend(fontsize=8)
    axes[2].grid(alpha=0.3, which="both")
    return save_figure(fig, args, "classification.png")


if __name__ == "__main__":
    main()
