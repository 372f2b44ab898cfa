"""Compiled steps: Ember compiled (autograd.compile) beside Ember eager, PyTorch eager and
torch.compile (where it runs here), each in its own process at 1 thread, medians over
rounds (and over interleaved repeats of the processes).

    python benchmarks/compile_step.py [--rounds 30] [--repeats 3]

Workloads: a 200-op elementwise chain, forward + backward (64 elements); one SGD step of
a 784-512-512-10 ReLU MLP at batch 32; one SGD step of a LeNet (conv, max-pool, linear)
at batch 64. Each step is compiled whole: zero_grad, forward, backward, step. The MLP step
is also written by hand in NumPy (mlp_step.py's, with the same momentum): what the maths
costs with no framework.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import statistics  # noqa: E402

from _harness import child_threads, emit, median_time, parse_args, run_child  # noqa: E402

ROLES = ("ember_eager", "ember_compiled", "torch_eager", "torch_compiled", "numpy")
WORKLOADS = ("chain200", "mlp_b32", "lenet_b64")


def _data(shape, classes):
    import numpy as np
    rng = np.random.default_rng(0)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.integers(0, classes, shape[0]).astype(np.int64))


def _build(lib, nn, workload):
    """(step function, its inputs) for `lib` (autograd or torch) and its `nn`."""
    F = nn.functional
    lib.manual_seed(0)
    if workload == "chain200":
        a = lib.ones(64, requires_grad=True)

        def chain(a):
            a.grad = None
            h = a
            for _ in range(100):
                h = h * 1.0001
                h = h + 0.001
            h.sum().backward()
            return a.grad
        return chain, (a,)
    if workload == "mlp_b32":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10))
        x, y = _data((32, 784), 10)
    else:
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84),
                              nn.ReLU(), nn.Linear(84, 10))
        x, y = _data((64, 1, 28, 28), 10)
    opt = (nn.optim if hasattr(nn, "optim") else lib.optim).SGD(model.parameters(), lr=0.01,
                                                               momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step, (lib.tensor(x), lib.tensor(y))


def child(role: str, rounds: int) -> None:
    child_threads()
    out = {}
    if role == "numpy":
        from mlp_step import numpy_step
        emit({"mlp_b32": median_time(numpy_step(32, momentum=0.9), rounds, warmup=5)})
        return
    for workload in WORKLOADS:
        if role.startswith("ember"):
            import autograd as lib
            import nn
        else:
            import torch as lib
            nn = lib.nn
        fn, inputs = _build(lib, nn, workload)
        if role.endswith("compiled"):
            try:
                fn = lib.compile(fn)
                fn(*inputs)
            except Exception as e:  # noqa: BLE001 - torch.compile needs a C compiler here
                out[workload] = None
                out[workload + "_error"] = f"{type(e).__name__}: {str(e)[:80]}"
                continue
        out[workload] = median_time(lambda: fn(*inputs), rounds, warmup=5)
    emit(out)


def main() -> None:
    args = parse_args(__doc__, child)
    if args is None:
        return
    res = {}
    runs = {r: [] for r in ROLES}
    for _ in range(args.repeats):
        for role in ROLES:
            try:
                runs[role].append(run_child(__file__, role, 1, ["--rounds", str(args.rounds)],
                                            timeout=900))
            except RuntimeError as e:
                print(f"{role}: {str(e).splitlines()[0]}", file=sys.stderr)
    for role, rs in runs.items():
        res[role] = {}
        for w in WORKLOADS:
            vals = [r[w] for r in rs if r.get(w) is not None]  # numpy: mlp_b32 only
            res[role][w] = statistics.median(vals) if vals else None
    print(f"{'workload':<12}" + "".join(f"{r:>16}" for r in ROLES) +
          "   compiled/torch eager   compiled/numpy")
    for w in WORKLOADS:
        cells = []
        for r in ROLES:
            v = res[r][w]
            cells.append(f"{v * 1e3:>13.3f} ms" if v else f"{'n/a':>16}")
        ratio = (res["ember_compiled"][w] / res["torch_eager"][w]
                 if res["ember_compiled"][w] and res["torch_eager"][w] else float("nan"))
        vs_np = (res["ember_compiled"][w] / res["numpy"][w]
                 if res["ember_compiled"][w] and res["numpy"][w] else float("nan"))
        print(f"{w:<12}" + "".join(cells) + f"   {ratio:.2f}x{'':>20}{vs_np:.2f}x")


if __name__ == "__main__":
    main()
