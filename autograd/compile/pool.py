"""The buffer pool of a NumPy replay: intermediates written with `out=` into buffers
that the plan keeps from one replay to the next, so a replay in the steady state
allocates no new array for them.

Planning (`Pool.assign`, called while the steps are built): each pooled value gets an
entry; an entry is shared by values of one shape and dtype whose lifetimes (from the
step that makes the value to the last step that reads it; a gradient that an
accumulation may hand to `.grad` counts as alive to the end) do not overlap. The pool
stays allocated between replays, so it must not add to a replay's peak: only a value
alive across the whole stretch where the eager step holds within 20% of its most
intermediate bytes (estimated from the recorded shapes and lifetimes; ops' internal
temporaries are not in the estimate, so the true peak may be anywhere in it) opens a new
entry; any other value reuses a free entry of its shape and dtype or is allocated as in
eager mode. The entries then weigh no more than values eager holds at its peak anyway.

Liveness at run time (the refcount check): before a step writes into an entry's buffer
it checks with `sys.getrefcount` that nothing but the pool references it. A buffer
still referenced anywhere else (a result returned to the user, a `.grad` that took the
buffer, optimiser state, a view of it in a box or on a ctx that is still alive, the
saved values of a compiled forward's backward node) is left alone and the entry gets a
new buffer: a buffer the user can see is never overwritten. NumPy views keep their
base alive, so a live view counts as a reference to the buffer.

What writes with `out=`: the bare ufuncs of fused elementwise runs (fuse.py) when no
operand's buffer can be reused in place, and the op steps of MatMul, Linear, WeightGrad and SumTo
(their forwards are exactly `matmul`, `matmul` then `+= bias`, and `sum` over axes, so
`out=` gives the same values). Other ops allocate their outputs as in eager mode, and
NumPy's allocator serves them; their buffers are dropped after their last use.
"""
from __future__ import annotations

import sys

from .. import backend
from .capture import Ref

_np = backend.np
_getrefcount = sys.getrefcount
_ndarray = backend.ndarray
# references to a pool buffer that the check itself holds: the pool's list, the step's
# local name, getrefcount's argument
_OWN = 3


class Pool:
    """The buffers of one plan section and their planned sharing."""

    def __init__(self):
        self.bufs = []   # entry -> the current buffer (None until the first replay)
        self.metas = []  # entry -> (shape, dtype)
        self.busy = []   # entry -> index of the last step that reads its current value
        self.allocations = 0  # buffers allocated so far (first replay, busy buffers)

    def assign(self, meta, start, end, new=True):
        """An entry for a value of `meta` made at step `start`, last read at `end`; a
        free entry of that meta, else a new one when `new`, else None (not pooled)."""
        for e, (m, b) in enumerate(zip(self.metas, self.busy)):
            if m == meta and b < start:
                self.busy[e] = end
                return e
        if not new:
            return None
        self.bufs.append(None)
        self.metas.append(meta)
        self.busy.append(end)
        return len(self.bufs) - 1

    def extend(self, e, end):
        """Value of entry e is read until step `end` (an in-place write continued it)."""
        self.busy[e] = max(self.busy[e], end)

    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.bufs if b is not None)

    def getter(self, e):
        """A function returning entry e's buffer, free for writing (a new one when
        anything else still references the old)."""
        bufs = self.bufs
        shape, dtype = self.metas[e]
        empty = _np.empty
        pool = self

        def get():
            buf = bufs[e]
            if buf is None or _getrefcount(buf) > _OWN:
                buf = bufs[e] = empty(shape, dtype)
                pool.allocations += 1
            return buf
        return get


def pooled_op(plan, ev):
    """(factory taking a buffer getter and returning the step, buffer meta) for an op
    step that can write with `out=`, else None."""
    cls = ev.fn
    handler = _OPS.get((cls.__module__, cls.__name__))
    if handler is None or ev.kwargs or type(ev.out) is not Ref:
        return None
    meta = plan.slots[ev.out.n].meta
    if meta is None or meta[1].kind != "f" or meta[1].itemsize < 4:
        return None
    boxes, metas = [], []
    for a in ev.args:
        if type(a) is Ref:
            s = plan.slots[a.n]
            arr = getattr(s.obj, "array", s.obj)
            if type(arr) is not _ndarray or s.meta is None or s.meta[1] != meta[1]:
                return None
            boxes.append(plan.boxes[a.n])
            metas.append(s.meta)
        elif a is None or type(a) is tuple:
            boxes.append(a)
            metas.append(None)
        else:
            return None
    return handler(plan.boxes[ev.out.n], boxes, metas, meta)


def _matmul(ob, args, metas, meta):
    xb, yb = args
    if xb is None or yb is None or len(metas[0][0]) < 2 or len(metas[1][0]) < 2:
        return None
    matmul = backend.matmul

    def factory(get):
        def run():
            ob.array = matmul(xb.array, yb.array, out=get())
        return run
    return factory, meta


def _weight_grad(ob, args, metas, meta):
    gb, xb = args
    if gb is None or xb is None:
        return None
    matmul = _np.matmul

    def factory(get):
        def run():
            ob.array = matmul(gb.array.T, xb.array, out=get())
        return run
    return factory, meta


def _linear(ob, args, metas, meta):
    xb, wb, bb = args
    if xb is None or wb is None or len(meta[0]) < 2:
        return None
    matmul, add = backend.matmul, _np.add

    def factory(get):
        if bb is None:
            def run():
                ob.array = matmul(xb.array, wb.array.T, out=get())
        else:
            def run():
                out = matmul(xb.array, wb.array.T, out=get())
                ob.array = add(out, bb.array, out=out)
        return run
    return factory, meta


def _sum_to(ob, args, metas, meta):
    ab, shape = args
    if ab is None or type(shape) is not tuple:
        return None
    in_shape = metas[0][0]
    lead = len(in_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and in_shape[lead + i] != 1)
    if not axes:
        return None  # the forward returns its input: nothing to allocate
    kept = tuple(1 if i in axes else d for i, d in enumerate(in_shape))
    add = _np.add

    def factory(get):
        def run():
            s = add.reduce(ab.array, axis=axes, keepdims=True, out=get())
            ob.array = s.reshape(shape) if lead else s
        return run
    return factory, (kept, meta[1])


_OPS = {
    ("autograd.ops.linalg", "MatMul"): _matmul,
    ("autograd.ops.products", "Linear"): _linear,
    ("autograd.ops.products", "WeightGrad"): _weight_grad,
    ("autograd.ops.shape", "SumTo"): _sum_to,
}
