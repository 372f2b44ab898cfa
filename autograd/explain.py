"""`explain_grad(tensor, output)`: why `tensor.grad` is None or zero after
`output.backward()`, read from the tensor, the output and the graph between them."""
from __future__ import annotations

import gc
import weakref
from collections import deque

from . import backend
from .function import _FREED
from .graph import edge_node, nodes, walk
from .op_names import op_label
from .tensor_base import TensorBase as Tensor

__all__ = ["explain_grad", "Explanation"]

# ops whose backward multiplies by a mask that is zero where the input was <= 0
_RELU_LIKE = ("relu", "relu6", "hardtanh", "clamp", "threshold")


class Explanation:
    """What `explain_grad` returns: `.reason` (a short code), `.op` (the op where the
    path breaks, or None) and `.message`; `str()` gives the message.

    Reasons: ok, integer_dtype, detached, non_differentiable, no_grad,
    requires_grad_false, not_connected, non_leaf, freed, dead_relu, zero."""

    __slots__ = ("reason", "op", "message")

    def __init__(self, reason, message, op=None):
        self.reason, self.op, self.message = reason, op, message

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"Explanation(reason={self.reason!r}, op={self.op!r})"


# the latest places where a path can leave the graph without a trace in it: detach() and
# argmax/argmin of a tensor that requires grad: (weakref(result), op, weakref(source),
# weakrefs of the leaves the source's node reads, for when that node is gone)
_CUTS = deque(maxlen=256)
_WHY = {"detach": "detach() gives a copy without graph",
        "argmax": "argmax is not differentiable: its result is an integer index",
        "argmin": "argmin is not differentiable: its result is an integer index"}


def note_cut(result, op: str, source) -> None:
    """Called by detach() and argmax/argmin when `source` requires grad: remembers (weakly)
    that `result` was made from it by `op`, through which no gradient flows."""
    node = source.grad_fn
    if node is None:
        _CUTS.append((weakref.ref(result), op, weakref.ref(source), ()))
        return
    leaves = tuple(weakref.ref(e) for e in node.next if e is not None and e._is_tensor)
    _CUTS.append((weakref.ref(result), op, weakref.ref(node), leaves))


def _reaches(src, tensor) -> bool:
    """Does `src` (a node, or a leaf tensor) lead to `tensor` in its graph?"""
    if src is tensor:
        return True
    if isinstance(src, Tensor):
        return False
    for node in walk([src]):
        if node is tensor.grad_fn or any(e is tensor for e in node.next):
            return True
    return False


def _uses(graph, result):
    """A node of `graph` that holds `result` (saved, or its array as an attribute)."""
    for node in graph:
        saved = node.saved
        if isinstance(saved, tuple) and any(s is result or getattr(s, "array", None) is
                                            result.array for s in saved):
            return node
        for v in node.__dict__.values():
            vals = list(v) if isinstance(v, tuple) else [v]
            vals += [y for x in vals if isinstance(x, tuple) for y in x]  # ctx.args=(.., index)
            if any(x is result.array for x in vals):
                return node
    return None


def _cut_on_path(graph, tensor, what):
    """An Explanation naming the detach()/argmax through which `tensor` fed the output,
    or None when no recorded cut starts from it."""
    for ref, op, src_ref, leaves in reversed(_CUTS):
        src = src_ref()
        if src is None:  # the source node is gone: the leaves it read are still known
            if not any(leaf() is tensor for leaf in leaves):
                continue
        elif not _reaches(src, tensor):
            continue
        result = ref()
        user = _uses(graph, result) if result is not None else None
        reason = "detached" if op == "detach" else "non_differentiable"
        where = (f"the output's graph uses that result in {op_label(user)}" if user is not None
                 else "if the output was computed from that result (directly or through "
                      "other ops), that is where its path breaks")
        fix = ("use the tensor itself there" if op == "detach" else
               "a differentiable stand-in (softmax weights, gather of probabilities) "
               "carries gradient")
        return Explanation(
            reason, f"{what} is not connected to the output: it went through {op}() "
            f"({_WHY[op]}); {where}; {fix}", op=op)
    return None


def _describe(t):
    name = getattr(t, "name", None)
    label = f"{name!r} " if isinstance(name, str) and name else ""
    return f"tensor {label}of shape {tuple(t.shape)} ({t.dtype})"


def _detached_from(tensor):
    """A tensor that requires grad and shares `tensor`'s storage (and, for detach(), its
    version counter; .data has its own): `tensor` is its `detach()` or `.data`."""
    for o in gc.get_referrers(tensor.array):
        if (isinstance(o, Tensor) and o is not tensor and o.requires_grad
                and (o._version is tensor._version or o.array is tensor.array)):
            return o
    return None


def _detached_copy_user(graph, tensor):
    """A node of `graph` that saved a detach()/.data of `tensor` (same storage and version
    counter, no graph), or None."""
    for node in graph:
        saved = node.saved
        if not isinstance(saved, tuple):
            continue
        for s in saved:
            if (isinstance(s, Tensor) and s is not tensor and not s.requires_grad
                    and (s._version is tensor._version or s.array is tensor.array)):
                return node
    return None


