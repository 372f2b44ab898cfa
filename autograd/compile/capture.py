"""Recording one eager run of a region: every op, every unit that mutates arrays outside
`Function.apply`, every host read.

A `Recorder` sits on `function._tracers` while the region runs eagerly. It names every
tensor it meets by a *slot* (an int): a region input, a tensor an op or a call produced
(a raw array too, found by identity), or an unknown tensor (a parameter, a buffer, a
constant; which one is told by comparing two recordings, see plan.py). Each node's
`backward` called by the engine is recorded as one call on the ctx of its forward op
(backward formulas may work on raw arrays, so their insides are not recorded). Work that
does not go through `Function.apply` is recorded one level up, as a *unit* that the
replay calls again: in-place tensor methods, creation and random draws, dropout masks,
class-index targets, `Optimizer.step` / `zero_grad`, `Module.zero_grad`, gradient
clipping, and the engine's accumulation into `.grad`. These are wrapped only
while a capture runs (patch.py), so the eager hot paths carry no hook.
"""
from __future__ import annotations

import os
import threading
import traceback

from .. import backend
from .. import function as _function
from ..tensor import Tensor, _make

_local = threading.local()  # .rec: the recorder of this thread's capture (None inside units)


def active():
    return getattr(_local, "rec", None)


class GraphBreak(RuntimeError):
    """Raised under fullgraph=True where the captured region needs a value on the host."""


class Slot:
    """Where a value of the region comes from. kind: 'in' (region input number `index`),
    'out' (made by event `event`), 'grad' (a leaf's .grad after accumulation event
    `event`), 'gout' (output gradient `index` of a recorded region backward), 'unknown'
    (met without provenance: `obj` is the tensor)."""

    __slots__ = ("kind", "index", "event", "path", "obj", "meta")

    def __init__(self, kind, index=None, event=None, path=None, obj=None, meta=None):
        self.kind, self.index, self.event, self.path = kind, index, event, path
        self.obj, self.meta = obj, meta


class Ref:
    """A tensor argument in a recorded call: a reference to slot `n`."""

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n

    def __repr__(self):
        return f"%{self.n}"


class ARef(Ref):
    """A raw backend array argument (not a Tensor) that is the value of slot `n`."""

    __slots__ = ()

    def __repr__(self):
        return f"%{self.n}.array"


# what a ctx may hold, besides Tensors and arrays, that cannot hold a Tensor
_LEAVES = (bool, int, float, complex, str, slice, type(Ellipsis), type, backend.np.dtype)


class Event:
    """One recorded call. kind: 'op' (fn is the Function class; extra 'ctx' when its
    backward is recorded too), 'bwd' (fn is the node's class, extra the op event whose
    ctx it runs on), 'unit' (fn is the original Python function), 'acc' (accumulation
    into a leaf's .grad)."""

    __slots__ = ("kind", "fn", "args", "kwargs", "out", "node", "grad_on", "extra",
                 "where", "holds")

    def __init__(self, kind, fn, args, kwargs, out, grad_on, where=None, extra=None):
        self.kind, self.fn, self.args, self.kwargs, self.out = kind, fn, args, kwargs, out
        self.grad_on, self.where, self.extra = grad_on, where, extra
        self.node = None
        self.holds = None  # op with a recorded backward: the slots its ctx holds (or None)

    def name(self):
        if self.kind == "op":
            return self.fn.__name__
        if self.kind == "acc":
            return "accumulate_grad"
        if self.kind == "write":
            return "inplace_write"
        if self.kind == "bwd":
            return self.fn.__name__ + "Backward"
        return getattr(self.fn, "__qualname__", getattr(self.fn, "__name__", "unit"))


