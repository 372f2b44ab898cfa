"""`profile()`: per-op forward and backward wall time, call counts and bytes allocated.

Zero cost when off: nothing in `Function.apply` or the engine checks for a profiler.
Entering `profile()` replaces the static `forward`/`backward` of every `Function`
subclass with a timing wrapper and leaving restores them. Times are *self* times: an op
called inside another op's backward (backward formulas are written in ops) is charged
to itself, not to its caller, so the column sums add up to the time spent in ops; and
it is charged to that op's *backward* columns, as is every op the backward pass runs
(summing the gradients of a tensor used twice): the forward columns hold only forward.
Each profile times only the ops of the thread that opened it (as PyTorch's profiler
tracks its own thread): the wrappers, installed while any thread profiles, hand each
call to its thread's profile, or straight through when that thread runs none.
"""
from __future__ import annotations

import sys
import threading
import time
import weakref

from . import backend
from . import checkpoint as _checkpoint_module
from . import grad as _grad_module
from .function import Function
from .graph import module_calls, module_names, walk
from .memory import _root

__all__ = ["profile"]

_active = {}  # thread id -> the profile running in that thread
_installed = []  # (cls, name, own method or None) replaced while any profile runs
# the modules calling run_backward, wrapped likewise (`autograd.grad` the package
# attribute is the function: the module is found through one of its functions)
_ENGINE_USERS = tuple(sys.modules[m.__module__] if callable(m) else m
                      for m in (_grad_module, _checkpoint_module))
_lock = threading.Lock()  # guards _active and the install / restore of the wrappers
_get_ident = threading.get_ident


def _install():
    # look every method up before replacing any, so inherited ones are wrapped once
    plan = [(cls, name, cls.__dict__.get(name), getattr(cls, name))
            for cls in _subclasses(Function) for name in ("forward", "backward")]
    for cls, name, own, fn in plan:
        wrap = _wrap_forward if name == "forward" else _wrap_backward
        _installed.append((cls, name, own))
        setattr(cls, name, staticmethod(wrap(cls, fn)))
    for module in _ENGINE_USERS:
        fn = module.run_backward
        _installed.append((module, "run_backward", fn))
        setattr(module, "run_backward", _wrap_engine(fn))


def _restore():
    for cls, name, own in reversed(_installed):
        if name == "run_backward":
            setattr(cls, name, own)
        elif own is None:
            delattr(cls, name)
        else:
            setattr(cls, name, own)
    _installed.clear()


def _wrap_forward(cls, fn):
    def forward(*args, **kwargs):
        prof = _active.get(_get_ident())
        if prof is None:  # a thread that is not profiling
            return fn(*args, **kwargs)
        return prof._forward(cls, fn, args, kwargs)
    return forward


def _wrap_backward(cls, fn):
    def backward(ctx, *grads):
        prof = _active.get(_get_ident())
        if prof is None:
            return fn(ctx, *grads)
        return prof._backward(cls, fn, ctx, grads)
    return backward


def _wrap_engine(fn):
    def run_backward(*args, **kwargs):
        prof = _active.get(_get_ident())
        if prof is None:
            return fn(*args, **kwargs)
        prof._in_backward += 1  # ops the pass runs are backward work
        try:
            return fn(*args, **kwargs)
        finally:
            prof._in_backward -= 1
    return run_backward


def _subclasses(cls):
    out, stack = [], list(cls.__subclasses__())
    while stack:
        c = stack.pop()
        if c not in out:
            out.append(c)
            stack.extend(c.__subclasses__())
    return out


def _nbytes(value, skip=()):
    """Bytes of the arrays in a forward/backward result (Tensors, arrays, tuples),
    leaving out those whose memory `skip` (ids of owning arrays) already accounts for:
    views of the inputs and arrays that nested ops allocated."""
    if value is None:
        return 0
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v, skip) for v in value)
    arr = getattr(value, "array", value)
    if backend.is_array(arr):
        return 0 if id(_root(arr)) in skip else int(arr.nbytes)
    return int(getattr(arr, "nbytes", 0))  # a NumPy scalar


def _ids(value, into):
    """Add the ids of the arrays owning the memory of `value`'s arrays to `into`."""
    if isinstance(value, (tuple, list)):
        for v in value:
            _ids(v, into)
    elif value is not None:
        arr = getattr(value, "array", value)
        if backend.is_array(arr):
            into.add(id(_root(arr)))


