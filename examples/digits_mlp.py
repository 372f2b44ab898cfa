"""Train an MLP on the handwritten digits that ship with scikit-learn (8x8 images, 10
classes) and report its accuracy on a held-out test split.

    python examples/digits_mlp.py [--epochs 60] [--quick] [--out runs/digits_mlp] [--device cuda]

Everything a real training run has: a train/validation/test split, mini-batches from a
DataLoader, Adam with a learning-rate schedule, early stopping on the validation loss
(restoring the best weights), a tqdm progress bar with one line per epoch (training loss,
validation loss and accuracy, seconds), a checkpoint in the safetensors format and a PNG
of the loss curves. --quick trains 5 epochs.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from _common import one_blas_thread, parse_args, progress, say  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402


def load_digits(seed: int, device: str = "cpu"):
    """Standardised 64-pixel images and labels, split 70/15/15."""
    from sklearn.datasets import load_digits as sk_digits
    data = sk_digits()
    x = data.data.astype(np.float32) / 16.0
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    n_train, n_val = int(0.7 * len(x)), int(0.15 * len(x))
    mean, std = x[:n_train].mean(0), x[:n_train].std(0) + 1e-6
    x = (x - mean) / std
    split = np.split(np.arange(len(x)), [n_train, n_train + n_val])
    return [(ag.tensor(x[i], device=device), ag.tensor(y[i], device=device)) for i in split]


def accuracy(model, x, y) -> float:
    model.eval()
    with ag.no_grad():
        pred = model(x).argmax(dim=1)
    model.train()
    return float((pred == y).float().mean().item())


@one_blas_thread  # small matrices: extra BLAS threads only spin on a busy machine
def main(argv=None) -> float:
    def extra(p):
        p.add_argument("--epochs", type=int, default=60)
        p.add_argument("--batch-size", type=int, default=64)
        p.add_argument("--lr", type=float, default=2e-3)
        p.add_argument("--patience", type=int, default=10)
        p.add_argument("--device", default="cpu",
                       help='"cpu", or "cuda" (needs CuPy and a GPU)')
    args = parse_args("digits_mlp", "Train an MLP on scikit-learn's digits.", argv, extra)
    if args.quick:
        args.epochs = min(args.epochs, 5)

    ag.manual_seed(args.seed)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = load_digits(args.seed, args.device)
    loader = nn.data.DataLoader(nn.data.TensorDataset(x_train, y_train),
                                batch_size=args.batch_size, shuffle=True)
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    ).to(args.device)
    opt = nn.optim.Adam(model.parameters(), lr=args.lr)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    stopper = nn.utils.EarlyStopping(patience=args.patience, mode="min",
                                     restore_best_weights=True)
    history = {"train": [], "val": []}
    start = time.perf_counter()
    # one bar over the epochs stays on screen; each epoch's line is printed above it
    for epoch in progress(range(args.epochs), args, "epochs", leave=True):
        epoch_start = time.perf_counter()
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            count += len(xb)
        sched.step()
        model.eval()
        with ag.no_grad():
            val_loss = F.cross_entropy(model(x_val), y_val).item()
        model.train()
        history["train"].append(total / count)
        history["val"].append(val_loss)
        say(f"epoch {epoch + 1:3d}/{args.epochs}: train loss {history['train'][-1]:.4f}, "
            f"validation loss {val_loss:.4f}, validation accuracy "
            f"{accuracy(model, x_val, y_val):.3f}, {time.perf_counter() - epoch_start:.2f} s")
        if stopper.step(val_loss, model):
            say(f"early stop after epoch {epoch + 1} (best validation loss "
                  f"{stopper.best:.4f})")
            break
    if stopper.restore_best_weights:
        stopper.restore(model)
    seconds = time.perf_counter() - start

    test_acc = accuracy(model, x_test, y_test)
    ckpt = os.path.join(args.out, "model.safetensors")
    nn.utils.save(model.state_dict(), ckpt)
    plot = os.path.join(args.out, "loss.png")
    _plot(history, plot)
    print(f"trained {len(history['train'])} epochs in {seconds:.1f} s; "
          f"validation accuracy {accuracy(model, x_val, y_val):.3f}")
    print(f"test accuracy: {test_acc:.4f}")
    print(f"saved {ckpt} and {plot}")
    return test_acc


def _plot(history, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no loss plot (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(history["train"]) + 1)
    ax.plot(epochs, history["train"], label="training loss")
    ax.plot(epochs, history["val"], label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.set_title("MLP on scikit-learn digits")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
