"""From a recorded graph to what gets drawn: module clusters, collapsed modules, folded
repeats, leaves, constants and the edges between them. No graphviz here.

Every cluster (a module call, or the whole picture) holds a sequence of tokens, ordered
as a post-order walk from the outputs visits them: its own ops and its child module
calls. Repeats are found on that sequence: a run where token i equals token i + p (same
op or module, shapes, dtypes and wiring) for p consecutive steps or more is one block
repeated T times, drawn as one node marked xT.
"""
from __future__ import annotations

from collections import Counter

from ..function import OutputEdge
from ..graph import module_calls, module_names, nodes
from ..op_names import op_label
from ..tensor_base import TensorBase as Tensor
from ._record import const_info, edge_grad, saved_info

MIN_REPEATS = 3      # fold a block only when it occurs at least this many times in a row
_MAX_PERIODS = 6     # candidate block lengths tried per cluster


# ----------------------------------------------------------------------------- items
class Item:
    """One drawn node: an op, a collapsed module, a folded repeat, a leaf or a constant."""

    def __init__(self, kind, key, scope):
        self.kind = kind          # "op" | "module" | "fold" | "leaf" | "const"
        self.key = key            # DOT node id
        self.scope = scope        # the Scope (cluster) it is drawn in
        self.nodes = []           # graph nodes it stands for (ops)
        self.tensor = None        # leaf: the Tensor; const: its ConstInfo
        self.absorbed = []        # leaves / constants drawn inside a module or fold node
        self.output = False       # holds one of the drawn outputs
        self.out_node = None      # the node whose output leaves the item
        self.repeats = 1          # fold: T
        self.body = []            # fold: descriptions of the repeated tokens
        self.calls = []           # module / fold: the module calls it stands for
        self.recurrent = False    # fold: an edge runs from one repeat into the next
        self.block = {}           # fold: id(node) -> which repeat it belongs to
        self.step = None          # op of an unfolded repeat: (t, T) in time order


class Scope:
    """A cluster: one module call (or the root of the picture)."""

    def __init__(self, call, parent, name):
        self.call = call
        self.parent = parent
        self.name = name          # dotted name in the model, or None
        self.children = []
        self.items = []
        self.depth = -1 if call is None else 0
        self.collapsed = False
        self.direct = []          # graph nodes whose innermost module is this one
        self.step = None          # (t, T): the t-th of T calls of one module, in time order

    def ancestors(self):
        s = self
        while s is not None:
            yield s
            s = s.parent


class Picture:
    def __init__(self):
        self.root = Scope(None, None, None)
        self.items = []
        self.edges = {}           # (src key, dst key) -> [src item, dst item, [grad norms]]
        self.item_of = {}         # id(node) -> Item
        self.nodes = []
        self.pos = {}
        self.innermost = {}       # id(node) -> the innermost Scope holding it
        self.expanded = []        # scopes drawn as clusters (root first, parents first)
        self.level = {}           # id(node) -> longest path from the leaves (time order)


# ----------------------------------------------------------------------------- traversal
def post_order(outputs):
    """Nodes behind `outputs`, each after all its inputs (iterative DFS)."""
    order, seen = [], set()
    for t in outputs:
        if not isinstance(t, Tensor) or t.grad_fn is None or id(t.grad_fn) in seen:
            continue
        seen.add(id(t.grad_fn))
        stack = [(t.grad_fn, 0)]
        while stack:
            node, i = stack[-1]
            nxt = node.next
            while i < len(nxt):
                e = nxt[i]
                i += 1
                p = _edge_node(e)
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    stack[-1] = (node, i)
                    stack.append((p, 0))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _edge_node(e):
    if e is None or e._is_tensor:
        return None
    return e.node if type(e) is OutputEdge else e


def out_meta(node):
    """(shape, dtype) of a node's output; for several outputs, the first one's."""
    shape = getattr(node, "_shape", None)
    if shape is None and node._metas:
        meta = node._metas[0]
        return (meta[0], meta[1]) if meta else (None, None)
    return shape, getattr(node, "_dtype", None)


def _base_label(node):
    edges = []
    for e in node.next:
        if e is None:
            edges.append(None)
        elif e._is_tensor:
            edges.append((tuple(e.shape), e._is_param))
        else:
            edges.append(0)  # which node: compared by `_Tokens.same` (wiring)
    shape, dtype = out_meta(node)
    return (op_label(node), shape, dtype, node._n_out, tuple(edges))


