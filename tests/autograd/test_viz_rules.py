"""The drawing rules of issue 21: automatic depth for large graphs, numbered steps in
time order, modules marked by the share of their parameters that vanish (parameters
without gradient by construction left out), saved arrays named by their role, PyTorch
op labels, a fixed colour scale and warnings for options without effect."""
import re
import warnings

import pytest

import autograd as ag
import nn
from autograd import health, viz


def _transformer(layers=6):
    ag.manual_seed(0)
    layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
    model = nn.TransformerEncoder(layer, layers)
    x, target = ag.randn(2, 5, 32), ag.randn(2, 5, 32)
    return model, (model(x) * target).sum()


def test_large_graph_gets_the_deepest_readable_depth_and_says_so():
    model, loss = _transformer()
    full = viz.draw(loss, model=model, fold=False, max_nodes=None)
    assert full.n_nodes > viz.MAX_NODES and full.depth is None
    g = viz.draw(loss, model=model, fold=False)
    assert g.n_nodes <= viz.MAX_NODES
    deeper = viz.draw(loss, model=model, fold=False, depth=g.depth + 1)
    assert deeper.n_nodes > viz.MAX_NODES  # the deepest depth that fits
    assert g.n_nodes == viz.draw(loss, model=model, fold=False, depth=g.depth).n_nodes
    assert f"depth={g.depth} chosen automatically" in g.source
    assert f"the full graph has {full.n_nodes} nodes" in g.source


def test_large_graph_without_model_suggests_it():
    x = ag.randn(3, requires_grad=True)
    y = x
    for k in range(200):  # distinct ops: nothing folds
        y = y * float(k + 2) if k % 2 else y + float(k)
    with pytest.warns(UserWarning, match="pass model= \\(and depth=\\)"):
        viz.draw(y.sum(), fold=False)


