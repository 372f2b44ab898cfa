"""The README's main example, run briefly, and a long training loop's memory."""
import gc
import os
import sys
import tracemalloc

import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.function import Function

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples"))

pytest.importorskip("sklearn")


def test_digits_mlp_trains_and_writes_checkpoint_and_plot(tmp_path, capsys):
    import digits_mlp
    acc = digits_mlp.main(["--quick", "--out", str(tmp_path), "--no-progress"])
    assert acc > 0.85  # five epochs already classify most digits
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch ")]
    assert len(lines) == 5 and all("train loss" in ln and "validation accuracy" in ln
                                   and ln.endswith(" s") for ln in lines)
    assert (tmp_path / "model.safetensors").stat().st_size > 0
    assert (tmp_path / "loss.png").stat().st_size > 0
    state = nn.utils.load(str(tmp_path / "model.safetensors"))
    assert set(state) == {"0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"}


def test_2000_training_steps_keep_memory_flat():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    x = ag.randn(32, 64)
    y = ag.randint(0, 10, (32,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def live_nodes():
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, Function))

    tracemalloc.start()
    # warm up under tracing: the last step's .grad buffers count on both sides, and
    # NumPy's small-buffer caches (dims/strides, bounded) fill up before the base
    for _ in range(200):
        step()
    base_nodes = live_nodes()  # (a full collection also empties CPython's free lists)
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        step()
    end_nodes = live_nodes()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert end_nodes <= base_nodes
    assert grown < 64 * 1024, f"memory grew by {grown} bytes over 2000 steps"
