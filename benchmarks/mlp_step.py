"""One training step of a 784-512-512-10 ReLU MLP in float32 (forward, cross-entropy,
backward, SGD), at batch 32 and 256: Ember beside PyTorch (CPU) and beside the same
maths written directly in NumPy, each in its own process, at 1 and 2 threads.

    python benchmarks/mlp_step.py [--rounds 30]

Also reports the peak memory allocated during one step (tracemalloc for Ember and
NumPy, whose arrays it sees; PyTorch's own allocator via its profiler).
"""
from __future__ import annotations

import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import child_threads, compare, emit, median_time, parse_args  # noqa: E402

SIZES = (784, 512, 512, 10)
LR = 0.01


def _data(batch):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch).astype(np.int64)
    return x, y


def ember_step(batch):
    import autograd as ag
    import nn
    import nn.functional as F
    ag.manual_seed(0)
    x, y = (ag.tensor(a) for a in _data(batch))
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = nn.optim.SGD(model.parameters(), lr=LR)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    step.reset = opt.zero_grad  # drop the last step's gradients before measuring memory
    return step


def torch_step(batch):
    import torch
    torch.manual_seed(0)
    x, y = (torch.from_numpy(a) for a in _data(batch))
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    step.reset = opt.zero_grad
    return step


def numpy_step(batch, momentum=0.0):
    """The same step written by hand: what the maths costs with no framework at all
    (SGD, with PyTorch's momentum rule when `momentum` is given)."""
    import numpy as np
    x, y = _data(batch)
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append([rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       rng.uniform(-bound, bound, fan_out).astype(np.float32)])
    rows = np.arange(batch)
    bufs = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params] if momentum else None

    def step():
        acts = [x]
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        # cross-entropy of log_softmax
        shifted = h - h.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        probs = e / e.sum(axis=1, keepdims=True)
        _loss = -np.log(probs[rows, y]).mean()
        g = probs
        g[rows, y] -= 1
        g /= batch
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            a = acts[i]
            gw = g.T @ a
            gb = g.sum(axis=0)
            if i > 0:
                g = g @ w
                g *= acts[i] > 0
            if momentum:
                bw, bb = bufs[i]
                bw *= momentum
                bw += gw
                bb *= momentum
                bb += gb
                gw, gb = bw, bb
            w -= LR * gw
            b -= LR * gb
    step.reset = lambda: None
    return step


def _peak_bytes_traced(step) -> int:
    """Peak bytes allocated during one step, from a state without gradients."""
    tracemalloc.start()
    step()
    step.reset()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def _peak_bytes_torch(step) -> int:
    """Peak bytes allocated during one step by PyTorch's CPU allocator, replayed from
    each allocation and free the profiler saw, in time order. (Summing each op event's
    self memory in order of the events' start times is wrong: a node's frees at the end
    of `evaluate_function` would count before its children's allocations.)"""
    from torch._C._profiler import _EventType
    from torch.profiler import ProfilerActivity, profile
    step()
    step.reset()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    sizes = []  # (time, bytes: negative for a free)

    def walk(events):
        for ev in events:
            if ev.tag == _EventType.Allocation:
                sizes.append((ev.start_time_ns, ev.extra_fields.alloc_size))
            walk(ev.children)
    walk(prof.profiler.kineto_results.experimental_event_tree())
    current = peak = 0
    for _, size in sorted(sizes, key=lambda s: s[0]):
        current += size
        peak = max(peak, current)
    return peak


def child(role: str, rounds: int) -> None:
    child_threads()
    out = {}
    for batch in (32, 256):
        step = {"ember": ember_step, "torch": torch_step, "numpy": numpy_step}[role](batch)
        out[f"ms_{batch}"] = median_time(step, rounds) * 1e3
        out[f"mb_{batch}"] = (_peak_bytes_torch(step) if role == "torch" else
                              _peak_bytes_traced(step)) / 2**20
    emit(out)


def main() -> None:
    args = parse_args(__doc__, child)
    if args is None:
        return
    print(f"MLP {'-'.join(map(str, SIZES))} float32 training step; median of {args.rounds} "
          f"rounds per process, median of {args.repeats} interleaved processes")
    print(f"{'threads':>7} {'batch':>5} {'ember ms':>9} {'torch ms':>9} {'numpy ms':>9} "
          f"{'vs torch':>9} {'vs numpy':>9} {'ember MB':>9} {'torch MB':>9} {'numpy MB':>9}")
    for threads in (1, 2):
        res = compare(__file__, ("ember", "torch", "numpy"), threads,
                      ["--rounds", str(args.rounds)], repeats=args.repeats)
        for batch in (32, 256):
            e, t, n = (res[r][f"ms_{batch}"] for r in ("ember", "torch", "numpy"))
            me, mt, mn = (res[r][f"mb_{batch}"] for r in ("ember", "torch", "numpy"))
            print(f"{threads:>7} {batch:>5} {e:>9.3f} {t:>9.3f} {n:>9.3f} {e / t:>9.2f} "
                  f"{e / n:>9.2f} {me:>9.2f} {mt:>9.2f} {mn:>9.2f}")


if __name__ == "__main__":
    main()