def test_small_graph_keeps_every_op():
    model, loss = _transformer(layers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = viz.draw(loss, model=model)
    assert g.depth is None and "chosen automatically" not in g.source


class _Unrolled(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell, self.head = nn.RNNCell(3, 4), nn.Linear(4, 2)

    def forward(self, xs):
        h, loss = ag.zeros(2, 4), 0
        for x in xs:
            h = self.cell(x, h)
            loss = self.head(h).sum() + loss  # the walk from the loss meets step T first
        return loss


def test_repeated_module_calls_are_numbered_in_time_order():
    ag.manual_seed(0)
    model = _Unrolled()
    loss = model(ag.randn(5, 2, 3))
    for kw in (dict(fold=False), dict(fold=False, depth=1)):
        src = viz.draw(loss, model=model, **kw).source
        for name in ("cell: RNNCell", "head: Linear"):
            steps = [int(t) for t in re.findall('label="' + name + r" \(step (\d)/5\)", src)]
            assert steps == [1, 2, 3, 4, 5], (kw, name, steps)


def test_unfolded_repeats_number_their_ops():
    w = ag.randn(5, 5, requires_grad=True)
    h = ag.randn(2, 5, requires_grad=True)
    for _ in range(6):
        h = (h @ w).tanh()
    src = viz.draw(h.sum(), fold=False).source
    steps = [int(t) for t in re.findall(r'label="tanh  \(step (\d)\)', src)]
    assert steps == sorted(steps) and len(steps) >= 4


def _label_of(src, name):
    return re.search(r'label="' + re.escape(name) + r'[^"]*"', src).group(0)


def test_module_marked_by_the_share_of_vanishing_params():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
    x = ag.randn(8, 4) * 1e-7  # the first weight sees a tiny input: its grad vanishes
    model(x).sum().backward()
    loss = model(x).sum()
    norms = {n: float(p.grad.norm()) for n, p in model.named_parameters()}
    top = max(norms.values())
    assert health.verdict(norms["0.weight"], top) == "vanishing"
    assert health.verdict(norms["0.bias"], top) is None
    g = viz.draw(loss, model=model, depth=1, color_by="grad")
    assert "1/2 params vanishing" in _label_of(g.source, "0: Linear")
    assert "vanishing" not in _label_of(g.source, "2: Linear")
    assert g.marks["vanishing"] == ["0"]


class _Attention(nn.Module):
    """Single-head attention with its own key bias: softmax ignores a shift shared by a
    row of scores, so the key bias gets no gradient by construction."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 8)

    def forward(self, x):
        scores = self.q(x) @ self.k(x).transpose(-2, -1)
        return scores.softmax(-1) @ self.v(x)


@pytest.mark.parametrize("watched", [False, True])
def test_params_without_gradient_by_construction_are_not_counted(watched):
    ag.manual_seed(0)
    model = _Attention()
    out = model(ag.randn(2, 6, 8))
    loss = (out * ag.randn(2, 6, 8)).sum()
    if watched:
        viz.watch(loss)
    loss.backward()
    assert float(model.k.bias.grad.norm()) < 1e-4 * float(model.k.weight.grad.norm())
    g = viz.draw(loss, model=model, color_by="grad")
    assert "k.bias" not in g.marks["vanishing"] + g.marks["zero"]
    assert "no gradient by construction" in g.source
    g = viz.draw(loss, model=model, depth=1, color_by="grad")
    assert "vanishing" not in _label_of(g.source, "k: Linear")


def test_monitor_uses_the_same_definition():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
    mon = nn.utils.GradientMonitor(model)
    model(ag.randn(8, 4) * 1e-7).sum().backward()
    mon.step()
    assert mon.flags() == {"0.weight": "vanishing"}
    assert mon.vanish_rel == health.VANISHING == viz.VANISHING


def test_saved_arrays_are_named_by_their_role():
    a = ag.randn(3, 4, requires_grad=True)
    b = ag.randn(4, 5, requires_grad=True)
    y = (a @ b).exp() * a.sum()
    src = viz.draw(y.sum(), show_saved=True).source
    for role in ("self\\n(3, 4)", "mat2\\n(4, 5)", "result\\n(3, 5)", "other\\n()"):
        assert role in src, role
    assert "saved[" not in src


@pytest.mark.parametrize("build, label", [
    (lambda x: x[0], "select"), (lambda x: x[1:], "slice"),
    (lambda x: x[ag.tensor([0, 2])], "index"),
    (lambda x: nn.functional.embedding(ag.tensor([1, 0]), x), "embedding"),
    (lambda x: x @ x.T, "mm"),
])
def test_op_labels_are_pytorch_names(build, label):
    x = ag.randn(3, 3, requires_grad=True)
    src = viz.draw(build(x).sum()).source
    assert f'label="{label}\\n' in src
    for leak in ("viewitem", "getitem", "_unbind0", "embeddingfn", "matmul"):
        assert leak not in src


def test_grad_range_fixes_the_colour_scale():
    def drawing(scale):
        x = ag.randn(4, 3, requires_grad=True)
        loss = (x * scale).sum()
        viz.watch(loss)
        loss.backward()
        return viz.draw(loss, color_by="grad", grad_range=(1e-6, 1e2)).source

    def fills(src):
        return re.findall(r'fillcolor="(#[0-9a-f]{6})"', src.split("cluster_legend")[0])

    assert fills(drawing(1.0)) != fills(drawing(1e-3))  # one scale: different colours
    x = ag.randn(3, requires_grad=True)
    loss = (x * 2).sum()
    loss.backward()
    default = viz.draw(loss, color_by="grad").source
    assert "1e-6" not in default.split("cluster_legend")[1]
    assert "1e-6" in viz.draw(loss, color_by="grad", grad_range=(1e-6, 1e2)).source
    with pytest.raises(ValueError, match="grad_range"):
        viz.draw(loss, color_by="grad", grad_range=(1.0, 0.1))


@pytest.mark.parametrize("kwargs, message", [
    (dict(depth=1), "depth= has no effect without model="),
    (dict(grad_range=(1e-3, 1.0)), "grad_range= has no effect"),
    (dict(color_by="grad"), "found no gradients"),
])
def test_options_without_effect_warn(kwargs, message):
    x = ag.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match=message):
        viz.draw((x * 2).sum(), **kwargs)