# ----------------------------------------------------------------------------- scopes
def _build_scopes(pic, gnodes, model, depth, names):
    calls, scope_of = module_calls(gnodes)

    def name_depth(call):
        name = names.get(id(call.module))
        return -1 if not name else name.count(".") + 1

    for lst in scope_of.values():  # innermost first; equal regions: the deeper name inside
        lst.sort(key=lambda c: (len(c.nodes), -name_depth(c)))
    scopes = {id(c): Scope(c, None, names.get(id(c.module))) for c in calls}
    for c in calls:
        lst = scope_of[id(c.nodes[0])]
        i = next(k for k, x in enumerate(lst) if x is c)
        s = scopes[id(c)]
        s.parent = scopes[id(lst[i + 1])] if i + 1 < len(lst) else pic.root
        s.parent.children.append(s)
    # depth: module nesting in the model (from the dotted name, else from the calls);
    # containers (Sequential, ModuleList, ModuleDict) add no level to their children
    by_name = dict(model.named_modules()) if model is not None else {}
    stack = list(pic.root.children)
    while stack:
        s = stack.pop()
        if s.name is not None:
            parts = s.name.split(".") if s.name else []
            s.depth = sum(1 for i in range(len(parts))
                          if i == 0 or not _is_container(by_name.get(".".join(parts[:i]))))
        else:
            p = s.parent
            s.depth = 0 if p.call is None else p.depth + (
                0 if p.depth > 0 and _is_container(p.call.module) else 1)
        s.collapsed = depth is not None and s.depth >= depth and (
            s.depth == 0 or not _is_container(s.call.module))
        stack.extend(s.children)
    pos, level = pic.pos, pic.level

    def when(c):  # time order: by the longest path to the call's output, then the walk
        return max((level[id(n)], pos[id(n)]) for n in c.call.nodes)

    for s in [pic.root] + list(scopes.values()):  # children in the order they ran
        s.children.sort(key=when)
    by_module = {}
    for s in scopes.values():
        by_module.setdefault(id(s.call.module), []).append(s)
    for group in by_module.values():  # number the calls of a module called several times
        if len(group) > 1:
            group.sort(key=when)
            for t, s in enumerate(group, 1):
                s.step = (t, len(group))
    for n in gnodes:
        lst = scope_of.get(id(n))
        (scopes[id(lst[0])] if lst else pic.root).direct.append(n)


def _is_container(module):
    return module is not None and any(
        c.__name__ in ("Sequential", "ModuleList", "ModuleDict") for c in type(module).__mro__)


def _all_nodes(scope):
    return scope.call.nodes if scope.call is not None else []


# ----------------------------------------------------------------------------- folding
class _Tokens:
    """The sequence of a scope's tokens with what folding compares."""

    def __init__(self, pic, scope, labels, extra):
        toks = [(pic.pos[id(n)], n) for n in scope.direct]
        toks += [(max(pic.pos[id(n)] for n in c.call.nodes), c) for c in scope.children]
        toks.sort(key=lambda t: t[0])
        self.toks = [t for _, t in toks]
        self.index = {id(t): i for i, t in enumerate(self.toks)}
        self.scope = scope
        self.innermost = pic.innermost
        self.labels = []
        self.ins = []
        for i, t in enumerate(self.toks):
            if isinstance(t, Scope):
                members = sorted(t.call.nodes, key=lambda n: pic.pos[id(n)])
                label = ("module", type(t.call.module).__name__, t.collapsed,
                         hash(tuple(labels[id(n)] for n in members)),
                         tuple(extra(n) for n in members))
            else:
                members = [t]
                label = (labels[id(t)], extra(t))
            self.labels.append(hash(label))
            own = {id(n) for n in members}
            ins = []
            for n in members:
                for e in n.next:
                    p = _edge_node(e)
                    if p is not None and id(p) not in own:
                        ins.append(self._token_of(p))
            self.ins.append(ins)

    def _token_of(self, node):
        """Index of the token holding `node` in this scope, or -1 when outside it."""
        i = self.index.get(id(node))
        if i is not None:
            return i
        s = self.innermost.get(id(node))
        while s is not None and s.parent is not self.scope:
            s = s.parent
        return self.index.get(id(s), -1) if s is not None else -1

    def same(self, i, j):
        if self.labels[i] != self.labels[j]:
            return False
        a, b = self.ins[i], self.ins[j]
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x < 0:  # from outside: the first repeat of a chain reads the chain's input
                continue
            if y < 0 or (x != y and i - x != j - y):  # shared input, or same wiring
                return False
        return True


