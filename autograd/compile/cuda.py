"""A replay launched as one CUDA graph (CuPy stream capture).

Eligible plans are those whose steps only launch kernels: op steps on CuPy arrays, with
no unit (optimiser steps and random draws keep host-side state: a learning rate, a step
counter, a generator position, that a graph would bake in), no accumulation into `.grad`
and no backward node (a compiled inference forward, a `no_grad` region). The first
replay runs the steps once under `Stream.begin_capture()` on a side stream, allocating
from a memory pool private to the graph (so no block the graph writes to is handed to
anyone else); later replays copy the inputs into the graph's input buffers and call
`Graph.launch()` on the current stream. Parameters are read at the addresses they had at
capture: if a parameter's array was replaced, the graph is dropped and captured again.
Any failure while capturing (an op that synchronises with the host) leaves the plan on
the plain replay for good.
"""
from __future__ import annotations

from .. import backend
from ..function import no_grad


def eligible(plan) -> bool:
    rec = plan.rec
    if plan.live or rec.live or "backward" in rec.sections:
        return False
    if not rec.events or any(ev.kind != "op" for ev in rec.events):
        return False
    arrays = [getattr(s.obj, "array", s.obj) for s in rec.slots if s.kind in ("in", "out")]
    return bool(arrays) and all(backend.is_array(a) and type(a) is not backend.ndarray
                                for a in arrays)


class Graphed:
    """The CUDA graph of one plan and the buffers it reads and writes."""

    def __init__(self, plan):
        self.plan = plan
        self.graph = None
        self.failed = False

    def run(self, inputs):
        """The region's result, or None when the graph cannot be used (plain replay)."""
        if self.failed:
            return None
        plan = self.plan
        if self.graph is not None and any(b.array is not a for b, a in self.ext):
            self.graph = None  # a parameter was replaced: capture again
        if self.graph is None:
            if not self._capture(inputs):
                self.failed = True
                return None
        else:
            for buf, t in zip(self.inputs, inputs):
                buf[...] = t.array
        self.graph.launch()
        boxes = plan.boxes
        for b, a in zip(boxes, self.arrays):
            b.array = a
        plan.cur_inputs = inputs
        plan._copy_out = True  # the next launch writes into the graph's buffers again
        try:
            return plan._result(plan.rec.result, {}, None)
        finally:
            plan._copy_out = False
            plan.cur_inputs = ()
            for b in plan.temps:
                b.array = None

    def _capture(self, inputs) -> bool:
        plan = self.plan
        cp = backend.array_module(inputs[0].array if inputs else plan.boxes[0].array)
        self.pool = cp.cuda.MemoryPool()
        boxes = plan.boxes
        self.ext = [(b, b.array) for b, s in zip(boxes, plan.slots) if s.kind == "unknown"]
        stream = cp.cuda.Stream(non_blocking=True)
        with cp.cuda.using_allocator(self.pool.malloc):
            self.inputs = [t.array.copy() for t in inputs]
            for n, buf in enumerate(self.inputs):
                boxes[n].array = buf
            stream.wait_event(cp.cuda.get_current_stream().record())
            try:
                with stream:
                    stream.begin_capture()
                    try:
                        with no_grad():
                            for run, _ in plan.fwd:  # nothing is freed: the graph owns it
                                run()
                    finally:
                        graph = stream.end_capture()
            except Exception:  # noqa: BLE001 - a host sync or an uncapturable call
                for b in plan.temps:
                    b.array = None
                return False
        self.arrays = [b.array for b in boxes]  # keep every buffer the graph uses alive
        self.graph = graph
        return True

