"""The backward engine: reverse-mode differentiation over the graph of `Function` nodes.

1. From the outputs, walk the graph iteratively and count, for every node, the edges
   that lead into it (how many consumers will send it a gradient).
2. Run nodes whose consumers are all done (Kahn's order; no recursion, so a chain of
   100,000 ops is fine). A node's incoming gradients are summed in `pending`, popped
   when it runs, then freed.
3. Every gradient a node returns is checked against the input it belongs to: summed
   down when it was broadcast (the one place where broadcasting is undone), cast when
   dtypes differ. Leaves accumulate into `.grad`.
"""
from __future__ import annotations

import sys

from . import backend
from .anomaly import check_grads
from .function import _FREED, OutputEdge, _mode
from .ops.complex import real as _real
from .ops.elementwise import cast
from .ops.reduce import sum_to
from .tensor_base import GRAD_DTYPE_SET as _GRAD_DTYPE_SET
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_refcount = sys.getrefcount


# ----------------------------------------------------------------------------- gradients
def _fit(g, shape, dtype, node, i):
    """`g` summed down to `shape` (undoing broadcasting) and cast to `dtype`."""
    if g.array.shape != shape:
        try:
            backend.broadcast_shapes(shape, g.array.shape)
            ok = len(g.array.shape) >= len(shape) and backend.broadcast_shapes(
                shape, g.array.shape) == g.array.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"backward: {node.name()} returned a gradient of shape {tuple(g.shape)} for "
                f"its input {i}, which has shape {tuple(shape)}")
        g = sum_to(g, shape)
    if g.array.dtype != dtype and backend.kind(dtype) in "fc":
        if g.array.dtype.kind == "c" and dtype.kind == "f":  # a real input: the real part
            g = _real(g)
        g = cast(g, dtype)
    return g


def _leaf_grad_dtype(leaf, g):
    """The dtype leaf.grad takes: the leaf's, or what Tensor.grad_dtype says (None: the
    incoming gradient's own)."""
    if not _GRAD_DTYPE_SET[0]:
        return leaf.array.dtype
    dt = leaf.__dict__.get("_grad_dtype", leaf.array.dtype)
    return g.array.dtype if dt is None else dt


def _index(edges, grads, e, g):
    """Which input of the node the gradient `g` on edge `e` belongs to (for messages)."""
    return next(i for i, pair in enumerate(zip(edges, grads)) if pair[0] is e and pair[1] is g)


def _accumulate_leaf(leaf, g, create_graph, fresh):
    """Add `g` into `leaf.grad`. `fresh` holds the leaves whose `.grad` buffer this pass
    created: within a pass, later contributions are added out of place, because the
    buffer may still be the very gradient another node is waiting to consume."""
    hooks = leaf._hooks_list
    if hooks is not None:
        for h in list(hooks):
            r = h(g)
            if r is not None:
                g = r
    old = leaf._grad
    if old is None:
        if create_graph:
            leaf._grad = g
        else:
            arr = g.array
            # take the array when nothing else holds it or its memory (a view whose base
            # only it holds, as CuPy's matmul returns, is taken too); copy otherwise
            if _refcount(arr) > 3 or (arr.base is not None and _refcount(arr.base) > 2):
                arr = arr.copy()
            leaf._grad = _make(arr)
            fresh.add(id(leaf))
    elif create_graph or old._requires_grad:  # the slot: no property call per leaf
        leaf._grad = old + g
    elif id(leaf) in fresh:  # after this out-of-place sum the buffer is the leaf's own
        leaf._grad = _make(old.array + g.array)
        fresh.discard(id(leaf))
    else:
        old.array += g.array
        old._version[0] += 1
    post = leaf._post_acc_hooks
    if post is not None:
        for h in list(post):
            h(leaf)


def _root_grads(outputs, grad_outputs, op, create_graph):
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a "
                "grad_fn")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs; got "
                    f"shape {tuple(out.shape)}, so pass gradient= (a tensor of that shape)")
            g = _make(backend.array_module(out.array).ones_like(out.array))
        elif not isinstance(g, Tensor):
            g = _make(backend.asarray(g, dtype=out.array.dtype, dev=out.device))
        else:
            if tuple(g.shape) != tuple(out.shape):
                raise RuntimeError(
                    f"{op}: mismatch in shape: grad_output[{i}] has shape {tuple(g.shape)} "
                    f"and output[{i}] has shape {tuple(out.shape)}")
            if g.device != out.device:
                raise RuntimeError(
                    f"{op}: grad_output[{i}] is on {g.device} but the output is on "
                    f"{out.device}")
            if not create_graph:  # a fresh wrapper: the user's tensor never becomes a .grad
                g = _make(g.array)
        roots.append((out, g))
    return roots


