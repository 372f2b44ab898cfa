"""Reading a recorded graph: its nodes, what each node saved for backward, and which
module call created which nodes. Used by the graph drawing, the memory ledger and the
profiler; nothing here runs during forward or backward.

Module scopes cost nothing per op: `nn.Module.__call__` leaves one marker on the node
that made a module's output (`mark_scope`), naming the module and the edges its inputs
came from. A module call's nodes are then the ones reachable backwards from that node
without crossing those input edges.
"""
from __future__ import annotations

from . import backend, tensor_base
from .function import _FREED, Function, OutputEdge
from .saved_hooks import (  # noqa: F401  (torch.autograd.graph's, when read as an attribute)
    disable_saved_tensors_hooks,
    save_on_cpu,
    saved_tensors_hooks,
)
from .tensor_base import TensorBase as Tensor


def edge_node(e):
    """The node an edge leads to (None for a leaf or no edge)."""
    if e is None or e._is_tensor:
        return None
    return e.node if type(e) is OutputEdge else e


def nodes(*outputs):
    """Every node behind `outputs`, each once, outputs first (iterative: deep graphs ok)."""
    return walk([t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None])


def walk(start):
    """Every node reachable from the nodes `start`, each once (iteratively)."""
    seen = set()
    order = []
    stack = list(start)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        for e in node.next:
            p = edge_node(e)
            if p is not None and id(p) not in seen:
                stack.append(p)
    return order


def leaves(node):
    """The leaf tensors a node reads directly."""
    return [e for e in node.next if e is not None and e._is_tensor]


def reached_leaves(*outputs):
    """The leaf tensors behind `outputs` (outputs that are leaves included), each once."""
    found = {}
    for t in outputs:
        if isinstance(t, Tensor) and t.grad_fn is None:
            found[id(t)] = t
    for node in nodes(*outputs):
        for leaf in leaves(node):
            found.setdefault(id(leaf), leaf)
    return list(found.values())


def saved_arrays(node):
    """The arrays `node` holds for backward, as (label, array) pairs: saved inputs and
    values, and the saved output. Empty once the graph was freed by a backward."""
    saved = node.saved
    out = []
    if saved is not None and saved is not _freed():
        for i, s in enumerate(saved):
            arr = s if backend.is_array(s) else getattr(s, "array", None)
            if arr is not None and backend.is_array(arr):
                out.append((f"saved[{i}]", arr))
    if node._out is not None:
        out.append(("output", node._out))
    return out


def _freed():
    return _FREED


# ----------------------------------------------------------------------------- module scopes
def mark_scope(module, args, output) -> None:
    """Called by nn.Module.__call__ when grad mode is on: remember that `module` produced
    `output` from `args`. O(1) per module call; nothing is recorded per op."""
    plain = tensor_base.Tensor  # the assembled class (Tensor here is TensorBase)
    if type(output) is plain and len(args) == 1 and type(args[0]) is plain:
        # the common call, one tensor in and one out: no set of input edges to build
        node = output.grad_fn
        if node is None:
            return
        before = args[0].grad_fn
        if node is before:  # the module returned its input unchanged
            return
        boundary = () if before is None else (id(before),)
        marks = node.__dict__.get("_scopes")
        if marks is None:
            node.__dict__["_scopes"] = [(module, boundary)]
        else:
            marks.append((module, boundary))
        return
    outs = output if isinstance(output, (tuple, list)) else (output,)
    boundary = None
    for out in outs:
        if not isinstance(out, Tensor):
            continue
        node = out.grad_fn
        if node is None:
            continue
        if boundary is None:
            boundary = _input_edges(args)
        if id(node) in boundary:  # the module returned one of its inputs unchanged
            continue
        marks = node.__dict__.setdefault("_scopes", [])
        marks.append((module, boundary))


def _input_edges(args):
    """ids of the nodes that produced the Tensors in args (nested in lists and dicts): a
    module call's region of the graph stops there."""
    ids = set()
    stack = list(args)
    while stack:
        a = stack.pop()
        if isinstance(a, Tensor):
            if a.grad_fn is not None:
                ids.add(id(a.grad_fn))
        elif isinstance(a, (tuple, list)):
            stack.extend(a)
        elif isinstance(a, dict):
            stack.extend(a.values())
    return ids


class ModuleCall:
    """One call of a module: the nodes it created (and leaves it read)."""

    __slots__ = ("module", "nodes", "leaves")

    def __init__(self, module):
        self.module = module
        self.nodes = []
        self.leaves = []

    def __repr__(self):
        return f"ModuleCall({type(self.module).__name__}, {len(self.nodes)} nodes)"


def module_calls(graph_nodes):
    """The module calls recorded in a graph (from `nodes(...)`), innermost first for
    each node: returns (calls, scope) where scope maps id(node) -> [ModuleCall, ...]
    ordered from the innermost module outwards."""
    in_graph = {id(n) for n in graph_nodes}
    calls = []
    scope = {}
    for start in graph_nodes:
        marks = start.__dict__.get("_scopes") if isinstance(start, Function) else None
        if not marks:
            continue
        for module, boundary in marks:
            call = ModuleCall(module)
            seen = set()
            stack = [start]
            while stack:
                node = stack.pop()
                if id(node) in seen or id(node) in boundary or id(node) not in in_graph:
                    continue
                seen.add(id(node))
                call.nodes.append(node)
                for e in node.next:
                    if e is None:
                        continue
                    if e._is_tensor:
                        if not any(e is t for t in call.leaves):
                            call.leaves.append(e)
                        continue
                    stack.append(edge_node(e))
            calls.append(call)
            for node in call.nodes:
                scope.setdefault(id(node), []).append(call)
    for lst in scope.values():
        lst.sort(key=lambda c: len(c.nodes))  # the smallest region is the innermost
    return calls, scope


def module_names(model) -> dict:
    """id(module) -> its dotted name in `model` ('' for the model itself)."""
    if model is None:
        return {}
    return {id(m): name for name, m in model.named_modules()}
