"""grid_sample and affine_grid against PyTorch: values, gradients in input and grid for
every mode, padding mode and align_corners (4-D and 5-D), gradcheck in float64, errors."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn.functional as F


def _grid(shape, seed, spread=1.3):
    # coordinates a little beyond [-1, 1], so every padding mode is exercised
    return np.random.default_rng(seed).uniform(-spread, spread, shape)


def _compare(x, g, dtype, **kw):
    xo, go = ag.tensor(x.astype(dtype), requires_grad=True), \
        ag.tensor(g.astype(dtype), requires_grad=True)
    xt, gt = torch.tensor(x.astype(dtype), requires_grad=True), \
        torch.tensor(g.astype(dtype), requires_grad=True)
    oo, ot = F.grid_sample(xo, go, **kw), TF.grid_sample(xt, gt, **kw)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(oo.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(9).standard_normal(ot.shape).astype(dtype)
    (oo * ag.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(go.grad.numpy(), gt.grad.numpy(), rtol=tol * 10,
                               atol=tol * 100)


@pytest.mark.parametrize("mode,padding,align", list(itertools.product(
    ["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"], [False, True])))
def test_grid_sample_4d_matches_torch(mode, padding, align):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 6))
    g = _grid((2, 4, 7, 2), 1)
    _compare(x, g, np.float64, mode=mode, padding_mode=padding, align_corners=align)


@pytest.mark.parametrize("mode,padding,align", [("bilinear", "zeros", False),
                                                ("bilinear", "reflection", True),
                                                ("nearest", "border", False),
                                                ("bilinear", "border", True)])
def test_grid_sample_5d_matches_torch(mode, padding, align):
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4, 5))
    g = _grid((1, 2, 3, 4, 3), 3)
    _compare(x, g, np.float64, mode=mode, padding_mode=padding, align_corners=align)


def test_grid_sample_float32():
    x = np.random.default_rng(4).standard_normal((1, 2, 4, 4))
    _compare(x, _grid((1, 3, 3, 2), 5), np.float32, align_corners=False)


def test_grid_sample_gradcheck():
    x = ag.tensor(np.random.default_rng(6).standard_normal((1, 2, 3, 4)), requires_grad=True)
    # away from tap boundaries, where the bilinear map is smooth in the grid
    g = ag.tensor(_grid((1, 2, 3, 2), 7, 0.9), requires_grad=True)
    for mode in ("bilinear", "bicubic"):
        assert ag.gradcheck(lambda a, b: F.grid_sample(a, b, mode=mode, align_corners=True),
                            (x, g))


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 2), (1, 1, 1, 3)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch_and_feeds_grid_sample(size, align):
    nd = len(size) - 2
    theta = np.random.default_rng(8).standard_normal((size[0], nd, nd + 1))
    to, tt = ag.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    go, gt = F.affine_grid(to, size, align_corners=align), \
        TF.affine_grid(tt, size, align_corners=align)
    np.testing.assert_allclose(go.detach().numpy(), gt.detach().numpy(), atol=1e-12)
    x = np.random.default_rng(9).standard_normal(size)
    oo = F.grid_sample(ag.tensor(x), go, align_corners=align)
    ot = TF.grid_sample(torch.tensor(x), gt, align_corners=align)
    oo.sum().backward(), ot.sum().backward()
    np.testing.assert_allclose(to.grad.numpy(), tt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_identity_theta_reproduces_the_input():
    x = ag.tensor(np.random.default_rng(10).standard_normal((1, 2, 4, 5)))
    theta = ag.tensor([[[1.0, 0, 0], [0, 1.0, 0]]], dtype=ag.float64)
    out = F.grid_sample(x, F.affine_grid(theta, (1, 2, 4, 5), align_corners=False),
                        align_corners=False)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-12)


def test_errors_and_default_warning():
    x, g = ag.zeros(1, 1, 3, 3), ag.zeros(1, 2, 2, 2)
    with pytest.raises(ValueError, match="mode"):
        F.grid_sample(x, g, mode="area", align_corners=False)
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(x, g, padding_mode="wrap", align_corners=False)
    with pytest.raises(RuntimeError, match="batch size"):
        F.grid_sample(x, ag.zeros(2, 2, 2, 2), align_corners=False)
    with pytest.raises(RuntimeError, match="size 2 in last"):
        F.grid_sample(x, ag.zeros(1, 2, 2, 3), align_corners=False)
    with pytest.raises(RuntimeError, match="bicubic"):
        F.grid_sample(ag.zeros(1, 1, 2, 2, 2), ag.zeros(1, 1, 1, 1, 3), mode="bicubic",
                      align_corners=False)
    with pytest.warns(UserWarning, match="align_corners"):
        F.grid_sample(x, g)
    with pytest.raises(ValueError, match="Nx2x3"):
        F.affine_grid(ag.zeros(1, 3, 4), (1, 1, 2, 2), align_corners=False)
    with pytest.raises(ValueError, match="floating point"):
        F.affine_grid(ag.zeros(1, 2, 3, dtype=ag.int64), (1, 1, 2, 2), align_corners=False)
