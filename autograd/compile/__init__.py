"""`autograd.compile`: capture a step once, replay it without building a graph.

Design
------
* **Guards** (guards.py). Each call is keyed by the shapes, dtypes, devices and
  requires_grad of its tensor inputs (walked through lists, tuples and dicts), its other
  arguments, grad mode, and for every Module reachable from the call (the compiled
  Module, or Modules and Optimizers the function names in its globals, closure or
  arguments) the `training` flags, the identity of its parameters and buffers and its
  public scalar attributes, the parameters of each optimiser param group, and the
  values (scalars) or identities (other objects) of the globals and closure variables
  the function names. Optimiser hyperparameters and step counters are not guards: the
  optimiser step is replayed as a call, so it reads them at replay time.
* **Capture** (capture.py, patch.py). A call with a new key runs eagerly with a
  `Recorder` on the capture hook of `Function.apply` (`function._tracers`). Each node's
  backward that the engine calls is recorded too: op by op when the formula is written in
  Tensor ops on known values, else as one call on the ctx of its forward op (formulas
  with raw-array fast paths). Work outside `Function.apply` (in-place tensor methods,
  creation and random draws, dropout masks, class-index targets, optimiser `step` and
  `zero_grad`, `Module.zero_grad`, gradient clipping, the engine's accumulation into
  `.grad`) is wrapped for the duration of the capture only and recorded as replayable
  *units*; an in-place op on a tensor that requires grad is recorded as its op plus a
  write. Host reads (`.item()`, `bool(t)`, `.tolist()`, `.numpy()`, printing) are graph
  breaks: the key then runs eagerly, with one warning naming the file and line
  (`fullgraph=True` raises `GraphBreak` instead).
* **Replay from the second call.** When the guards cover everything the first
  recording read, the next call with the same key replays it. Python branches on tensor
  values are caught at the recording itself (they read the value on the host: a graph
  break).
* **Fallback check** (verify.py). Where something cannot be guarded (a dict, list or
  plain object named by the function whose contents could change what it computes, a
  tensor made on raw arrays outside the recorded ops and held by no guarded object),
  the second call is recorded again and the two recordings compared: same calls, same
  non-tensor arguments, and every tensor met without provenance the same object both
  times (read live at replay) or equal both times (a constant). A difference keeps the
  key eager, with one warning; agreement replays from the third call. `explain()` names
  the keys checked this way and why.
* **Replay** (plan.py). A flat list of steps over preallocated boxes: an op step calls
  the op's `forward` on boxes (no Tensor, no graph node per op), a backward step calls
  the node class's `backward` on the ctx its forward step filled, a unit step calls the
  recorded function again (random draws come from the global generator in eager order,
  the optimiser reads its current learning rate and step), an accumulation step adds
  into the real `.grad` as the engine does. Intermediate arrays are dropped after their
  last use. An installed plan keeps nothing of the capture call's arrays.
* **Buffer pool** (pool.py). On NumPy, fused ufuncs and MatMul/Linear/SumTo write with
  `out=` into buffers kept across replays (shared by values of one shape and dtype
  whose lifetimes do not overlap); a buffer still referenced by anything else (a
  returned result, a `.grad`, optimiser state, a live view) is never overwritten: the
  entry gets a new one. Other ops allocate as in eager mode. The pool stays allocated
  between replays, so only values alive across eager's (estimated) high-water stretch
  open entries; a backward step's ctx is released right after it, as the engine
  releases a node, and a forward's arguments are dropped after their last use unless
  its ctx holds them (a ReLU keeps only its output). Measured with tracemalloc (arrays
  held + a step's peak, batch 32): the replay's peak is 0.90x eager's for the MLP, 0.97x
  for LeNet.
* **Fusion** (fuse.py). On NumPy, runs of elementwise ops (add, sub, mul, div, neg, exp,
  tanh) become one step of bare ufunc calls writing in place into dead intermediates
  (`out=`); `explain()` lists the groups.
* **Backward of a captured forward.** When the region returns tensors whose graph is
  still live (a compiled Module's forward), the capture also records the backward of the
  region (an `autograd.grad` with placeholder output gradients towards every parameter
  and input that requires grad). A replay returns outputs whose `grad_fn` is a single
  `CompiledBackward` node; its backward replays those steps and hands the gradients to
  the engine, which accumulates them into `.grad` as usual.
* **CUDA** (cuda.py). A plan made only of op steps on CUDA arrays (an inference forward,
  a `no_grad` region: no units, no backward node) is launched as one CUDA graph captured
  with CuPy's stream capture into a private memory pool, over fixed input buffers.

Limits: a whole training step is not a CUDA graph (the optimiser's host-side learning
rate and step would be baked in); on CuPy buffers are not pooled (CuPy's allocator
serves them); custom `autograd.Function`s, hooks on leaves,
`create_graph=True`, an in-place op whose op saved the tensor it overwrites, and values
computed on raw arrays outside the wrapped functions keep a region eager (with a
warning, never a wrong replay); hooks on a reachable Module keep it eager too. Python
side effects other than the wrapped calls (appending to a list, a counter) happen at
the capture call(s) only (torch.compile replays them; this replay cannot); when they
change what the ops compute through a container the function names, the fallback check
above catches it; state read deeper (a helper's own globals) is not guarded. `dynamic`
is accepted: every new shape is a new guard set. A compiled Module is a wrapper object
(`_orig_mod`), not an `nn.Module` subclass.
"""
from __future__ import annotations

