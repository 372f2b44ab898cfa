"""CrossMapLRN2d, DataParallel and AdaptiveLogSoftmaxWithLoss against PyTorch."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn


@pytest.mark.parametrize("channels,size", [(6, 3), (8, 5), (3, 5), (7, 4), (1, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_map_lrn2d_matches_torch(channels, size, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, channels, 3, 2)).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    a, b = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oa = nn.CrossMapLRN2d(size, 0.1, 0.75, 2.0)(a)
    ob = torch.nn.CrossMapLRN2d(size, 0.1, 0.75, 2.0)(b)
    (oa * ag.tensor(g)).sum().backward(), (ob * torch.tensor(g)).sum().backward()
    tol = 1e-6 if dtype == np.float32 else 1e-14
    assert oa.dtype == a.dtype
    np.testing.assert_allclose(oa.detach().numpy(), ob.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    assert repr(nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))
    with pytest.raises(ValueError, match="4D"):
        nn.CrossMapLRN2d(3)(ag.zeros(2, 3, 4))
