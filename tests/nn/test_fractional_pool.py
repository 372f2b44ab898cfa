"""Fractional max pooling against PyTorch with the same `_random_samples`: values, indices,
gradients (2-D and 3-D, output_size and output_ratio, batched and unbatched), modules,
errors; without samples, the output is a max over windows of the kernel's size."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("nd,shape,kernel,kw", [
    (2, (2, 3, 9, 11), (2, 3), {"output_size": (5, 4)}),
    (2, (3, 10, 10), 3, {"output_ratio": (0.5, 0.7)}),
    (3, (2, 2, 7, 8, 9), 2, {"output_ratio": 0.5}),
    (3, (2, 6, 5, 7), (2, 1, 3), {"output_size": 3})])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch_with_samples(nd, shape, kernel, kw, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    n, c = (shape[0], shape[1]) if len(shape) == nd + 2 else (1, shape[0])
    s = rng.random((n, c, nd)).astype(dtype)
    fo, ft = getattr(F, f"fractional_max_pool{nd}d"), getattr(TF, f"fractional_max_pool{nd}d")
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (a, ia), (b, ib) = (fo(xo, kernel, return_indices=True, _random_samples=ag.tensor(s), **kw),
                        ft(xt, kernel, return_indices=True, _random_samples=torch.tensor(s),
                           **kw))
    assert (a.detach().numpy() == b.detach().numpy()).all()
    assert (ia.numpy() == ib.numpy()).all()
    a.sum().backward(), b.sum().backward()
    assert (xo.grad.numpy() == xt.grad.numpy()).all()
    mo = getattr(nn, f"FractionalMaxPool{nd}d")(kernel, _random_samples=ag.tensor(s), **kw)
    mt = getattr(torch.nn, f"FractionalMaxPool{nd}d")(kernel, _random_samples=torch.tensor(s),
                                                      **kw)
    assert (mo(ag.tensor(x)).numpy() == mt(torch.tensor(x)).numpy()).all()
    wi = getattr(F, f"fractional_max_pool{nd}d_with_indices")(
        ag.tensor(x), kernel, _random_samples=ag.tensor(s), **kw)
    assert (wi[1].numpy() == ib.numpy()).all()


def test_random_draws_pick_window_maxima():
    ag.manual_seed(0)
    x = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 8, 8)))
    out, idx = F.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    flat = x.reshape(2, 3, -1).numpy()
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.reshape(2, 3, -1).numpy(), 2),
                                  out.reshape(2, 3, -1).numpy())


def test_errors():
    x = ag.zeros(1, 1, 5, 5)
    with pytest.raises(ValueError, match="output_size or an output_ratio"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(RuntimeError, match="too large"):
        F.fractional_max_pool2d(x, 3, output_size=4)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(ValueError):
        nn.FractionalMaxPool3d(2)
    with pytest.raises(RuntimeError, match="4D"):
        F.fractional_max_pool2d(ag.zeros(5, 5), 2, output_size=2)