# ----------------------------------------------------------------------------- the pass
def run_backward(outputs, grad_outputs, retain_graph=None, create_graph=False,
                 inputs=None, allow_unused=False, accumulate=True, op="backward"):
    """Reverse-mode pass from `outputs`. With accumulate=True (Tensor.backward) leaf
    gradients are accumulated into `.grad`; otherwise (autograd.grad) the gradients of
    `inputs` are returned and no `.grad` is touched."""
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outputs, grad_outputs, op, create_graph)
    fresh = set()
    targets = _Targets(inputs, op) if inputs is not None else None

    # 1. count, for every node, how many edges lead into it (iterative DFS)
    deps = {}
    stack = []
    pending = {}
    for out, g in roots:
        node = out.grad_fn
        if node is None:  # backward on a leaf: its gradient is `g` itself
            if targets is not None:
                targets.leaf(out, g)
            elif accumulate:
                _accumulate_leaf(out, g, create_graph, fresh)
            continue
        _add_pending(pending, node, out._nr, g)
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    hooked = {}  # leaves with hooks: {id: [edges still to arrive, leaf, summed gradient]}
    output_edge = OutputEdge
    while stack:
        node = stack.pop()
        for e in node.next:
            if e is None:
                continue
            if e._is_tensor:  # a leaf (nodes and OutputEdges are not Tensors)
                if e._hooks_list is not None or e._post_acc_hooks is not None:
                    h = hooked.get(id(e))
                    if h is None:
                        hooked[id(e)] = [1, e, None]
                    else:
                        h[0] += 1
                continue
            p = e.node if type(e) is output_edge else e
            c = deps.get(p)
            if c is None:
                deps[p] = 1
                stack.append(p)
            else:
                deps[p] = c + 1

    # 2. run nodes whose consumers are all done (Kahn's algorithm)
    ready = [n for n, c in deps.items() if c == 0]
    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    inline = targets is None  # the plain call below serves every node without hooks
    free = not retain_graph
    freed, pending_get, push = _FREED, pending.get, ready.append
    try:
        while ready:
            node = ready.pop()
            grads = pending.pop(node, None)
            nxt = node.next
            if grads is None:
                outs = (None,) * len(nxt)
                saved = node.saved
            elif inline and node._plain:
                saved = node.saved
                if saved is freed:
                    node.saved_tensors  # raises: this graph was freed by an earlier backward
                outs = node.backward(node, grads)
                if type(outs) is not tuple:
                    outs = (outs,)
                if len(outs) != len(nxt):
                    outs = _as_grads(node, outs)
            else:
                outs = _call_backward(node, grads, targets)
                saved = node.saved
            if free and saved is not None:
                node.saved = freed
                if node._out is not None:
                    node._out = None
            for e, g in zip(nxt, outs):
                if e is None:
                    continue
                if e._is_tensor:  # a leaf
                    if hooked and id(e) in hooked:
                        h = hooked[id(e)]
                        h[0] -= 1
                    else:
                        h = None
                    if g is None:
                        continue
                    arr = e.array
                    if g.array.shape != arr.shape or g.array.dtype is not arr.dtype or \
                            _GRAD_DTYPE_SET[0]:
                        g = _fit(g, arr.shape, _leaf_grad_dtype(e, g), node,
                                 _index(nxt, outs, e, g))
                    if targets is not None:
                        targets.leaf(e, g)
                    elif h is not None:
                        # hooks see the summed gradient: accumulate (and run the hooks)
                        # once the last edge into this leaf has delivered
                        h[2] = g if h[2] is None else h[2] + g
                    elif accumulate:
                        _accumulate_leaf(e, g, create_graph, fresh)
                    continue
                if type(e) is output_edge:
                    p = e.node
                    if g is not None:
                        shape, dtype = p._metas[e.nr]
                        if g.array.shape != shape or g.array.dtype is not dtype:
                            g = _fit(g, shape, dtype, node, _index(nxt, outs, e, g))
                        _add_pending(pending, p, e.nr, g)
                else:
                    p = e
                    if g is not None:
                        if g.array.shape != p._shape or g.array.dtype is not p._dtype:
                            g = _fit(g, p._shape, p._dtype, node, _index(nxt, outs, e, g))
                        old = pending_get(p)
                        pending[p] = g if old is None else old + g
                c = deps[p] - 1
                deps[p] = c
                if c == 0:
                    push(p)
            if hooked:
                _flush_hooked(hooked, create_graph, fresh, accumulate and targets is None)
    finally:
        _mode.enabled = prev_mode
    if targets is None:
        return None
    return targets.result(allow_unused)


