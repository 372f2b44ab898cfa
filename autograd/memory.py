"""The memory ledger: what a recorded graph holds for backward, node by node, and how
backward releases it. `ledger(output)` reads the graph; nothing runs and nothing is freed.

The model: every array a node holds (saved tensors, saved values, a saved output, arrays
kept as ctx attributes) is counted once per storage, however many nodes or views hold it
(a view keeps its whole base alive, so a storage weighs its base's `nbytes`). Leaves
(parameters, input data) belong to the caller and outlive the graph; everything else is
an activation, released after the backward of the last node that holds it. ctx
attributes are released only when the graph itself is dropped.
"""
from __future__ import annotations

import sys

from . import backend
from .function import Function
from .graph import edge_node, module_calls, module_names, nodes, saved_arrays
from .tensor_base import TensorBase as Tensor

__all__ = ["ledger", "Ledger"]


def _root(arr):
    """The array that owns `arr`'s memory (follows view bases)."""
    base = getattr(arr, "base", None)
    while base is not None and backend.is_array(base):
        arr = base
        base = getattr(arr, "base", None)
    return arr


def _made_in_forward(graph_nodes) -> set:
    """ids of the constants (no grad_fn, no grad) that only the graph references: made
    during forward (a dropout mask, a constant built by an op), they go when the graph
    goes, so they are activations, not the caller's leaves (parameters, buffers, input
    data, which something else references). Counted with CPython's reference counts:
    the holders' saved tuples plus this function's three (entry list, loop name,
    getrefcount's argument)."""
    entries = {}
    for node in graph_nodes:
        saved = node.saved
        if isinstance(saved, tuple):
            for item in saved:
                if isinstance(item, Tensor) and item.grad_fn is None and \
                        not item.requires_grad:
                    entries.setdefault(id(item), [item, 0])[1] += 1
    item = None
    out = set()
    for key, entry in entries.items():
        t = entry[0]
        # a view (x[:batch]) keeps its base's storage, which is the caller's data
        if sys.getrefcount(t) - 3 <= entry[1] and _root(t.array) is t.array:
            out.add(key)
    return out


def _held(node, graph_only=frozenset()):
    """(label, array, kind) for every array `node` keeps: kind is 'leaf' (a leaf
    Tensor's array), 'activation' (freed after this node's backward) or 'ctx'.
    `graph_only`: ids of constants made during forward (activations)."""
    out = []
    saved = node.saved
    labelled = {id(a) for _, a in saved_arrays(node)}
    if isinstance(saved, tuple):
        for i, s in enumerate(saved):
            if isinstance(s, Tensor):
                kind = "leaf" if s.grad_fn is None and id(s) not in graph_only \
                    else "activation"
                out.append((f"saved[{i}]", s.array, kind))
            elif backend.is_array(s):  # a raw array made in forward (e.g. a mask)
                out.append((f"saved[{i}]", s, "activation"))
            elif backend.is_array(getattr(s, "array", None)):  # a custom Function's output
                out.append((f"saved[{i}]", s.array, "activation"))
    for label, arr in saved_arrays(node):
        if label == "output":
            out.append(("output", arr, "activation"))
    for name, value in node.__dict__.items():
        if backend.is_array(value) and id(value) not in labelled:
            out.append((f"ctx.{name}", value, "ctx"))
        elif isinstance(value, tuple):  # e.g. ctx.args = (indices, geometry, shape)
            for i, v in enumerate(value):
                if backend.is_array(v) and id(v) not in labelled:
                    out.append((f"ctx.{name}[{i}]", v, "ctx"))
    return out


