"""Convolution and pooling window code on the GPU: the per-kernel-offset loops (one small
kernel per offset, the host path run on CuPy arrays) against the one-kernel versions of
autograd/ops/window.py, at LeNet's sizes (batch 64) and one larger layer.

    PYTHONPATH=. python benchmarks/window_kernels.py [--repeat 200]
    PYTHONPATH=. python benchmarks/window_kernels.py --device cpu --repeat 2  # smoke test

Prints per-call milliseconds (median of rounds of --repeat calls between two device
synchronisations) and checks that both versions agree.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import autograd as ag
from autograd import backend
from autograd.ops import pooling as P
from autograd.ops import window as W
from autograd.tensor import _make

CASES = [  # (name, input shape, kernel, stride, padding)
    ("lenet pool1", (64, 6, 24, 24), (2, 2), (2, 2), (0, 0)),
    ("lenet pool2", (64, 16, 8, 8), (2, 2), (2, 2), (0, 0)),
    ("3x3/2 pad 1", (32, 64, 56, 56), (3, 3), (2, 2), (1, 1)),
]
CONVS = [  # (name, input shape, kernel)
    ("lenet conv1 col2im", (64, 1, 28, 28), (5, 5)),
    ("lenet conv2 col2im", (64, 6, 12, 12), (5, 5)),
    ("3x3 pad 1 col2im", (32, 64, 28, 28), (3, 3)),
]


def _sync():
    if ag.cuda.is_available():
        ag.cuda.synchronize()


def _time(fn, repeat, rounds=5):
    fn()
    _sync()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        _sync()
        times.append((time.perf_counter() - start) / repeat * 1e3)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    dev = args.device
    if dev == "cuda" and not ag.cuda.is_available():
        raise SystemExit("window_kernels: needs a GPU (CuPy); --device cpu for a smoke test")
    print(f"{'case':24} {'loops ms':>9} {'kernel ms':>9} {'speed-up':>8}")
    for name, shape, k, s, p in CASES:
        x = ag.randn(*shape, device=dev)
        geo = W._Geo(shape[2:], k, s, tuple((q, q) for q in p), (1, 1), 1,
                     tuple((n + 2 * q - kk) // ss + 1 for n, kk, ss, q in zip(shape[2:], k, s, p)))
        ctx = type("Ctx", (), {})()
        best = P.MaxPool2dFn.forward(ctx, x, geo)
        ref, arg_loop = P._max_pool_offsets(x.array, geo)
        assert np.array_equal(backend.to_host(best), backend.to_host(ref))
        arg = ctx.args[0]
        g = ag.randn(*best.shape, device=dev).array
        for label, loop, kernel in (
                ("max_pool fwd", lambda: P._max_pool_offsets(x.array, geo),
                 lambda: P.MaxPool2dFn.forward(ctx, x, geo)),
                ("max_pool bwd", lambda: P._max_pool_backward_offsets(g, arg_loop, geo, shape),
                 lambda: P._MaxPoolBackward.forward(ctx, _make(g), arg, geo, shape))):
            a, b = _time(loop, args.repeat), _time(kernel, args.repeat)
            print(f"{name + ' ' + label:24} {a:9.4f} {b:9.4f} {a / b:7.1f}x")
    for name, shape, k in CONVS:
        geo = W._geometry(shape[2:], k, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, "bench")
        cols = ag.randn(shape[0], shape[1] * k[0] * k[1],
                        geo.out_hw[0] * geo.out_hw[1], device=dev).array
        ref = W._col2im_offsets(cols, geo, shape)
        got = W._col2im(cols, geo, shape)
        err = float(np.abs(backend.to_host(ref - got)).max())
        assert err < 1e-4, err
        a = _time(lambda: W._col2im_offsets(cols, geo, shape), args.repeat)
        b = _time(lambda: W._col2im(cols, geo, shape), args.repeat)
        print(f"{name:24} {a:9.4f} {b:9.4f} {a / b:7.1f}x")


if __name__ == "__main__":
    main()