class _Stat:
    """Totals of one op (or one module)."""

    __slots__ = ("forward", "backward", "calls", "backward_calls", "forward_bytes",
                 "backward_bytes")

    def __init__(self):
        self.forward = self.backward = 0.0
        self.calls = self.backward_calls = self.forward_bytes = self.backward_bytes = 0

    @property
    def total(self):
        return self.forward + self.backward

    @property
    def bytes(self):
        return self.forward_bytes + self.backward_bytes

    def as_dict(self):
        return {"forward": self.forward, "backward": self.backward, "total": self.total,
                "calls": self.calls, "backward_calls": self.backward_calls,
                "forward_bytes": self.forward_bytes, "backward_bytes": self.backward_bytes}


class _Frame:
    __slots__ = ("child_time", "made", "bytes")

    def __init__(self):
        self.child_time = 0.0
        self.bytes = 0     # allocated by nested ops
        self.made = set()  # ids of arrays that nested ops allocated


class profile:
    """Context manager: `with autograd.profile() as prof: ...`, then
    `print(prof.table(sort_by="total"))`; `prof.ops` maps op name -> stats dict,
    `prof.by_module` module name -> stats dict (the innermost module whose call created
    the op's node; ops that recorded no graph fall under "(no graph)").

    Args:
        model: optional; names modules by their dotted path in it (else by class name).
        sync: synchronise the GPU around each op (default: when CUDA is available), so
            CuPy's asynchronous kernels are timed, not just launched.
    """

    def __init__(self, model=None, sync=None):
        self.model = model
        self.sync = backend.cuda_is_available() if sync is None else bool(sync)
        self._ops = {}
        self._nodes = []      # (weakref(node), record) for nodes created while profiling
        self._stack = []
        self._thread = None   # the thread it profiles (set on entering)
        self._ungraphed = 0.0  # top-level forwards that recorded no node
        self._in_backward = 0  # > 0 inside a backward pass or an op's backward
        self.wall = 0.0

    # -- install / restore
    def __enter__(self):
        self._thread = _get_ident()
        with _lock:
            if self._thread in _active:
                raise RuntimeError("profile: expected no profile running in this thread, "
                                   "got one already active; nested profiling is not "
                                   "supported")
            if not _active:
                _install()
            _active[self._thread] = self
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._start
        with _lock:
            del _active[self._thread]
            if not _active:
                _restore()
        self._resolve_live()

    def _sync(self):
        if self.sync:
            backend.synchronize()  # every device type (a no-op on the CPU)

    def _stat(self, cls):
        key = cls.name()
        s = self._ops.get(key)
        if s is None:
            s = self._ops[key] = _Stat()
        return s

    def _timed(self, fn, args, kwargs, inputs):
        """Run `fn` with a frame of its own on the profiler's stack. Returns (output, wall
        time, own time without nested ops, bytes it allocated, bytes nested ops allocated,
        nested?); a nested call is also charged to the frame that called it."""
        stack = self._stack
        frame = _Frame()
        _ids(inputs, frame.made)  # an input passed through or viewed allocates nothing
        stack.append(frame)
        self._sync()
        t0 = time.perf_counter()
        try:
            out = fn(*args, **kwargs)
            self._sync()
        finally:
            elapsed = time.perf_counter() - t0
            stack.pop()
        nbytes = _nbytes(out, frame.made)
        if stack:
            parent = stack[-1]
            parent.child_time += elapsed
            parent.bytes += frame.bytes + nbytes
            parent.made |= frame.made
            _ids(out, parent.made)
        return out, elapsed, elapsed - frame.child_time, nbytes, frame.bytes, bool(stack)

    def record_step(self, name, seconds, backward=False):
        """Charge one replayed step of a compiled region that runs no op's forward or
        backward (a fused elementwise group, an op written with out=) to the row `name`."""
        s = self._ops.get(name)
        if s is None:
            s = self._ops[name] = _Stat()
        if backward or self._in_backward:
            s.backward += seconds
            s.backward_calls += 1
        else:
            s.forward += seconds
            s.calls += 1
            self._ungraphed += seconds

    def _forward(self, cls, fn, args, kwargs):
        out, elapsed, own, nbytes, inner, nested = self._timed(fn, args, kwargs, args)
        s = self._stat(cls)
        if self._in_backward:  # an op of a backward formula, or the engine's sums
            s.backward += own
            s.backward_calls += 1
            s.backward_bytes += nbytes
            return out
        s.forward += own
        s.calls += 1
        s.forward_bytes += nbytes
        if nested:
            return out
        # a top-level call: by_module charges it (nested calls included) to a module
        ctx = args[0] if args else None
        if isinstance(ctx, Function):  # recording a graph: remember it for by_module
            rec = [None, elapsed, nbytes + inner, 0.0, 0, 0]
            ctx.__dict__["_prof"] = rec
            self._nodes.append((weakref.ref(ctx), rec))
        else:
            self._ungraphed += elapsed
        return out

    def _backward(self, cls, fn, ctx, grads):
        rec = ctx.__dict__.get("_prof") if isinstance(ctx, Function) and not self._stack \
            else None
        if rec is not None and rec[0] is None:
            self._resolve([ctx])  # the graph is complete now: find the module calls
        self._in_backward += 1
        try:
            out, elapsed, own, nbytes, inner, nested = self._timed(
                fn, (ctx,) + grads, {}, grads)
        finally:
            self._in_backward -= 1
        s = self._stat(cls)
        s.backward += own
        s.backward_calls += 1
        s.backward_bytes += nbytes
        if not nested and rec is not None:
            rec[3] += elapsed
            rec[4] += 1
            rec[5] += inner + nbytes
        return out

    # -- module attribution
    def _resolve(self, roots):
        """Give every profiled node reachable from `roots` its innermost module."""
        graph = walk(roots)
        _, scope = module_calls(graph)
        for node in graph:
            rec = node.__dict__.get("_prof")
            if rec is not None and rec[0] is None:
                calls = scope.get(id(node))
                rec[0] = calls[0].module if calls else False

    def _resolve_live(self):
        live = [n for n in (ref() for ref, rec in self._nodes if rec[0] is None)
                if n is not None]
        # outputs first: a node nobody else points to starts a walk
        if live:
            self._resolve(live)

    # -- results
    @property
    def ops(self) -> dict:
        return {k: s.as_dict() for k, s in self._ops.items()}

    @property
    def total_time(self) -> float:
        """Seconds spent inside op forwards and backwards (self times summed)."""
        return sum(s.total for s in self._ops.values())

    @property
    def by_module(self) -> dict:
        if _active.get(self._thread) is self:
            self._resolve_live()
        names = module_names(self.model)
        out = {}
        for _, rec in self._nodes:
            module = rec[0]
            if not module:
                key = "(no module)"
            else:
                key = names.get(id(module)) or type(module).__name__
            s = out.get(key)
            if s is None:
                s = out[key] = _Stat()
            s.forward += rec[1]
            s.forward_bytes += rec[2]
            s.backward += rec[3]
            s.backward_calls += rec[4]
            s.backward_bytes += rec[5]
            s.calls += 1
        if self._ungraphed:
            s = out["(no graph)"] = _Stat()
            s.forward = self._ungraphed
        return {k: s.as_dict() for k, s in out.items()}

    def table(self, sort_by: str = "total", row_limit: int = 20, by: str = "op") -> str:
        """The top ops (or modules, with by="module") as a text table; sort_by is one of
        total, forward, backward, calls, bytes, name."""
        keys = ("total", "forward", "backward", "calls", "bytes", "name")
        if sort_by not in keys:
            raise ValueError(f"table: expected sort_by in {keys}, got {sort_by!r}")
        rows = self.ops if by == "op" else self.by_module

        def key(item):
            name, d = item
            if sort_by == "name":
                return name
            if sort_by == "bytes":
                return -(d["forward_bytes"] + d["backward_bytes"])
            return -d[sort_by]
        items = sorted(rows.items(), key=key)
        total = sum(d["total"] for d in rows.values()) or 1.0
        label = "op" if by == "op" else "module"
        head = (f"{label:<22} {'calls':>6} {'fwd ms':>9} {'bwd calls':>9} {'bwd ms':>9} "
                f"{'total ms':>9} {'%':>6} {'fwd MiB':>9} {'bwd MiB':>9}")
        lines = [head, "-" * len(head)]
        for name, d in items[:row_limit]:
            lines.append(
                f"{name[:22]:<22} {d['calls']:>6} {d['forward'] * 1e3:>9.3f} "
                f"{d['backward_calls']:>9} {d['backward'] * 1e3:>9.3f} "
                f"{d['total'] * 1e3:>9.3f} {100 * d['total'] / total:>6.1f} "
                f"{d['forward_bytes'] / 2**20:>9.3f} {d['backward_bytes'] / 2**20:>9.3f}")
        lines.append("-" * len(head))
        lines.append(f"self time in ops {self.total_time * 1e3:.3f} ms of "
                     f"{self.wall * 1e3:.3f} ms profiled wall time")
        return "\n".join(lines)

    def __str__(self):
        return self.table()
