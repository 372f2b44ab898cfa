"""autograd.memory.ledger: bytes held for backward per node, shared storage counted once,
the backward peak against a hand computation, and what checkpoint saves."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import graph
from autograd.graph import nodes, saved_arrays
from autograd.memory import ledger


def test_ledger_bytes_equal_saved_arrays_nbytes():
    x = ag.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    w = ag.tensor(np.ones((3, 5)), requires_grad=True)
    h = (x @ w).tanh()
    out = (h * h.exp()).sum()
    led = ledger(out)
    expected = sum(a.nbytes for n in nodes(out) for _, a in saved_arrays(n))
    assert sum(r["bytes"] for r in led.rows) == expected
    for r in led.rows:
        assert r["dtype"] == "float64" and r["device"] == "cpu"
    # saved: matmul x, w (leaves); tanh output; mul h and exp(h); exp input h & output
    assert led.leaf_bytes == x.array.nbytes + w.array.nbytes
    assert led.activation_bytes == 2 * 4 * 5 * 8  # h and exp(h), each stored once


def test_shared_storage_is_counted_once_and_flagged():
    x = ag.tensor(np.ones(10), requires_grad=True)
    y = x.exp()          # saves its output y
    z = y.sin()          # saves its input: the same array
    led = ledger(z.sum())
    assert [r["shared"] for r in led.rows] == [True, True]
    assert sum(r["bytes"] for r in led.rows) == 160
    assert led.total_bytes == led.activation_bytes == 80


def test_view_of_a_saved_array_shares_its_storage():
    x = ag.tensor(np.ones((4, 6)), requires_grad=True)
    y = x.exp()
    z = (y.reshape(6, 4) * 2.0).sin()  # sin saves a fresh array; mul by scalar saves none
    v = y.reshape(24).cos()            # cos saves a view of exp's output
    led = ledger(z.sum() + v.sum())
    exp_rows = [r for r in led.rows if r["op"] == "exp"]
    cos_rows = [r for r in led.rows if r["op"] == "cos"]
    assert exp_rows[0]["storage"] == cos_rows[0]["storage"]
    assert exp_rows[0]["shared"] and cos_rows[0]["shared"]
    assert led.activation_bytes == 2 * 24 * 8  # exp's output (with its view) + sin's input


def test_peak_and_freeing_match_a_hand_computation():
    n = 10
    x = ag.tensor(np.ones(n), requires_grad=True)
    out = x.exp().sin().sum()
    led = ledger(out)
    b = 8 * n
    # backward order sum, sin, exp. Alive while each runs:
    #   sum: exp's output (b) + scalar grad (8) + grad for sin's output (b)
    #   sin: exp's output (b) + incoming (b) + grad for exp's output (b)      = 3b
    #   exp: exp's output (b) + incoming (b) + x.grad (b)                      = 3b
    assert [s["op"] for s in led.steps] == ["sum", "sin", "exp"]
    assert [s["live_during"] for s in led.steps] == [2 * b + 8, 3 * b, 3 * b]
    assert [s["freed"] for s in led.steps] == [0, 0, b]  # exp still holds it after sin
    assert led.peak_bytes == 3 * b
    assert "peak" in str(led) and "sin" in str(led)


def test_ctx_attributes_are_reported():
    class KeepsArray(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.buffer = x.array * 2  # an array kept as a ctx attribute, not saved
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    out = KeepsArray.apply(ag.randn(2, 3, requires_grad=True)).sum()
    rows = [r for r in ledger(out).rows if r["label"].startswith("ctx.")]
    assert rows and rows[0]["kind"] == "ctx" and rows[0]["bytes"] == 2 * 3 * 4


def test_conv_unfolded_input_is_saved_and_freed_by_backward():
    conv = nn.Conv2d(1, 2, 3)
    out = conv(ag.randn(2, 1, 5, 5)).sum()
    node = out.grad_fn.next[0]  # the convolution
    cols_bytes = 2 * 1 * 9 * 3 * 3 * 4  # (N, C*kh*kw, OH*OW) float32
    saved = [r for r in ledger(out).rows if r["kind"] != "ctx"]
    assert any(r["bytes"] == cols_bytes for r in saved)
    assert any(arr.nbytes == cols_bytes for _, arr in graph.saved_arrays(node))
    out.backward()
    assert graph.saved_arrays(node) == []  # freed by the engine after the node ran


def _model():
    ag.manual_seed(0)
    block = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh())
    return nn.Sequential(nn.Linear(8, 8), nn.ReLU(), block, nn.Linear(16, 3)), block


def test_checkpoint_lowers_the_total_by_module_bytes():
    model, block = _model()
    x = ag.randn(5, 8)
    led = ledger(model(x).sum(), model=model)
    predicted = led.module_bytes(block)
    assert predicted == led.by_module["2"] == 5 * 16 * 4  # the inner tanh output
    h = model[1](model[0](x))
    led_ckpt = ledger(model[3](ag.checkpoint(block, h)).sum())
    assert led.activation_bytes - led_ckpt.activation_bytes == predicted
    assert led.module_bytes(model[3]) == 0  # the head saves only its input


def test_rows_name_modules_and_freed_graph_is_empty():
    model, _ = _model()
    out = model(ag.randn(5, 8)).sum()
    led = ledger(out, model=model)
    assert {r["module"] for r in led.rows} >= {"0", "1", "2.0", "3"}
    out.backward()
    assert ledger(out).rows == []


def test_ledger_rejects_a_node():
    x = ag.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError):
        ledger(x.exp().grad_fn)


class _Block(nn.Module):
    """Two linears around a tanh called as a Tensor method: the tanh belongs to the block
    itself, the linears to its children."""

    def __init__(self):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(4, 8), nn.Linear(8, 8)

    def forward(self, x):
        return self.lin2(self.lin1(x).tanh())


def test_module_bytes_of_a_nested_model_match_a_hand_count():
    ag.manual_seed(0)
    model = nn.Sequential(_Block(), nn.Tanh(), nn.Linear(8, 2)).double()
    x = ag.randn(3, 4, dtype=ag.float64)
    led = ledger(model(x).sum(), model=model)
    act = 3 * 8 * 8  # one (3, 8) float64 tanh output
    # saved: lin1 (x, W1), block tanh (t1), lin2 (t1, W2), tanh (t2), head (t2, W3);
    # linears keep their input and weight, not the bias
    assert led.activation_bytes == 2 * act
    assert led.leaf_bytes == 8 * (3 * 4 + 8 * 4 + 8 * 8 + 2 * 8)
    assert [r["module"] for r in led.rows if r["kind"] == "activation"].count("0") == 1
    # t1 lives wholly inside the block; t2 is shared by "1" and "2", so neither frees it
    assert led.by_module == {"0": act, "0.lin1": 0, "0.lin2": 0, "1": 0, "2": 0}
    h = ag.checkpoint(model[0], x, use_reentrant=False)
    led_ckpt = ledger(model[2](model[1](h)).sum())
    assert led.activation_bytes - led_ckpt.activation_bytes == led.module_bytes(model[0])


def test_dropout_mask_is_an_activation_and_input_data_a_leaf():
    ag.manual_seed(0)
    x = ag.randn(4, 8)
    w = ag.randn(8, 8, requires_grad=True)
    out = nn.functional.dropout(x @ w, 0.5)
    rows = ledger(out).rows
    kinds = {(r["op"], r["label"]): r["kind"] for r in rows}
    assert kinds[("mul", "saved[1]")] == "activation"  # the mask goes with the graph
    assert kinds[("matmul", "saved[0]")] == "leaf"      # x is the caller's
