"""Why initialisation matters: the same 10-layer MLP (width 64) on the scikit-learn digits,
started from zeros, from a too-small normal (std 0.01), from Xavier and from He, with tanh
and with ReLU.

    python examples/initialisation.py [--quick] [--out runs/initialisation]

- zeros: every unit of a layer computes the same thing and gets the same gradient, so the
  units stay identical forever (here they stay exactly 0): the symmetry is never broken.
- normal(0, 0.01): each layer shrinks its input by about 0.01 * sqrt(64) = 0.08, so the
  signal and the gradient vanish within a few layers and the early layers do not learn.
- Xavier (std sqrt(2 / (fan_in + fan_out))) keeps the spread about constant through tanh,
  which is close to the identity near 0; ReLU zeroes half of its input, so under ReLU the
  spread halves in variance at every layer. He (std sqrt(2 / fan_in)) makes up for that
  factor of 2 and keeps the spread constant through ReLU.

Plain SGD with momentum is used on purpose: Adam rescales each gradient and would hide
part of the vanishing. Writes `spread.png` (per-layer activation and gradient spread at
the start) and `loss.png` (training loss per epoch), and prints the final loss and
accuracy of each run.
"""
from __future__ import annotations

import math
import time

import numpy as np
from _common import (
    accuracy,
    digits,
    one_blas_thread,
    parse_args,
    progress,
    pyplot,
    save_figure,
    say,
    seed_all,
)

import autograd as ag
import nn
import nn.functional as F

DEPTH, WIDTH = 10, 64
SCHEMES = ("zeros", "normal(0, 0.01)", "Xavier", "He")
ACTIVATIONS = {"tanh": nn.Tanh, "ReLU": nn.ReLU}
FLOOR = 1e-18  # exact zeros are drawn here on the log-scale plots


def make_mlp(activation: str, scheme: str) -> nn.Sequential:
    layers, fan_in = [], 64
    for i in range(DEPTH):
        out = 10 if i == DEPTH - 1 else WIDTH
        linear = nn.Linear(fan_in, out)
        nn.init.zeros_(linear.bias)
        if scheme == "zeros":
            nn.init.zeros_(linear.weight)
        elif scheme == "normal(0, 0.01)":
            nn.init.normal_(linear.weight, 0.0, 0.01)
        elif scheme == "Xavier":
            nn.init.xavier_normal_(linear.weight)  # Glorot's original: gain 1
        else:
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        layers.append(linear)
        if i < DEPTH - 1:
            layers.append(ACTIVATIONS[activation]())
        fan_in = out
    return nn.Sequential(*layers)


def spread_at_start(model, x, y):
    """Std of each layer's output and of each layer's weight gradient, for one batch."""
    act_std, h = [], x
    for module in model:
        h = module(h)
        if not isinstance(module, nn.Linear) or module is model[-1]:
            act_std.append(float(h.detach().std().item()))
    model.zero_grad()
    F.cross_entropy(h, y).backward()
    grad_std = [float(m.weight.grad.std().item()) for m in model if isinstance(m, nn.Linear)]
    model.zero_grad()
    return act_std, grad_std


def unit_spread(model) -> float:
    """Largest spread across the units of a hidden layer (std over the rows of its weight):
    0 means all units of every hidden layer are identical."""
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    return max(float(m.weight.detach().std(dim=0).max().item()) for m in linears)


