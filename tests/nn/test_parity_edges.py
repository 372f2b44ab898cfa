"""Edges where Ember differed from PyTorch 2.13 in programs written for it: module reprs,
dtype inference of tensor(...) from mixed sequences, the mean of nothing, and transposed
convolutions whose output_padding reaches the stride."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch


def _reprs(L):
    return [repr(L.nn.Embedding(10, 4, max_norm=1.0)),
            repr(L.nn.Embedding(10, 4, padding_idx=0, max_norm=2.0, norm_type=1.0,
                                 scale_grad_by_freq=True, sparse=True)),
            repr(L.nn.EmbeddingBag(10, 4, max_norm=1.0, mode="sum")),
            repr(L.nn.LSTM(4, 6, proj_size=2, num_layers=2, batch_first=True, dropout=0.1,
                           bidirectional=True)),
            repr(L.nn.GRU(4, 6, bias=False))]


@requires_torch
def test_reprs_match_torch():
    ag.nn = nn  # the same spelling for both libraries
    assert _reprs(ag) == _reprs(torch)


def _inferred(L):
    cases = [[1 + 2j], [L.tensor(1), 2.5], [np.float64(1), 2.5], [np.int32(1), 2],
             [L.tensor(1.0, dtype=L.float64), 2], [[L.tensor(1), 2], [3, 4]],
             [True, False], [1, 2.0], [L.tensor(True), 1], 2 + 1j, np.float64(2)]
    return [(str(L.tensor(c).dtype), L.tensor(c).tolist()) for c in cases]


@requires_torch
def test_tensor_dtype_inference_matches_torch():
    assert _inferred(ag) == _inferred(torch)


def test_mean_of_nothing_is_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(ag.tensor([]).mean().item())
        assert np.isnan(ag.zeros(0, 3).mean(0).numpy()).all()
        assert ag.zeros(0, 3).mean(1).shape == (0,)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("stride, dilation, output_padding", [(1, 2, 1), (1, 3, 2),
                                                              (2, 3, 2), (2, 1, 1)])
def test_transposed_conv_output_padding_up_to_the_dilation(nd, stride, dilation,
                                                           output_padding):
    rng = np.random.default_rng(nd)
    x = ag.tensor(rng.standard_normal((2, 3) + (4,) * nd), requires_grad=True)
    w = ag.tensor(rng.standard_normal((3, 2) + (2,) * nd), requires_grad=True)
    b = ag.tensor(rng.standard_normal(2), requires_grad=True)
    f = getattr(nn.functional, f"conv_transpose{nd}d")
    kw = dict(stride=stride, dilation=dilation, output_padding=output_padding)
    y = f(x, w, b, **kw)
    assert y.shape[2:] == ((4 - 1) * stride + dilation * (2 - 1) + output_padding + 1,) * nd
    assert ag.gradcheck(lambda x, w, b: f(x, w, b, **kw), (x, w, b))
    if torch is not None:
        ty = getattr(torch.nn.functional, f"conv_transpose{nd}d")(
            *(torch.tensor(t.detach().numpy()) for t in (x, w, b)), **kw)
        np.testing.assert_allclose(y.detach().numpy(), ty.numpy(), rtol=1e-10, atol=1e-12)


def test_module_to_bfloat16_and_loss_warnings_and_checks():
    m = nn.Linear(2, 2).to(ag.bfloat16)
    assert m.weight.dtype == ag.bfloat16
    assert nn.Linear(2, 2).to("cpu", ag.bfloat16).bias.dtype == ag.bfloat16
    with pytest.raises(TypeError, match="desired dtype=torch.int64"):
        nn.Linear(2, 2).to(ag.int64)
    F = nn.functional
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\)"):
        F.mse_loss(ag.zeros(3, 4), ag.zeros(4))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, "
                                         "please use reduction='sum' instead"):
        assert F.mse_loss(ag.ones(3), ag.zeros(3), size_average=False).item() == 3.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        nn.MSELoss(reduce=False)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(ag.zeros(2), ag.zeros(2), delta=0.0)


def _half_norms(L):
    x = L.tensor(np.random.default_rng(0).standard_normal((4, 3, 5)), dtype=L.float32)
    out = []
    for dt in (L.float16, L.bfloat16):
        xs = x.to(dt)
        for m in (L.nn.LayerNorm(5), L.nn.BatchNorm1d(3), L.nn.GroupNorm(1, 3),
                  L.nn.InstanceNorm1d(3, affine=True), L.nn.BatchNorm1d(3).eval(),
                  L.nn.LayerNorm(5).to(dt)):
            y = m(xs)
            out.append((str(y.dtype), np.round(y.float().detach().numpy(), 2)))
    return out


@requires_torch
def test_norms_keep_a_half_input_dtype():
    ag.nn = nn
    for (d1, v1), (d2, v2) in zip(_half_norms(ag), _half_norms(torch)):
        assert d1 == d2
        np.testing.assert_allclose(v1, v2, atol=0.02)


@pytest.mark.parametrize("mean, std, a, b, want_mean, want_std", [
    (0.0, 1.0, -2.0, 2.0, 0.0, 0.880), (10.0, 1.0, -2.0, 2.0, 1.875, 0.118),
    (0.0, 1.0, 5.0, 6.0, 5.186, 0.17), (-10.0, 1.0, -2.0, 2.0, -1.875, 0.118)])
def test_trunc_normal_far_from_the_mean(mean, std, a, b, want_mean, want_std):
    # moments of the truncated normal (far tails: an exponential of rate |mu - bound|);
    # tolerances are several standard errors of 60000 draws
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = nn.init.trunc_normal_(ag.empty(200, 300), mean, std, a, b,
                                  generator=ag.Generator(0))
    assert (abs(mean - a) > 2 * std and abs(mean - b) > 2 * std) == any(
        "more than 2 std" in str(w.message) for w in caught)
    assert a <= t.min().item() and t.max().item() <= b
    assert abs(t.mean().item() - want_mean) < 0.01 and abs(t.std().item() - want_std) < 0.01
