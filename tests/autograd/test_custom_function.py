"""autograd.Function subclasses written by users, side by side with torch.autograd.Function."""
import numpy as np
import pytest
import torch

import autograd as ag


def make_scaled_exp(lib_function):
    class ScaledExp(lib_function):
        """y = exp(k * x); k is a plain number. forward uses Tensor ops."""

        @staticmethod
        def forward(ctx, x, k):
            y = (x * k).exp()
            ctx.save_for_backward(y)
            ctx.k = k
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y * ctx.k, None
    return ScaledExp


AgExp = make_scaled_exp(ag.Function)
TorchExp = make_scaled_exp(torch.autograd.Function)


def test_forward_uses_tensor_ops_and_gradient_matches_torch():
    a = np.array([0.1, -0.4, 0.7])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = AgExp.apply(x, 2.0), TorchExp.apply(tx, 2.0)
    assert y.requires_grad and type(y.grad_fn).__name__ == "ScaledExp"
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_forward_runs_in_no_grad_mode():
    seen = []

    class Probe(ag.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ag.is_grad_enabled())
            y = x * 2
            seen.append(y.requires_grad)
            return y

        @staticmethod
        def backward(ctx, grad):
            return grad * 2
    x = ag.tensor([1.0], requires_grad=True)
    out = Probe.apply(x)
    assert seen == [False, False] and ag.is_grad_enabled()
    out.backward()
    assert x.grad.item() == 2.0


def test_double_backward_through_saved_output_matches_torch():
    a = np.array([0.3, -0.2])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    (g,) = ag.grad(AgExp.apply(x, 1.5).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(TorchExp.apply(tx, 1.5).sum(), tx, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-12)


def test_gradcheck_and_gradgradcheck_pass_on_custom_function():
    x = ag.tensor(np.array([0.2, -0.5, 0.9]), requires_grad=True)
    assert ag.gradcheck(lambda t: AgExp.apply(t, 0.7), (x,))
    assert ag.gradgradcheck(lambda t: AgExp.apply(t, 0.7), (x,))


def test_needs_input_grad_reports_each_argument():
    got = []

    class Mul(ag.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            got.append(ctx.needs_input_grad)
            ctx.save_for_backward(a, b)
            return a * b * scale

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return (grad * b if ctx.needs_input_grad[0] else None,
                    grad * a if ctx.needs_input_grad[1] else None, None)
    a = ag.tensor([2.0], requires_grad=True)
    b = ag.tensor([3.0])
    Mul.apply(a, b, 2).backward()
    assert got == [(True, False, False)] and a.grad.item() == 3.0


def make_split(lib_function):
    class SplitSq(lib_function):
        """Two outputs: x**2 and x**3; an integer output marked non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            idx = (x > 0).long()
            ctx.mark_non_differentiable(idx)
            return x * x, x * x * x, idx

        @staticmethod
        def backward(ctx, g2, g3, gidx):
            (x,) = ctx.saved_tensors
            return g2 * 2 * x + g3 * 3 * x * x
    return SplitSq


def test_several_outputs_and_non_differentiable_output_match_torch():
    a = np.array([0.5, -1.5])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    s, c, idx = make_split(ag.Function).apply(x)
    ts, tc, tidx = make_split(torch.autograd.Function).apply(tx)
    assert not idx.requires_grad and not tidx.requires_grad
    assert s.grad_fn is c.grad_fn
    (s.sum() + 2 * c.sum()).backward()
    (ts.sum() + 2 * tc.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_mark_non_differentiable_float_output_needs_no_grad():
    class Twice(ag.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 2
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            return grad * 2
    y = Twice.apply(ag.tensor([1.0], requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads_matches_torch(materialize):
    def make(lib_function):
        class Two(lib_function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x + 1, x + 2

            @staticmethod
            def backward(ctx, g1, g2):
                Two.seen = (g1 is None, g2 is None)
                return g1 if g1 is not None else g2
        return Two
    ours, theirs = make(ag.Function), make(torch.autograd.Function)
    x = ag.tensor([1.0], requires_grad=True)
    tx = torch.tensor([1.0], requires_grad=True)
    ours.apply(x)[0].sum().backward()
    theirs.apply(tx)[0].sum().backward()
    assert ours.seen == theirs.seen == (False, not materialize)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_no_graph_recorded_when_no_input_requires_grad_or_under_no_grad():
    y = AgExp.apply(ag.tensor([1.0]), 1.0)
    assert not y.requires_grad and y.grad_fn is None
    with ag.no_grad():
        z = AgExp.apply(ag.tensor([1.0], requires_grad=True), 1.0)
    assert z.grad_fn is None


def test_array_returning_forward_and_setup_context_style():
    class Square(ag.Function):
        @staticmethod
        def forward(x):  # PyTorch 2 style: no ctx, setup_context below
            return x.array * x.array

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x
    x = ag.tensor([3.0], requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.item() == 6.0


def test_saved_input_modified_in_place_raises_like_torch():
    class Id(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x

    class TId(torch.autograd.Function):
        forward = Id.forward
        backward = Id.backward
    for lib, fn in ((ag, Id), (torch, TId)):
        x = lib.tensor([1.0], requires_grad=True)
        h = x * 2
        y = fn.apply(h)
        h.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_returning_an_input_unchanged_keeps_the_graph():
    class Ident(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 3
    x = ag.tensor([1.0], requires_grad=True)
    y = Ident.apply(x)
    assert y is not x and y.grad_fn is not None and x.grad_fn is None
    y.backward()
    assert x.grad.item() == 3.0


def test_second_backward_through_custom_function_raises_freed():
    x = ag.tensor([1.0], requires_grad=True)
    y = AgExp.apply(x, 1.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
