"""The host's fast window paths against PyTorch: tiled max pooling (stride = kernel, no
padding: one contiguous plane per kernel offset) and the batch-innermost input gradient
of a convolution (also conv_transpose's forward). Each compares values, argmax indices
and gradients, with the inputs that tell a wrong tie or NaN rule apart."""
import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from tests.conftest import requires_torch
from tests.nn._layer_parity import torch

pytestmark = requires_torch


def _input(shape, kind, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    if kind == "relu":       # a ReLU's output: windows of tied zeros
        x = np.maximum(x, 0)
    elif kind == "ties":     # equal maxima at different offsets of one window
        x = np.round(x)
    elif kind == "nan":      # NaN windows take the generic path and its rule
        x.flat[1::7] = np.nan
        x.flat[2::11] = np.nan
    return x


def _max_pool_both(x, nd, kw):
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ya, ia = getattr(F, f"max_pool{nd}d")(a, return_indices=True, **kw)
    yt, it = getattr(torch.nn.functional, f"max_pool{nd}d")(t, return_indices=True, **kw)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(x.dtype)
    ya.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    return (ya.detach().numpy(), ia.numpy(), a.grad.numpy()), (
        yt.detach().numpy(), it.numpy(), t.grad.numpy())


@pytest.mark.parametrize("kind", ["normal", "relu", "ties", "nan"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nd,shape,kw", [
    (2, (4, 3, 8, 8), dict(kernel_size=2)),
    (2, (2, 3, 9, 7), dict(kernel_size=2)),            # cropped: the last row/col unused
    (2, (2, 3, 9, 7), dict(kernel_size=3)),
    (2, (2, 2, 6, 9), dict(kernel_size=(2, 3))),
    (2, (3, 8, 8), dict(kernel_size=2)),                # no batch dim
    (1, (2, 3, 12), dict(kernel_size=3)),
    (3, (2, 2, 4, 6, 5), dict(kernel_size=2)),
    (2, (2, 3, 9, 7), dict(kernel_size=2, ceil_mode=True)),  # partial windows: generic
])
def test_tiled_max_pool_is_exact_like_torch(nd, shape, kw, dtype, kind):
    ours, theirs = _max_pool_both(_input(shape, kind, dtype), nd, kw)
    np.testing.assert_array_equal(ours[0], theirs[0])   # values (NaN where torch has NaN)
    np.testing.assert_array_equal(ours[1], theirs[1])   # argmax indices
    np.testing.assert_array_equal(ours[2], theirs[2])   # each gradient routed, not summed


def test_tiled_max_pool_double_backward():
    x = ag.tensor(_input((2, 2, 6, 6), "normal", np.float64), requires_grad=True)
    assert ag.gradcheck(lambda a: F.max_pool2d(a, 2), (x,))
    assert ag.gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))


@pytest.mark.parametrize("nd,x_shape,w_shape,kw", [
    (2, (1, 6, 9, 11), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                          groups=2)),
    (2, (3, 4, 8, 8), (6, 4, 3, 3), dict(stride=1, padding=1)),
    (1, (2, 4, 13), (8, 2, 3), dict(stride=2, padding=3, dilation=2, groups=2)),
    (3, (2, 2, 5, 6, 7), (3, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=(1, 0, 1))),
    (2, (0, 2, 5, 5), (3, 2, 3, 3), dict()),
])
def test_conv_input_gradient_and_transpose_match_torch(nd, x_shape, w_shape, kw):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    a, b = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = getattr(F, f"conv{nd}d")(a, b, **kw)
    ty = getattr(torch.nn.functional, f"conv{nd}d")(ta, tb, **kw)
    g = rng.standard_normal(tuple(ty.shape))
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    # conv_transpose's forward is the same input-gradient op
    yt = getattr(F, f"conv_transpose{nd}d")(ag.tensor(g), b, **kw)
    tt = getattr(torch.nn.functional, f"conv_transpose{nd}d")(torch.tensor(g), tb, **kw)
    np.testing.assert_allclose(yt.detach().numpy(), tt.detach().numpy(), rtol=1e-10,
                               atol=1e-12)


def test_conv_input_gradient_double_backward():
    rng = np.random.default_rng(3)
    x = ag.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 1, 3, 3)), requires_grad=True)

    def f(a, b):
        return F.conv2d(a, b, stride=2, padding=1, groups=2)
    assert ag.gradcheck(f, (x, w))
    assert ag.gradgradcheck(f, (x, w))
