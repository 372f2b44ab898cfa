"""No reference cycles keep a graph alive: after 1,000 training steps of a small MLP no
graph node survives, with the cyclic garbage collector switched off."""
import gc
import weakref

import numpy as np

import autograd as ag
from autograd.function import Function


def _live_nodes():
    return sum(1 for o in gc.get_objects() if isinstance(o, Function))


def _mlp_step(params, x, y):
    w1, b1, w2, b2 = params
    h = (x @ w1 + b1).tanh()
    out = (h @ w2 + b2).log_softmax(-1)
    loss = -(out * y).sum(-1).mean() + 1e-3 * (w1 * w1).sum()
    loss.backward()
    with ag.no_grad():
        for p in params:
            p -= 0.1 * p.grad
            p.grad = None
    return loss.item()


def test_thousand_iterations_leave_no_graph_nodes_alive():
    rng = np.random.default_rng(0)
    params = [ag.tensor(rng.standard_normal(s) * 0.3, requires_grad=True)
              for s in [(4, 8), (8,), (8, 3), (3,)]]
    x = ag.tensor(rng.standard_normal((16, 4)))
    y = ag.tensor(np.eye(3)[rng.integers(0, 3, 16)])
    gc.collect()
    before = _live_nodes()
    gc.disable()  # only reference counting may free the graphs
    try:
        losses = [_mlp_step(params, x, y) for _ in range(1000)]
        leftover = _live_nodes() - before
    finally:
        gc.enable()
    assert leftover == 0
    assert losses[-1] < losses[0]


def test_graph_freed_when_output_dropped_even_with_hooks_and_custom_functions():
    class Square(ag.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * x
            ctx.save_for_backward(x, out)  # saving the output must not make a cycle
            return out

        @staticmethod
        def backward(ctx, grad):
            x, out = ctx.saved_tensors
            return grad * 2 * x

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    gc.disable()
    try:
        h = Square.apply(x.exp())
        h.retain_grad()
        h.register_hook(lambda g: g)
        node = weakref.ref(h.grad_fn)
        exp_node = weakref.ref(h.grad_fn.next[0])
        loss = h.sigmoid().sum()
        loss.backward()
        del h, loss
        assert node() is None and exp_node() is None
    finally:
        gc.enable()


def test_saved_tensors_freed_after_backward_and_kept_with_retain_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    node = y.grad_fn.next[0]
    y.backward(retain_graph=True)
    assert node.saved not in (None, ()) and len(node.saved_tensors) == 2
    y.backward()
    from autograd.function import _FREED
    assert node.saved is _FREED
