"""autograd.explain_grad: one test per reason a gradient is None or zero."""
import numpy as np
import pytest

import autograd as ag
import nn


def _w():
    return ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)


def test_not_connected():
    w, x = _w(), ag.tensor(np.ones(3), requires_grad=True)
    out = (x * 2.0).sum()
    out.backward()
    e = ag.explain_grad(w, out)
    assert w.grad is None and e.reason == "not_connected"
    assert "not connected" in str(e)


def test_output_created_under_no_grad():
    w = _w()
    with ag.no_grad():
        out = (w * 3.0).sum()
    e = ag.explain_grad(w, out)
    assert e.reason == "no_grad" and "no_grad()" in str(e)


def test_detached():
    w = _w()
    d = w.detach().requires_grad_(False)
    out = (d * w).sum()
    out.backward()
    e = ag.explain_grad(d, out)
    assert d.grad is None and e.reason == "detached" and e.op == "detach"


def test_integer_dtype():
    idx = ag.tensor([0, 2])
    w = _w()
    out = w[idx].sum()
    out.backward()
    e = ag.explain_grad(idx, out)
    assert e.reason == "integer_dtype" and "integer" in str(e)


def test_requires_grad_false():
    x = ag.tensor(np.ones(3))
    w = _w()
    out = (x * w).sum()
    out.backward()
    e = ag.explain_grad(x, out)
    assert x.grad is None and e.reason == "requires_grad_false"


def test_graph_already_freed():
    w = _w()
    out = (w * w).sum()
    out.backward()
    w.grad = None  # e.g. zero_grad() between two backward calls
    with pytest.raises(RuntimeError):
        out.backward()
    e = ag.explain_grad(w, out)
    assert e.reason == "freed" and e.op == "mul"  # sum saves nothing


def test_dead_relu_path_names_the_op():
    ag.manual_seed(0)
    lin = nn.Linear(3, 4)
    with ag.no_grad():
        lin.bias.fill_(-100.0)  # every pre-activation is negative: the ReLU is dead
    x = ag.randn(5, 3)
    out = lin(x).relu().sum()
    out.backward()
    assert float(np.abs(lin.weight.grad.numpy()).max()) == 0.0
    e = ag.explain_grad(lin.weight, out)
    assert e.reason == "dead_relu" and e.op == "relu"


def test_relu_bypassed_by_a_skip_path_is_not_blamed():
    w = _w()
    out = (w * 0.0).relu().sum() + (w * 0.0).sum()
    out.backward()
    e = ag.explain_grad(w, out)
    assert e.reason == "zero"


def test_non_leaf_and_ok():
    w = _w()
    h = w * 2.0
    out = h.sum()
    out.backward()
    assert ag.explain_grad(h, out).reason == "non_leaf"
    assert ag.explain_grad(w, out).reason == "ok"


@pytest.mark.parametrize("cut", ["detach", "data"])
def test_path_cut_by_a_detached_copy_names_the_op(cut):
    w = _w()
    x = ag.tensor(np.ones(3), requires_grad=True)
    copy = w.detach() if cut == "detach" else w.data
    out = (copy * x).sum()  # PyTorch users' classic: the weight's path goes through .data
    e = ag.explain_grad(w, out)  # before backward, or after one with retain_graph=True
    assert e.reason == "detached" and e.op == "mul" and "detached copy" in str(e), e
    out.backward(retain_graph=True)
    e = ag.explain_grad(w, out)
    assert w.grad is None and e.reason == "detached" and e.op == "mul", e
    out.backward()  # the graph is freed: the copy is gone from it, the detach remembered
    e = ag.explain_grad(w, out)
    if cut == "detach":
        assert e.reason == "detached" and e.op == "detach", e
    else:  # .data is no call: nothing recorded it
        assert e.reason == "not_connected"


def test_a_path_through_argmax_names_the_non_differentiable_op():
    w = ag.randn(5, requires_grad=True)
    table = ag.randn(5, requires_grad=True)
    out = table[(w * ag.randn(5)).argmax()] * 2  # the source node dies with its temp
    e = ag.explain_grad(w, out)
    assert e.reason == "non_differentiable" and e.op == "argmax"
    assert "argmax is not differentiable" in str(e)
    # the index is alive: the op that uses it is named (a 1-element index tensor: a 0-d
    # one indexes as the integer it holds, as in PyTorch)
    idx = (w * 3).argmax(dim=0, keepdim=True)
    out = table[idx] * 2
    e = ag.explain_grad(w, out)
    assert e.op == "argmax" and "uses that result in index" in str(e)


@pytest.mark.parametrize("build", [
    lambda w, v: ((w.detach() + 1) * v).sum(),   # add saves nothing: one op away
    lambda w, v: ((w.detach() * 2) + v).sum(),   # the copy never enters the graph
], ids=["through-add", "outside-the-graph"])
def test_detach_one_op_away_is_named(build):
    w = ag.randn(5, requires_grad=True)
    v = ag.randn(5, requires_grad=True)
    e = ag.explain_grad(w, build(w, v))
    assert e.reason == "detached" and e.op == "detach"


def test_unrelated_tensor_is_still_not_connected():
    w, v, u = (ag.randn(5, requires_grad=True) for _ in range(3))
    out = ((w.detach() * 2) + v).sum()
    assert ag.explain_grad(u, out).reason == "not_connected"
