"""Transfer learning with frozen layers: a small CNN learns digits 0-4, its convolution
layers are frozen and a new head learns digits 5-9 from a few examples per class.

    python examples/transfer_learning.py [--quick] [--out runs/transfer_learning]

The convolutions trained on 0-4 detect strokes, edges and loops that the digits 5-9 are
made of too, so a new linear head on top of them needs few examples. The same CNN trained
from scratch on those few examples must learn its filters from them as well and does
worse. Freezing is `model.features.requires_grad_(False)`: frozen parameters get no
`.grad`, so the optimiser (given all parameters) leaves them alone, and the example checks
that they did not move by a single bit. Writes `transfer.png` (test accuracy against the
number of examples per class, and how far each layer's weights moved) and prints the
accuracies.
"""
from __future__ import annotations

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


class SmallCNN(nn.Module):
    """Two 3x3 convolutions, one max pooling (8x8 -> 4x4), then a linear head."""

    def __init__(self, classes: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.Flatten(),
        )
        self.head = nn.Linear(32 * 4 * 4, classes)

    def forward(self, x):
        return self.head(self.features(x))


def images(x):
    return ag.tensor(x.reshape(-1, 1, 8, 8))


def fit(model, x, y, steps, lr, batch_size=None, args=None, desc=""):
    """Adam on the cross-entropy; full batch unless `batch_size` (then `steps` = epochs)."""
    # parameters with requires_grad=False never receive a .grad: Adam skips them
    opt = nn.optim.Adam(model.parameters(), lr=lr)
    if batch_size is None:
        batches = [(x, y)]
    else:
        batches = nn.data.DataLoader(nn.data.TensorDataset(x, y), batch_size=batch_size,
                                     shuffle=True)
    for _ in progress(range(steps), args, desc) if args is not None else range(steps):
        for xb, yb in batches:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()


def weights(model) -> dict:
    """A host copy of every weight tensor, by name."""
    return {name: p.detach().numpy().copy() for name, p in model.named_parameters()
            if name.endswith("weight")}