def train(model, loader, epochs, args, desc):
    opt = nn.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    curve = []
    start = time.perf_counter()
    for _ in progress(range(epochs), args, desc):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            count += len(xb)
        curve.append(total / count)
    say(f"{desc}: {epochs} epochs, training loss {curve[-1]:.3f}, "
        f"{time.perf_counter() - start:.1f} s")
    return curve


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("initialisation", __doc__.splitlines()[0], argv)
    epochs = 8 if args.quick else 40
    rng = seed_all(args.seed)
    x, y = digits()
    order = rng.permutation(len(x))
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    train_idx, val_idx = order[:1300], order[1300:]
    x_train, y_train = ag.tensor(x[train_idx]), ag.tensor(y[train_idx])
    x_val, y_val = ag.tensor(x[val_idx]), ag.tensor(y[val_idx])

    results = {}
    for activation in ACTIVATIONS:
        for scheme in SCHEMES:
            ag.manual_seed(args.seed)
            model = make_mlp(activation, scheme)
            act_std, grad_std = spread_at_start(model, x_train[:512], y_train[:512])
            loader = nn.data.DataLoader(nn.data.TensorDataset(x_train, y_train),
                                        batch_size=64, shuffle=True)
            curve = train(model, loader, epochs, args, f"{activation:4s} {scheme:15s}")
            results[activation, scheme] = {
                "act_std": act_std, "grad_std": grad_std, "loss": curve,
                "val_acc": accuracy(model, x_val, y_val), "unit_spread": unit_spread(model)}

    pngs = [_plot_spread(results, args), _plot_loss(results, epochs, args)]

    print(f"10-layer MLPs (width {WIDTH}) on digits, SGD+momentum, {epochs} epochs")
    print(f"  {'activation':10s} {'init':16s} {'first-layer grad std':>20s} "
          f"{'final loss':>10s} {'val acc':>8s}")
    for (activation, scheme), r in results.items():
        print(f"  {activation:10s} {scheme:16s} {r['grad_std'][0]:20.2e} "
              f"{r['loss'][-1]:10.4f} {r['val_acc']:8.3f}")
    for activation in ACTIVATIONS:
        r = results[activation, "zeros"]
        print(f"  symmetry ({activation}, zeros): the units of each hidden layer differ by at "
              f"most {r['unit_spread']:.1e} after training (never broken)")
        r = results[activation, "normal(0, 0.01)"]
        print(f"  vanishing ({activation}, std 0.01): last-layer activation std "
              f"{r['act_std'][-1]:.1e}, first-layer gradient std {r['grad_std'][0]:.1e}")
    chance = math.log(10)
    print(f"  (chance level cross-entropy is ln 10 = {chance:.3f})")
    print("healthy training: Xavier with tanh reaches loss "
          f"{results['tanh', 'Xavier']['loss'][-1]:.3f}, He with ReLU "
          f"{results['ReLU', 'He']['loss'][-1]:.3f}")
    print("saved " + " and ".join(pngs))
    summary = {f"{a}/{s}": {"final_loss": r["loss"][-1], "val_acc": r["val_acc"],
                            "unit_spread": r["unit_spread"], "act_std": r["act_std"],
                            "grad_std": r["grad_std"]}
               for (a, s), r in results.items()}
    return {"runs": summary, "pngs": pngs}


def _plot_spread(results, args) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    layers = np.arange(1, DEPTH + 1)
    for col, activation in enumerate(ACTIVATIONS):
        for scheme in SCHEMES:
            r = results[activation, scheme]
            label = scheme + (" (exactly 0, drawn at the bottom)" if scheme == "zeros" else "")
            style = dict(marker="o", ms=3, label=label)
            axes[0, col].plot(layers, np.maximum(r["act_std"], FLOOR), **style)
            axes[1, col].plot(layers, np.maximum(r["grad_std"], FLOOR), **style)
        axes[0, col].set_title(f"{activation}: activation spread at the start")
        axes[1, col].set_title(f"{activation}: weight-gradient spread at the start")
        axes[0, col].set_ylabel("std of the layer's output")
        axes[1, col].set_ylabel("std of dL/dW of the layer")
        axes[1, col].set_xlabel("layer (10 = logits)")
        for ax in axes[:, col]:
            ax.set_yscale("log")
            ax.set_ylim(FLOOR / 3, 30)
            ax.set_xticks(layers)
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 0.06))
    return save_figure(fig, args, "spread.png")


def _plot_loss(results, epochs, args) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, activation in zip(axes, ACTIVATIONS):
        for scheme in SCHEMES:
            r = results[activation, scheme]
            # zeros and the tiny normal both sit at chance: draw zeros wide, the other dashed
            style = {"zeros": dict(lw=4, alpha=0.5), "normal(0, 0.01)": dict(ls="--")}
            ax.plot(np.arange(1, epochs + 1), r["loss"], **style.get(scheme, {}),
                    label=f"{scheme} (val acc {r['val_acc']:.2f})")
        ax.axhline(math.log(10), color="grey", ls=":", lw=1, label="chance (ln 10)")
        ax.set_title(f"10-layer {activation} MLP")
        ax.set_xlabel("epoch")
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("training cross-entropy")
    return save_figure(fig, args, "loss.png")


if __name__ == "__main__":
    main()
