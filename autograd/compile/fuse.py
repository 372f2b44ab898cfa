"""Elementwise fusion for NumPy replays: a run of consecutive elementwise ops (add, sub,
mul, div, neg, exp, tanh on float arrays of one dtype) becomes one step that calls the
ufuncs directly, writing in place (`out=`) into an operand's buffer when that operand
is an intermediate this run made and nothing reads it afterwards, else into a buffer of
the plan's pool (pool.py). The values are the ops' own: their forwards are exactly these
ufuncs on same-dtype operands.
"""
from __future__ import annotations

from .. import backend
from .capture import Ref

_UFUNCS = {
    ("autograd.ops.elementwise", "Add"): "add",
    ("autograd.ops.elementwise", "Sub"): "subtract",
    ("autograd.ops.elementwise", "Mul"): "multiply",
    ("autograd.ops.elementwise", "Div"): "true_divide",
    ("autograd.ops.elementwise", "Neg"): "negative",
    ("autograd.ops.unary", "Exp"): "exp",
    ("autograd.ops.unary", "Tanh"): "tanh",
}


def candidate(plan, ev, k):
    """(ufunc, operands, out slot) when event k can run as a bare NumPy ufunc, else None.
    An operand is a Ref or a Python number."""
    if ev.kind != "op" or ev.kwargs or k in plan.ctx_cells or type(ev.out) is not Ref:
        return None
    name = _UFUNCS.get((ev.fn.__module__, ev.fn.__name__))
    if name is None:
        return None
    meta = plan.slots[ev.out.n].meta
    if meta is None or meta[1].kind != "f":
        return None
    ops = []
    for a in ev.args:
        if type(a) is Ref:
            s = plan.slots[a.n]
            arr = getattr(s.obj, "array", s.obj)
            if s.meta is None or s.meta[1] != meta[1] or type(arr) is not backend.ndarray:
                return None
            ops.append(a)
        elif type(a) is float or type(a) is int:
            ops.append(a)
        else:
            return None
    if not any(type(o) is Ref for o in ops):
        return None
    return getattr(backend.array_module(arr), name), ops, ev.out.n


def build(plan, cand, inplace, get=None):
    """The step of one candidate; `inplace` is the operand slot whose buffer it writes
    into, or None; `get`, when given, returns the pool buffer to write into otherwise."""
    uf, ops, out = cand
    ob = plan.boxes[out]
    args = [plan.boxes[o.n] if type(o) is Ref else o for o in ops]
    boxed = [type(o) is Ref for o in ops]
    if inplace is not None:
        tb = plan.boxes[inplace]

        def target():
            return tb.array
    else:
        target = get
    if len(ops) == 1:
        xb = args[0]
        if target is None:
            def run():
                ob.array = uf(xb.array)
        else:
            def run():
                ob.array = uf(xb.array, out=target())
        return run
    xb, yb = args
    if boxed[0] and boxed[1]:
        if target is None:
            def run():
                ob.array = uf(xb.array, yb.array)
        else:
            def run():
                ob.array = uf(xb.array, yb.array, out=target())
    elif boxed[0]:
        if target is None:
            def run():
                ob.array = uf(xb.array, yb)
        else:
            def run():
                ob.array = uf(xb.array, yb, out=target())
    else:
        if target is None:
            def run():
                ob.array = uf(xb, yb.array)
        else:
            def run():
                ob.array = uf(xb, yb.array, out=target())
    return run


def group(runs):
    """One step running a fused group's ufunc steps in order."""
    runs = tuple(runs)

    def run():
        for r in runs:
            r()
    return run
