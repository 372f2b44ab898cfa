"""Shared benchmark plumbing: run each framework in its own process, with a given number
of BLAS/OpenMP threads, and report medians over rounds."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS")


def median_time(fn, rounds: int, repeat: int = 1, warmup: int = 3) -> float:
    """Median seconds per call of fn over `rounds` rounds of `repeat` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append((time.perf_counter() - t0) / repeat)
    return statistics.median(times)


def run_child(script: str, role: str, threads: int, extra: list[str] | None = None,
              timeout: float | None = None) -> dict:
    """Run `script --child role` in a fresh process limited to `threads` threads; the
    child prints one JSON line with its results. A child still running after `timeout`
    seconds is killed and reported as failed (RuntimeError)."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["EMBER_BENCH_THREADS"] = str(threads)
    root = os.path.dirname(os.path.dirname(os.path.abspath(script)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, script, "--child", role] + (extra or [])
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False,
                             timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (
            exc.stderr or "")
        raise RuntimeError(f"{role} child timed out after {timeout:g} s:\n{err}") from None
    if out.returncode != 0:
        raise RuntimeError(f"{role} child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_threads() -> int:
    n = int(os.environ.get("EMBER_BENCH_THREADS", "1"))
    try:
        import torch
        torch.set_num_threads(n)
    except ImportError:
        pass
    return n


def emit(result: dict) -> None:
    print(json.dumps(result))


def compare(script: str, roles, threads: int, extra: list[str] | None = None,
            repeats: int = 3) -> dict:
    """Run each role's child `repeats` times, interleaved (ember, torch, ember, ...), so
    that a burst of load on a shared machine hits every framework alike; each numeric
    result is the median over the repeats."""
    runs = {role: [] for role in roles}
    for _ in range(repeats):
        for role in roles:
            runs[role].append(run_child(script, role, threads, extra))
    return {role: {key: statistics.median(r[key] for r in results)
                   for key in results[0]}
            for role, results in runs.items()}


def parse_args(doc: str, child) -> argparse.Namespace | None:
    """The common command line (--rounds, --repeats, and --child for the per-framework
    processes). In a child process this runs `child(role, rounds)` and returns None."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3, help="interleaved child runs each")
    p.add_argument("--child", default=None)
    args = p.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return None
    return args
