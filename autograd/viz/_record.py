"""What a drawing reads off a node: saved arrays, constant inputs and gradient norms.

`watch(output)` before `backward()` hooks every node of the graph: the hooks store the
norm of the gradient that reached the node and of each gradient it sent to its inputs,
and watch keeps a description of the saved arrays (which backward then frees).
"""
from __future__ import annotations

import math

from .. import backend
from ..function import _FREED
from ..graph import nodes, saved_arrays
from ..op_names import saved_names
from ..tensor_base import TensorBase as Tensor


class SavedInfo:
    """One array a node holds for backward: enough to draw it once it is freed."""

    __slots__ = ("label", "shape", "dtype", "nbytes", "key", "root", "device")

    def __init__(self, label, arr):
        self.label = label
        self.shape = tuple(arr.shape)
        self.dtype = str(arr.dtype)
        self.nbytes = int(arr.nbytes)
        self.key = id(arr)
        root = arr
        while getattr(root, "base", None) is not None:  # views share their base's storage
            root = root.base
        self.root = id(root)
        self.device = str(backend.device_of(arr))


class ConstInfo:
    """A tensor that needs no grad, read by a node (known when the node saved it)."""

    __slots__ = ("slot", "key", "shape", "dtype", "name", "device")

    def __init__(self, slot, t):
        self.slot = slot
        self.key = id(t)
        self.shape = tuple(t.array.shape)
        self.dtype = str(t.array.dtype)
        self.name = t.name
        self.device = str(backend.device_of(t.array))


def saved_info(node):
    """[SavedInfo] of what `node` holds now, or what `watch` saw before backward freed it."""
    if node.saved is _FREED:
        snap = node.__dict__.get("_viz_saved")
        return snap[0] if snap is not None else []
    pairs = saved_arrays(node)
    names = saved_names(node, len(node.saved) if node.saved else 0)
    out = []
    for label, arr in pairs:  # "saved[i]" -> PyTorch's name of that argument; "result"
        if label.startswith("saved["):
            label = names[int(label[6:-1])]
        elif label == "output":
            label = "result"
        out.append(SavedInfo(label, arr))
    return out


def const_info(node):
    """[ConstInfo]: inputs without grad whose tensor the node saved in the same slot."""
    if node.saved is _FREED:
        snap = node.__dict__.get("_viz_saved")
        return snap[1] if snap is not None else []
    saved = node.saved
    if not saved:
        return []
    out = []
    for i, e in enumerate(node.next):
        if e is None and i < len(saved):
            t = saved[i]
            if isinstance(t, Tensor) and not t.requires_grad:
                out.append(ConstInfo(i, t))
    return out


def is_freed(node):
    return node.saved is _FREED and "_viz_saved" not in node.__dict__


# ----------------------------------------------------------------------------- gradients
def norm(t):
    """2-norm of a Tensor's array as a float (inf/nan kept), None for None."""
    if t is None:
        return None
    arr = t.array
    if arr.size == 0:
        return 0.0
    xp = backend.array_module(arr)
    if arr.dtype.itemsize < 4:  # float16: square in float32, or huge norms overflow
        arr = arr.astype(xp.float32)
    errstate = getattr(xp, "errstate", None)
    if errstate is None:
        return float(xp.linalg.norm(arr.reshape(-1)))
    with errstate(over="ignore", invalid="ignore"):  # inf is an answer here (exploding)
        return float(xp.linalg.norm(arr.reshape(-1)))


def _combine(norms):
    vals = [n for n in norms if n is not None]
    return math.sqrt(sum(v * v for v in vals)) if vals else None


class _Watch:
    """Handle returned by `watch`: `.remove()` takes the hooks off again."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()
        self.handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def watch(*outputs):
    """Record what `draw(..., color_by="grad")` and `show_saved=True` need from the next
    backward through `outputs`:

        viz.watch(loss)
        loss.backward()
        viz.draw(loss, model=model, color_by="grad")

    Each node gets a hook storing the norm of its output gradient and of each gradient
    it passes to its inputs (a few reductions per node); what it saved is described now,
    before backward frees it. Parameters need no watch: their `.grad` is read directly.
    """
    handles = []
    for node in nodes(*outputs):
        d = node.__dict__  # the hook holds the dict, not the node: no reference cycle
        if node.saved is not _FREED:
            d["_viz_saved"] = (saved_info(node), const_info(node))
        handles.append(node.register_hook(_make_hook(d)))
    return _Watch(handles)


def _make_hook(d):
    def hook(grad_inputs, grad_outputs):
        out = _combine([norm(g) for g in grad_outputs])
        d["_viz_grad"] = (out, tuple(norm(g) for g in grad_inputs))
    return hook


def node_grad(node):
    """Norm of the gradient that reached `node`'s output(s): from `watch`, or from
    tensors that called retain_grad(); None when unknown."""
    rec = node.__dict__.get("_viz_grad")
    if rec is not None:
        return rec[0]
    retained = node._retained
    if retained:
        grads = [ref() for ref in retained.values()]
        return _combine([norm(t.grad) for t in grads if t is not None])
    return None


def edge_grad(node, slot):
    """Norm of the gradient `node` sent to its input `slot` (needs `watch`)."""
    rec = node.__dict__.get("_viz_grad")
    if rec is None or slot >= len(rec[1]):
        return None
    return rec[1][slot]
