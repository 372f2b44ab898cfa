"""From recordings to a replay: check two recordings agree, then build a flat list of
array-level steps over preallocated boxes.

A *box* is a Tensor object made once per plan, whose `.array` a step sets: an op's step
calls `cls.forward(ctx, *boxes)` (the forward reads `.array` of its arguments, so the
boxes stand in for the eager Tensors and nothing is wrapped per op); a unit's step calls
the recorded Python function again on the boxes and the real objects (parameters,
optimisers); an accumulation step adds into the real leaf's `.grad` as the engine does.
Parameters, buffers and other tensors the region reads from outside are their own boxes,
read live, so a replay sees what the previous step (or a scheduler) left there.

Which unknown tensors are parameters (read live) and which are constants is decided
by comparing two recordings (verify.py).
"""
from __future__ import annotations

import threading
import time

from .. import backend
from .. import profiler as _profiler
from ..function import _NO_CTX, Function, OutputEdge, is_grad_enabled, no_grad
from ..tensor import Tensor, _make
from . import fuse
from .capture import ARef, Ref
from .pool import Pool, pooled_op
from .values import _box, _has_raw, _nbytes, _norm, _now, _Raw, _refs

_ndarray = backend.ndarray
_new = object.__new__
_get_ident = threading.get_ident
_perf_counter = time.perf_counter


# ----------------------------------------------------------------------------- the plan
_EDGE = _box()  # the edge of a replayed ctx to an input that needs a gradient
_HIGH = 0.8  # the high-water stretch of a plan: steps within 20% of its estimated peak