def _path_nodes(graph, tensor):
    """The nodes on some path from the output to `tensor` (a leaf or a node's output):
    walk consumers backwards from where the tensor enters the graph."""
    target = tensor.grad_fn
    consumers = {}
    start = []
    for node in graph:
        for e in node.next:
            if e is None:
                continue
            if e._is_tensor:
                if target is None and e is tensor:
                    start.append(node)
            else:
                consumers.setdefault(id(edge_node(e)), []).append(node)
        if node is target:
            start.append(node)
    on_path, seen = [], set()
    while start:
        node = start.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        on_path.append(node)
        start.extend(consumers.get(id(node), ()))
    return on_path


def _blocking_relu(graph, path, tensor):
    """A relu-like node that every path from the output to `tensor` crosses."""
    on_path = {id(n) for n in path}
    for cand in path:
        if cand.name() not in _RELU_LIKE:
            continue
        # remove cand: does the tensor stay reachable from the output?
        stack, seen, reached = [graph[0]], set(), False
        while stack and not reached:
            node = stack.pop()
            if node is cand or id(node) in seen or id(node) not in on_path:
                continue
            seen.add(id(node))
            if node is tensor.grad_fn:
                reached = True
            for e in node.next:
                if e is None:
                    continue
                if e._is_tensor:
                    reached = reached or e is tensor
                else:
                    stack.append(edge_node(e))
        if not reached:
            return cand
    return None


def explain_grad(tensor, output) -> Explanation:
    """Why `tensor.grad` is None or zero after `output.backward()` (call it before or
    after backward). Returns an `Explanation`; print it for a sentence. A path cut by a
    detach()/.data copy is named (with the op that used the copy) while the graph still
    holds that copy: before backward, or after one with retain_graph=True."""
    if not isinstance(tensor, Tensor) or not isinstance(output, Tensor):
        raise TypeError(f"explain_grad: expected Tensors, got {type(tensor).__name__} and "
                        f"{type(output).__name__}")
    what = _describe(tensor)
    if backend.kind(tensor.dtype) not in "fc":
        return Explanation(
            "integer_dtype", f"{what} has an integer dtype: only floating point tensors "
            "can require gradients; convert it with .float() first")
    if not tensor.requires_grad:
        src = _detached_from(tensor)
        if src is not None:
            return Explanation(
                "detached", f"{what} was made by detach() (or .data) from a tensor that "
                "requires grad: it shares the memory but not the graph; use the original "
                "tensor instead", op="detach")
    if output.grad_fn is None and not output.requires_grad:
        return Explanation(
            "no_grad", f"the output ({_describe(output)}) has no graph: it was computed "
            "under no_grad() (or set_grad_enabled(False)), or from tensors that need no "
            "grad; compute it with grad mode on")
    if not tensor.requires_grad:
        return Explanation(
            "requires_grad_false", f"{what} has requires_grad=False, so autograd does not "
            "track it; create it with requires_grad=True or call .requires_grad_() before "
            "using it (if an op under no_grad() made it, redo that op with grad mode on)")
    graph = nodes(output)
    if tensor is output:
        path = []
    else:
        path = _path_nodes(graph, tensor) if graph else []
        if not path:
            user = _detached_copy_user(graph, tensor)
            if user is not None:
                return Explanation(
                    "detached", f"{what} is not connected to the output: the graph uses a "
                    f"detached copy of it (detach() or .data: same memory, no graph) in "
                    f"{user.name()}; use the tensor itself there", op=user.name())
            cut = _cut_on_path(graph, tensor, what)
            if cut is not None:
                return cut
            head = output.grad_fn.name() if output.grad_fn is not None else None
            return Explanation(
                "not_connected", f"{what} is not connected to the output: no path in the "
                f"output's graph reaches it (the graph ends in "
                f"{head or 'a leaf'}); it was not used, or the path went through "
                "detach(), .data, .numpy() or an op under no_grad()", op=None)
    if tensor.grad_fn is not None and tensor.grad is None:
        return Explanation(
            "non_leaf", f"{what} is not a leaf (made by {tensor.grad_fn.name()}): "
            "backward fills .grad only for leaves; call .retain_grad() before backward, or "
            "use autograd.grad", op=tensor.grad_fn.name())
    if tensor.grad is None:
        freed = [n for n in graph if n.saved is _FREED]
        if freed:
            return Explanation(
                "freed", f"{what} is connected, but backward already ran through this graph "
                "and freed it, and its .grad was reset since (zero_grad?); a second backward "
                "needs retain_graph=True on the first, or a fresh forward",
                op=freed[0].name())
        return Explanation(
            "not_run", f"{what} is connected to the output but backward has not run yet; "
            "call output.backward()", op=None)
    g = tensor.grad.array
    xp = backend.array_module(g)
    if bool(xp.any(g != 0)):
        return Explanation("ok", f"{what} has a nonzero gradient")
    relu = _blocking_relu(graph, path, tensor)
    if relu is not None:
        alive = relu._out is not None
        detail = ""
        if alive:
            detail = f" ({int((relu._out > 0).sum())} of {relu._out.size} outputs positive)"
        return Explanation(
            "dead_relu", f"{what} got an all-zero gradient: every path from the output to "
            f"it crosses {relu.name()}, and its inputs were <= 0 everywhere{detail}, so its "
            "gradient is zero (a dead ReLU); check the initialisation, the learning rate, "
            "or use LeakyReLU", op=relu.name())
    return Explanation(
        "zero", f"{what} is connected and got a gradient, but it is exactly zero: the "
        "output does not depend on it locally (e.g. a multiplication by zero, a masked or "
        "constant branch)", op=None)