def _engine_order(output_nodes):
    """The order in which `run_backward` runs the nodes (same counting, same stacks)."""
    deps, stack = {}, []
    for node in output_nodes:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for e in node.next:
            p = edge_node(e)
            if p is None:
                continue
            c = deps.get(p)
            if c is None:
                deps[p] = 1
                stack.append(p)
            else:
                deps[p] = c + 1
    ready = [n for n, c in deps.items() if c == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for e in node.next:
            p = edge_node(e)
            if p is None:
                continue
            deps[p] -= 1
            if deps[p] == 0:
                ready.append(p)
    return order


def _grad_bytes(node):
    """Bytes of the gradient flowing into `node`'s output (None if unknown)."""
    if node._n_out == 1:
        shape, dtype = getattr(node, "_shape", None), getattr(node, "_dtype", None)
        if shape is None:
            return 0
        return _nbytes(shape, dtype)
    return sum(_nbytes(s, d) for s, d in (node._metas or []) if s is not None)


def _nbytes(shape, dtype):
    n = 1
    for d in shape:
        n *= int(d)
    return n * dtype.itemsize


def _fmt_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


class Ledger:
    """What `ledger(output)` returns. `.rows` (one dict per held array), `.steps` (one
    dict per node in backward order), totals as attributes, `print(ledger)` for a table.

    Attributes: `total_bytes` (every held storage once), `activation_bytes` (what the
    graph adds beyond leaves), `leaf_bytes`, `ctx_bytes`, `peak_bytes` (the most that
    activations plus live gradients reach during backward, leaf `.grad` buffers
    included), `by_module` (with `model=`: dotted name -> `module_bytes`)."""

    def __init__(self, output, model=None):
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        self._graph = nodes(*outputs)
        self._names = module_names(model)
        self._calls, self._scope = module_calls(self._graph)
        self.rows = []
        self._storage = {}      # id(root) -> [bytes, kind, holders(set of node ids)]
        index = {id(n): i for i, n in enumerate(self._graph)}
        graph_only = _made_in_forward(self._graph)
        for node in self._graph:
            for label, arr, kind in _held(node, graph_only):
                root = _root(arr)
                key = id(root)
                entry = self._storage.get(key)
                if entry is None:
                    entry = self._storage[key] = [int(root.nbytes), kind, set(), root]
                elif kind == "leaf" or entry[1] == "leaf":
                    entry[1] = "leaf"   # a view of a leaf is freed with the leaf, never
                elif kind == "ctx":
                    entry[1] = "ctx"
                entry[2].add(id(node))
                self.rows.append({
                    "node": index[id(node)], "op": node.name(), "label": label,
                    "shape": tuple(arr.shape), "dtype": str(arr.dtype),
                    "device": str(backend.device_of(arr)), "bytes": int(arr.nbytes),
                    "kind": kind, "storage": key, "module": self._module_of(node)})
        counts = {}
        for r in self.rows:
            counts[r["storage"]] = counts.get(r["storage"], 0) + 1
        for r in self.rows:
            r["shared"] = counts[r["storage"]] > 1
        by_kind = {"leaf": 0, "activation": 0, "ctx": 0}
        for size, kind, _, _ in self._storage.values():
            by_kind[kind] += size
        self.leaf_bytes = by_kind["leaf"]
        self.ctx_bytes = by_kind["ctx"]
        self.activation_bytes = by_kind["activation"] + by_kind["ctx"]
        self.total_bytes = sum(by_kind.values())
        roots = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None]
        self._simulate(roots)
        self.by_module = {}
        if model is not None:
            for name, m in model.named_modules():
                if name and any(c.module is m for c in self._calls):
                    self.by_module[name] = self.module_bytes(m)

    def _module_of(self, node):
        calls = self._scope.get(id(node))
        if not calls:
            return ""
        m = calls[0].module
        return self._names.get(id(m), type(m).__name__)

    def _simulate(self, roots):
        """Walk backward in the engine's order: a node's incoming gradient, its saved
        activations and the gradients it returns are alive while it runs; afterwards the
        incoming gradient and the activations nobody else holds are gone."""
        holders = {k: set(v[2]) for k, v in self._storage.items() if v[1] == "activation"}
        held = self.activation_bytes
        pending = {}   # id(node) -> bytes of its summed incoming gradient
        for n in roots:
            pending[id(n)] = _grad_bytes(n)
        leaf_grads = {}
        self.steps = []
        peak = held + sum(pending.values())
        for node in _engine_order(roots):
            incoming = pending.pop(id(node), 0)
            produced = 0
            for e in node.next:
                if e is None:
                    continue
                if e._is_tensor:
                    produced += 0 if id(e) in leaf_grads else int(e.array.nbytes)
                    continue
                p = edge_node(e)
                if id(p) not in pending:
                    produced += _grad_bytes(p)
            live = held + sum(pending.values()) + sum(leaf_grads.values())
            peak = max(peak, live + incoming + produced)
            freed = 0
            for key, who in holders.items():
                if id(node) in who:
                    who.discard(id(node))
                    if not who:
                        freed += self._storage[key][0]
            held -= freed
            for e in node.next:
                if e is None:
                    continue
                if e._is_tensor:
                    leaf_grads[id(e)] = int(e.array.nbytes)
                    continue
                p = edge_node(e)
                pending.setdefault(id(p), _grad_bytes(p))
            self.steps.append({"op": node.name(), "freed": freed, "held_after": held,
                               "live_during": live + incoming + produced})
        self.peak_bytes = peak

    def module_bytes(self, module) -> int:
        """Bytes that `checkpoint` around `module` would not keep: the activations held by
        the nodes its call(s) created, minus its inputs and parameters (which checkpoint
        still saves) and anything also held by nodes outside it."""
        inside = set()
        for c in self._calls:
            if c.module is module:
                inside.update(id(n) for n in c.nodes)
        if not inside:
            return 0
        total = 0
        for key, (size, kind, who, _) in self._storage.items():
            if kind == "leaf" or not who or not who <= inside:
                continue
            if self._is_input_of(key, inside):
                continue
            total += size
        return total

    def _is_input_of(self, key, inside):
        """Is this storage a tensor that entered the region from outside?"""
        for node in self._graph:
            if id(node) not in inside or not isinstance(node.saved, tuple):
                continue
            for s in node.saved:
                if isinstance(s, Tensor) and id(_root(s.array)) == key:
                    if s.grad_fn is None or id(s.grad_fn) not in inside:
                        return True
        return False

    def __str__(self):
        has_mod = any(r["module"] for r in self.rows)
        head = f"{'#':>3} {'op':<16} {'saved':<10} {'shape':<20} {'dtype':<9} {'device':<7} " \
               f"{'bytes':>10} {'kind':<10} {'shared':<6}" + (" module" if has_mod else "")
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(
                f"{r['node']:>3} {r['op'][:16]:<16} {r['label']:<10} {str(r['shape'])[:20]:<20} "
                f"{r['dtype']:<9} {r['device']:<7} {_fmt_bytes(r['bytes']):>10} "
                f"{r['kind']:<10} {'yes' if r['shared'] else '':<6}"
                + (f" {r['module']}" if has_mod else ""))
        lines.append("-" * len(head))
        lines.append(
            f"{len(self._graph)} nodes, {len(self.rows)} saved arrays in {len(self._storage)} "
            f"storages: activations {_fmt_bytes(self.activation_bytes)} (ctx attributes "
            f"{_fmt_bytes(self.ctx_bytes)}), leaves {_fmt_bytes(self.leaf_bytes)}, total "
            f"{_fmt_bytes(self.total_bytes)}; backward peak (activations + gradients) "
            f"{_fmt_bytes(self.peak_bytes)}")
        for name, b in self.by_module.items():
            lines.append(f"  checkpoint({name}) would free {_fmt_bytes(b)}")
        return "\n".join(lines)

    __repr__ = __str__


def ledger(output, model=None) -> Ledger:
    """The bytes held for backward by the graph behind `output` (a Tensor or a list of
    them), per node and in total, and how backward releases them. With `model`, rows
    name the innermost module that created each node and `.by_module` gives, per module,
    the bytes a `checkpoint` around it would free."""
    if isinstance(output, Function):
        raise TypeError("ledger: expected a Tensor, got a graph node; pass the output tensor")
    return Ledger(output, model)
