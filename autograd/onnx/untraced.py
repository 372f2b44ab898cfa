"""Ops that do not go through `Function.apply` (no gradient, so they skip the graph):
logical_not, isnan, bitwise_and, argmax, all, ... While an export traces a model, each
is wrapped so that the recorders hear of it as of any op, under a class name of its own
(`LogicalNot`, `Argmax`, ...) that the translation table knows.

The wrappers replace the function wherever the autograd and nn packages bind it (module
attributes, `autograd.logical_not`, ...) and are put back afterwards. With no recorder
listening (another thread, say) a wrapper just calls the function.
"""
from __future__ import annotations

import contextlib
import inspect
import sys

from .. import function as _function

# (module, function, op name): the module is where the function is defined
# functions whose inner ops are not recorded, only the call as one op: they compute an
# index from the input's values outside the recorded ops (modules tried in turn)
OPAQUE = [
    (("nn.functional.pooling", "autograd.ops.pooling", "nn.functional"), "adaptive_max_pool2d",
     "AdaptiveMaxPool2d"),
    (("nn.functional.loss", "nn.functional"), "cross_entropy", "CrossEntropyCall"),
    (("nn.functional.loss", "nn.functional"), "nll_loss", "NllLossCall"),
]
UNTRACED = [
    ("autograd.ops.compare", "logical_not", "LogicalNot"),
    ("autograd.ops.compare", "bitwise_not", "BitwiseNot"),
    ("autograd.ops.compare", "isnan", "IsNan"),
    ("autograd.ops.compare", "isinf", "IsInf"),
    ("autograd.ops.compare", "isfinite", "IsFinite"),
    ("autograd.ops.special", "bitwise_and", "BitwiseAnd"),
    ("autograd.ops.special", "bitwise_or", "BitwiseOr"),
    ("autograd.ops.special", "bitwise_xor", "BitwiseXor"),
    ("autograd.ops.special", "bitwise_not", "BitwiseNot"),
    ("autograd.ops.reduce", "argmax", "Argmax"),
    ("autograd.ops.reduce", "argmin", "Argmin"),
    ("autograd.ops.reduce", "all", "All"),
    ("autograd.ops.reduce", "any", "Any"),
]


class PseudoOp:
    """Stands in for an op class in a record: has the class name and `name()`."""

    op = ""

    @classmethod
    def name(cls) -> str:
        return cls.op


_CLASSES: dict = {}


def _wrapper(fn, cls, opaque=False):
    def traced(*args, **kwargs):
        tracers = list(_function._tracers)
        if opaque and tracers:  # the ops inside are not reported, as in _traced_apply
            _function._tracers.clear()
            try:
                out = fn(*args, **kwargs)
            finally:
                _function._tracers[:] = tracers
        else:
            out = fn(*args, **kwargs)
        for tracer in tracers:
            tracer.record(cls, args, kwargs, out)
        return out
    traced.__wrapped__ = fn
    traced.__name__ = fn.__name__
    traced.__doc__ = fn.__doc__
    return traced


@contextlib.contextmanager
def reported():
    """Inside: the functions of UNTRACED report to the capture hook's recorders."""
    patched = []
    try:
        entries = [((m,), f, op, False) for m, f, op in UNTRACED] + \
            [(m, f, op, True) for m, f, op in OPAQUE]
        for mod_names, fn_name, op, opaque in entries:
            mods = [sys.modules.get(m) for m in mod_names]
            fn = next((getattr(m, fn_name) for m in mods if hasattr(m, fn_name)), None)
            if fn is None or hasattr(fn, "__wrapped__"):
                continue
            cls = _CLASSES.get(op)
            if cls is None:  # one class per op name, the same in every trace
                cls = _CLASSES[op] = type(op, (PseudoOp,), {
                    "op": fn_name, "signature": inspect.signature(fn)})
            wrapped = _wrapper(fn, cls, opaque)
            for name, m in list(sys.modules.items()):
                if m is None or not name.startswith(("autograd", "nn")):
                    continue
                for attr, value in list(vars(m).items()):
                    if value is fn:
                        setattr(m, attr, wrapped)
                        patched.append((m, attr, fn))
        yield
    finally:
        for m, attr, fn in reversed(patched):
            setattr(m, attr, fn)
