"""Small helpers of the replay: boxes, walking recorded arguments, raw array arguments."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .capture import ARef, Ref

_ndarray = backend.ndarray
_new = object.__new__


def _box():
    t = _new(Tensor)
    t.array = None
    t.requires_grad = False
    t.grad_fn = None
    t._grad = None
    t._version = [0]
    return t


def _refs(value, into):
    if type(value) is Ref or type(value) is ARef:
        into.append(value.n)
    elif type(value) in (list, tuple):
        for v in value:
            _refs(v, into)
    elif type(value) is dict:
        for v in value.values():
            _refs(v, into)
    return into


def _norm(o):
    if type(o) is tuple:
        return tuple(_norm(x) for x in o)
    if isinstance(o, Tensor):
        return o.array
    if o is None or type(o) is _ndarray or backend.is_array(o):
        return o
    return backend.array_module(o).asarray(o)


class _Raw:
    """A raw array argument: the current array of `box`."""

    __slots__ = ("box",)

    def __init__(self, box):
        self.box = box


def _has_raw(value):
    if type(value) is _Raw:
        return True
    if type(value) in (list, tuple):
        return any(_has_raw(v) for v in value)
    if type(value) is dict:
        return any(_has_raw(v) for v in value.values())
    return False


def _now(value):
    """`value` with every _Raw replaced by its box's current array."""
    tp = type(value)
    if tp is _Raw:
        return value.box.array
    if tp is list or tp is tuple:
        return tp(_now(v) for v in value)
    if tp is dict:
        return {k: _now(v) for k, v in value.items()}
    return value




def _nbytes(meta):
    shape, dtype = meta
    n = 1
    for d in shape:
        n *= d
    return n * dtype.itemsize
