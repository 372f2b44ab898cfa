"""GradientMonitor: vanishing layers of a deep sigmoid MLP are flagged, a ReLU + He MLP is
clean, a huge learning rate is flagged as exploding; report and plot work."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _mlp(act, depth=10, width=32, he=False):
    layers = [nn.Linear(16, width), act()]
    for _ in range(depth - 2):
        layers += [nn.Linear(width, width), act()]
    layers.append(nn.Linear(width, 4))
    model = nn.Sequential(*layers)
    if he:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return model


def _data():
    rng = np.random.default_rng(0)
    return (ag.tensor(rng.standard_normal((64, 16)).astype(np.float32)),
            ag.tensor(rng.integers(0, 4, 64)))


def _train(model, lr, steps=3):
    x, y = _data()
    opt = nn.optim.SGD(model.parameters(), lr=lr)
    mon = nn.utils.GradientMonitor(model, optimizer=opt)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return mon


def test_deep_sigmoid_mlp_first_layers_vanish():
    ag.manual_seed(0)
    mon = _train(_mlp(nn.Sigmoid), lr=0.1)
    flags = mon.flags()
    assert flags.get("0.weight") == "vanishing"
    assert flags.get("2.weight") == "vanishing"
    assert "18.weight" not in flags  # the last layer gets the strongest gradient
    assert mon.steps == 3 and len(mon.history["0.weight"]) == 3


def test_relu_he_mlp_is_not_flagged():
    ag.manual_seed(0)
    mon = _train(_mlp(nn.ReLU, he=True), lr=0.01)
    assert mon.flags() == {}


def test_huge_learning_rate_is_flagged_exploding():
    ag.manual_seed(0)
    mon = _train(_mlp(nn.ReLU, depth=3, he=True), lr=1e4, steps=2)
    flags = mon.flags()
    assert flags and set(flags.values()) == {"exploding"}
    assert mon.history["0.weight"][-1]["update_ratio"] > 1.0


def test_manual_step_measures_the_update_from_the_second_call():
    ag.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = nn.optim.SGD(model.parameters(), lr=0.5)
    mon = nn.utils.GradientMonitor(model)
    x = ag.randn(3, 4)
    for _ in range(2):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        mon.step()
    first, second = mon.history["weight"]
    assert first["update_ratio"] is None
    g = model.weight.grad.numpy()
    w = model.weight.detach().numpy()
    expected = np.linalg.norm(0.5 * g) / np.linalg.norm(w + 0.5 * g)
    assert abs(second["update_ratio"] - expected) < 1e-5 * expected
    assert abs(second["grad_norm"] - np.linalg.norm(g)) < 1e-5


def test_zero_fraction_nan_counts_report_and_plot(tmp_path):
    model = nn.Linear(3, 2)
    model.weight.grad = ag.tensor(np.array([[0.0, 1.0, float("nan")], [0.0, 0.0, 2.0]],
                                           dtype=np.float32))
    model.bias.grad = ag.tensor(np.array([1.0, float("inf")], dtype=np.float32))
    mon = nn.utils.GradientMonitor(model)
    mon.step()
    rec = mon.history["weight"][0]
    assert rec["zero_frac"] == 0.5 and rec["nan"] == 1 and mon.history["bias"][0]["inf"] == 1
    assert mon.flags() == {"weight": "exploding", "bias": "exploding"}
    text = nn.utils.grad_report(model)
    assert "weight" in text and "exploding" in text
    matplotlib = pytest.importorskip("matplotlib")
    before = matplotlib.get_backend()
    matplotlib.use("pdf")
    try:
        out = mon.plot(tmp_path / "norms.png")
        assert matplotlib.get_backend() == "pdf"  # the user's backend is left alone
    finally:
        matplotlib.use(before)
    with open(out, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