def _find_repeats(tokens):
    """Non-overlapping (start, period, T) runs of a repeated block, largest gain first."""
    labels = tokens.labels
    n = len(labels)
    last, gaps = {}, Counter()
    for i, lab in enumerate(labels):
        if lab in last:
            gaps[i - last[lab]] += 1
        last[lab] = i
    runs = []
    for p, _ in gaps.most_common(_MAX_PERIODS):
        i = 0
        while i + p < n:
            if not tokens.same(i, i + p):
                i += 1
                continue
            s = i
            while i + p < n and tokens.same(i, i + p):
                i += 1
            reps = (i - s + p) // p
            if reps >= MIN_REPEATS:  # aligned to the run's end: leftovers go first
                runs.append(((reps - 1) * p, i + p - reps * p, p, reps))
    runs.sort(key=lambda r: -r[0])
    taken, chosen = [], []
    for _, s, p, reps in runs:
        e = s + p * reps
        if all(e <= a or s >= b for a, b in taken):
            taken.append((s, e))
            chosen.append((s, p, reps))
    return chosen


# ----------------------------------------------------------------------------- building
def build(outputs, params=None, model=None, depth=None, fold=True, extra=None):
    """The Picture of the graph behind `outputs`. `extra(node)` adds to what folding
    compares (the gradient health when colouring by gradient)."""
    pic = Picture()
    extra = extra or (lambda n: None)
    order = post_order(outputs)
    pic.nodes = order
    pic.pos = {id(n): i for i, n in enumerate(order)}
    level = pic.level  # longest path from the leaves: step t+1 of a chain is after step t
    for n in order:
        level[id(n)] = 1 + max((level[id(p)] for p in map(_edge_node, n.next)
                                if p is not None), default=0)
    names = module_names(model)
    use_modules = model is not None or depth is not None
    if use_modules:
        _build_scopes(pic, nodes(*outputs), model, depth, names)
    else:
        pic.root.direct = list(order)
    stack = [pic.root]
    while stack:
        s = stack.pop()
        pic.innermost.update((id(n), s) for n in s.direct)
        stack.extend(s.children)
    _place(pic, pic.root, fold, extra)
    _leaves(pic, outputs, params, model)
    _edges(pic)
    return pic


def _place(pic, root, fold, extra):
    labels = {id(n): _base_label(n) for n in pic.nodes}
    counter = [0]

    def new_item(kind, scope):
        counter[0] += 1
        it = Item(kind, f"{kind[0]}{counter[0]}", scope)
        scope.items.append(it)
        pic.items.append(it)
        return it

    stack = [root]
    while stack:
        scope = stack.pop()
        pic.expanded.append(scope)
        tokens = _Tokens(pic, scope, labels, extra)
        folded = set()
        children = []
        steps = {} if fold else _steps(pic, tokens)
        if fold:
            for s, p, reps in _find_repeats(tokens):
                it = new_item("fold", scope)
                it.repeats = reps
                for k in range(s, s + p * reps):
                    tok = tokens.toks[k]
                    folded.add(k)
                    members = _all_nodes(tok) if isinstance(tok, Scope) else [tok]
                    for n in members:
                        it.nodes.append(n)
                        it.block[id(n)] = (k - s) // p
                    if isinstance(tok, Scope):
                        it.calls.append(tok)
                    if k - s < p:
                        it.body.append(tok)
        for k, tok in enumerate(tokens.toks):
            if k in folded:
                continue
            if isinstance(tok, Scope):
                if tok.collapsed:
                    it = new_item("module", scope)
                    it.nodes = list(tok.call.nodes)
                    it.calls = [tok]
                else:
                    children.append(tok)
            else:
                it = new_item("op", scope)
                it.nodes = [tok]
                it.step = steps.get(k)
        stack.extend(reversed(children))  # visit children in order: clusters drawn in order
    for it in pic.items:
        it.out_node = max(it.nodes, key=lambda n: pic.pos[id(n)])
        for n in it.nodes:
            pic.item_of[id(n)] = it
    # drawn in time order (the longest path from the leaves, then the walk's order):
    # folding compared the walk's order, which can visit later steps first
    for scope in pic.expanded:
        scope.items.sort(key=lambda it: max((pic.level[id(n)], pic.pos[id(n)])
                                            for n in it.nodes))


