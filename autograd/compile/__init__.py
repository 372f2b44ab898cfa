"""`autograd.compile`: capture a step once, replay it without building a graph.

Design
------
* **Guards.** Each call is keyed by the shapes, dtypes, devices and requires_grad of its
  tensor inputs (walked through lists, tuples and dicts), its other arguments, grad mode,
  and for every Module reachable from the call (the compiled Module, or Modules and
  Optimizers the function names in its globals, closure, defaults or arguments) the
  `training` flags and the identity of its parameters and buffers. Optimiser
  hyperparameters and step counters are not guards: the optimiser step is replayed as a
  call, so it reads them at replay time.
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
* **Check** (verify.py). The second call with the same key is captured again and the two
  recordings are compared: same calls, same non-tensor arguments, and every tensor met
  without provenance is either the same object both times (a parameter or buffer, read
  live at replay) or equal both times (a constant). A difference (a value computed
  outside the recorded ops, data-dependent control flow, Python state) keeps the key
  eager, with one warning. So the first two calls of a key run eagerly and replays start
  at the third.
* **Replay** (plan.py). A flat list of steps over preallocated boxes: an op step calls
  the op's `forward` on boxes (no Tensor, no graph node per op), a backward step calls
  the node class's `backward` on the ctx its forward step filled, a unit step calls the
  recorded function again (random draws come from the global generator in eager order,
  the optimiser reads its current learning rate and step), an accumulation step adds
  into the real `.grad` as the engine does. Intermediate arrays are dropped after their
  last use, so a replay holds no more than the eager step.
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
rate and step would be baked in); buffers are not reused across replays (NumPy's and
CuPy's allocators serve them); custom `autograd.Function`s, hooks on leaves,
`create_graph=True`, an in-place op whose op saved the tensor it overwrites, and values
computed on raw arrays outside the wrapped functions keep a region eager (with a
warning, never a wrong replay); hooks on a reachable Module keep it eager too. Python
side effects other than the wrapped calls (appending to a list, a counter) happen at
the two capture calls only (torch.compile replays them; this replay cannot); when they
change what the ops compute, the check above catches it. `dynamic` is accepted: every
new shape is a new guard set. A compiled Module is a wrapper object (`_orig_mod`), not
an `nn.Module` subclass.
"""
from __future__ import annotations

import warnings

from ..engine import run_backward
from ..function import _FREED, is_grad_enabled
from ..tensor import Tensor, _make
from . import cuda
from .capture import GraphBreak, Recorder, active
from .patch import capturing
from .plan import Plan
from .verify import verify

__all__ = ["compile", "compile_explain", "GraphBreak", "CompiledFunction", "CompiledModule"]

cache_size_limit = 8  # as torch._dynamo.config.recompile_limit
_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def _flatten(value, tensors, key):
    if isinstance(value, Tensor):
        tensors.append(value)
        a = value.array
        dev = a.device.id if hasattr(a, "device") and not isinstance(a.device, str) else 0
        key.append((a.shape, a.dtype.str, type(a), dev, value.requires_grad))
    elif type(value) in (list, tuple):
        key.append((type(value), len(value)))
        for v in value:
            _flatten(v, tensors, key)
    elif type(value) is dict:
        key.append(("dict",) + tuple(value))
        for v in value.values():
            _flatten(v, tensors, key)
    else:
        try:
            hash(value)
            key.append(value)
        except TypeError:
            key.append((type(value), id(value)))


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


def _module_state(m, key):
    """Training flags, parameter/buffer identities and hook counts of m and its
    submodules."""
    stack = [m]
    while stack:
        d = stack.pop().__dict__
        key.append(d.get("training"))
        if d.get("_forward_hooks") or d.get("_forward_pre_hooks") or \
                d.get("_backward_hooks") or d.get("_backward_pre_hooks"):
            key.append(("hooks", id(d), len(d["_forward_hooks"]) +
                        len(d["_forward_pre_hooks"]) + len(d["_backward_hooks"]) +
                        len(d.get("_backward_pre_hooks", ()))))
        key.extend(map(id, d["_parameters"].values()))
        key.extend(map(id, d["_buffers"].values()))
        stack.extend(d["_modules"].values())


def _stateful(obj) -> bool:
    """A Module (its parameters and flags are guards) or an Optimizer (its parameters)."""
    return hasattr(obj, "param_groups") or (hasattr(obj, "_modules") and
                                            hasattr(obj, "forward"))


def _roots_of(fn):
    """Names and cells through which `fn` reaches Modules and Optimizers."""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return (), ()
    g = getattr(fn, "__globals__", {})
    names = tuple(n for n in code.co_names if _stateful(g.get(n)))
    cells = tuple(c for c in (fn.__closure__ or ()) if _stateful(_cell(c)))
    return names, cells


def _cell(c):
    try:
        return c.cell_contents
    except ValueError:
        return None


def _state(obj, key):
    groups = getattr(obj, "param_groups", None)
    if groups is not None:  # an Optimizer
        key.append(id(obj))
        for group in groups:
            key.append(len(group["params"]))
            key.extend(map(id, group["params"]))
    elif hasattr(obj, "_modules"):
        key.append(id(obj))
        _module_state(obj, key)


class _Entry:
    __slots__ = ("first", "plan", "eager", "reason", "key")

    def __init__(self, key=()):
        self.first = self.plan = self.eager = self.reason = None
        self.key = key


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
        self._names, self._cells = ((), ()) if module is not None else _roots_of(fn)
        self._globals = getattr(getattr(fn, "__func__", fn), "__globals__", {})
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)

    def _key(self, args, kwargs):
        tensors, key = [], [is_grad_enabled()]
        _flatten(args, tensors, key)
        _flatten(kwargs, tensors, key)
        if self._module is not None:
            _state(self._module, key)
        else:
            self_obj = getattr(self._fn, "__self__", None)
            if self_obj is not None:
                _state(self_obj, key)
            for n in self._names:
                _state(self._globals.get(n), key)
            for c in self._cells:
                _state(_cell(c), key)
            for a in list(args) + list(kwargs.values()):
                if hasattr(a, "_modules") or hasattr(a, "param_groups"):
                    _state(a, key)
        return tuple(key), tensors

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
        elif entry.first is None:
            entry.first = rec
        else:
            reason, decisions = verify(entry.first, rec)
            entry.first = None
            if reason is None:
                entry.plan = Plan(rec, decisions)
                if self.mode != "max-autotune-no-cudagraphs" and cuda.eligible(entry.plan):
                    entry.plan.graphed = cuda.Graphed(entry.plan)
            else:
                entry.eager, entry.reason = True, reason
                self._warn(reason, f"compile: {self.__name__} runs eagerly: {reason}")
        if not rec.live:
            return out
        return Plan(rec).capture_result(tensors)

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
        for entry in compiled._cache.values():
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
                 f"graph breaks: {self.graph_break_count}"]
        lines += [f"  at {b}" for b in self.graph_breaks]
        for i, g in enumerate(self.graphs):
            lines.append(f"graph {i}: {g['forward_ops']} forward ops, {g['backward_ops']} "
                         f"backward ops, {g['grad_accumulations']} gradient accumulations, "
                         f"units {g['units']}, memory planned {g['memory_planned_bytes']} B")
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
    if disable:
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
