"""Data-parallel scaling on this machine: steps per second of one training step of a
784-512-512-10 MLP (float32, batch 64 per rank, Adam) without DDP, with DDP on 1 rank and
with DDP on 2 ranks (mpirun), one BLAS thread per rank; and the share of the step time
spent in communication.

    python benchmarks/ddp_scaling.py [--rounds 20] [--ranks 1 2] [--bucket-mb 25]

"comm exposed" is the time a step spends launching all-reduces and blocked waiting for
them (what overlap could not hide); "comm alone" is the time the same all-reduces take
back to back with nothing else running, as a share of the step.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import THREAD_VARS, median_time  # noqa: E402

SIZES = (784, 512, 512, 10)
BATCH = 64


def child(args):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import numpy as np

    import autograd as ag
    import nn
    import nn.functional as F
    import nn.parallel as dist
    from nn.parallel import distributed

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    group = distributed._default_group()
    spent = [0.0]
    launch = group.all_reduce

    def timed_all_reduce(arr, op):  # count launch and wait time of every all-reduce
        t0 = time.perf_counter()
        work = launch(arr, op)
        spent[0] += time.perf_counter() - t0
        wait = work.wait

        def timed_wait(timeout=None):
            t1 = time.perf_counter()
            out = wait(timeout)
            spent[0] += time.perf_counter() - t1
            return out
        work.wait = timed_wait
        return work
    group.all_reduce = timed_all_reduce

    ag.manual_seed(0)
    layers = []
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    net = nn.Sequential(*layers[:-1])
    model = net if args.plain else dist.DistributedDataParallel(net,
                                                                bucket_cap_mb=args.bucket_mb)
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(rank)
    x = ag.tensor(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    y = ag.tensor(rng.integers(0, SIZES[-1], BATCH))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    dist.barrier()
    spent[0] = 0.0
    t0 = time.perf_counter()
    sec = median_time(step, rounds=args.rounds, repeat=5)
    calls = 5 * (args.rounds + 3 / 5)  # median_time also runs 3 warm-up steps
    comm = spent[0] / (time.perf_counter() - t0) if not args.plain else 0.0
    buckets = [b.flat for b in model._buckets] if not args.plain else []
    alone = 0.0
    if buckets:
        def all_reduces():
            for flat in buckets:
                group.all_reduce(flat, "sum").wait()
        dist.barrier()
        alone = median_time(all_reduces, rounds=args.rounds, repeat=5)
    if rank == 0:
        print(json.dumps({"world": world, "plain": args.plain, "step_s": sec,
                          "comm_exposed": comm, "comm_alone_s": alone,
                          "buckets": len(buckets), "steps": calls}))
    dist.destroy_process_group()


def run(ranks, plain, args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}
    env.update({v: "1" for v in THREAD_VARS})
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--rounds", str(args.rounds),
           "--bucket-mb", str(args.bucket_mb)] + (["--plain"] if plain else [])
    if ranks > 1 or not plain:
        mpirun = shutil.which("mpirun")
        if mpirun is None:
            raise SystemExit("ddp_scaling: needs mpirun (apt-get install openmpi-bin) and mpi4py")
        cmd = [mpirun, "--oversubscribe", "-n", str(ranks)] + cmd
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{ranks} rank(s) failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    p.add_argument("--bucket-mb", type=float, default=25.0)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    print(f"MLP {'-'.join(map(str, SIZES))} float32, batch {BATCH} per rank, Adam, "
          f"1 BLAS thread per rank, {os.cpu_count()} cores, bucket_cap_mb={args.bucket_mb}")
    print(f"{'setup':<18}{'steps/s':>9}{'samples/s':>11}{'comm exposed':>14}"
          f"{'comm alone':>12}{'buckets':>9}")
    rows = [(1, True)] + [(n, False) for n in args.ranks]
    for ranks, plain in rows:
        r = run(ranks, plain, args)
        name = "no DDP, 1 process" if plain else f"DDP, {ranks} rank{'s' * (ranks > 1)}"
        alone = f"{r['comm_alone_s'] / r['step_s']:.1%}" if not plain else "-"
        exposed = f"{r['comm_exposed']:.1%}" if not plain else "-"
        print(f"{name:<18}{1 / r['step_s']:9.1f}{ranks * BATCH / r['step_s']:11.0f}"
              f"{exposed:>14}{alone:>12}{r['buckets']:>9}")


if __name__ == "__main__":
    main()
