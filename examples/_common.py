"""Shared plumbing for the teaching examples: the command line every example accepts
(`--out`, `--quick`, `--seed`, `--no-progress`), seeding, progress bars with a line per
epoch or run printed above them, the scikit-learn digits and saving matplotlib figures
(Agg backend, so no display is needed)."""
from __future__ import annotations

import argparse
import functools
import os
import sys

# the examples run from a checkout without installing the project
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402


def one_blas_thread(main):
    """Run `main` with the BLAS library limited to one thread. The matrices here are small,
    so extra BLAS threads gain little, and on a busy machine their spin-waiting made runs
    up to ten times slower."""
    @functools.wraps(main)
    def wrapper(argv=None):
        try:
            from threadpoolctl import threadpool_limits  # comes with scikit-learn
        except ImportError:
            return main(argv)
        with threadpool_limits(limits=1, user_api="blas"):
            return main(argv)
    return wrapper


def parse_args(name: str, description: str, argv=None, extra=None):
    """The options every example has; `extra(parser)` may add its own."""
    p = argparse.ArgumentParser(prog=f"examples/{name}.py", description=description)
    p.add_argument("--out", default=os.path.join("runs", name),
                   help=f"folder for the PNGs (default: runs/{name})")
    p.add_argument("--quick", action="store_true",
                   help="a seconds-long run with fewer steps (used by the tests)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    if extra is not None:
        extra(p)
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    return args


def seed_all(seed: int) -> np.random.Generator:
    """Seed Ember's generator and return a NumPy generator for the data."""
    ag.manual_seed(seed)
    return np.random.default_rng(seed)


def progress(iterable, args, desc: str, total=None, leave: bool = False):
    """`iterable` wrapped in a tqdm bar unless --no-progress (or tqdm is missing);
    `leave=True` keeps the finished bar on screen."""
    if args.no_progress:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are optional
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=leave, dynamic_ncols=True)


def say(line: str) -> None:
    """Print `line` above any running progress bar (the bar stays intact below it)."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(line, flush=True)
        return
    tqdm.write(line)


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, args, filename: str) -> str:
    """Write `fig` as a PNG into --out, close it and return the path."""
    path = os.path.join(args.out, filename)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot().close(fig)
    return path


def digits(classes=range(10)):
    """scikit-learn's 8x8 digits restricted to `classes`: pixels in [0, 1] (float32),
    labels renumbered 0..len(classes)-1 (int64)."""
    from sklearn.datasets import load_digits
    data = load_digits()
    keep = np.isin(data.target, list(classes))
    x = data.data[keep].astype(np.float32) / 16.0
    lookup = {c: i for i, c in enumerate(classes)}
    y = np.array([lookup[t] for t in data.target[keep]], dtype=np.int64)
    return x, y


def accuracy(model, x, y) -> float:
    """Fraction of rows of `x` whose argmax logit is the label (eval mode, no graph)."""
    was_training = model.training
    model.eval()
    with ag.no_grad():
        pred = model(x).argmax(dim=1)
    model.train(was_training)
    return float((pred == y).float().mean().item())
