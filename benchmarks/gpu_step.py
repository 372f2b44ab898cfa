"""One float32 training step on the GPU (forward, cross-entropy, zero_grad, backward, SGD
step) for an MLP 784-2048-2048-10 (ReLU, batch 1024) and the LeNet of cnn_step.py (batch
64): Ember on "cuda" (CuPy) beside PyTorch CUDA, each framework in its own process.

    PYTHONPATH=. python benchmarks/gpu_step.py [--quick] [--json PATH]
    PYTHONPATH=. python benchmarks/gpu_step.py --device cpu --quick   # smoke test, no GPU

Timing: warm-up steps first (CuPy compiles each kernel on its first use; the first step
is timed apart), then rounds of --steps steps between two device synchronisations
(autograd.cuda.synchronize() / torch.cuda.synchronize()): the figure is the median over
rounds of the round's time / steps, so the host may run ahead of the GPU as in a training
loop. "sync ms" is the median of single steps each followed by a synchronisation, "host
ms" the time to issue a round's steps before its final synchronisation, per step.
Peak memory: the most bytes allocated above the starting state during one step started
without gradients (torch.cuda.max_memory_allocated; for Ember a hook on CuPy's default
memory pool). Plain float32 on both sides: both children run with NVIDIA_TF32_OVERRIDE=0
and CUPY_TF32=0, and PyTorch's float32 matmul and cuDNN precision is set to 'ieee'
(allow_tf32 False), so every matmul is cuBLAS SGEMM without TF32 tensor cores.
Ember's host synchronisations inside one step are listed (where CuPy's sync detection
hook exists). Target (issue 8): Ember's MLP step within 1.5x of PyTorch's.

--device cpu runs the same code on NumPy / PyTorch CPU at tiny sizes (a smoke test of the
children, not a benchmark). With --quick (1 process per framework, few rounds) a GPU run
takes about a minute; the default (3 interleaved processes per framework) stops adding
processes when its time budget (--budget seconds) would run out.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, run_child  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = ("ember", "torch")
MODELS = ("mlp", "lenet")
LR = 0.01
LENET_BATCH = 64  # cnn_step.py's batch size
# (MLP layer sizes, MLP batch, LeNet batch) per device; the CPU ones are a smoke test only
SIZES = {"cuda": ((784, 2048, 2048, 10), 1024, LENET_BATCH),
         "cpu": ((784, 256, 256, 10), 64, 16)}
MLP_TARGET = 1.5
# warmup, rounds, steps per round, single synchronised steps, processes per framework,
# seconds per child process, seconds for the whole run
MODES = {
    "quick": dict(warmup=5, rounds=5, steps=10, sync_steps=10, repeats=1, timeout=100,
                  budget=90),
    "full": dict(warmup=10, rounds=15, steps=20, sync_steps=30, repeats=3, timeout=150,
                 budget=170),
    "cpu": dict(warmup=2, rounds=3, steps=3, sync_steps=3, repeats=1, timeout=120,
                budget=120),
}


class _Skip(Exception):
    """This framework cannot run on the requested device here."""


def _no_sync():
    pass


def _data(batch, feature_shape, n_classes):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch,) + feature_shape).astype(np.float32)
    y = rng.integers(0, n_classes, batch).astype(np.int64)
    return x, y


def _mlp(nn, sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(fan_in, fan_out))
    return nn.Sequential(*layers)


def _lenet(nn):
    """The network of cnn_step.py (Ember's nn and torch.nn spell it the same)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _problem(nn, name, device):
    """(model, numpy inputs, numpy targets, description) for one benchmark model."""
    sizes, mlp_batch, lenet_batch = SIZES[device]
    if name == "mlp":
        x, y = _data(mlp_batch, (sizes[0],), sizes[-1])
        return _mlp(nn, sizes), x, y, {"sizes": list(sizes), "batch": mlp_batch}
    x, y = _data(lenet_batch, (1, 28, 28), 10)
    return _lenet(nn), x, y, {"batch": lenet_batch}


# ----------------------------------------------------------------------------- Ember
class _Ember:
    def __init__(self, device):
        import autograd as ag
        import nn
        import nn.functional as F
        self.ag, self.nn, self.F, self.device = ag, nn, F, device
        self.cp = None
        self.sync = _no_sync
        if device == "cuda":
            if importlib.util.find_spec("cupy") is None:
                raise _Skip("CuPy is not installed, so Ember has no 'cuda' device here")
            if not ag.cuda.is_available():
                raise _Skip("CuPy is installed but autograd.cuda.is_available() is False "
                            "(no usable GPU or CUDA runtime)")
            import cupy  # the benchmark (not the library) reads CuPy's memory pool
            self.cp = cupy
            self.sync = ag.cuda.synchronize

    def env(self):
        import numpy as np
        info = {"framework": "Ember", "numpy": np.__version__, "python": platform.python_version(),
                "device": "cpu (NumPy)"}
        if self.cp is not None:
            cp = self.cp
            info["cupy"] = cp.__version__
            try:
                props = cp.cuda.runtime.getDeviceProperties(0)
                name = props["name"]
                info["device"] = name.decode() if isinstance(name, bytes) else str(name)
                info["cuda_runtime"] = cp.cuda.runtime.runtimeGetVersion()
            except Exception as exc:  # informative only
                info["device"] = f"cuda (name unavailable: {exc})"
            info["float32"] = (f"CuPy cuBLAS SGEMM, CUPY_TF32={os.environ.get('CUPY_TF32')}, "
                               f"NVIDIA_TF32_OVERRIDE={os.environ.get('NVIDIA_TF32_OVERRIDE')}")
        return info

    def build(self, name):
        ag, nn, F = self.ag, self.nn, self.F
        ag.manual_seed(0)
        model, x, y, desc = _problem(nn, name, self.device)
        model.to(self.device)
        x = ag.tensor(x, device=self.device)
        y = ag.tensor(y, device=self.device)
        opt = nn.optim.SGD(model.parameters(), lr=LR)

        def step():
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
        return step, opt.zero_grad, desc

    def memory(self, step, reset):
        if self.cp is None:
            return {}
        cp = self.cp
        base = getattr(cp.cuda, "MemoryHook", None)
        if base is None:
            from cupy.cuda import memory_hook
            base = memory_hook.MemoryHook

        class PeakHook(base):
            """Bytes handed out by the pool above the starting state, and their peak."""
            name = "gpu_step_peak"

            def __init__(self):
                self.current = self.peak = 0

            def malloc_postprocess(self, **kw):
                if kw.get("mem_ptr"):
                    self.current += kw["mem_size"]
                    self.peak = max(self.peak, self.current)

            def free_postprocess(self, **kw):
                self.current -= kw["mem_size"]

        step()
        reset()
        self.sync()
        hook = PeakHook()
        with hook:
            step()
            self.sync()
        pool = cp.get_default_memory_pool()
        return {"peak_mb": hook.peak / 2**20, "pool_used_mb": pool.used_bytes() / 2**20,
                "pool_total_mb": pool.total_bytes() / 2**20}

    def host_syncs(self, step, reset):
        """Where one step makes the host wait for the GPU: CuPy declares every
        synchronisation (device sync, device-to-host copy such as bool() or .item() of a
        GPU array) to its sync-detection module; record those calls for one step."""
        if self.cp is None:
            return None
        try:
            from cupy._core import syncdetect
            original = syncdetect._declare_synchronize
        except (ImportError, AttributeError):
            return {"unavailable": "this CuPy has no sync detection hook"}
        counts = {}

        def record():
            where = "outside Ember"
            for frame in reversed(traceback.extract_stack()[:-1]):
                path = os.path.abspath(frame.filename)
                rel = os.path.relpath(path, ROOT)
                if rel.split(os.sep)[0] in ("autograd", "nn"):
                    where = f"{rel}:{frame.lineno} {frame.name}"
                    break
            counts[where] = counts.get(where, 0) + 1
            return original()

        reset()
        self.sync()
        syncdetect._declare_synchronize = record
        try:
            self.cp.zeros(1).get()  # a known synchronisation: is the hook called at all?
            if not counts:
                return {"unavailable": "this CuPy does not call its sync detection hook"}
            counts.clear()
            step()
        finally:
            syncdetect._declare_synchronize = original
        self.sync()
        return counts


# ----------------------------------------------------------------------------- PyTorch
class _Torch:
    def __init__(self, device):
        if importlib.util.find_spec("torch") is None:
            raise _Skip("PyTorch is not installed")
        import torch
        self.torch, self.device = torch, device
        self.sync = _no_sync
        self.precision = None
        torch.set_num_threads(int(os.environ.get("EMBER_BENCH_THREADS", "1")))
        if device == "cuda":
            if not torch.cuda.is_available():
                raise _Skip(f"torch {torch.__version__} has no usable CUDA device "
                            "(torch.cuda.is_available() is False)")
            try:
                self.precision = _torch_plain_float32(torch)
            except Exception as exc:  # NVIDIA_TF32_OVERRIDE=0 still holds
                self.precision = (f"TF32 flags not set ({_describe(exc)}); "
                                  f"NVIDIA_TF32_OVERRIDE={os.environ.get('NVIDIA_TF32_OVERRIDE')}")
            self.sync = torch.cuda.synchronize

    def env(self):
        torch = self.torch
        info = {"framework": "PyTorch", "torch": torch.__version__,
                "python": platform.python_version(), "device": "cpu"}
        if self.device == "cuda":
            info["device"] = torch.cuda.get_device_name(0)
            info["cuda"] = torch.version.cuda
            info["cudnn"] = torch.backends.cudnn.version()
            info["float32"] = self.precision
        return info

    def build(self, name):
        torch = self.torch
        torch.manual_seed(0)
        model, x, y, desc = _problem(torch.nn, name, self.device)
        model.to(self.device)
        x = torch.from_numpy(x).to(self.device)
        y = torch.from_numpy(y).to(self.device)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        F = torch.nn.functional

        def step():
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
        return step, opt.zero_grad, desc

    def memory(self, step, reset):
        if self.device != "cuda":
            return {}
        cuda = self.torch.cuda
        step()
        reset()
        self.sync()
        cuda.reset_peak_memory_stats()
        base = cuda.memory_allocated()
        step()
        self.sync()
        return {"peak_mb": (cuda.max_memory_allocated() - base) / 2**20,
                "reserved_mb": cuda.memory_reserved() / 2**20}

    def host_syncs(self, step, reset):
        return None


def _torch_plain_float32(torch) -> str:
    """Turn TF32 off for matmuls and cuDNN. Where PyTorch has the fp32_precision settings
    only those are used and read back: its legacy allow_tf32 getters raise once the new
    settings were touched."""
    b = torch.backends
    parts = [b, b.cuda.matmul, b.cudnn, getattr(b.cudnn, "conv", None),
             getattr(b.cudnn, "rnn", None)]
    names = ["backends", "matmul", "cudnn", "cudnn.conv", "cudnn.rnn"]
    if hasattr(b.cuda.matmul, "fp32_precision"):
        state = []
        for name, part in zip(names, parts):
            if hasattr(part, "fp32_precision"):
                try:
                    part.fp32_precision = "ieee"
                    state.append(f"{name}={part.fp32_precision}")
                except (RuntimeError, ValueError, TypeError) as exc:
                    state.append(f"{name} not set ({exc})")
        flags = "fp32_precision " + " ".join(state)
    else:
        b.cuda.matmul.allow_tf32 = False
        b.cudnn.allow_tf32 = False
        flags = (f"matmul.allow_tf32={b.cuda.matmul.allow_tf32} "
                 f"cudnn.allow_tf32={b.cudnn.allow_tf32}")
    return (f"cuBLAS SGEMM / cuDNN without TF32: {flags}, "
            f"NVIDIA_TF32_OVERRIDE={os.environ.get('NVIDIA_TF32_OVERRIDE')}")


# ----------------------------------------------------------------------------- child
def _measure(fw, name, cfg) -> dict:
    step, reset, desc = fw.build(name)
    sync = fw.sync
    out = dict(desc)
    sync()
    t0 = time.perf_counter()
    step()
    sync()
    out["first_step_s"] = time.perf_counter() - t0  # includes CuPy's kernel compilation
    t0 = time.perf_counter()
    for _ in range(cfg.warmup - 1):
        step()
    sync()
    out["warmup_s"] = time.perf_counter() - t0
    per_step, issue = [], []
    for _ in range(cfg.rounds):
        t0 = time.perf_counter()
        for _ in range(cfg.steps):
            step()
        t1 = time.perf_counter()
        sync()
        t2 = time.perf_counter()
        per_step.append((t2 - t0) / cfg.steps)
        issue.append((t1 - t0) / cfg.steps)
    synced = []
    for _ in range(cfg.sync_steps):
        t0 = time.perf_counter()
        step()
        sync()
        synced.append(time.perf_counter() - t0)
    out["ms"] = statistics.median(per_step) * 1e3
    out["ms_min"] = min(per_step) * 1e3
    out["host_ms"] = statistics.median(issue) * 1e3
    out["sync_ms"] = statistics.median(synced) * 1e3
    try:
        out.update(fw.memory(step, reset))
    except Exception as exc:  # a figure we can do without
        out["memory_error"] = _describe(exc)
    out["loss"] = float(step().item())  # finite after all these steps: a sanity check
    try:
        syncs = fw.host_syncs(step, reset)
    except Exception as exc:
        syncs = {"error": _describe(exc)}
    if syncs is not None:
        out["host_syncs"] = syncs
    return out


def _describe(exc) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.relpath(tb[-1].filename, ROOT)}:{tb[-1].lineno}" if tb else ""
    return f"{type(exc).__name__}: {exc}{where}"


