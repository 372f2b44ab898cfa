"""Optimiser steps on the host: `opt.step()` alone, for the parameters of a 784-512-512-10
MLP (669,706 float32 values, 2.6 MB: more than one core's L2), gradients fixed.

    python benchmarks/optim_step.py [--rounds 30] [--repeats 3]

Ember and PyTorch (its default single-tensor CPU path) each run in their own process, at 1
and at 2 threads, medians over rounds and over interleaved processes. The NumPy column is
the same maths written the plain way (whole-array expressions, one parameter at a time):
SGD with momentum and Adam only.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import child_threads, compare, emit, median_time, parse_args  # noqa: E402

SIZES = (784, 512, 512, 10)
OPTIMS = {"SGD": {"lr": 0.01, "momentum": 0.9}, "Adam": {"lr": 1e-3},
          "AdamW": {"lr": 1e-3}, "RMSprop": {"lr": 1e-3}, "Adagrad": {"lr": 1e-2}}


def _arrays():
    """The parameters and their gradients (the same values for every framework)."""
    import numpy as np
    rng = np.random.default_rng(0)
    shapes = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        shapes += [(fan_out, fan_in), (fan_out,)]
    return [(rng.standard_normal(s).astype(np.float32) * 0.05,
             rng.standard_normal(s).astype(np.float32) * 0.01) for s in shapes]


def _framework_step(lib, optim, name):
    params = []
    for w, g in _arrays():
        p = lib.tensor(w, requires_grad=True)
        p.grad = lib.tensor(g)
        params.append(p)
    return getattr(optim, name)(params, **OPTIMS[name]).step


def _numpy_step(name):
    """SGD with momentum / Adam as one would write them in NumPy (PyTorch's formulas)."""
    import numpy as np
    pairs = _arrays()
    m = [np.zeros_like(p) for p, _ in pairs]
    v = [np.zeros_like(p) for p, _ in pairs]
    t = [0]

    def sgd():
        for (p, g), buf in zip(pairs, m):
            buf *= 0.9
            buf += g
            p -= 0.01 * buf

    def adam():
        t[0] += 1
        bc1, bc2 = 1 - 0.9 ** t[0], 1 - 0.999 ** t[0]
        for (p, g), a, s in zip(pairs, m, v):
            a += 0.1 * (g - a)
            s *= 0.999
            s += 0.001 * (g * g)
            p -= (1e-3 / bc1) * (a / (np.sqrt(s) / np.sqrt(bc2) + 1e-8))
    return {"SGD": sgd, "Adam": adam}.get(name)


def child(role: str, rounds: int) -> None:
    child_threads()
    out = {}
    for name in OPTIMS:
        if role == "numpy":
            step = _numpy_step(name)
        elif role == "ember":
            import autograd
            import nn
            step = _framework_step(autograd, nn.optim, name)
        else:
            import torch
            step = _framework_step(torch, torch.optim, name)
        if step is not None:
            out[name] = median_time(step, rounds, warmup=5) * 1e6
    emit(out)


def main() -> None:
    args = parse_args(__doc__, child)
    if args is None:
        return
    print(f"opt.step() on a {'-'.join(map(str, SIZES))} MLP's parameters (float32); "
          f"median us of {args.rounds} rounds, median of {args.repeats} processes")
    print(f"{'threads':>7} {'optimiser':>9} {'ember us':>9} {'torch us':>9} {'numpy us':>9} "
          f"{'vs torch':>9} {'vs numpy':>9}")
    for threads in (1, 2):
        res = compare(__file__, ("ember", "torch", "numpy"), threads,
                      ["--rounds", str(args.rounds)], repeats=args.repeats)
        for name in OPTIMS:
            e, t = res["ember"][name], res["torch"][name]
            n = res["numpy"].get(name)
            n_us, vs_n = ("", "") if n is None else (f"{n:.0f}", f"{e / n:.2f}")
            print(f"{threads:>7} {name:>9} {e:>9.0f} {t:>9.0f} {n_us:>9} {e / t:>9.2f} "
                  f"{vs_n:>9}")


if __name__ == "__main__":
    main()
