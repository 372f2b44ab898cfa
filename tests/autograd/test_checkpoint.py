"""checkpoint: same gradients as the plain run, far fewer bytes held between forward and
backward."""
import numpy as np
import pytest
import torch
from torch.utils.checkpoint import checkpoint as torch_checkpoint

import autograd as ag
from autograd.function import Function
from autograd.tensor import Tensor


def _params(lib, depth=6, width=16, seed=0):
    rng = np.random.default_rng(seed)
    return [(lib.tensor(rng.standard_normal((width, width)) * 0.3, requires_grad=True),
             lib.tensor(rng.standard_normal(width) * 0.1, requires_grad=True))
            for _ in range(depth)]


def _block(h, w, b):
    z = h @ w + b
    return z.tanh() * z.sigmoid()


def _net(lib, params, x, ck):
    h = x
    for w, b in params:
        if ck == "ours":
            h = ag.checkpoint(_block, h, w, b)
        elif ck == "torch":
            h = torch_checkpoint(_block, h, w, b, use_reentrant=False)
        else:
            h = _block(h, w, b)
    return (h ** 2).mean()


def _graph_bytes(out):
    """Bytes of the distinct arrays that nodes reachable from `out` saved (tensors and
    outputs), parameters (leaves that require grad, held anyway) excluded."""
    arrays, seen, stack = {}, set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen or not isinstance(node, Function):
            continue
        seen.add(node)
        for s in node.saved or ():
            if isinstance(s, Tensor) and not (s.is_leaf and s.requires_grad):
                arrays[id(s.array)] = s.array
        if node._out is not None:
            arrays[id(node._out)] = node._out
        for e in node.next:
            if e is not None and not isinstance(e, Tensor):
                stack.append(e[0] if type(e) is tuple else e)
    return sum(a.nbytes for a in arrays.values())


def test_checkpointed_gradients_equal_plain_and_torch():
    x = np.random.default_rng(1).standard_normal((8, 16))
    grads = {}
    for mode, lib in (("plain", ag), ("ours", ag), ("torch", torch)):
        params = _params(lib)
        xt = lib.tensor(x, requires_grad=True)
        _net(lib, params, xt, mode).backward()
        grads[mode] = [xt.grad.numpy()] + [p.grad.numpy() for wb in params for p in wb]
    for a, b, c in zip(grads["plain"], grads["ours"], grads["torch"]):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(b, c, rtol=1e-10, atol=1e-13)


def test_parameters_inside_fn_get_grads_when_input_needs_none():
    params = _params(ag, depth=1)
    x = ag.tensor(np.ones((2, 16)))
    w, b = params[0]
    ag.checkpoint(lambda h: _block(h, w, b), x).sum().backward()
    plain_w, plain_b = w.grad.numpy().copy(), b.grad.numpy().copy()
    w.grad = b.grad = None
    _block(x, w, b).sum().backward()
    np.testing.assert_array_equal(plain_w, w.grad.numpy())
    np.testing.assert_array_equal(plain_b, b.grad.numpy())


def test_autograd_grad_through_checkpoint_reaches_closure_parameters():
    (w, b), = _params(ag, depth=1)
    x = ag.tensor(np.ones((2, 16)))
    (gw,) = ag.grad(ag.checkpoint(lambda h: _block(h, w, b), x).sum(), w)
    (pw,) = ag.grad(_block(x, w, b).sum(), w)
    np.testing.assert_array_equal(gw.numpy(), pw.numpy())
    assert w.grad is None


def test_graph_between_forward_and_backward_holds_far_fewer_bytes():
    params = _params(ag, depth=12, width=64)
    x = ag.tensor(np.random.default_rng(2).standard_normal((32, 64)))
    plain = _graph_bytes(_net(ag, params, x, "plain"))
    ck = _graph_bytes(_net(ag, params, x, "ours"))
    # plain keeps each block's input and its tanh and sigmoid outputs; checkpointing
    # keeps each block's input only
    assert 0 < ck * 2.5 < plain, (ck, plain)


def test_dropout_like_randomness_is_replayed_in_backward():
    x = ag.tensor(np.ones((4, 8)), requires_grad=True)

    def noisy(h):
        return h * (ag.rand(4, 8, dtype=ag.float64) > 0.5).double() * 2

    ag.manual_seed(3)
    out = ag.checkpoint(noisy, x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


def test_checkpoint_under_no_grad_just_runs_fn():
    with ag.no_grad():
        out = ag.checkpoint(lambda h: h * 2, ag.tensor([1.0], requires_grad=True))
    assert out.grad_fn is None and out.item() == 2.0


def test_several_outputs_and_double_backward():
    a = np.array([0.3, -0.7])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    p, q = ag.checkpoint(lambda h: (h.sin(), h.exp()), x)
    tp, tq = torch_checkpoint(lambda h: (h.sin(), h.exp()), tx, use_reentrant=False)
    (g,) = ag.grad((p * q).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad((tp * tq).sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-12)
    (gg,) = ag.grad(g.sum(), x)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-12)


def test_input_modified_in_place_after_checkpoint_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    out = ag.checkpoint(lambda t: t.exp(), h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_checkpoint_through_a_multi_output_function_finds_its_parameters():
    class Two(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            return a * 2 + b * 3

    w = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)

    def f(x):
        a, b = Two.apply(x * w)
        return (a * b).sum()

    ag.checkpoint(f, x).backward()
    gx, gw = x.grad.numpy().copy(), w.grad.numpy().copy()
    x.grad = w.grad = None
    f(x).backward()
    np.testing.assert_array_equal(gx, x.grad.numpy())
    np.testing.assert_array_equal(gw, w.grad.numpy())
