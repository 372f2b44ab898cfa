"""Dropout (statistics, scaling, reproducibility, eval identity) and Embedding (parity,
padding_idx, gradients only for used rows)."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch


def test_dropout_zeroes_about_p_and_scales_the_rest():
    x = ag.ones(200, 500)
    y = F.dropout(x, 0.3).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert y.dtype == np.float32


def test_dropout_is_reproducible_with_manual_seed_and_grad_uses_same_mask():
    x = ag.randn(50, 40, requires_grad=True)
    ag.manual_seed(3)
    y1 = F.dropout(x, 0.5)
    ag.manual_seed(3)
    y2 = F.dropout(x, 0.5)
    np.testing.assert_array_equal(y1.detach().numpy(), y2.detach().numpy())
    y1.sum().backward()
    mask = y1.detach().numpy() != 0
    np.testing.assert_array_equal(x.grad.numpy(), mask * 2.0)


def test_dropout_module_eval_is_identity_and_p_edge_cases():
    m = nn.Dropout(0.4)
    x = ag.randn(10, 10)
    m.eval()
    assert m(x) is x or np.array_equal(m(x).numpy(), x.numpy())
    m.train()
    assert np.any(m(x).numpy() != x.numpy())
    assert not np.any(F.dropout(x, 1.0).numpy())
    np.testing.assert_array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


def test_dropout2d_drops_whole_channels():
    y = F.dropout2d(ag.ones(8, 16, 3, 3), 0.5).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=1), dict(padding_idx=-1),
                                dict(scale_grad_by_freq=True)], ids=str)
def test_embedding_module_matches_torch(kw, dtype):
    em = nn.Embedding(7, 3, dtype=dtype, **kw)
    tm = torch.nn.Embedding(7, 3, **kw).to(getattr(torch, np.dtype(dtype).name))
    idx = np.array([[1, 2, 6, 2], [0, 6, 1, 1]])
    check_module(em, tm, [idx], dtype)


@requires_torch
def test_embedding_padding_row_is_zero_and_unused_rows_get_zero_grad():
    em = nn.Embedding(6, 4, padding_idx=2)
    assert not np.any(em.weight.detach().numpy()[2])
    assert em.weight.dtype == ag.float32
    em(ag.tensor([[0, 2], [2, 4]])).sum().backward()
    g = em.weight.grad.numpy()
    assert not np.any(g[[1, 2, 3, 5]])
    np.testing.assert_array_equal(g[[0, 4]], np.ones((2, 4)))


@requires_torch
def test_embedding_max_norm_renormalises_like_torch():
    w = np.random.default_rng(0).standard_normal((5, 3)) * 3
    idx = np.array([0, 3, 3])
    ew, tw = ag.tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
    run_both(lambda i: F.embedding(i, ew, max_norm=1.0),
             lambda i: torch.nn.functional.embedding(i, tw, max_norm=1.0), [idx], np.float64)
    np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), rtol=1e-12)


def test_embedding_rejects_out_of_range():
    with pytest.raises(IndexError):
        F.embedding(ag.tensor([5]), ag.randn(5, 2))