def _flush_hooked(hooked, create_graph, fresh, accumulate):
    """Accumulate the leaves whose every incoming edge has delivered its gradient."""
    for key in [k for k, h in hooked.items() if h[0] == 0]:
        _, leaf, g = hooked.pop(key)
        if g is not None and accumulate:
            _accumulate_leaf(leaf, g, create_graph, fresh)


def _add_pending(pending, node, nr, g):
    if node._n_out == 1:
        old = pending.get(node)
        pending[node] = g if old is None else old + g
    else:
        slot = pending.get(node)
        if slot is None:
            slot = pending[node] = [None] * node._n_out
        slot[nr] = g if slot[nr] is None else slot[nr] + g


class _Targets:
    """The `inputs` of autograd.grad: gradients reaching them are captured, not stored."""

    def __init__(self, inputs, op):
        self.inputs = inputs
        self.op = op
        self.captured = {}
        self.leaves = {}
        self.nodes = {}
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"{op}: expected Tensors as inputs, got {type(t).__name__}")
            if not t.requires_grad:
                raise RuntimeError(f"{op}: one of the differentiated Tensors does not require "
                                   "grad")
            if t.grad_fn is None:
                self.leaves.setdefault(id(t), []).append(i)
            else:
                self.nodes.setdefault((t.grad_fn, t._nr), []).append(i)

    def _add(self, idx, g):
        for j in idx:
            old = self.captured.get(j)
            self.captured[j] = g if old is None else old + g

    def leaf(self, t, g):
        idx = self.leaves.get(id(t))
        if idx is not None:
            self._add(idx, g)

    def node_output(self, node, nr, g):
        idx = self.nodes.get((node, nr))
        if idx is not None:
            self._add(idx, g)

    def result(self, allow_unused):
        out = []
        for i, t in enumerate(self.inputs):
            g = self.captured.get(i)
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"{self.op}: one of the differentiated Tensors (input {i}, shape "
                    f"{tuple(t.shape)}) appears to not have been used in the graph; set "
                    "allow_unused=True if this is the desired behavior")
            out.append(g)
        return tuple(out)


def _as_grads(node, out):
    """A backward's result as a tuple with exactly one entry per input."""
    if type(out) is not tuple:
        out = tuple(out) if isinstance(out, list) else (out,)
    n = len(node.next)
    if len(out) < n:
        if any(e is not None for e in node.next[len(out):]):
            raise RuntimeError(
                f"{node.name()}: backward returned {len(out)} gradients but forward had "
                f"{n} inputs")
        out = out + (None,) * (n - len(out))
    return out[:n] if len(out) > n else out


def _call_backward(node, grads, targets):
    """Run one node's backward on the summed gradients of its outputs."""
    multi = node._n_out != 1
    if node._hooks is not None or node._retained is not None or targets is not None:
        grads = _output_hooks(node, grads if multi else [grads], targets)
        if not multi:
            grads = grads[0]
    if node.saved is _FREED:
        node.saved_tensors  # raises: this graph was freed by an earlier backward
    if multi:
        if node._materialize:
            grads = [g if g is not None else _zeros_for(node, nr, grads)
                     for nr, g in enumerate(grads)]
        out = node.backward(node, *grads)
    else:
        out = node.backward(node, grads)
    if type(out) is not tuple or len(out) != len(node.next):
        out = _as_grads(node, out)
    if _mode.anomaly:
        check_grads(node, out)
    if node._post_hooks is not None:
        for h in node._post_hooks:
            r = h(out, tuple(grads) if multi else (grads,))
            if r is not None:
                out = tuple(r)
    return out


def _output_hooks(node, grads, targets):
    """Tensor hooks and retain_grad() of a node's outputs, and autograd.grad targets."""
    grads = list(grads)
    for nr, g in enumerate(grads):
        if g is None:
            continue
        hooks = node._hooks.get(nr) if node._hooks is not None else None
        if hooks:
            for h in list(hooks):
                r = h(g)
                if r is not None:
                    g = r
            grads[nr] = g
        if node._retained is not None:
            ref = node._retained.get(nr)
            t = ref() if ref is not None else None
            if t is not None:
                if t.grad is None:
                    t.grad = g if _mode.enabled else _make(g.array.copy())
                else:
                    t.grad = t.grad + g
        if targets is not None:
            targets.node_output(node, nr, g)
    return grads


def _zeros_for(node, nr, grads):
    """A zero gradient for an output nobody used (None for a non-Tensor output)."""
    meta = node._metas[nr]
    if meta is None:
        return None
    like = next(g for g in grads if g is not None)
    return _make(backend.array_module(like.array).zeros(meta[0], dtype=meta[1]))