def child_main(cfg) -> None:
    try:
        fw = (_Ember if cfg.child == "ember" else _Torch)(cfg.device)
    except _Skip as exc:
        emit({"skipped": str(exc)})
        return
    try:
        env = fw.env()
    except Exception as exc:  # informative only
        env = {"error": _describe(exc)}
    out = {"env": env, "models": {}}
    for name in cfg.models:
        try:
            out["models"][name] = _measure(fw, name, cfg)
        except Exception as exc:  # report it and go on with the next model
            out["models"][name] = {"error": _describe(exc),
                                   "traceback": traceback.format_exc()[-3000:]}
    emit(out)


# ----------------------------------------------------------------------------- parent
def _merge(results):
    """One dict per model: measurements are medians over the processes, the rest the
    first process's."""
    merged = {}
    for name in results[0]["models"]:
        per = [r["models"].get(name, {}) for r in results]
        errors = [p["error"] for p in per if "error" in p]
        if errors:
            merged[name] = {"error": errors[0],
                            "traceback": next(p.get("traceback") for p in per if "error" in p)}
            continue
        m = {}
        for key, value in per[0].items():
            if isinstance(value, float):  # timings, memory, loss (ints are sizes: kept)
                m[key] = statistics.median(p[key] for p in per if key in p)
            else:
                m[key] = value
        merged[name] = m
    return merged