def _steps(pic, tokens):
    """{token index: (t, T)} for the ops of repeated blocks (drawn unfolded), the blocks
    numbered in time order (by the longest path to their last op)."""
    out = {}
    for s, p, reps in _find_repeats(tokens):
        def last(b, s=s, p=p):
            toks = tokens.toks[s + b * p:s + (b + 1) * p]
            return max(pic.level[id(n)] for t in toks for n in (
                _all_nodes(t) if isinstance(t, Scope) else [t]))
        order = sorted(range(reps), key=last)
        for t, b in enumerate(order, 1):
            for k in range(s + b * p, s + (b + 1) * p):
                out[k] = (t, reps)
    return out


def _common_scope(scopes):
    first = list(scopes[0].ancestors())
    common = set(map(id, first))
    for s in scopes[1:]:
        common &= set(map(id, s.ancestors()))
    return next(s for s in first if id(s) in common)


def _leaves(pic, outputs, params, model):
    """Leaf and constant items: drawn inside a module or fold node when only it reads
    them (and, in a fold, only one repeat), else in the innermost cluster of readers."""
    names = {}
    if model is not None:
        names.update({id(p): n for n, p in model.named_parameters()})
    if params:
        names.update({id(p): n for n, p in params.items()})
    readers = {}  # id(leaf) -> (tensor or ConstInfo, kind, [(node, slot)])
    for n in pic.nodes:
        for slot, e in enumerate(n.next):
            if e is not None and e._is_tensor:
                readers.setdefault(id(e), (e, "leaf", []))[2].append((n, slot))
        for c in const_info(n):
            readers.setdefault(c.key, (c, "const", []))[2].append((n, c.slot))
    for t in outputs:  # outputs that are leaves themselves
        if isinstance(t, Tensor) and t.grad_fn is None:
            readers.setdefault(id(t), (t, "leaf" if t.requires_grad else "const", []))
    pic.leaf_item = {}
    for key, (t, kind, rd) in readers.items():
        items = {id(pic.item_of[id(n)]): pic.item_of[id(n)] for n, _ in rd}
        owner = next(iter(items.values())) if len(items) == 1 else None
        if owner is not None and owner.kind == "module" or (
                owner is not None and owner.kind == "fold" and
                len({owner.block[id(n)] for n, _ in rd}) == 1):
            owner.absorbed.append(t)
            pic.leaf_item[key] = owner
            continue
        scope = _common_scope([i.scope for i in items.values()]) if items else pic.root
        it = Item(kind, f"{'l' if kind == 'leaf' else 'c'}{len(pic.items) + 1}", scope)
        it.tensor = t
        it.label = names.get(key) or getattr(t, "name", None)
        it.is_param = kind == "leaf" and (t._is_param or key in names)
        scope.items.append(it)
        pic.items.append(it)
        pic.leaf_item[key] = it
    for t in outputs:
        if isinstance(t, Tensor):
            it = pic.item_of.get(id(t.grad_fn)) if t.grad_fn is not None else \
                pic.leaf_item.get(id(t))
            if it is not None:
                it.output = True
                if t.name and it.kind != "leaf":
                    it.out_name = t.name


def _edges(pic):
    edges = pic.edges

    def add(src, dst, g):
        rec = edges.get((src.key, dst.key))
        if rec is None:
            edges[(src.key, dst.key)] = [src, dst, [g]]
        else:
            rec[2].append(g)

    for n in pic.nodes:
        dst = pic.item_of[id(n)]
        for slot, e in enumerate(n.next):
            if e is None:
                continue
            if e._is_tensor:
                src = pic.leaf_item[id(e)]
            else:
                p = _edge_node(e)
                src = pic.item_of[id(p)]
                if src is dst:
                    if dst.kind == "fold" and dst.block[id(p)] != dst.block[id(n)]:
                        dst.recurrent = True
                    continue
            if src is not dst:
                add(src, dst, edge_grad(n, slot))
        for c in const_info(n):
            src = pic.leaf_item[c.key]
            if src is not dst:
                add(src, dst, None)


def saved_of(item):
    """All SavedInfo of the nodes an item stands for."""
    out = []
    for n in item.nodes:
        out.extend(saved_info(n))
    return out
