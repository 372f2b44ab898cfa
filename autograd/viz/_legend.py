"""The legend: a sample of each kind of node drawn, the colour scale and notes."""
from __future__ import annotations

from . import _style as S
from ._layout import saved_of
from ._record import SavedInfo

_SAMPLES = [
    ("input", "input", "a leaf that requires grad"),
    ("param", "parameter", "a Parameter (named by params= / model=)"),
    ("const", "constant", "a tensor that needs no grad"),
    ("op", "op\n(shape) dtype", "an op: its name, output shape and dtype"),
    ("output", "output", "a drawn output"),
    ("module", "module", "a module drawn as one node (depth=)"),
    ("fold", "xT block", "a block repeated T times in a row (fold=)"),
    ("saved", "saved\nfor backward", "an array held for backward; dotted lines tie views "
                                     "of one storage"),
]


def legend(r, VANISHING: float, EXPLODING: float) -> None:
    """Add the legend cluster to the renderer's graph (only kinds that were drawn), with
    the gradient-ratio thresholds viz draws with (viz.VANISHING, viz.EXPLODING)."""
    graph = r.graph
    sub = type(graph)(name="cluster_legend")
    sub.attr(label="legend", fontsize="8", style="rounded", color="#cccccc", labeljust="l")
    row = type(graph)()
    row.attr(rank="same")
    keys = []
    for kind, label, tip in _SAMPLES:
        if kind not in r.kinds:
            continue
        attrs = dict(S.KINDS["op" if kind == "output" else kind], fontsize="7")
        if kind == "output":
            attrs.update(S.OUTPUT)
        key = f"legend_{kind}"
        row.node(key, S.esc(label), tooltip=S.esc(tip), **attrs)
        keys.append(key)
    marks = [("vanishing", S.VANISHING_STYLE,
              f"vanishing\n|grad| < {VANISHING:g} x largest",
              f"a gradient below {VANISHING:g} x the largest of its peers (parameters: the "
              f"drawn parameters; ops: the drawn ops); a module or block by the share of "
              f"its parameters; those that get no gradient by construction not counted"),
             ("exploding", S.EXPLODING_STYLE,
              f"exploding\ninf/nan or > {EXPLODING:g} |weight|",
              "a non-finite gradient, or one far larger than its weight: steps blow up"),
             ("zero", S.ZERO_STYLE, "zero grad\nexactly 0",
              "an exactly zero gradient: the loss does not depend on this here (a zero "
              "initial state, a bias before BatchNorm, a dead ReLU); not a vanishing one")]
    for kind, style, label, tip in marks:
        if kind in r.kinds:
            key = f"legend_{kind}"
            row.node(key, S.esc(label), tooltip=S.esc(tip), fontsize="7", shape="box",
                     style="rounded,filled," + style["style_extra"], fillcolor="#ffffff",
                     color=style["color"], penwidth=style["penwidth"])
            keys.append(key)
    if r.color_by is not None:
        keys.append(_colour_bar(row, r))
    notes = _notes(r)
    if notes:
        row.node("legend_notes", S.esc("\n".join(notes)).replace("\\n", "\\l") + "\\l",
                 shape="plaintext", fontsize="7")
        keys.append("legend_notes")
    for a, b in zip(keys, keys[1:]):
        row.edge(a, b, style="invis")
    sub.subgraph(row)
    graph.subgraph(sub)


def _colour_bar(row, r):
    scale = r.scale
    grad = r.color_by == "grad"
    palette = S.GRAD_FILL if grad else S.BYTES_FILL
    ticks = scale.ticks()
    cells = "".join(
        f'<td bgcolor="{S.interpolate(palette, scale(10.0 ** k))}" width="26">'
        f'<font point-size="6">{_tick(k, grad)}</font></td>' for k in ticks)
    title = "|grad| (log scale)" if grad else "bytes saved for backward (log scale)"
    extra = (f'<td bgcolor="{S.NONFINITE}"><font point-size="6" color="white">inf/nan'
             '</font></td>') if grad else ""
    label = (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="2">'
             f'<tr><td colspan="{len(ticks) + (1 if grad else 0)}"><font point-size="7">'
             f'{title}</font></td></tr><tr>{cells}{extra}</tr></table>>')
    if scale.empty:
        label = ('<<font point-size="7">' + ("no gradients recorded" if grad else
                                             "nothing saved for backward") + '</font>>')
    row.node("legend_scale", label, shape="plaintext")
    return "legend_scale"


def _tick(k, grad):
    if grad:
        return f"1e{k}"
    return S.human_bytes(10.0 ** k).replace(".0 ", " ")


def _notes(r):
    notes = []
    if r.auto is not None:
        depth, full, limit = r.auto
        notes.append(f"depth={depth} chosen automatically: the full graph has {full} nodes "
                     f"(over max_nodes={limit}); pass depth= to choose")
    if r.color_by == "grad":
        missing = [it for it in r.pic.items if it.kind not in ("leaf", "const")
                   and r.value.get(it.key) is None]
        if missing:
            notes.append(f"{len(missing)} op nodes have no gradient record: call "
                         "viz.watch(loss) before loss.backward()")
    if r.show_saved or r.color_by == "saved_bytes":
        if r.freed:
            notes.append("saved arrays were freed by backward: call viz.watch(loss) "
                         "before it (or backward(retain_graph=True))")
        else:
            total = _held(r)
            notes.append(f"held for backward: {S.human_bytes(total)} "
                         "(distinct storage, leaves excluded)")
    return notes


def _held(r):
    """Bytes of distinct storage saved for backward, not counting leaves' own arrays."""
    leaf_roots = {SavedInfo("", it.tensor.array).root for it in r.pic.items
                  if it.kind == "leaf"}
    biggest = {}
    for it in r.pic.items:
        if it.kind in ("leaf", "const"):
            continue
        for s in saved_of(it):
            if s.root not in leaf_roots:
                biggest[s.root] = max(biggest.get(s.root, 0), s.nbytes)
    return sum(biggest.values())
