"""Dropout (statistics, scaling, reproducibility, eval identity) and Embedding (parity,
padding_idx, gradients only for used rows)."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch


def _host(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_zeroes_about_p_and_scales_the_rest(device):
    x = ag.ones(200, 500, device=device)
    y = F.dropout(x, 0.3)
    assert y.device.type == x.device.type
    y = _host(y)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert y.dtype == np.float32


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_is_reproducible_with_manual_seed_and_grad_uses_same_mask(device):
    x = ag.randn(50, 40, device=device, requires_grad=True)
    ag.manual_seed(3)
    y1 = F.dropout(x, 0.5)
    ag.manual_seed(3)
    y2 = F.dropout(x, 0.5)
    np.testing.assert_array_equal(_host(y1), _host(y2))
    y1.sum().backward()
    mask = _host(y1) != 0
    np.testing.assert_array_equal(_host(x.grad), mask * 2.0)


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_module_eval_is_identity_and_p_edge_cases(device):
    m = nn.Dropout(0.4)
    x = ag.randn(10, 10, device=device)
    m.eval()
    assert m(x) is x or np.array_equal(_host(m(x)), _host(x))
    m.train()
    assert np.any(_host(m(x)) != _host(x))
    assert not np.any(_host(F.dropout(x, 1.0)))
    np.testing.assert_array_equal(_host(F.dropout(x, 0.0)), _host(x))
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


@pytest.mark.parametrize("device", DEVICES)
def test_dropout2d_drops_whole_channels(device):
    y = _host(F.dropout2d(ag.ones(8, 16, 3, 3, device=device), 0.5))
    per_channel = y.reshape(8, 16, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
    assert 0 < np.count_nonzero(per_channel[:, :, 0]) < 8 * 16


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=1), dict(padding_idx=-1),
                                dict(scale_grad_by_freq=True)], ids=str)
def test_embedding_module_matches_torch(kw, dtype, device):
    em = nn.Embedding(7, 3, dtype=dtype, **kw)
    tm = torch.nn.Embedding(7, 3, **kw).to(getattr(torch, np.dtype(dtype).name))
    idx = np.array([[1, 2, 6, 2], [0, 6, 1, 1]])
    check_module(em, tm, [idx], dtype, device=device)


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_embedding_padding_row_is_zero_and_unused_rows_get_zero_grad(device):
    em = nn.Embedding(6, 4, padding_idx=2).to(device)
    assert not np.any(_host(em.weight)[2])
    assert em.weight.dtype == ag.float32
    em(ag.tensor([[0, 2], [2, 4]], device=device)).sum().backward()
    g = _host(em.weight.grad)
    assert not np.any(g[[1, 2, 3, 5]])
    np.testing.assert_array_equal(g[[0, 4]], np.ones((2, 4)))


@pytest.mark.parametrize("device", DEVICES)
@requires_torch
def test_embedding_max_norm_renormalises_like_torch(device):
    w = np.random.default_rng(0).standard_normal((5, 3)) * 3
    idx = np.array([0, 3, 3])
    ew = ag.tensor(w.copy(), requires_grad=True, device=device)
    tw = torch.tensor(w.copy(), requires_grad=True)
    run_both(lambda i: F.embedding(i, ew, max_norm=1.0),
             lambda i: torch.nn.functional.embedding(i, tw, max_norm=1.0), [idx], np.float64,
             device=device)
    assert ew.device.type == ag.device(device).type
    np.testing.assert_allclose(_host(ew), tw.detach().numpy(), rtol=1e-12)


def test_embedding_rejects_out_of_range():
    with pytest.raises(IndexError):
        F.embedding(ag.tensor([5]), ag.randn(5, 2))