def movement(before: dict, model) -> dict:
    """Largest absolute change of each weight tensor since `before`."""
    after = weights(model)
    return {name: float(np.max(np.abs(after[name] - before[name]))) for name in before}


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("transfer_learning", __doc__.splitlines()[0], argv)
    shots_list = (1, 2) if args.quick else (1, 2, 5, 10, 20)
    repeats = 2 if args.quick else 5
    pretrain_epochs = 4 if args.quick else 12
    steps = 100 if args.quick else 200
    rng = seed_all(args.seed)

    # 1. pretrain on digits 0-4
    x_a, y_a = digits(range(5))
    pretrained = SmallCNN(5)
    fit(pretrained, images(x_a), ag.tensor(y_a), pretrain_epochs, 2e-3, batch_size=64,
        args=args, desc="pretraining on 0-4")
    source_acc = accuracy(pretrained, images(x_a), ag.tensor(y_a))
    pretrained_state = {k: v.detach().clone() for k, v in pretrained.state_dict().items()}

    # 2. digits 5-9: half is a pool to draw the few training examples from, half the test
    x_b, y_b = digits(range(5, 10))
    order = rng.permutation(len(x_b))
    pool, test = order[: len(order) // 2], order[len(order) // 2:]
    x_test, y_test = images(x_b[test]), ag.tensor(y_b[test])

    acc = {"transfer": {k: [] for k in shots_list}, "scratch": {k: [] for k in shots_list}}
    frozen_equal, moved = True, {}
    for shots in progress(shots_list, args, "examples per class"):
        start = time.perf_counter()
        for rep in range(repeats):
            # k examples of each class from the pool
            chosen = np.concatenate([rng.choice(pool[y_b[pool] == c], shots, replace=False)
                                     for c in range(5)])
            x_few, y_few = images(x_b[chosen]), ag.tensor(y_b[chosen])

            model = SmallCNN(5)
            model.load_state_dict(pretrained_state)
            model.features.requires_grad_(False)       # freeze the convolutions
            model.head = nn.Linear(32 * 4 * 4, 5)      # a new, trainable head
            before = weights(model)
            fit(model, x_few, y_few, steps, 1e-2)
            moved_transfer = movement(before, model)
            frozen_equal &= all(moved_transfer[n] == 0.0 for n in moved_transfer
                                if n.startswith("features"))
            acc["transfer"][shots].append(accuracy(model, x_test, y_test))

            scratch = SmallCNN(5)
            before = weights(scratch)
            fit(scratch, x_few, y_few, steps, 1e-2)
            acc["scratch"][shots].append(accuracy(scratch, x_test, y_test))
            if rep == 0:
                moved[shots] = {"transfer": moved_transfer, "scratch": movement(before, scratch)}
        say(f"{shots:2d} examples per class: test accuracy {np.mean(acc['transfer'][shots]):.3f} "
            f"(frozen convs + new head) vs {np.mean(acc['scratch'][shots]):.3f} (from scratch), "
            f"{repeats} repeats, {time.perf_counter() - start:.1f} s")

    png = _plot(acc, moved, shots_list, args)
    mean = {kind: {k: float(np.mean(v)) for k, v in per.items()} for kind, per in acc.items()}
    print(f"pretrained CNN: {source_acc:.3f} training accuracy on digits 0-4")
    print(f"digits 5-9, test accuracy on {len(test)} held-out images "
          f"(mean of {repeats} draw{'s' if repeats > 1 else ''} of the few examples):")
    print(f"  {'examples/class':>14s} {'frozen convs + new head':>24s} {'from scratch':>13s}")
    for k in shots_list:
        print(f"  {k:14d} {mean['transfer'][k]:24.3f} {mean['scratch'][k]:13.3f}")
    print("frozen convolution weights identical before and after fine-tuning: "
          f"{frozen_equal}")
    print(f"saved {png}")
    return {"transfer_acc": mean["transfer"], "scratch_acc": mean["scratch"],
            "frozen_equal": frozen_equal, "source_acc": source_acc, "moved": moved,
            "pngs": [png]}


def _plot(acc, moved, shots_list, args) -> str:
    plt = pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2),
                                 gridspec_kw={"width_ratios": [1.1, 1]})
    labels = {"transfer": "frozen convs (from 0-4) + new head", "scratch": "from scratch"}
    for kind, marker in (("transfer", "o"), ("scratch", "s")):
        mean = [np.mean(acc[kind][k]) for k in shots_list]
        std = [np.std(acc[kind][k]) for k in shots_list]
        ax.errorbar(shots_list, mean, yerr=std, marker=marker, capsize=3, label=labels[kind])
    ax.axhline(0.2, color="grey", ls=":", lw=1, label="chance (5 classes)")
    ax.set_xscale("log")
    ax.set_xticks(shots_list)
    ax.set_xticklabels([str(k) for k in shots_list])
    ax.set_xlabel("training examples per class (digits 5-9)")
    ax.set_ylabel("test accuracy on digits 5-9")
    ax.set_ylim(0, 1)
    ax.set_title("Few-shot digits 5-9")
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(alpha=0.3)

    shots = shots_list[0]
    names = list(moved[shots]["transfer"])
    pos = np.arange(len(names))
    for offset, kind in ((-0.2, "transfer"), (0.2, "scratch")):
        values = [moved[shots][kind][n] for n in names]
        bars = bx.bar(pos + offset, values, width=0.4, label=labels[kind])
        bx.bar_label(bars, labels=["0\n(frozen)" if v == 0 else f"{v:.2g}" for v in values],
                     fontsize=8)
    pretty = {"features.0": "conv 1", "features.3": "conv 2", "head": "head (linear)"}
    bx.set_xticks(pos)
    bx.set_xticklabels([pretty.get(n[: -len(".weight")], n) for n in names])
    bx.set_ylabel("largest |change| of a weight during training")
    plural = "" if shots == 1 else "s"
    bx.set_title(f"How far each layer moved ({shots} example{plural} per class)")
    bx.margins(y=0.15)
    bx.legend(fontsize=9)
    bx.grid(alpha=0.3, axis="y")
    return save_figure(fig, args, "transfer.png")


if __name__ == "__main__":
    main()
