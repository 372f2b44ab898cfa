"""LeNet-style training step (batch 64, 1x28x28, cross-entropy, SGD) timed in Ember and in
PyTorch (CPU), each in its own subprocess, at 1 and 2 threads.

    python benchmarks/cnn_step.py [--rounds 7] [--steps 10]

Prints the median milliseconds per step over the rounds and the Ember / PyTorch ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _ember_step():
    import numpy as np

    import autograd as ag
    import nn
    import nn.functional as F

    ag.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 10, 64))
    params = list(model.parameters())
    optim = getattr(nn, "optim", None)
    opt = optim.SGD(params, lr=0.01) if optim is not None else None

    def step():
        loss = F.cross_entropy(model(x), y)
        if opt is not None:
            opt.zero_grad()
            loss.backward()
            opt.step()
        else:  # plain SGD until nn.optim lands
            model.zero_grad()
            loss.backward()
            with ag.no_grad():
                for p in params:
                    p -= 0.01 * p.grad
        return loss
    return step


def _torch_step(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def _child(framework, threads, rounds, steps):
    sys.path.insert(0, ROOT)
    step = _ember_step() if framework == "ember" else _torch_step(threads)
    for _ in range(5):
        step()
    per_step = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        per_step.append((time.perf_counter() - t0) / steps * 1e3)
    print(json.dumps({"ms": statistics.median(per_step), "min": min(per_step)}))


def _run(framework, threads, rounds, steps):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", framework, "--threads",
           str(threads), "--rounds", str(rounds), "--steps", str(steps)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res["ms"], res["min"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--child", choices=["ember", "torch"])
    args = ap.parse_args()
    if args.child:
        return _child(args.child, args.threads[0], args.rounds, args.steps)
    print(f"LeNet training step, batch 64, median of {args.rounds} rounds x {args.steps} steps")
    print("(min over rounds in brackets: a busy machine inflates the medians, most of all "
          "at 2 threads, where BLAS threads wait on each other)")
    print(f"{'threads':>7}  {'Ember ms':>15}  {'PyTorch ms':>15}  {'ratio':>6}")
    for n in args.threads:
        e, e_min = _run("ember", n, args.rounds, args.steps)
        t, t_min = _run("torch", n, args.rounds, args.steps)
        print(f"{n:>7}  {e:>7.2f} [{e_min:>5.2f}]  {t:>7.2f} [{t_min:>5.2f}]  {e / t:>6.2f}")


if __name__ == "__main__":
    main()
