"""`Function.apply` for user-defined Functions (torch.autograd.Function subclasses).

Unlike the built-in ops, a user's forward gets Tensors, may call Tensor ops (run under
no_grad, as PyTorch does) and returns Tensors, arrays or other values. Outputs it saved
with `ctx.save_for_backward` come back from `ctx.saved_tensors` linked to the node, so
backward formulas that use them differentiate again (create_graph=True).
"""
from __future__ import annotations

from . import backend
from ._node import OutputEdge, _check_devices, _record_stack
from .grad_mode import _mode
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


class _SavedOutput:
    """An output of the node saved for backward: kept as its array (a Tensor here would
    make the cycle output -> node -> output)."""

    __slots__ = ("nr", "array", "version")

    def __init__(self, nr, t):
        self.nr, self.array, self.version = nr, t.array, t._version


def _edge(t):
    node = t.grad_fn
    if node is None:
        return t
    return node if node._n_out == 1 else OutputEdge(node, t._nr)


def _run_forward(cls, node, args, kwargs, own_setup):
    prev = _mode.enabled
    _mode.enabled = False
    try:
        if own_setup:  # PyTorch 2 style: forward(*args), then setup_context(ctx, args, out)
            out = cls.forward(*args, **kwargs)
            cls.setup_context(node, args, out)
            return out
        return cls.forward(node, *args, **kwargs)
    finally:
        _mode.enabled = prev


def apply_custom(cls, args, kwargs, own_setup: bool = False):
    """own_setup: cls overrides setup_context (PyTorch 2's form)."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    if len({type(a.array) for a in tensors}) > 1 or (
            tensors and type(tensors[0].array) is not backend.ndarray):
        _check_devices(cls, args)
    record = _mode.enabled and any(a.requires_grad for a in tensors)
    node = cls()
    node.saved = None
    node.next = tuple(_edge(a) if record and isinstance(a, Tensor) and a.requires_grad
                      else None for a in args)
    out = _run_forward(cls, node, args, kwargs, own_setup)
    is_tuple = isinstance(out, tuple)
    outs = out if is_tuple else (out,)
    input_ids = {id(a) for a in tensors}
    results = []
    for o in outs:
        if backend.is_array(o):
            o = _make(o)
        elif isinstance(o, Tensor) and record and (id(o) in input_ids or o.grad_fn is not None):
            alias = _make(o.array)  # an input returned as is: a new Tensor on its storage
            alias._version = o._version
            o = alias
        results.append(o)
    if not record:
        return tuple(results) if is_tuple else results[0]

    if _mode.anomaly:
        _record_stack(node)
    non_diff = node._non_diff or ()
    linked = {}  # id of what forward returned -> output number
    for i, (o, t) in enumerate(zip(outs, results)):
        if isinstance(t, Tensor) and id(o) not in non_diff and backend.kind(t.array.dtype) in "fc":
            t.requires_grad = True
            t.grad_fn = node
            t._nr = i
            linked[id(o)] = i
    node._n_out = len(results)
    # what the engine checks returned gradients against
    node._metas = [(t.array.shape, t.array.dtype) if isinstance(t, Tensor) else None
                   for t in results]
    if len(results) == 1 and isinstance(results[0], Tensor):
        node._shape, node._dtype = node._metas[0]
    node._plain = False  # a user's backward may return lists or extra gradients
    if node.saved:
        node.saved = tuple(
            _SavedOutput(linked[id(s)], results[linked[id(s)]])
            if isinstance(s, Tensor) and id(s) in linked and id(s) not in input_ids else s
            for s in node.saved)
    return tuple(results) if is_tuple else results[0]


def unpack_saved(node, saved):
    """ctx.saved_tensors of a custom node: version checks, outputs relinked to the node."""
    out = []
    for s, v in zip(saved, node._versions):
        if type(s) is _SavedOutput:
            if s.version[0] != v:
                raise _modified(node, s.array.shape, v, s.version[0], "an output")
            t = _make(s.array)
            t._version = s.version
            t.requires_grad = True
            t.grad_fn = node
            t._nr = s.nr
            out.append(t)
            continue
        if v is not None and s._version[0] != v:
            raise _modified(node, s.shape, v, s._version[0], "a tensor")
        out.append(s)
    return tuple(out)


def _modified(node, shape, saved_at, now, what):
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {type(node).__name__}Backward saved {what} of shape "
        f"{tuple(shape)} at version {saved_at}, and it is now at version {now}; use "
        "out-of-place ops, or clone() before modifying")
