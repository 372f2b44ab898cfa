"""Per-op overhead: forward + backward of a chain of 200 small ops (16-element float32
tensors), Ember beside PyTorch (CPU), each in its own process, at 1 and 2 threads.

    python benchmarks/op_overhead.py [--rounds 30]

The chain cycles through binary ops with a tensor operand, ops with Python scalars and
unary maths, so it measures what every op pays: graph recording, dispatch, the backward
engine. Plain NumPy running the same forward arithmetic (no graph, no backward) is shown
for scale.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import child_threads, compare, emit, median_time, parse_args  # noqa: E402

N_OPS = 200
SIZE = 16


def chain(x, w, lib):
    """200 ops: 8 kinds in rotation, all differentiable."""
    y = x
    for i in range(N_OPS // 8):
        y = y * w
        y = y + x
        y = y.tanh()
        y = y * 0.5
        y = y - w
        y = y.sigmoid()
        y = 1.5 + y
        y = y / 1.1
    return y


def child(role: str, rounds: int) -> None:
    child_threads()
    if role == "ember":
        import numpy as np

        import autograd as ag
        rng = np.random.default_rng(0)
        x = ag.tensor(rng.standard_normal(SIZE).astype(np.float32), requires_grad=True)
        w = ag.tensor(rng.standard_normal(SIZE).astype(np.float32), requires_grad=True)

        def step():
            chain(x, w, ag).sum().backward()
            x.grad = None
            w.grad = None
    elif role == "torch":
        import torch
        torch.manual_seed(0)
        x = torch.randn(SIZE, requires_grad=True)
        w = torch.randn(SIZE, requires_grad=True)

        def step():
            chain(x, w, torch).sum().backward()
            x.grad = None
            w.grad = None
    else:  # numpy: the same forward arithmetic on bare arrays
        import numpy as np
        rng = np.random.default_rng(0)
        xa = rng.standard_normal(SIZE).astype(np.float32)
        wa = rng.standard_normal(SIZE).astype(np.float32)

        class A:
            __slots__ = ("a",)

            def __init__(self, a):
                self.a = a

        def step():
            y = xa
            for _ in range(N_OPS // 8):
                y = y * wa
                y = y + xa
                y = np.tanh(y)
                y = y * 0.5
                y = y - wa
                y = 1 / (1 + np.exp(-y))
                y = 1.5 + y
                y = y / 1.1
            return y.sum()
    t = median_time(step, rounds, repeat=5)
    emit({"per_op_us": t / N_OPS * 1e6})


def main() -> None:
    args = parse_args(__doc__, child)
    if args is None:
        return
    print(f"chain of {N_OPS} ops on {SIZE}-element float32 tensors, forward + backward; "
          f"median of {args.rounds} rounds per process, median of {args.repeats} "
          "interleaved processes")
    print(f"{'threads':>7} {'ember us/op':>12} {'torch us/op':>12} {'ratio':>7} "
          f"{'numpy fwd us/op':>16}")
    for threads in (1, 2):
        res = compare(__file__, ("ember", "torch", "numpy"), threads,
                      ["--rounds", str(args.rounds)], repeats=args.repeats)
        e, t, n = (res[r]["per_op_us"] for r in ("ember", "torch", "numpy"))
        print(f"{threads:>7} {e:>12.2f} {t:>12.2f} {e / t:>7.2f} {n:>16.2f}")


if __name__ == "__main__":
    main()
