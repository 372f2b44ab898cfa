"""Drawing autograd graphs with graphviz: `draw(loss)` returns a `graphviz.Digraph`.

    viz.watch(loss)                 # optional: record gradient norms and saved arrays
    loss.backward()
    g = viz.draw(loss, model=model, color_by="grad")
    g.render("graph", format="svg")  # or display g in Jupyter

Layout work lives in `_layout` (clusters, collapsing, folding), looks in `_style`,
gradient and memory records in `_record`; this file turns a Picture into DOT.
"""
from __future__ import annotations

import math
import warnings

from ..health import VANISHING
from ..op_names import op_label
from ..tensor_base import TensorBase as Tensor
from . import _style as S
from ._health import EXPLODING, Health
from ._layout import MIN_REPEATS, build, out_meta, saved_of
from ._legend import legend
from ._record import SavedInfo, is_freed, saved_info, watch

__all__ = ["draw", "watch", "VANISHING", "EXPLODING", "MIN_REPEATS", "MAX_NODES"]

MAX_NODES = 150    # above this many drawn nodes a graph is a wall of boxes at screen size

_INSTALL = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz; conda: conda install -c conda-forge graphviz); without it the DOT "
            "source is still available as graph.source")


def _graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("viz.draw: expected the graphviz Python package, got none "
                          "installed; pip install graphviz") from None
    return graphviz


def _graph_class():
    graphviz = _graphviz()

    class GraphvizNotFound(graphviz.ExecutableNotFound):
        def __init__(self, msg):
            RuntimeError.__init__(self, msg)

    class Graph(graphviz.Digraph):
        """A graphviz.Digraph whose rendering says what to install when `dot` is missing.
        `marks` lists the items flagged as vanishing / exploding / zero (an exactly zero
        gradient: the loss does not depend on it here, e.g. through a zero initial state,
        a bias before BatchNorm or a dead ReLU; not the slow decay of a deep network)."""

        marks = None

        def _explain(self, err):
            return GraphvizNotFound(f"viz: rendering needs Graphviz's `dot` program ({err}); "
                                    + _INSTALL)

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise self._explain(err) from None

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise self._explain(err) from None

    return Graph


def draw(*outputs, params=None, model=None, show_shapes=True, show_saved=False,
         color_by=None, depth=None, fold=True, grad_range=None, max_nodes=MAX_NODES):
    """The graph behind `outputs` as a graphviz.Digraph (one node per op, edges in the
    direction data flows).

    params: {name: tensor} labels leaves (e.g. dict(model.named_parameters())).
    model: groups ops in one cluster per module call and names parameters.
    depth: draw each module at that nesting depth (the model is 0) as one node; needs
        model=. Without depth, a graph of more than `max_nodes` (150) nodes is drawn at
        the deepest depth that fits, said in the legend (max_nodes=None: never).
    fold: draw a block repeated MIN_REPEATS times or more in a row as one node (xT);
        repeated calls of one module are numbered in the order they ran.
    show_saved: one note per array held for backward, named by its role in the op
        (PyTorch's names: self, other, mat2, result), with shape, dtype and bytes.
    color_by: "grad" (log of the gradient norms; parameters from .grad, ops from
        `watch(output)` called before backward, or retain_grad()) or "saved_bytes".
    grad_range: (lo, hi) fixes the colour scale of color_by="grad" (e.g. to compare
        drawings of two runs); by default each drawing spans its own norms.
    """
    if color_by not in (None, "grad", "saved_bytes"):
        raise ValueError(f"draw: expected color_by None, 'grad' or 'saved_bytes', got "
                         f"{color_by!r}")
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"draw: expected depth None or an int >= 0, got {depth!r}")
    if grad_range is not None:
        lo, hi = grad_range
        if not 0 < lo < hi < math.inf:
            raise ValueError(f"draw: expected grad_range (lo, hi) with 0 < lo < hi, got "
                             f"{grad_range!r}")
    flat = []
    for o in outputs:
        flat.extend(o if isinstance(o, (list, tuple)) else [o])
    for o in flat:
        if not isinstance(o, Tensor):
            raise TypeError(f"draw: expected Tensors, got {type(o).__name__}")
    if depth is not None and model is None:
        _warn("depth= has no effect without model= (modules are found through it); "
              "pass model=model")
        depth = None
    if grad_range is not None and color_by != "grad":
        _warn("grad_range= has no effect without color_by='grad'")
    health = Health(flat) if color_by == "grad" else None
    if health is not None and not health.recorded:
        _warn("color_by='grad' found no gradients: call loss.backward() first (and "
              "viz.watch(loss) before it to colour op nodes)")
    key = health.node_key if health else None
    pic = build(flat, params, model, depth, fold, key)
    auto = None
    if max_nodes is not None and len(pic.items) > max_nodes and depth is None:
        if model is None:
            _warn(f"the graph has {len(pic.items)} nodes (over max_nodes={max_nodes}): "
                  "pass model= (and depth=) to draw modules as single nodes")
        else:
            auto = _auto_depth(flat, params, model, fold, key, max_nodes, len(pic.items))
            pic = auto[1]
    r = _Renderer(pic, flat, show_shapes, show_saved, color_by, health, grad_range,
                  auto and (auto[0], auto[2], max_nodes))
    if show_saved and r.freed:
        _warn("show_saved=True: backward already freed the saved arrays; call "
              "viz.watch(loss) before loss.backward() (or retain_graph=True)")
    r.graph.depth = auto[0] if auto else depth
    r.graph.n_nodes = len(pic.items)
    return r.graph