class Recorder:
    def __init__(self, inputs, fullgraph=False):
        self.slots: list[Slot] = []
        self.events: list[Event] = []
        self.by_tensor = {}   # id(tensor) -> slot
        self.by_array = {}    # id(array) -> slot
        self.node_event = {}  # id(graph node) -> the op event that made it
        self.keep = []        # everything whose id is a key above stays alive
        self.fullgraph = fullgraph
        self.breaks = []      # [(what, 'file:line')]
        self.unsupported = []  # reasons this region cannot be replayed
        self.section = "forward"
        self.sections = {}    # name -> first event index
        self.result = None    # the region's return value, tensors as Refs
        self.live, self.targets, self.bwd_result = [], [], ()
        self.in_backward = 0
        self.dirty = False
        self.made_consts = set()  # slots of constants the engine makes at every call
        for i, t in enumerate(inputs):
            self._new_slot(t, Slot("in", index=i))

    # ---------------------------------------------------------------- slots
    def _new_slot(self, t, slot):
        n = len(self.slots)
        self.slots.append(slot)
        slot.meta = (tuple(t.array.shape), t.array.dtype) if isinstance(t, Tensor) else None
        if slot.obj is None:
            slot.obj = t  # the value met at capture (read by the capture call's backward)
        if isinstance(t, Tensor):
            self.by_tensor[id(t)] = n
            self.by_array.setdefault(id(t.array), n)
            self.keep.append(t)
        return n

    def slot_of(self, t) -> int:
        n = self.by_tensor.get(id(t))
        if n is not None:
            return n
        hit = self.by_array.get(id(t.array))
        if hit is not None:
            self.by_tensor[id(t)] = hit  # a new wrapper of a known array (detach, .data)
            self.keep.append(t)
            return hit
        return self._new_slot(t, Slot("unknown", obj=t))

    def template(self, value):
        """`value` with every Tensor replaced by a Ref (lists, tuples and dicts walked)."""
        if isinstance(value, Tensor):
            return Ref(self.slot_of(value))
        tp = type(value)
        if tp is list or tp is tuple:
            return tp(self.template(v) for v in value)
        if tp is dict:
            return {k: self.template(v) for k, v in value.items()}
        if tp is backend.ndarray or backend.is_array(value) and hasattr(value, "shape"):
            n = self.by_array.get(id(value))
            if n is not None:
                return ARef(n)
        return value

    def outputs(self, out, k):
        """Slots for what event k returned (new tensors only; returned inputs keep theirs)."""
        if isinstance(out, Tensor):
            n = self.by_tensor.get(id(out))
            if n is None:
                n = self._new_slot(out, Slot("out", event=k))
                self.by_array[id(out.array)] = n
            return Ref(n)
        if backend.is_array(out) and not isinstance(out, (int, float, bool)):
            n = self.by_array.get(id(out))
            if n is None:
                n = self._new_slot(None, Slot("out", event=k, obj=out))
                self.slots[n].meta = (tuple(out.shape), out.dtype)
                self.by_array[id(out)] = n
                self.keep.append(out)
            return Ref(n)
        tp = type(out)
        if tp is tuple or tp is list:
            return tp(self.outputs(o, k) for o in out)
        return out

    # ---------------------------------------------------------------- events
    def record(self, cls, args, kwargs, out):
        """The capture hook of Function.apply (after the op ran)."""
        if getattr(cls, "_custom", False):
            self.unsupported.append(f"a user-defined Function ({cls.__name__})")
        k = len(self.events)
        ev = Event("op", cls, self.template(args), self.template(kwargs), None,
                   _function._mode.enabled, where="backward" if self.in_backward or
                   self.section == "backward" else None)
        self.events.append(ev)
        ev.out = self.outputs(out, k)
        first = out[0] if type(out) is tuple and out else out
        node = getattr(first, "grad_fn", None)
        if node is not None and type(node) is cls:
            ev.node = node
            self.node_event[id(node)] = k

    def record_backward(self, ctx, grads, out):
        """A node's backward called by the engine: replayed as a call on the ctx that the
        replay of its forward op (event `extra`) fills."""
        k = self.node_event.get(id(ctx))
        if k is None:
            self.unsupported.append(f"the backward of {type(ctx).__name__}, an op from "
                                    "outside the compiled region or inside an in-place op "
                                    "on a tensor that requires grad (relu_, inplace=True)")
            return
        self.events[k].extra = "ctx"
        self.events[k].holds = self._held_slots(ctx)
        n = len(self.events)
        ev = Event("bwd", type(ctx), self.template(grads), {}, None, False, extra=k)
        self.events.append(ev)
        ev.out = self.outputs(out, n)

    def _held_slots(self, ctx):
        """The slots of the Tensors a ctx holds (saved, or as attributes, in tuples and
        lists), or None when it holds an object whose contents are not known (which
        could hold a Tensor)."""
        held = set()

        def walk(v, depth):
            if isinstance(v, Tensor):
                n = self.by_tensor.get(id(v))
                if n is not None:
                    held.add(n)
                return True
            if v is None or type(v) in _LEAVES or backend.is_array(v):
                return True
            if depth and isinstance(v, (tuple, list)):  # namedtuples too
                return all(walk(x, depth - 1) for x in v)
            return False
        saved = ctx.saved
        if not (saved is _function._FREED or walk(saved, 5)) or not all(
                walk(v, 5) for k, v in getattr(ctx, "__dict__", {}).items()
                if k != "_scopes"):
            return None
        return held

    def record_unit(self, fn, args, kwargs, out):
        k = len(self.events)
        ev = Event("unit", fn, self.template(args), self.template(kwargs), None,
                   _function._mode.enabled)
        self.events.append(ev)
        ev.out = self.outputs(out, k)

    def record_write(self, t, k):
        """An in-place op with a graph: the result of op event k written into t."""
        out = self.events[k].out
        self.events.append(Event("write", None, (Ref(self.slot_of(t)), out), {}, None,
                                 True))

    def record_acc(self, leaf, g, took):
        k = len(self.events)
        ev = Event("acc", None, (Ref(self.slot_of(leaf)), Ref(self.slot_of(g))), {}, None,
                   False, extra=took)
        self.events.append(ev)
        grad = leaf._grad
        n = self._new_slot(grad, Slot("grad", event=k))
        self.by_array[id(grad.array)] = n
        ev.out = Ref(n)

    def constant(self, t):
        """`t` is a constant remade at every call from shapes alone (the engine's seed
        gradient of a scalar output, the zero gradient of an unused output)."""
        if isinstance(t, Tensor):
            n = self.slot_of(t)
            if self.slots[n].kind == "unknown":
                self.made_consts.add(n)

    def inputs_of(self, n):
        """The tensor met at capture for an input or unknown slot (else None)."""
        s = self.slots[n]
        return s.obj if s.kind in ("in", "unknown") and isinstance(s.obj, Tensor) else None

    def placeholder(self, like, j):
        """The j-th output gradient of a recorded backward (ones; any value would do)."""
        g = _make(backend.array_module(like.array).ones_like(like.array))
        self._new_slot(g, Slot("gout", index=j))
        return g

    # ---------------------------------------------------------------- inlined backwards
    def mark(self):
        self.dirty = False
        return (len(self.events), len(self.slots), len(self.by_tensor), len(self.by_array),
                len(self.keep))

    def inlinable(self, mark, out) -> bool:
        """Did the backward just run compute its result with recorded calls only (Tensor
        ops on known values)? Then those calls replace the call of the backward."""
        if self.dirty:
            return False
        if any(s.kind != "out" for s in self.slots[mark[1]:]):
            return False  # it used a tensor of unknown origin (a value left on the ctx)
        for ev in self.events[mark[0]:]:
            if ev.kind not in ("op", "unit") or _has_array(ev.args) or _has_array(ev.kwargs):
                return False
        for t in out if type(out) is tuple else (out,):
            if t is None:
                continue
            if not isinstance(t, Tensor):
                return False
            n = self.by_tensor.get(id(t))
            if n is None:
                n = self.by_array.get(id(t.array))
                if n is None or self.slots[n].kind == "unknown":
                    return False
                self.by_tensor[id(t)] = n
                self.keep.append(t)
            elif self.slots[n].kind == "unknown":
                return False
        return True

    def rollback(self, mark):
        ne, ns, nt, na, nk = mark
        del self.events[ne:]
        del self.slots[ns:]
        for d, n0 in ((self.by_tensor, nt), (self.by_array, na)):
            for key in list(d)[n0:]:
                del d[key]
        del self.keep[nk:]

    def host_read(self, what):
        if self.in_backward:  # inside a backward formula: that backward is called whole
            self.dirty = True
            return
        where = _user_frame()
        self.breaks.append((what, where))
        if self.fullgraph:
            raise GraphBreak(f"compile(fullgraph=True): {what} reads a tensor's value on the "
                             f"host inside the compiled region at {where}; move it out of "
                             "the compiled function or use fullgraph=False")

    def begin(self, section):
        self.section = section
        self.sections[section] = len(self.events)


_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_OWN = tuple(os.path.join(_ROOT, d) + os.sep for d in ("autograd", "nn"))


def _has_array(value) -> bool:
    """A raw backend array left in a recorded argument (one no slot accounts for)."""
    if type(value) in (list, tuple):
        return any(_has_array(v) for v in value)
    if type(value) is dict:
        return any(_has_array(v) for v in value.values())
    return type(value) is backend.ndarray or (backend.is_array(value) and
                                              hasattr(value, "shape"))


def _user_frame() -> str:
    """'file:line' of the innermost frame outside Ember's own packages."""
    for fr in reversed(traceback.extract_stack()[:-2]):
        f = os.path.abspath(fr.filename)
        if not f.startswith(_OWN):
            return f"{fr.filename}:{fr.lineno}"
    return "<unknown>"
