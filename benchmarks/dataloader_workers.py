"""DataLoader worker processes: how much they save when reading a sample is slow, and
what moving a batch from a worker costs.

    python benchmarks/dataloader_workers.py [--rounds 5] [--workers 0 1 2] [--work sleep]

1. An epoch of a dataset whose __getitem__ costs about 1 ms (`--work sleep`: time.sleep,
   like waiting for a disk; `--work cpu`: a fixed loop of Python arithmetic taking 1 ms on
   an idle core, which needs a free core per worker), 256 samples of 3x32x32 float32 in
   batches of 32, with 0, 1 and 2 workers; Ember beside PyTorch, each in its own process.
   "fresh": workers start anew each epoch (the default), their start-up included;
   "persistent": persistent_workers=True, the steady state.
2. Moving big batches (32x3x224x224 float32, 19 MB) from one worker whose samples cost
   nothing: Ember through shared memory (/dev/shm) and through the pickled bytes in the
   queue, PyTorch through its shared memory; milliseconds per batch.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run_child  # noqa: E402

SAMPLES, BATCH, COST_S = 256, 32, 0.001
BIG_SHAPE, BIG_BATCHES = (3, 224, 224), 12


def _spin(loops: int) -> int:
    x = 0
    for i in range(loops):
        x += i * i
    return x


def _loops_per_cost() -> int:
    """How many _spin loops take COST_S on an idle core (the fastest of a few tries), so
    that every sample costs the same work whatever else runs on the machine."""
    loops, best = 10_000, float("inf")
    for _ in range(20):
        t0 = time.perf_counter()
        _spin(loops)
        best = min(best, time.perf_counter() - t0)
    return max(1, int(loops * COST_S / best))


def _datasets(framework: str, work: str):
    import numpy as np
    if framework == "ember":
        import autograd as ag
        from nn import data
        as_tensor, base = ag.from_numpy, data.Dataset
    else:
        import torch
        as_tensor, base = torch.from_numpy, torch.utils.data.Dataset
    if work == "sleep":
        wait = time.sleep
    else:
        loops = _loops_per_cost()

        def wait(_seconds):
            _spin(loops)
    rows = np.random.default_rng(0).standard_normal((SAMPLES, 3, 32, 32)).astype(np.float32)
    big = np.random.default_rng(1).standard_normal(BIG_SHAPE).astype(np.float32)

    class Slow(base):
        def __len__(self):
            return SAMPLES

        def __getitem__(self, i):
            wait(COST_S)
            return as_tensor(rows[i]), i

    class Big(base):
        def __len__(self):
            return BATCH * BIG_BATCHES

        def __getitem__(self, i):
            return as_tensor(big)

    return Slow(), Big()


def child(args) -> None:
    framework, transport = args.child, "shm"
    if framework == "ember-pickle":
        framework, transport = "ember", "pickle"
    if framework == "ember":
        from nn import data
        from nn.data import _shared
        if transport == "pickle":
            _shared.shm_available = lambda: False
        loader_cls = data.DataLoader
    else:
        import torch
        torch.set_num_threads(1)
        loader_cls = torch.utils.data.DataLoader
    slow, big = _datasets(framework, args.work)
    out = {}
    if transport == "shm":
        for n, persistent in [(n, p) for n in args.workers for p in (False, True)
                              if n > 0 or not p]:
            loader = loader_cls(slow, batch_size=BATCH, num_workers=n,
                                persistent_workers=persistent)
            times = []
            for _ in range(args.rounds + 1):  # the first round warms up
                t0 = time.perf_counter()
                for _batch in loader:
                    pass
                times.append(time.perf_counter() - t0)
            out[f"epoch_{n}{'_persistent' if persistent else ''}"] = statistics.median(
                times[1:])
            del loader
    loader = loader_cls(big, batch_size=BATCH, num_workers=1)
    times = []
    for _ in range(args.rounds + 1):
        t0 = time.perf_counter()
        for _batch in loader:
            pass
        times.append((time.perf_counter() - t0) / BIG_BATCHES)
    out["big_batch"] = statistics.median(times[1:])
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--work", choices=("sleep", "cpu"), default="sleep")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    extra = ["--rounds", str(args.rounds), "--work", args.work, "--workers"] + [
        str(n) for n in args.workers]
    res = {name: run_child(__file__, name, 1, extra, timeout=600)
           for name in ("ember", "torch", "ember-pickle")}
    ideal = SAMPLES * COST_S
    print(f"epoch of {SAMPLES} samples at ~{COST_S * 1e3:g} ms each ({args.work}), "
          f"batch {BATCH}; {ideal * 1e3:.0f} ms of sample reads; median of {args.rounds}")
    print("| workers | Ember ms | PyTorch ms | Ember speed-up vs 0 workers |")
    print("|---|---|---|---|")
    for key in res["ember"]:
        if not key.startswith("epoch_"):
            continue
        e, t = res["ember"][key], res["torch"][key]
        n = key.split("_")[1]
        name = n if n == "0" else f"{n}, {'persistent' if 'persistent' in key else 'fresh'}"
        print(f"| {name} | {e * 1e3:.0f} | {t * 1e3:.0f} | "
              f"{res['ember'].get('epoch_0', e) / e:.2f} |")
    mb = BATCH * 4 * BIG_SHAPE[0] * BIG_SHAPE[1] * BIG_SHAPE[2] / 2**20
    print(f"\nbatch of {BATCH}x{'x'.join(map(str, BIG_SHAPE))} float32 ({mb:.0f} MiB) from "
          f"1 worker, ms per batch:")
    print("| Ember, shared memory | Ember, pickled through the queue | PyTorch |")
    print("|---|---|---|")
    print(f"| {res['ember']['big_batch'] * 1e3:.1f} | "
          f"{res['ember-pickle']['big_batch'] * 1e3:.1f} | "
          f"{res['torch']['big_batch'] * 1e3:.1f} |")


if __name__ == "__main__":
    main()