def _fmt(v, spec=".3f"):
    return "-" if v is None else format(v, spec)


def _ratio(a, b):
    return a / b if a is not None and b else None


def _report(cfg, summary, note) -> None:
    ember, torch = summary["ember"], summary["torch"]
    env_e = ember.get("env", {})
    env_t = torch.get("env", {})
    dev = env_t.get("device") or env_e.get("device") or cfg.device
    print(f"Training step, device {cfg.device}: {dev}; float32 without TF32 "
          f"({'smoke test at tiny sizes' if cfg.device == 'cpu' else 'cuBLAS SGEMM'}); "
          f"median of {cfg.rounds} rounds x {cfg.steps} steps between synchronisations, "
          f"{cfg.sync_steps} single synchronised steps; {summary['processes']} process(es) "
          "per framework")
    for role, env in (("Ember", env_e), ("PyTorch", env_t)):
        if env:
            print(f"  {role}: " + ", ".join(f"{k}={v}" for k, v in env.items()
                                            if k not in ("framework",)))
    for role, res in (("Ember", ember), ("PyTorch", torch)):
        if "skipped" in res:
            print(f"  {role} skipped: {res['skipped']}")
        if "failed" in res:
            print(f"  {role} failed: {res['failed']}")
    print("                 pipelined steps        synchronised steps     host issue ms"
          "     peak MB/step")
    print(f"{'model':<6} {'batch':>5} {'Ember':>8} {'Torch':>8} {'ratio':>6} {'Ember':>8} "
          f"{'Torch':>8} {'ratio':>6} {'Ember':>8} {'Torch':>8} {'Ember':>8} {'Torch':>8}")
    em, tm = ember.get("models", {}), torch.get("models", {})
    for name in cfg.models:
        e, t = em.get(name, {}), tm.get(name, {})
        batch = e.get("batch", t.get("batch"))
        cells = [_fmt(e.get("ms")), _fmt(t.get("ms")), _fmt(summary["ratios"].get(name), ".2f"),
                 _fmt(e.get("sync_ms")), _fmt(t.get("sync_ms")),
                 _fmt(summary["sync_ratios"].get(name), ".2f"), _fmt(e.get("host_ms")),
                 _fmt(t.get("host_ms")), _fmt(e.get("peak_mb"), ".1f"),
                 _fmt(t.get("peak_mb"), ".1f")]
        print(f"{name:<6} {_fmt(batch, 'd'):>5} " + " ".join(
            f"{c:>{6 if i in (2, 5) else 8}}" for i, c in enumerate(cells)))
    print("(ms per step; ratio = Ember / PyTorch; host issue = time to queue a round's "
          "steps before its final synchronisation)")
    r = summary["ratios"].get("mlp")
    if cfg.device == "cuda" and r is not None:
        print(f"target: Ember's MLP step within {MLP_TARGET}x of PyTorch's: "
              f"{'met' if r <= MLP_TARGET else 'missed'} ({r:.2f}x)")
    for role, res in (("Ember", ember), ("PyTorch", torch)):
        for name, m in res.get("models", {}).items():
            if "error" in m:
                print(f"  {role} {name} FAILED: {m['error']}")
                continue
            extra = f"first step {m['first_step_s']:.2f} s (kernel compilation included)"
            if "loss" in m:
                extra += f", loss after the run {m['loss']:.4f}"
            if "memory_error" in m:
                extra += f", memory not measured ({m['memory_error']})"
            print(f"  {role} {name}: {extra}")
            syncs = m.get("host_syncs")
            if syncs:
                listed = "; ".join(f"{w} x{n}" if isinstance(n, int) else f"{w}: {n}"
                                   for w, n in syncs.items())
                print(f"    host synchronisations in one step: {listed}")
            elif syncs == {}:
                print("    host synchronisations in one step: none")
    if note:
        print(note)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    p.add_argument("--quick", action="store_true", help="one process per framework, few "
                   "rounds (about a minute on a GPU)")
    p.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    p.add_argument("--json", default=None, help="also write the results to this file")
    for key in ("warmup", "rounds", "steps", "sync_steps", "repeats", "timeout", "budget"):
        p.add_argument("--" + key.replace("_", "-"), type=int, default=None)
    p.add_argument("--threads", type=int, default=1, help="CPU threads per child")
    p.add_argument("--child", choices=ROLES, default=None)
    cfg = p.parse_args()
    mode = "cpu" if cfg.device == "cpu" else "quick" if cfg.quick else "full"
    for key, value in MODES[mode].items():
        if getattr(cfg, key) is None:
            setattr(cfg, key, value)
    cfg.warmup = max(cfg.warmup, 1)
    if cfg.child:
        child_main(cfg)
        return

    # plain float32 matmuls in both children, whatever this shell had set
    os.environ["NVIDIA_TF32_OVERRIDE"] = "0"
    os.environ["CUPY_TF32"] = "0"
    extra = ["--device", cfg.device, "--models", *cfg.models]
    for key in ("warmup", "rounds", "steps", "sync_steps"):
        extra += ["--" + key.replace("_", "-"), str(getattr(cfg, key))]
    runs = {role: [] for role in ROLES}
    status = {role: {} for role in ROLES}
    start = time.perf_counter()
    note = ""
    for rep in range(cfg.repeats):
        for role in ROLES:
            if status[role]:
                continue  # skipped or failed: no point in asking again
            try:
                res = run_child(__file__, role, cfg.threads, extra, timeout=cfg.timeout)
            except (RuntimeError, ValueError) as exc:  # crash, timeout or no JSON line
                status[role] = {"failed": str(exc)[-2000:]}
                continue
            if "skipped" in res:
                status[role] = {"skipped": res["skipped"]}
            else:
                runs[role].append(res)
        elapsed = time.perf_counter() - start
        if rep + 1 < cfg.repeats and elapsed * (rep + 2) / (rep + 1) > cfg.budget:
            note = (f"stopped after {rep + 1} of {cfg.repeats} processes per framework: "
                    f"{elapsed:.0f} s used of the {cfg.budget} s budget")
            break
    summary = {"processes": max(len(r) for r in runs.values()), "ratios": {},
               "sync_ratios": {}}
    for role in ROLES:
        res = dict(status[role])
        if runs[role]:
            res["env"] = runs[role][0]["env"]
            res["models"] = _merge(runs[role])
        summary[role] = res
    em, tm = summary["ember"].get("models", {}), summary["torch"].get("models", {})
    for name in cfg.models:
        e, t = em.get(name, {}), tm.get(name, {})
        summary["ratios"][name] = _ratio(e.get("ms"), t.get("ms"))
        summary["sync_ratios"][name] = _ratio(e.get("sync_ms"), t.get("sync_ms"))
    summary["wall_s"] = time.perf_counter() - start
    _report(cfg, summary, note)
    print(f"({summary['wall_s']:.0f} s in all)")
    if cfg.json:
        record = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                  "host": platform.node(), "device": cfg.device, "mode": mode,
                  "settings": {k: getattr(cfg, k) for k in
                               ("warmup", "rounds", "steps", "sync_steps", "repeats",
                                "threads", "models")},
                  "mlp_target": MLP_TARGET, "note": note, **summary,
                  "raw": runs}
        with open(cfg.json, "w") as f:
            json.dump(record, f, indent=1)
        print(f"results written to {cfg.json}")


if __name__ == "__main__":
    main()