import warnings

from ..engine import run_backward
from ..function import _FREED, is_grad_enabled
from ..tensor import Tensor, _make
from . import compiler, cuda
from .capture import GraphBreak, Recorder, active
from .guards import Guards
from .patch import capturing
from .plan import Plan
from .verify import verify

__all__ = ["compile", "compile_explain", "GraphBreak", "CompiledFunction", "CompiledModule"]

cache_size_limit = 8  # as torch._dynamo.config.recompile_limit
_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def _swap(value, mapping):
    if isinstance(value, Tensor):
        return mapping.get(id(value), value)
    if type(value) in (list, tuple):
        return type(value)(_swap(v, mapping) for v in value)
    if type(value) is dict:
        return {k: _swap(v, mapping) for k, v in value.items()}
    return value


def _tensors(value, into):
    if isinstance(value, Tensor):
        into.append(value)
    elif type(value) in (list, tuple):
        for v in value:
            _tensors(v, into)
    elif type(value) is dict:
        for v in value.values():
            _tensors(v, into)
    return into


class _Entry:
    __slots__ = ("first", "plan", "eager", "reason", "key", "unguarded")

    def __init__(self, key=()):
        self.first = self.plan = self.eager = self.reason = None
        self.key = key
        self.unguarded = []  # why one recording was not enough (two-recording check)


