"""Train a small convolutional network on the handwritten digits that ship with
scikit-learn (8x8 images, 10 classes) and report its accuracy on a held-out test split.

    python examples/digits_cnn.py [--epochs 30] [--quick] [--out runs/digits_cnn]

The images stay images: Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d twice, then a
global average pool and a Linear classifier. Training shifts each image by up to one
pixel (a cheap augmentation a convolution makes sense of), uses Adam with a cosine
learning-rate schedule, keeps the weights of the epoch with the best validation loss,
saves them as safetensors, and plots the loss curves and the first layer's filters.
A full run takes under half a minute on 2 CPU cores and reaches 98.6-99.2% test
accuracy over seeds 0-3 (361 test images); --quick trains 3 epochs.
"""
from __future__ import annotations

import os
import time

import numpy as np
from _common import (
    accuracy,
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


def load_digits(rng):
    """(N, 1, 8, 8) float32 images standardised with the training split's statistics,
    and int64 labels; split 70/10/20 into train, validation and test."""
    from sklearn.datasets import load_digits as sk_digits
    data = sk_digits()
    x = data.images.astype(np.float32)[:, None] / 16.0
    y = data.target.astype(np.int64)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    n_train, n_val = int(0.7 * len(x)), int(0.1 * len(x))
    mean, std = x[:n_train].mean(), x[:n_train].std()
    x = (x - mean) / std
    return np.split(x, [n_train, n_train + n_val]), np.split(y, [n_train, n_train + n_val])


def shift(images, rng):
    """Each image moved by -1, 0 or +1 pixels in each direction (background shifted in)."""
    n = len(images)
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)),
                    constant_values=images.min())
    dy, dx = rng.integers(0, 3, n), rng.integers(0, 3, n)
    rows = dy[:, None] + np.arange(8)            # (N, 8) source rows per image
    cols = dx[:, None] + np.arange(8)
    return padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]][:, None]


def make_model(width=32):
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
        nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
        nn.MaxPool2d(2),                                            # 8x8 -> 4x4
        nn.Conv2d(width, 2 * width, 3, padding=1, bias=False), nn.BatchNorm2d(2 * width),
        nn.ReLU(),
        nn.MaxPool2d(2),                                            # 4x4 -> 2x2
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(2 * width, 10),
    )


@one_blas_thread
def main(argv=None) -> dict:
    args = parse_args("digits_cnn", "Train a small CNN on scikit-learn's digits.", argv,
                      extra=lambda p: (p.add_argument("--epochs", type=int, default=30),
                                       p.add_argument("--batch-size", type=int, default=32),
                                       p.add_argument("--lr", type=float, default=3e-3)))
    epochs = 3 if args.quick else args.epochs
    rng = seed_all(args.seed)
    (x_train, x_val, x_test), (y_train, y_val, y_test) = load_digits(rng)
    model = make_model()
    opt = nn.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    xv, yv = ag.tensor(x_val), ag.tensor(y_val)

    history = {"train": [], "val": []}
    best = (float("inf"), None)
    start = time.perf_counter()
    for epoch in progress(range(epochs), args, "epochs", leave=True):
        epoch_start = time.perf_counter()
        order = rng.permutation(len(x_train))
        images = shift(x_train[order], rng)
        labels = y_train[order]
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            xb = ag.tensor(images[i:i + args.batch_size])
            yb = ag.tensor(labels[i:i + args.batch_size])
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(xb)
        model.eval()
        with ag.no_grad():
            val_loss = F.cross_entropy(model(xv), yv).item()
        model.train()
        history["train"].append(total / len(order))
        history["val"].append(val_loss)
        say(f"epoch {epoch + 1:3d}/{epochs}: train loss {history['train'][-1]:.4f}, validation "
            f"loss {val_loss:.4f}, validation accuracy {accuracy(model, xv, yv):.3f}, "
            f"{time.perf_counter() - epoch_start:.1f} s")
        if val_loss < best[0]:
            best = (val_loss, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[1])
    seconds = time.perf_counter() - start

    test_acc = accuracy(model, ag.tensor(x_test), ag.tensor(y_test))
    ckpt = os.path.join(args.out, "model.safetensors")
    nn.utils.save(model.state_dict(), ckpt)
    pngs = [_plot_curves(history, args), _plot_filters(model, args)]
    print(f"trained {epochs} epochs in {seconds:.1f} s; validation accuracy "
          f"{accuracy(model, xv, yv):.3f}")
    print(f"test accuracy: {test_acc:.4f} ({len(x_test)} test images)")
    print(f"saved {ckpt}, {pngs[0]} and {pngs[1]}")
    return {"test_accuracy": test_acc, "history": history, "pngs": pngs,
            "checkpoint": ckpt, "seconds": seconds}


def _plot_curves(history, args):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(history["train"]) + 1)
    ax.plot(epochs, history["train"], marker="o", label="training loss (shifted images)")
    ax.plot(epochs, history["val"], marker="o", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.set_title("small CNN on scikit-learn digits")
    ax.legend()
    return save_figure(fig, args, "loss.png")


def _plot_filters(model, args):
    """The first convolution's 3x3 filters: edge and stroke detectors after training."""
    plt = pyplot()
    w = model[0].weight.detach().numpy()[:, 0]
    cols = 8
    fig, axes = plt.subplots(len(w) // cols, cols, figsize=(cols * 0.9, len(w) // cols * 0.9))
    for ax, f in zip(axes.ravel(), w):
        lim = np.abs(f).max()
        ax.imshow(f, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("first-layer 3x3 filters (red +, blue -)")
    return save_figure(fig, args, "filters.png")


if __name__ == "__main__":
    main()
