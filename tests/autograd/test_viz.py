"""Graph drawing: DOT source and rendered SVG of small known graphs."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import viz
from autograd.graph import nodes, saved_arrays

ROOT = Path(__file__).resolve().parents[2]
requires_dot = pytest.mark.skipif(shutil.which("dot") is None,
                                  reason="needs Graphviz's dot (apt-get install graphviz)")


def classes(g, kind):
    """DOT node ids whose class list holds `kind`."""
    return re.findall(r'^\s*(\w+) \[.*class="?([\w ]*\b' + kind + r'\b[\w ]*)"?', g.source,
                      flags=re.M)


def count(g, kind):
    return len(classes(g, kind))


def cluster_labels(g):
    return re.findall(r'label="?([^"\n]*?)"? labeljust', g.source)


def x_w():
    x = ag.randn(4, 3)
    x.name = "x"
    w = ag.randn(3, 2, requires_grad=True)
    w.name = "w"
    return x, w


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.act = nn.ReLU()

    def forward(self, x):
        return x + self.act(self.fc(x))


class Net(nn.Module):
    def __init__(self, n_blocks=2, d=6):
        super().__init__()
        self.stem = nn.Linear(3, d)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(n_blocks)])
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


# ----------------------------------------------------------------------------- structure
def test_one_node_per_op_with_name_shape_and_dtype():
    x, w = x_w()
    b = ag.zeros(2, requires_grad=True)
    loss = ((x @ w + b).tanh() ** 2).sum()
    g = viz.draw(loss, fold=False)
    assert isinstance(g, graphviz.Digraph)
    assert count(g, "op") == len(nodes(loss)) == 5
    for name in ("mm", "add", "tanh", "pow", "sum"):
        assert f"label=\"{name}\\n" in g.source
    assert "(4, 2) float32" in g.source
    assert count(g, "output") == 1
    assert count(g, "input") == 2 and '"w\\n(3, 2)"' in g.source
    assert count(g, "const") == 1 and '"x\\n(4, 3)"' in g.source  # no grad: a constant


@requires_dot
def test_svg_has_one_node_per_op_and_tooltips():
    x, w = x_w()
    loss = (x @ w).relu().sum()
    svg = viz.draw(loss).pipe(format="svg", encoding="utf-8")
    assert len(re.findall(r'class="node op', svg)) == 3
    assert "dtype: float32" in svg and "device: cpu" in svg and "saved for backward" in svg


def test_parameter_names_from_model_and_params():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = model(ag.randn(5, 3)).sum()
    for kw in (dict(model=model), dict(params=dict(model.named_parameters()))):
        g = viz.draw(loss, **kw)
        for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
            assert f'"{name}\\n' in g.source
        assert count(g, "param") == 4


def test_clusters_match_nested_modules():
    net = Net(n_blocks=2)
    loss = net(ag.randn(4, 3)).sum()
    g = viz.draw(loss, model=net, fold=False)
    assert set(cluster_labels(g)) == {
        "Net", "stem: Linear", "blocks: Sequential", "blocks.0: Block", "blocks.1: Block",
        "blocks.0.fc: Linear", "blocks.0.act: ReLU", "blocks.1.fc: Linear",
        "blocks.1.act: ReLU", "head: Linear", "legend"}
    # nesting: the Linear of block 0 sits inside the cluster of block 0
    src = g.source
    start = src.index('label="blocks.0: Block"')
    assert start < src.index('label="blocks.0.fc: Linear"') < src.index('label="blocks.1: Block"')


def test_depth_draws_one_node_per_module():
    net = Net(n_blocks=2)
    loss = net(ag.randn(4, 3)).sum()
    g = viz.draw(loss, model=net, depth=1, fold=False)
    assert count(g, "module") == 4  # stem, blocks.0, blocks.1, head (Sequential is open)
    assert count(g, "op") == 1      # the sum outside the model
    assert count(g, "param") == 0   # parameters are counted inside their module's node
    g0 = viz.draw(loss, model=net, depth=0)
    assert count(g0, "module") == 1 and "Net" in g0.source


def test_fold_turns_repeated_steps_into_one_node():
    w = ag.randn(5, 5, requires_grad=True)
    h = ag.randn(2, 5, requires_grad=True)
    for _ in range(12):  # an unrolled RNN: same weights every step
        h = (h @ w).tanh()
    loss = h.sum()
    full = viz.draw(loss, fold=False)
    assert count(full, "op") == 25
    g = viz.draw(loss)
    assert count(g, "fold") == 1
    assert re.search(r'label="x1[12]  mm > tanh', g.source)
    assert count(g, "op") + 2 * int(re.search(r'label="x(\d+)', g.source).group(1)) == 25
    assert "each repeat feeds the next" in g.source


def test_fold_lstm_and_block_stack():
    lstm = nn.LSTM(3, 4, num_layers=2)
    out, _ = lstm(ag.randn(20, 2, 3))
    g = viz.draw(out.sum(), model=lstm)
    assert count(g, "fold") == 2  # one per layer
    assert len(g.source.splitlines()) < 250
    net = Net(n_blocks=8)
    g = viz.draw(net(ag.randn(2, 3)).sum(), model=net, depth=1)
    assert count(g, "fold") == 1 and "x8  Block" in g.source
    assert "blocks.0 ... blocks.7" in g.source


def test_large_chain_is_iterative_and_folds_fast():
    x = ag.randn(3, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.5
    g = viz.draw(y)
    assert count(g, "fold") == 1 and count(g, "op") <= 2
    assert len(g.source) < 10_000


def test_double_backward_graph():
    x = ag.randn(3, requires_grad=True)
    w = ag.randn(3, requires_grad=True)
    (gx,) = ag.grad((x * w).tanh().sum(), x, create_graph=True)
    z = (gx ** 2).sum()
    g = viz.draw(z, fold=False)
    assert count(g, "op") == len(nodes(z))
    assert "tanh_backward" in g.source and count(g, "input") == 2


def test_tensor_draw_shortcut_and_leaf_outputs():
    x, w = x_w()
    y = (x @ w).sum()
    assert y.draw(show_shapes=False).source == viz.draw(y, show_shapes=False).source
    g = w.draw()
    assert count(g, "input") == 1 and count(g, "output") == 1
    g = x.draw()
    assert count(g, "const") == 1


def test_bad_arguments():
    x, w = x_w()
    with pytest.raises(ValueError, match="color_by"):
        viz.draw((x @ w).sum(), color_by="time")
    with pytest.raises(TypeError, match="expected Tensors"):
        viz.draw(np.ones(3))


# ----------------------------------------------------------------------------- memory
def test_saved_nodes_show_the_arrays_nbytes():
    x, w = x_w()
    y = (x @ w).sigmoid()
    loss = (y * y).sum()
    g = viz.draw(loss, show_saved=True)
    shown = sorted(int(b) for b in re.findall(r"bytes: (\d+)", g.source))
    arrays = {id(a): a for n in nodes(loss) for _, a in saved_arrays(n)}
    assert shown == sorted(a.nbytes for a in arrays.values())
    assert count(g, "saved") == len(arrays)


def test_views_of_one_storage_are_tied():
    w = ag.randn(3, 3, requires_grad=True)
    h = w.exp()            # keeps its output
    loss = (h.T * w).sum()  # mul saves h.T, a view of that output
    g = viz.draw(loss, show_saved=True)
    assert "views of the same storage" in g.source


def test_saved_after_backward_needs_watch():
    x, w = x_w()
    loss = (x @ w).exp().sum()
    before = viz.draw(loss, show_saved=True)
    viz.watch(loss)
    loss.backward()
    after = viz.draw(loss, show_saved=True)
    assert count(after, "saved") == count(before, "saved") > 0
    x2, w2 = x_w()
    loss2 = (x2 @ w2).exp().sum()
    loss2.backward()
    with pytest.warns(UserWarning, match="show_saved=True: backward already freed"):
        assert "freed by backward" in viz.draw(loss2, show_saved=True).source


def test_color_by_saved_bytes():
    x = ag.randn(100, 10, requires_grad=True)
    loss = (x.exp().sum(dim=1) * 2.0).sum()
    g = viz.draw(loss, color_by="saved_bytes")
    fills = dict(re.findall(r'label="(\w+)\\n[^"]*".*?fillcolor="(#\w+)"', g.source))
    assert fills["exp"] != fills["sum"]
    assert "bytes saved for backward" in g.source


# ----------------------------------------------------------------------------- gradients
def test_gradient_colours_mark_a_vanishing_layer():
    ag.manual_seed(0)
    x = ag.randn(8, 4)
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    # layer 0 feeds the loss through a factor 1e-7: its gradient vanishes
    loss = model[1](x).pow(2).sum() + (model[0](x) * 1e-7).pow(2).sum()
    viz.watch(loss)
    loss.backward()
    g = viz.draw(loss, model=model, color_by="grad", fold=False)
    assert "0.weight" in g.marks["vanishing"] and "1.weight" not in g.marks["vanishing"]
    fills = dict(re.findall(r'label="(\d\.weight)\\n[^"]*".*?fillcolor="(#\w+)"', g.source))
    assert fills["0.weight"] != fills["1.weight"]
    assert "vanishing" in classes(g, "vanishing")[0][1]
    assert re.search(r'tooltip="grad norm [0-9.e+-]+"', g.source)  # coloured edges


def test_exactly_zero_gradients_are_marked_zero_not_vanishing():
    """A layer behind a dead ReLU gets exactly zero gradient, and so does W_hh at an LSTM's
    first step (h0 = 0): structural zeros, not the decay through depth of "vanishing"."""
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 1))
    with ag.no_grad():
        model[0].bias.fill_(-100.0)                                   # every unit dead
    loss = model(ag.randn(8, 4)).pow(2).mean()
    viz.watch(loss)
    loss.backward()
    g = viz.draw(loss, model=model, color_by="grad", fold=False)
    assert {"0.weight", "0.bias"} <= set(g.marks["zero"])
    assert not g.marks["vanishing"]
    assert "zero grad" in g.source and "exactly 0" in g.source      # node and legend
    lstm = nn.LSTM(3, 4)
    out, _ = lstm(ag.randn(5, 2, 3))
    loss = out.sum()
    viz.watch(loss)
    loss.backward()
    g = viz.draw(loss, model=lstm, color_by="grad")
    assert g.marks["zero"] and not g.marks["vanishing"]


def test_gradient_colours_mark_exploding():
    w = ag.tensor([1e30, 1e30], requires_grad=True)
    loss = (w * w * w).sum()  # float32 overflow: inf gradient
    loss.backward()
    g = viz.draw(loss, color_by="grad")
    assert g.marks["exploding"] and not g.marks["vanishing"]
    assert "exploding" in g.source


def test_without_watch_ops_say_how_to_record():
    x, w = x_w()
    loss = (x @ w).sum()
    loss.backward()
    g = viz.draw(loss, color_by="grad")
    assert "viz.watch(loss) before loss.backward()" in g.source
    assert "grad norm: " in g.source  # the parameter's own .grad is still read


# ----------------------------------------------------------------------------- rendering
def test_render_without_dot_says_what_to_install(monkeypatch, tmp_path):
    x, w = x_w()
    g = viz.draw((x @ w).sum())
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` there
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        g.render(str(tmp_path / "graph"), format="svg")
    with pytest.raises(RuntimeError, match="install Graphviz"):
        g.pipe(format="svg")
    assert "digraph" in g.source


@requires_dot
def test_render_png_and_svg(tmp_path):
    net = Net()
    g = viz.draw(net(ag.randn(2, 3)).sum(), model=net)
    for fmt in ("png", "svg"):
        path = g.render(str(tmp_path / "net"), format=fmt)
        assert os.path.getsize(path) > 1000


def test_vanishing_gradients_example(tmp_path):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import vanishing_gradients
    finally:
        sys.path.pop(0)
    res = vanishing_gradients.main(["--quick", "--out", str(tmp_path)])
    sig, relu = res["sigmoid"]["graph"].marks, res["relu_he"]["graph"].marks
    assert {"0.weight", "2.weight"} <= set(sig["vanishing"])
    assert "20.weight" not in sig["vanishing"]  # the last layer still learns
    assert relu["vanishing"] == [] and relu["exploding"] == []
    if shutil.which("dot"):
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "relu_he.png", "relu_he.svg", "sigmoid.png", "sigmoid.svg"]


def test_example_runs_as_a_script(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "vanishing_gradients.py"),
                          "--quick", "--depth", "3", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "sigmoid" in out.stdout and "relu_he" in out.stdout