class CompiledFunction:
    """What `compile(fn)` returns: call it as `fn`; `explain()` reports the captures."""

    def __init__(self, fn, fullgraph=False, dynamic=None, mode=None, module=None):
        self._fn = fn
        self._module = module
        self.fullgraph = bool(fullgraph)
        self.dynamic = dynamic
        self.mode = mode
        self._cache: dict = {}
        self._warned: set = set()
        self._breaks: list = []  # [(what, 'file:line')]
        self._guards = Guards(fn, module)
        self.captures = 0  # recordings made (eager runs under capture)
        compiler._COMPILED.add(self)  # compiler.reset() forgets every capture
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)

    def _key(self, args, kwargs):
        return self._guards.key(args, kwargs, is_grad_enabled())

    def __call__(self, *args, **kwargs):
        if active() is not None:  # inside another capture: part of that region
            return self._fn(*args, **kwargs)
        key, tensors = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            if len(self._cache) >= cache_size_limit:
                self._warn("limit", f"compile: {self.__name__} was captured for "
                           f"{cache_size_limit} different guard sets (input shapes, dtypes, "
                           "training flags, parameters) — the cache limit; new ones run "
                           "eagerly from now on")
                return self._fn(*args, **kwargs)
            entry = self._cache[key] = _Entry(key)
        plan = entry.plan
        if plan is not None:
            # one replay at a time per plan (its boxes are shared): a call made while it
            # runs (another thread, a recursive call) runs eagerly
            if not plan.lock.acquire(blocking=False):
                return self._fn(*args, **kwargs)
            try:
                return plan.run(tensors)
            finally:
                plan.lock.release()
        if entry.eager:
            return self._fn(*args, **kwargs)
        return self._capture(entry, args, kwargs, tensors)

    def _warn(self, tag, msg):
        if tag not in self._warned:
            self._warned.add(tag)
            warnings.warn(msg, UserWarning, stacklevel=4)

    # ------------------------------------------------------------------ capture
    def _capture(self, entry, args, kwargs, tensors):
        swap = {}
        for t in tensors:  # the region's inputs that require grad become its leaves
            if t.requires_grad and id(t) not in swap:
                swap[id(t)] = _make(t.array, requires_grad=True)
        rec_inputs = [swap.get(id(t), t) for t in tensors]
        rec = Recorder(rec_inputs, self.fullgraph)
        self.captures += 1
        grad_mode = is_grad_enabled()
        if any(type(k) is tuple and k and k[0] == "hooks" for k in entry.key):
            rec.unsupported.append("hooks on a module (they would run at capture only)")
        args2, kwargs2 = (_swap(args, swap), _swap(kwargs, swap)) if swap else (args, kwargs)
        with capturing(rec):
            out = self._fn(*args2, **kwargs2)
        rec.result = rec.template(out)
        live = []
        if not any(e.kind == "acc" for e in rec.events):
            live = [t for t in _tensors(out, []) if t.requires_grad and
                    t.grad_fn is not None and t.grad_fn.saved is not _FREED]
        rec.live, rec.targets, rec.bwd_result = [], [], ()
        if live:
            self._capture_backward(rec, live)
        for what, where in rec.breaks:
            if (what, where) not in self._breaks:
                self._breaks.append((what, where))
            self._warn(where, f"compile: graph break in {self.__name__} at {where}: {what} "
                       "reads a tensor's value on the host, so this call runs eagerly "
                       "(fullgraph=True makes this an error)")
        if rec.breaks or rec.unsupported:
            entry.eager = True
            entry.reason = ("graph break: " + ", ".join(f"{w} at {p}" for w, p in rec.breaks)
                            if rec.breaks else "unsupported: " + ", ".join(rec.unsupported))
            if rec.unsupported:
                self._warn("unsupported", f"compile: {self.__name__} runs eagerly: "
                           f"{entry.reason}")
        elif entry.first is None and not entry.unguarded:
            # the guards cover everything this recording read: replay from the next call
            entry.unguarded = self._guards.unguarded(rec, args, kwargs, grad_mode)
            if entry.unguarded:
                entry.first = rec  # the fallback: record the next call too and compare
            else:  # parameters, buffers, guarded tensors: read live; the engine's
                # constants: kept (a copy refreshed at every replay)
                self._install(entry, rec, {n: ("const", rec.slots[n].obj.array.copy())
                                           for n in rec.made_consts})
        else:
            reason, decisions = verify(entry.first, rec)
            entry.first = None
            if reason is None:
                self._install(entry, rec, decisions)
            else:
                entry.eager, entry.reason = True, reason
                self._warn(reason, f"compile: {self.__name__} runs eagerly: {reason}")
        if rec.live:
            out = Plan(rec).capture_result(tensors)
        if entry.plan is not None and entry.plan.rec is rec:
            _release(rec)
        return out

    def _install(self, entry, rec, decisions):
        for n in range(len(rec.slots)):  # everything else met without provenance is live
            if rec.slots[n].kind == "unknown" and n not in decisions:
                decisions[n] = ("ext", rec.slots[n].obj)
        entry.plan = Plan(rec, decisions)
        if self.mode != "max-autotune-no-cudagraphs" and cuda.eligible(entry.plan):
            entry.plan.graphed = cuda.Graphed(entry.plan)

    def _capture_backward(self, rec, live):
        """Record the backward of the region's live outputs (towards every input and
        outside tensor that requires grad)."""
        targets, objs = [], []
        for n, s in enumerate(rec.slots):
            t = rec.inputs_of(n)
            if t is not None and t.requires_grad:
                if t.grad_fn is not None:
                    rec.unsupported.append("a non-leaf tensor from outside the region")
                    return
                targets.append(n)
                objs.append(t)
        rec.live = [rec.slot_of(t) for t in live]
        rec.targets = targets
        rec.begin("backward")
        gouts = [rec.placeholder(t, j) for j, t in enumerate(live)]
        with capturing(rec):
            grads = run_backward(live, gouts, retain_graph=True, inputs=objs,
                                 allow_unused=True, accumulate=False, op="compile")
        rec.bwd_result = tuple(None if g is None else rec.template(g) for g in grads)

    # ------------------------------------------------------------------ reports
    def explain(self) -> "Explanation":
        return Explanation(self)


def _release(rec):
    """Drop what an installed plan no longer needs from its recording: the capture
    call's intermediate arrays and graph nodes (a replay holds only its pool)."""
    for s in rec.slots:
        if s.kind != "unknown":
            s.obj = None
    for ev in rec.events:
        ev.node = None
    rec.keep.clear()
    rec.by_tensor.clear()
    rec.by_array.clear()
    rec.node_event.clear()