class Plan:
    """The replay of one recording. `decisions` says which unknown slots are external
    tensors (read live) and which are constants; None treats them all as external (the
    capture call's own backward, where the values met are exactly right)."""

    fusion = True  # elementwise runs as bare ufuncs (fuse.py)
    pooling = True  # intermediates written with out= into buffers kept across replays
    graphed = None  # a cuda.Graphed when the replay is launched as one CUDA graph
    _copy_out = False  # results are copies of the boxes' arrays (CUDA graph buffers)

    def __init__(self, rec, decisions=None):
        self.rec = rec
        self.lock = threading.Lock()
        self.fused_groups = []
        self.pools = []
        self.slots = rec.slots
        self.boxes = []
        self.mutable_consts = []
        self.n_inputs = sum(1 for s in rec.slots if s.kind == "in")
        for n, s in enumerate(rec.slots):
            d = decisions.get(n) if decisions is not None else None
            if s.kind == "unknown" and (d is None or d[0] == "ext"):
                self.boxes.append(s.obj)
            elif s.kind == "unknown":
                b = _box()
                b.array = d[1]
                self.boxes.append(b)
            else:
                b = _box()
                # forwards may read it (cat keeps the shapes of inputs that need grad)
                b.requires_grad = bool(getattr(s.obj, "requires_grad", False))
                self.boxes.append(b)
        self.cur_inputs = ()
        self.fresh = set()
        split = rec.sections.get("backward", len(rec.events))
        self.live = rec.live          # slots of outputs that get the backward node
        self.targets = rec.targets    # slots whose gradients the region's backward returns
        self.bwd_result = rec.bwd_result
        self.gout = [n for n, s in enumerate(rec.slots) if s.kind == "gout"]
        keep = set(_refs(rec.result, []))
        bwd_reads = []
        for ev in rec.events[split:]:
            _refs(ev.args, bwd_reads)
            _refs(ev.kwargs, bwd_reads)
        _refs(self.bwd_result, bwd_reads)
        fwd_made = {n for n, s in enumerate(rec.slots)
                    if s.kind in ("in", "out", "grad") and
                    (s.event is None or s.event < split)}
        # a backward call reads its forward's arguments through the ctx
        self.ctx_cells = {k: [None] for k, ev in enumerate(rec.events) if ev.extra == "ctx"}
        for ev in rec.events[split:]:
            if ev.kind == "bwd":
                _refs(rec.events[ev.extra].args, bwd_reads)
        self.need = sorted(set(bwd_reads) & fwd_made)
        self.need_ctx = sorted(k for k in self.ctx_cells if k < split)
        keep |= set(self.need)
        unit_args = []
        for ev in rec.events:
            if ev.kind == "unit":
                _refs(ev.args, unit_args)
                _refs(ev.kwargs, unit_args)
        for n in set(unit_args) | rec.made_consts:  # refreshed at every replay
            d = decisions.get(n) if decisions is not None else None
            if d is not None and d[0] == "const":
                self.mutable_consts.append((self.boxes[n], d[1]))
        self.fwd, self.fwd_peak, self.fwd_labels = self._steps(rec.events[:split], 0, keep)
        self.bwd, self.bwd_peak, self.bwd_labels = self._steps(
            rec.events[split:], split, set(_refs(self.bwd_result, [])))
        self.temps = [self.boxes[n] for n, s in enumerate(rec.slots)
                      if s.kind in ("in", "out", "grad", "gout")]

    # ------------------------------------------------------------ building steps
    def _mat(self, value):
        """A recorded argument with every Ref replaced by its box (built once; a raw
        array argument becomes a _Raw marker, read at each call by _args)."""
        tp = type(value)
        if tp is Ref:
            return self.boxes[value.n]
        if tp is ARef:
            return _Raw(self.boxes[value.n])
        if tp is list or tp is tuple:
            return tp(self._mat(v) for v in value)
        if tp is dict:
            return {k: self._mat(v) for k, v in value.items()}
        return value

    def _steps(self, events, offset, keep):
        last = {}
        for i, ev in enumerate(events):
            used = _refs(ev.args, []) + _refs(ev.kwargs, [])
            if ev.kind == "bwd":  # it reads the arguments its forward's ctx holds
                used += self._ctx_reads(ev.extra)
            for n in used:
                last[n] = i
            for n in _refs(ev.out, []):
                last.setdefault(n, i)
        frees = [[] for _ in events]
        freed_at = {}
        for n, i in last.items():
            if n not in keep and self.slots[n].kind == "out":
                frees[i].append(self.boxes[n])
                freed_at.setdefault(i, []).append(n)
        cands = [fuse.candidate(self, ev, offset + i) if self.fusion else None
                 for i, ev in enumerate(events)]
        lo, hi = self._high_stretch(events, offset, freed_at)
        pool = Pool() if self.pooling else None
        if pool is not None:
            self.pools.append(pool)
        entry_of = {}  # slot -> its pool entry

        # a gradient an accumulation may hand to .grad stays the user's after the step
        taken = {ev.args[1].n for ev in events if ev.kind == "acc"}

        def until(n):  # the last step reading slot n (the end for kept values)
            return len(events) if n in keep or n in taken or \
                self.slots[n].kind != "out" else last.get(n, len(events))
        steps, live, peak = [], 0, 0
        labels = []  # per step: the profiler row of a step it does not see, else None
        sizes = {}
        made_here = set()  # outputs of fused steps: buffers nothing else holds
        group, group_free, names = [], [], []
        for i, ev in enumerate(events):
            k = offset + i
            c = cands[i]
            inplace = None
            if c is not None:
                out_meta = self.slots[c[2]].meta
                inplace = next((o.n for o in c[1] if type(o) is Ref and last.get(o.n) == i
                                and o.n not in keep and o.n in made_here
                                and self.slots[o.n].meta == out_meta), None)
                get = None
                if inplace is not None:
                    if inplace in entry_of:  # the operand's pool buffer, written again
                        entry_of[c[2]] = entry_of[inplace]
                        pool.extend(entry_of[inplace], until(c[2]))
                elif pool is not None:
                    end = until(c[2])
                    e = pool.assign(out_meta, i, end, i <= lo and hi <= end)
                    if e is not None:
                        entry_of[c[2]] = e
                        get = pool.getter(e)
                group.append(fuse.build(self, c, inplace, get))
                group_free += frees[i]
                names.append(ev.fn.__name__)
                made_here.add(c[2])
            else:
                pooled = pooled_op(self, ev) if pool is not None and ev.kind == "op" and \
                    k not in self.ctx_cells else None
                if pooled is not None:
                    end = until(ev.out.n)
                    e = pool.assign(pooled[1], i, end, i <= lo and hi <= end)
                    pooled = None if e is None else pooled
                if pooled is not None:
                    entry_of[ev.out.n] = e
                    run = pooled[0](pool.getter(e))
                else:
                    run = getattr(self, "_" + ev.kind)(ev, k)
                steps.append((run, tuple(frees[i])))
                labels.append(ev.fn.name() + " (out=)" if pooled is not None else None)
                # it may keep a view of (or a reference to) its arguments' buffers
                made_here.difference_update(_refs(ev.args, []) + _refs(ev.kwargs, []))
            if group and (i + 1 == len(events) or cands[i + 1] is None):
                steps.append((fuse.group(group) if len(group) > 1 else group[0],
                              tuple(group_free)))
                labels.append("fused[" + "+".join(n.lower() for n in names) + "]")
                if len(group) > 1:
                    self.fused_groups.append(names)
                group, group_free, names = [], [], []
            for n in _refs(ev.out, []):
                s = self.slots[n]
                if s.event == k and s.meta is not None and n not in sizes:
                    sizes[n] = 0 if inplace is not None else _nbytes(s.meta)
                    live += sizes[n]
            peak = max(peak, live)
            live -= sum(sizes.get(n, 0) for n in freed_at.get(i, ()))
        return steps, peak, labels

    def _ctx_reads(self, k):
        """Slots of forward event k's arguments that a replayed backward reads through
        their boxes (which must stay set until it runs): those its ctx held as Tensors
        at capture (a ReLU holds only its output array, so its input can be dropped
        after the forward, as eager drops it); all of them where that is not known."""
        ev = self.rec.events[k]
        args = _refs(ev.args, [])
        return args if ev.holds is None else [n for n in args if n in ev.holds]

    def _high_stretch(self, events, offset, freed_at):
        """(first, last) step of the stretch where the eager run of `events` holds
        within 20% of its most intermediate bytes (from the recorded shapes and last
        uses). The estimate leaves out what ops allocate inside themselves (a conv's
        columns, a backward's temporaries), so the true peak can be anywhere in that
        stretch: only values alive across all of it may open pool entries, which eager
        then holds at its peak too (LeNet's replay measured 1.037x eager's peak with
        the single estimated step, 0.97x with the stretch)."""
        live = 0
        curve = []
        for i, ev in enumerate(events):
            for n in set(_refs(ev.out, [])):
                s = self.slots[n]
                if s.kind == "out" and s.event == offset + i and s.meta is not None:
                    live += _nbytes(s.meta)
            curve.append(live)
            live -= sum(_nbytes(self.slots[n].meta) for n in freed_at.get(i, ())
                        if self.slots[n].meta is not None)
        best = max(curve, default=0)
        high = [i for i, v in enumerate(curve) if v >= _HIGH * best] or [0]
        return high[0], high[-1]

    def _op(self, ev, k):
        cls = ev.fn
        args = self._mat(ev.args)
        kwargs = self._mat(ev.kwargs)
        cell = self.ctx_cells.get(k)
        # which inputs need a gradient, as backward reads ctx.next (a stand-in leaf each)
        pattern = [None if e is None else _EDGE for e in ev.node.next] if cell else None
        save_output = cell is not None and cls.save_output
        out = ev.out
        norm = _norm
        raw = _has_raw(args) or _has_raw(kwargs)
        if type(out) is Ref:
            ob = self.boxes[out.n]
            if not kwargs and cell is None and not raw:
                def run():
                    o = cls.forward(_NO_CTX, *args)
                    ob.array = o if type(o) is _ndarray else norm(o)
                return run
            outs = ob
        else:
            outs = [self.boxes[o.n] if type(o) is Ref else None for o in out]

        def run_general():
            ctx = _NO_CTX
            if cell is not None:  # a fresh ctx: its backward may run after the next replay
                ctx = cell[0] = _new(cls)
                ctx.saved = None
                ctx.next = pattern
            if raw:
                o = norm(cls.forward(ctx, *_now(args), **_now(kwargs)))
            else:
                o = norm(cls.forward(ctx, *args, **kwargs))
            if type(outs) is list:
                for b, a in zip(outs, o):
                    if b is not None:
                        b.array = a
            else:
                outs.array = o
                if save_output:  # what Function.apply does for ctx.output
                    ctx._out = o
                    ctx._out_version = outs._version
                    ctx._out_at = outs._version[0]
                    if ctx.saved is None:
                        ctx.saved = ()
        return run_general

    def _bwd(self, ev, k):
        cls = ev.fn
        cell = self.ctx_cells[ev.extra]
        grads = self._mat(ev.args)
        assign = self._assigns(ev, k)

        def run():
            ctx = cell[0]
            cell[0] = None  # released after its backward, as the engine releases a node
            r = cls.backward(ctx, *grads)
            ctx = None
            for path, box in assign:
                v = r
                for i in path:
                    v = v[i]
                box.array = v.array
        return run

    def _assigns(self, ev, k):
        """(path into the call's result, box) for each tensor the call made."""
        assigns = []

        def walk(t, path):
            if type(t) is Ref:
                s = self.slots[t.n]
                if s.kind == "out" and s.event == k:
                    assigns.append((path, self.boxes[t.n]))
            elif type(t) in (list, tuple):
                for i, v in enumerate(t):
                    walk(v, path + (i,))
        walk(ev.out, ())
        return assigns

    def _unit(self, ev, k):
        fn = ev.fn
        args = self._mat(ev.args)
        kwargs = self._mat(ev.kwargs)
        assigns = self._assigns(ev, k)
        raw = _has_raw(args) or _has_raw(kwargs)

        def run():
            r = fn(*_now(args), **_now(kwargs)) if raw else fn(*args, **kwargs)
            for path, box in assigns:
                v = r
                for i in path:
                    v = v[i]
                box.array = v.array if isinstance(v, Tensor) else v
        return run

    def _write(self, ev, k):
        target = self._resolver(ev.args[0].n)
        src = self.boxes[ev.args[1].n]

        def run():
            t = target()
            t.array[...] = src.array
            t._version[0] += 1
        return run

    def _acc(self, ev, k):
        leaf = self._resolver(ev.args[0].n)
        gbox = self.boxes[ev.args[1].n]
        out = self.boxes[ev.out.n]
        took = ev.extra
        fresh = self.fresh

        def run():
            t = leaf()
            g = gbox.array
            old = t._grad
            if old is None:
                t._grad = _make(g if took else g.copy())
                fresh.add(id(t))
            elif id(t) in fresh:
                t._grad = _make(old.array + g)
                fresh.discard(id(t))
            else:
                old.array += g
                old._version[0] += 1
            out.array = t._grad.array
        return run

    def _resolver(self, n):
        """A function giving the real tensor behind slot n (inputs: the caller's)."""
        s = self.slots[n]
        if s.kind == "in":
            i = s.index
            return lambda: self.cur_inputs[i]
        box = self.boxes[n]
        return lambda: box

    # ------------------------------------------------------------ running
    def run(self, inputs):
        """Replay the forward (everything, for a whole step) on `inputs`; returns the
        region's result built from the recorded template."""
        if self.graphed is not None:  # one CUDA graph (cuda.py)
            out = self.graphed.run(inputs)
            if out is not None:
                return out
        self.cur_inputs = inputs
        boxes = self.boxes
        for n, t in enumerate(inputs):
            boxes[n].array = t.array
        for b, arr in self.mutable_consts:
            b.array = arr.copy()
        self.fresh.clear()
        try:
            with no_grad():
                prof = _profiler._active.get(_get_ident()) if _profiler._active else None
                if prof is not None:
                    _profiled(prof, self.fwd, self.fwd_labels)
                else:
                    for run, free in self.fwd:
                        run()
                        for b in free:
                            b.array = None
            return self._result(self.rec.result, {}, None)
        finally:
            self.cur_inputs = ()
            for b in self.temps:
                b.array = None
            for cell in self.ctx_cells.values():
                cell[0] = None

    def capture_result(self, inputs):
        """The capture call's result: outputs on a CompiledBackward node over the values
        met at capture (exactly what this call's backward needs)."""
        self.cur_inputs = inputs
        for n in set(self.need) | set(_refs(self.rec.result, [])):
            s = self.slots[n]
            if s.kind in ("in", "out", "grad"):
                self.boxes[n].array = s.obj.array if isinstance(s.obj, Tensor) else s.obj
        for k in self.need_ctx:
            self.ctx_cells[k][0] = self.rec.events[k].node
        try:
            return self._result(self.rec.result, {}, None)
        finally:
            self.cur_inputs = ()
            for b in self.temps:
                b.array = None
            for cell in self.ctx_cells.values():
                cell[0] = None

    def _result(self, tmpl, memo, node):
        if type(tmpl) is Ref:
            n = tmpl.n
            if n in memo:
                return memo[n]
            memo[n] = v = self._value(n, memo)
            return v
        tp = type(tmpl)
        if tp is list or tp is tuple:
            return tp(self._result(v, memo, node) for v in tmpl)
        if tp is dict:
            return {k: self._result(v, memo, node) for k, v in tmpl.items()}
        return tmpl

    def _value(self, n, memo):
        s = self.slots[n]
        if s.kind == "in":
            return self.cur_inputs[s.index]
        if s.kind == "unknown":
            b = self.boxes[n]
            return b if b is s.obj else _make(b.array.copy())
        if s.kind == "grad":
            return self._resolver(self.rec.events[s.event].args[0].n)()._grad
        if self.live and "node" not in memo:
            memo["node"] = self._node()
        t = _make(self.boxes[n].array.copy() if self._copy_out else self.boxes[n].array)
        if n in self.live:
            node = memo["node"]
            nr = self.live.index(n)
            t.requires_grad = True
            t.grad_fn = node
            t._nr = nr
        return t

    def _node(self):
        """The one graph node of a replayed forward: its backward replays the recorded
        backward steps on the arrays this forward left."""
        node = _new(CompiledBackward)
        node._plan = self
        # the arrays backward reads, as saved values: the memory ledger counts them and
        # the engine releases them after backward, as it does an eager graph's
        node.saved = tuple(self.boxes[n].array for n in self.need)
        node._ctxs = [self.ctx_cells[k][0] for k in self.need_ctx]
        edges = []
        for n in self.targets:
            t = self._resolver(n)()
            if not t.requires_grad:
                edges.append(None)
            elif t.grad_fn is None:
                edges.append(t)
            else:
                fn = t.grad_fn
                edges.append(fn if fn._n_out == 1 else OutputEdge(fn, t._nr))
        node.next = edges
        metas = [self.slots[n].meta for n in self.live]
        if len(metas) == 1:
            node._shape, node._dtype = metas[0]
        else:
            node._n_out = len(metas)
            node._plain = False
            node._metas = metas
        return node

    def backward(self, env, grads):
        boxes = self.boxes
        arrays, ctxs = env
        for n, a in zip(self.need, arrays):
            boxes[n].array = a
        for k, c in zip(self.need_ctx, ctxs):
            self.ctx_cells[k][0] = c
        for n, g in zip(self.gout, grads):
            boxes[n].array = g.array
        try:
            prof = _profiler._active.get(_get_ident()) if _profiler._active else None
            if prof is not None:
                _profiled(prof, self.bwd, self.bwd_labels, backward=True)
            else:
                for run, free in self.bwd:
                    run()
                    for b in free:
                        b.array = None
            for cell in self.ctx_cells.values():
                cell[0] = None
            return tuple(None if r is None else _make(boxes[r.n].array.copy())
                         if self.slots[r.n].kind == "unknown" else _make(boxes[r.n].array)
                         for r in self.bwd_result)
        finally:
            for b in self.temps:
                b.array = None

    def stats(self) -> dict:
        evs = self.rec.events
        bwd = sum(1 for e in evs if e.kind == "bwd" or e.kind == "op" and e.where)
        return {"ops": sum(1 for e in evs if e.kind in ("op", "bwd")),
                "forward_ops": sum(1 for e in evs if e.kind == "op" and not e.where),
                "backward_ops": bwd,
                "units": [e.name() for e in evs if e.kind == "unit"],
                "grad_accumulations": sum(1 for e in evs if e.kind == "acc"),
                "fused_groups": list(self.fused_groups),
                "pooled_buffers": sum(len(p.metas) for p in self.pools),
                "pool_bytes": sum(_nbytes(m) for p in self.pools for m in p.metas),
                "memory_planned_bytes": self.fwd_peak + self.bwd_peak}


def _profiled(prof, steps, labels, backward=False):
    """Run steps under a profiler: steps it sees through the ops' own forward and
    backward are timed by it; fused groups and ops written with out= are charged here,
    one row per fused group / op family."""
    for (run, free), label in zip(steps, labels):
        if label is None:
            run()
        else:
            prof._sync()
            t0 = _perf_counter()
            run()
            prof._sync()
            prof.record_step(label, _perf_counter() - t0, backward)
        for b in free:
            b.array = None


class CompiledBackward(Function):
    """The graph node of a replayed compiled forward."""

    _ctxs = None
    _plan = None

    @staticmethod
    def forward(ctx, *args):
        raise RuntimeError("CompiledBackward is made by a compiled region's replay")

    @staticmethod
    def backward(ctx, *grads):
        if is_grad_enabled():
            raise RuntimeError(
                "compiled region: backward with create_graph=True (double backward) is not "
                "supported through a compiled module; call the original module instead")
        return ctx._plan.backward((ctx.saved, ctx._ctxs), grads)

    @classmethod
    def name(cls) -> str:
        return "compiledbackward"