def _warn(msg):
    warnings.warn(f"viz.draw: {msg}", UserWarning, stacklevel=3)


def _auto_depth(flat, params, model, fold, key, max_nodes, full):
    """(depth, picture, full node count): the deepest depth whose picture has at most
    max_nodes nodes (depth 1, the model's direct children, when none fits)."""
    best = None
    for d in range(1, 32):
        pic = build(flat, params, model, d, fold, key)
        if best is not None and (len(pic.items) > max_nodes or len(pic.items) ==
                                 len(best[1].items)):
            break
        best = (d, pic, full)
        if len(pic.items) > max_nodes:
            break
    return best


# ----------------------------------------------------------------------------- rendering
class _Renderer:
    def __init__(self, pic, outputs, show_shapes, show_saved, color_by, health,
                 grad_range=None, auto=None):
        self.pic, self.show_shapes, self.show_saved = pic, show_shapes, show_saved
        self.color_by, self.health = color_by, health
        self.grad_range, self.auto = grad_range, auto
        self.device = str(outputs[0].device) if outputs else "cpu"
        self.marks = {"vanishing": [], "exploding": [], "zero": []}
        self.kinds = set()
        self.freed = any(is_freed(n) for n in pic.nodes)
        Graph = _graph_class()
        self.graph = g = Graph(
            name="autograd",
            graph_attr=dict(rankdir="TB", fontname=S.FONT, fontsize="10", nodesep="0.2",
                            ranksep="0.3", tooltip=" ", newrank="true"),
            node_attr=dict(fontname=S.FONT, fontsize="9", height="0.3",
                           margin="0.08,0.04"),
            edge_attr=dict(arrowsize="0.6", color="#666666", fontname=S.FONT,
                           fontsize="7"))
        self._values()
        clusters = {id(pic.root): g}
        for scope in pic.expanded[1:]:
            clusters[id(scope)] = Graph(name=f"cluster_{len(clusters)}")
        for scope in pic.expanded:
            sub = clusters[id(scope)]
            if scope.call is not None:
                self._cluster_attrs(sub, scope)
            for it in scope.items:
                self._item(sub, it)
        self.late_edges = []
        self.loops = set()
        if show_saved:
            self._saved(clusters)
        for scope in reversed(pic.expanded):  # a cluster is complete before it joins
            for child in scope.children:          # its parent, children in call order
                if id(child) in clusters:
                    clusters[id(scope)].subgraph(clusters[id(child)])
        for a, b, attrs in self.late_edges:
            g.edge(a, b, **attrs)
        for src, dst, grads in pic.edges.values():
            self._edge(src, dst, grads)
        self._legend()
        g.marks = self.marks

    # -- values and colours
    def _values(self):
        pic, h = self.pic, self.health
        self.value = {}
        if self.color_by == "grad":
            for it in pic.items:
                if it.kind in ("leaf",):
                    g = h.leaf(it.tensor)[0]
                    if g is None:  # not a .grad leaf (autograd.grad): what reached it
                        got = [x for s, d, gs in pic.edges.values() if s is it
                               for x in gs if x is not None]
                        g = max(got) if got else None
                    self.value[it.key] = g
                elif it.kind != "const":
                    self.value[it.key] = h.op_norm.get(id(it.out_node))
            edge_vals = [x for _, _, gs in pic.edges.values() for x in gs if x is not None]
            self.scale = S.LogScale(list(self.value.values()) + edge_vals,
                                    fixed=self.grad_range)
        elif self.color_by == "saved_bytes":
            for it in pic.items:
                if it.kind not in ("leaf", "const"):
                    self.value[it.key] = sum(s.nbytes for s in saved_of(it))
            self.scale = S.LogScale(list(self.value.values()))

    def _verdict(self, it):
        """(verdict, detail): an op by its own gradient, a leaf by its .grad, a module or
        folded block only by the share of its parameters that vanish / explode."""
        h = self.health
        if h is None or it.kind == "const":
            return None, ""
        if it.kind == "leaf":
            v = h.leaf(it.tensor)[2]
            return (None, "") if v == "none" else (v, "")
        if it.kind == "op":
            return h.op_verdict(it.out_node), ""
        params = [t for t in it.absorbed if isinstance(t, Tensor) and t.requires_grad]
        v, detail = h.share(params)
        return v, (f" ({detail})" if detail else "")

    # -- nodes
    def _cluster_attrs(self, sub, scope):
        module = scope.call.module
        kind = type(module).__name__
        label = f"{scope.name}: {kind}" if scope.name else kind
        if scope.step is not None:
            label += f" (step {scope.step[0]}/{scope.step[1]})"
        depth = sum(1 for _ in scope.ancestors()) - 2
        sub.attr(label=S.esc(label), style="rounded,filled", color="#bbbbbb",
                 fillcolor=S.CLUSTER_FILLS[depth % len(S.CLUSTER_FILLS)], fontsize="9",
                 labeljust="l", tooltip=S.esc(f"{label}\n{len(scope.call.nodes)} ops"))

    def _item(self, sub, it):
        if it.kind == "leaf":
            kind = "param" if it.is_param else "input"
        else:
            kind = it.kind
        self.kinds.add(kind)
        attrs = dict(S.KINDS[kind])
        lines, tip = self._text(it, kind)
        if it.output:
            self.kinds.add("output")
            attrs.update(S.OUTPUT)
        t = self.scale(self.value.get(it.key)) if self.color_by else None
        colour = S.fill(S.GRAD_FILL if self.color_by == "grad" else S.BYTES_FILL, t)
        if colour is not None:
            attrs["fillcolor"] = colour
            if colour == S.NONFINITE:
                attrs["fontcolor"] = "#ffffff"
        verdict, detail = self._verdict(it)
        if verdict is not None:
            style = S.MARK_STYLES[verdict]
            attrs.update(color=style["color"], penwidth=style["penwidth"],
                         style=attrs["style"] + "," + style["style_extra"])
            lines.append(detail.strip(" ()") if detail else
                         ("zero grad" if verdict == "zero" else verdict))
            tip.append(f"{verdict}{detail}")
            self.marks[verdict].append(self._name(it))
            self.kinds.add(verdict)
        attrs["class"] = kind + (" output" if it.output else "") + (
            f" {verdict}" if verdict else "")
        sub.node(it.key, S.esc("\n".join(lines)), tooltip=S.esc("\n".join(tip)), **attrs)

    def _name(self, it):
        if it.kind in ("leaf", "const"):
            return it.label or S.fmt_shape(self._leaf_meta(it)[0])
        if it.kind in ("module", "fold") and it.calls:
            return it.calls[0].name or type(it.calls[0].call.module).__name__
        scope = it.scope.name
        name = op_label(it.out_node)
        return f"{scope}:{name}" if scope else name

    def _leaf_meta(self, it):
        t = it.tensor
        if isinstance(t, Tensor):
            return tuple(t.shape), str(t.array.dtype), str(t.device)
        return t.shape, t.dtype, t.device

    def _meta_text(self, node):
        if node._n_out > 1 and node._metas:
            shapes = [S.fmt_shape(m[0]) for m in node._metas if m]
            if len(set(shapes)) == 1:
                return f"{len(shapes)} x {shapes[0]} {node._metas[0][1]}"
            return ", ".join(shapes)
        shape, dtype = out_meta(node)
        return f"{S.fmt_shape(shape)} {dtype}"

    def _text(self, it, kind):
        """(label lines, tooltip lines) of an item."""
        if it.kind in ("leaf", "const"):
            shape, dtype, dev = self._leaf_meta(it)
            lines = [it.label] if it.label else []
            if self.show_shapes or not lines:
                lines.append(S.fmt_shape(shape))
            tip = [it.label or kind, {"param": "parameter", "input": "input (requires grad)",
                                      "const": "constant (needs no grad)"}[kind],
                   f"shape: {S.fmt_shape(shape)}", f"dtype: {dtype}", f"device: {dev}"]
            if self.health is not None and kind != "const":
                g, w, _ = self.health.leaf(it.tensor)
                g = self.value.get(it.key, g)
                tip.append(f"grad norm: {S.fmt_norm(g)}")
                if g is not None and w:
                    tip.append(f"weight norm: {S.fmt_norm(w)}, ratio: {g / w:.2e}")
                if self.health.leaf(it.tensor)[2] == "none":
                    tip.append("no gradient by construction (it cancels in the op reading "
                               "it): not counted as vanishing")
            return lines, tip
        node = it.out_node
        saved = saved_of(it)
        nbytes = sum(s.nbytes for s in saved)
        dev = saved[0].device if saved else self.device
        meta = self._meta_text(node)
        if it.kind == "op":
            lines = [op_label(node)]
            tip = [op_label(node)]
            if it.step is not None:
                lines[0] += f"  (step {it.step[0]})"
                tip.append(f"step {it.step[0]} of {it.step[1]} (a repeated block)")
        else:
            lines, tip = self._group_text(it)
        if getattr(it, "out_name", None):
            lines[0] = f"{it.out_name} = {lines[0]}"
        if self.show_shapes:
            lines.append(meta)
        if it.kind != "op" or self.show_saved or self.color_by == "saved_bytes":
            if nbytes:
                lines.append(f"saved {S.human_bytes(nbytes)}")
        tip += [f"output: {meta}", f"device: {dev}",
                f"saved for backward: {len(saved)} arrays, {S.human_bytes(nbytes)}"]
        if self.health is not None:
            tip.append(f"grad norm: {S.fmt_norm(self.value.get(it.key))}")
        return lines, tip

    def _group_text(self, it):
        n_ops = len(it.nodes)
        params = [t for t in it.absorbed if isinstance(t, Tensor)]
        numel = sum(t.array.size for t in params)
        counts = f"{n_ops} ops" + (f", {len(params)} params ({S.fmt_count(numel)})"
                                   if params else "")
        if it.kind == "module":
            scope = it.calls[0]
            kind = type(scope.call.module).__name__
            head = f"{scope.name}: {kind}" if scope.name else kind
            if scope.step is not None:
                head += f" (step {scope.step[0]}/{scope.step[1]})"
            return [head, counts], [head, counts]
        body = []
        for tok in it.body:
            body.append(type(tok.call.module).__name__ if hasattr(tok, "call") else op_label(tok))
        if len(body) <= 3:
            what = " > ".join(body)
        else:
            uniq = list(dict.fromkeys(body))
            what = f"{len(body)}-op step: " + ", ".join(uniq[:4]) + (", ..." if
                                                                     len(uniq) > 4 else "")
        lines = [f"x{it.repeats}  {what}"]
        if it.calls:
            first, last = it.calls[0].name, it.calls[-1].name
            if first and last:
                lines.append(f"{first} ... {last}")
        tip = [f"repeated {it.repeats} times: {' > '.join(body)}", counts]
        if it.recurrent:
            tip.append("each repeat feeds the next")
        return lines + [counts], tip

    # -- edges
    def _edge(self, src, dst, grads):
        attrs = {}
        vals = [x for x in grads if x is not None]
        if self.color_by == "grad" and vals:
            v = max(vals)
            t = self.scale(v)
            attrs.update(color=S.fill(S.GRAD_EDGE, t),
                         penwidth=f"{1 + 2 * (1 if t == math.inf else t):.2f}",
                         tooltip=S.esc(f"grad norm {S.fmt_norm(v)}"))
        if src.kind == "const":
            attrs.update(color="#bbbbbb", arrowsize="0.4")
        self.graph.edge(src.key, dst.key, **attrs)
        if dst.kind == "fold" and dst.recurrent and dst.key not in self.loops:
            self.loops.add(dst.key)
            self.graph.edge(dst.key, dst.key, style="dashed", color="#999999",
                            tooltip="each repeat feeds the next")

    # -- saved arrays
    def _saved(self, clusters):
        seen = {}
        by_root = {}
        leaf_roots = {}
        for it in self.pic.items:
            if it.kind == "leaf":
                leaf_roots[SavedInfo("", it.tensor.array).root] = it
        for scope in self.pic.expanded:
            sub = clusters[id(scope)]
            for it in scope.items:
                if it.kind != "op":
                    continue
                for s in saved_info(it.out_node):
                    key = seen.get(s.key)
                    if key is None:
                        key = seen[s.key] = f"s{len(seen) + 1}"
                        self.kinds.add("saved")
                        text = (f"{s.label}\n{S.fmt_shape(s.shape)} {s.dtype}\n"
                                f"{S.human_bytes(s.nbytes)}")
                        sub.node(key, S.esc(text), tooltip=S.esc(
                            f"{op_label(it.out_node)} {s.label}\nshape: {S.fmt_shape(s.shape)}"
                            f"\ndtype: {s.dtype}\ndevice: {s.device}\nbytes: {s.nbytes}"),
                            **{**S.KINDS["saved"], "class": "saved"})
                        by_root.setdefault(s.root, []).append(key)
                        if s.root in leaf_roots:  # a leaf's own storage: no extra memory
                            self.late_edges.append((key, leaf_roots[s.root].key, dict(
                                style="dotted", arrowhead="none", color="#c9a227",
                                constraint="false", tooltip="same storage")))
                    self.late_edges.append((it.key, key, dict(
                        style="dotted", arrowhead="none", color="#c9a227",
                        tooltip=S.esc(s.label))))
        for keys in by_root.values():  # views of one storage, tied together
            for a, b in zip(keys, keys[1:]):
                self.late_edges.append((a, b, dict(
                    style="dotted", arrowhead="none", color="#888888", constraint="false",
                    tooltip="views of the same storage")))
        self.saved_roots = by_root

    # -- legend
    def _legend(self):
        legend(self, VANISHING, EXPLODING)