class CompiledModule:
    """What `compile(module)` returns: calls run the module's forward through a capture;
    everything else (parameters(), train(), state_dict(), attributes) is the module's."""

    def __init__(self, module, **options):
        object.__setattr__(self, "_orig_mod", module)
        object.__setattr__(self, "_compiled", CompiledFunction(
            module.__call__, module=module, **options))

    def __call__(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    def forward(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    def explain(self) -> "Explanation":
        return self._compiled.explain()

    def __getattr__(self, name):
        return getattr(self._orig_mod, name)

    def __setattr__(self, name, value):
        setattr(self._orig_mod, name, value)

    def __repr__(self):
        return f"CompiledModule({self._orig_mod!r})"


class Explanation:
    """What a compiled callable captured: per guard set, ops, units, fused groups, graph
    breaks (with file:line) and the intermediate memory a replay plans for."""

    def __init__(self, compiled):
        self.graphs = []
        self.eager_reasons = []
        self.captures = compiled.captures
        self.two_recording_checks = []  # (why) keys whose guards did not cover the step
        for entry in compiled._cache.values():
            if entry.unguarded:
                self.two_recording_checks.append("; ".join(entry.unguarded))
            if entry.plan is not None:
                self.graphs.append(entry.plan.stats())
            if entry.reason:
                self.eager_reasons.append(entry.reason)
            for rec in (entry.first,):
                if rec is not None:
                    self.graphs.append(Plan(rec).stats())
        self.graph_breaks = [f"{what} at {where}" for what, where in compiled._breaks]
        self.graph_count = len(self.graphs)
        self.ops = sum(g["ops"] for g in self.graphs)
        self.fused_groups = [grp for g in self.graphs for grp in g["fused_groups"]]
        self.memory_planned_bytes = max((g["memory_planned_bytes"] for g in self.graphs),
                                        default=0)

    @property
    def graph_break_count(self) -> int:
        return len(self.graph_breaks)

    def __str__(self):
        lines = [f"graphs: {self.graph_count}", f"ops captured: {self.ops}",
                 f"fused groups: {len(self.fused_groups)}",
                 f"graph breaks: {self.graph_break_count}", f"recordings: {self.captures}"]
        lines += [f"  at {b}" for b in self.graph_breaks]
        for i, g in enumerate(self.graphs):
            lines.append(f"graph {i}: {g['forward_ops']} forward ops, {g['backward_ops']} "
                         f"backward ops, {g['grad_accumulations']} gradient accumulations, "
                         f"units {g['units']}, memory planned {g['memory_planned_bytes']} B, "
                         f"pool {g['pool_bytes']} B in {g['pooled_buffers']} buffers")
        lines += [f"checked by a second recording (not covered by guards): {r}"
                  for r in self.two_recording_checks]
        lines += [f"eager: {r}" for r in self.eager_reasons]
        return "\n".join(lines)

    __repr__ = __str__


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",
            mode=None, options=None, disable: bool = False):
    """Same contract as torch.compile: the result computes what `model` computes. A
    function is captured whole (forward, `backward()`, `zero_grad()`, `step()`, clipping)
    and replayed; a Module's forward is captured and its backward replayed by one graph
    node. Usable as a decorator, with or without arguments. See the package docstring."""
    if mode not in _MODES:
        raise RuntimeError(f"compile: unrecognized mode={mode!r}; expected one of "
                           f"{[m for m in _MODES if m]}")
    opts = dict(fullgraph=fullgraph, dynamic=dynamic, mode=mode)
    if model is None:
        return lambda fn: compile(fn, disable=disable, **opts)
    if disable or getattr(model, "_torchdynamo_disable", False):  # compiler.disable
        return model
    if hasattr(model, "_modules") and hasattr(model, "forward"):
        return CompiledModule(model, **opts)
    if not callable(model):
        raise TypeError(f"compile: expected a Module or a callable, got "
                        f"{type(model).__name__}")
    return CompiledFunction(model, **opts)


def compile_explain(fn, *args, **kwargs) -> Explanation:
    """Run `fn(*args, **kwargs)` once under capture and report what was captured (as
    torch._dynamo.explain)."""
    c = fn if isinstance(fn, (CompiledFunction, CompiledModule)) else compile(fn)
    c(*args, **kwargs)
    return c.explain()
