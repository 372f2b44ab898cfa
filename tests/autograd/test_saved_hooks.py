"""saved_tensors_hooks / save_on_cpu / disable_saved_tensors_hooks, once_differentiable and
Function.setup_context, against torch's behaviour."""
import numpy as np
import pytest

import autograd as A
from autograd.ops.delayed import once_differentiable
from autograd.saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks
from tests.conftest import requires_torch


@requires_torch
def test_hooks_see_what_torch_saves_and_gradients_match():
    import torch
    x0 = np.array([1.0, 2.0, 0.5])
    seen = {"ember": [], "torch": []}

    def run(lib, key):
        x = lib.tensor(x0, requires_grad=True)

        def pack(t):
            seen[key].append(tuple(t.shape))
            return t * 1  # a copy: backward must use what unpack returns

        with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = (x.exp() * x).sum()
        y.backward()
        return x.grad.numpy()
    np.testing.assert_allclose(run(A, "ember"), run(torch, "torch"))
    assert seen["ember"] and all(s == (3,) for s in seen["ember"])


def test_unpacked_value_is_used_and_hooks_nest():
    x = A.tensor([1.0, 2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        with saved_tensors_hooks(lambda t: t * 0 + 10, lambda t: t):
            y = (x * x).sum()  # d/dx = 2x, but the saved x is replaced by 10
    y.backward()
    assert x.grad.tolist() == [20.0, 20.0]
    with save_on_cpu():
        z = (x.sin() * 2).sum()
    x.grad = None
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([1.0, 2.0]))
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass


class Square(A.Function):
    @staticmethod
    def forward(x):
        return x * x

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        assert not A.is_grad_enabled()
        return 2 * x * g


def test_setup_context_and_once_differentiable():
    x = A.tensor([1.0, 3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 6.0]
    y = Square.apply(x)
    (g,) = A.grad(y, x, grad_outputs=A.ones(2, requires_grad=True), create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()
    with pytest.raises(NotImplementedError):
        A.Function.setup_context(None, (), None)
