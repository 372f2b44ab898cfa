"""Two recordings of the same guard set are compared before a plan is trusted: the same
calls in the same order, the same non-tensor arguments, and for every tensor met without
provenance either the same object both times (a parameter, a buffer: read live) or equal
values (a constant, kept). Anything else (a value computed outside the recorded ops,
data-dependent control flow, Python state) leaves the region eager.
"""
from __future__ import annotations

from .. import backend
from .capture import ARef, Ref


def same(a, b) -> bool:
    """Structural equality of two recorded argument values (Refs by slot number)."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is Ref or ta is ARef:
        return a.n == b.n
    if ta is list or ta is tuple:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    code = getattr(a, "__code__", None)
    if code is not None and getattr(a, "__closure__", None) is not None or \
            ta.__name__ == "function":
        if code is not b.__code__ or a.__defaults__ != b.__defaults__:
            return False
        ca, cb = a.__closure__ or (), b.__closure__ or ()
        return len(ca) == len(cb) and all(same(x.cell_contents, y.cell_contents)
                                          for x, y in zip(ca, cb))
    if backend.is_array(a) and hasattr(a, "shape"):
        return a.shape == b.shape and a.dtype == b.dtype and \
            bool(backend.array_module(a).array_equal(a, b))
    try:
        r = a == b
        if type(r) is bool:
            return r
        return bool(r) if getattr(r, "shape", None) == () else False  # NumPy scalars
    except Exception:  # noqa: BLE001 - objects whose == raises are simply not equal
        return False


def verify(r1, r2):
    """(None, decisions) when the recordings agree, else (reason, None). decisions maps
    each slot met without provenance to ('ext', tensor) or ('const', array)."""
    if len(r1.events) != len(r2.events) or len(r1.slots) != len(r2.slots):
        return ("the recorded calls change between calls (data-dependent control flow or "
                "Python state)"), None
    # (an accumulation may take its gradient's buffer one time and not the next: the
    # replay decides by the leaf's .grad at the time, and takes it only when both did)
    for k, (a, b) in enumerate(zip(r1.events, r2.events)):
        if a.kind == "acc":
            b.extra = a.extra and b.extra
        if a.kind != b.kind or a.fn is not b.fn and not same(a.fn, b.fn) or \
                not same(a.args, b.args) or not same(a.kwargs, b.kwargs) or \
                not same(a.out, b.out) or (a.extra != b.extra and a.kind != "acc"):
            return (f"call {k} ({b.name()}) changes between calls (its arguments or data-"
                    "dependent control flow)"), None
    decisions = {}
    for n, (s1, s2) in enumerate(zip(r1.slots, r2.slots)):
        if s1.kind != s2.kind or s1.index != s2.index or s1.event != s2.event or \
                s1.path != s2.path or s1.meta != s2.meta:
            return f"value %{n} changes its origin between calls", None
        if s2.kind != "unknown":
            continue
        if s1.obj is s2.obj:
            decisions[n] = ("ext", s2.obj)
        elif same(s1.obj.array, s2.obj.array):
            decisions[n] = ("const", s2.obj.array.copy())
        else:
            return (f"a tensor of shape {s2.meta[0]} used by the region is computed outside "
                    "the recorded ops and changes between calls"), None
    return None, decisions
