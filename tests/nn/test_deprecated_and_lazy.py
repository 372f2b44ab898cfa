"""PyTorch's deprecated-but-working behaviours and its laziness, as PyTorch 2.13 has them:
RNN flatten_parameters (a no-op) and the RNNBase helpers, LSTM proj_size, Dropout2d on
2-D/3-D inputs (warned, one draw per sample and channel), RandomSampler drawing lazily."""
import itertools
import tracemalloc
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import requires_torch, torch


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_flatten_parameters_is_a_noop_and_helpers_exist(cls):
    m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
    before = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
    assert m.flatten_parameters() is None
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.detach().numpy(), before[k])
    assert len(m.all_weights) == 4 and all(len(w) == 4 for w in m.all_weights)
    x = ag.zeros(5, 2, 3)
    assert m.get_expected_hidden_size(x, None) == (4, 2, 4)
    m.check_input(x, None)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        m.check_input(ag.zeros(5, 2, 7), None)
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        m.check_hidden_size(ag.zeros(1, 2, 4), (4, 2, 4))


@requires_torch
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_proj_size_matches_torch(bidirectional):
    t = torch.nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=bidirectional).double()
    e = nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=bidirectional,
                dtype=ag.float64)
    assert list(dict(e.named_parameters())) == list(dict(t.named_parameters()))
    e.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 4, 3))
    xt, xe = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    yt, (ht, ct) = t(xt)
    ye, (he, ce) = e(xe)
    for a, b in ((ye, yt), (he, ht), (ce, ct)):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    (yt.sum() + ct.sum()).backward()
    (ye.sum() + ce.sum()).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(e.weight_hr_l1.grad.numpy(), t.weight_hr_l1.grad.numpy(),
                               atol=1e-12)
    assert "proj_size=2" in repr(e)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 5, proj_size=5)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.RNNBase("GRU", 3, 5, proj_size=2)


def test_lstm_proj_size_gradcheck():
    m = nn.LSTM(2, 3, proj_size=1, dtype=ag.float64)
    x = ag.tensor(np.random.default_rng(1).standard_normal((3, 2, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x: m(x)[0], (x,))


def test_dropout2d_on_2d_input_drops_single_features_with_torch_warning():
    x = ag.ones(64, 32)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        y = F.dropout2d(x, 0.5).numpy()
    kept = (y != 0).mean(axis=1)  # each sample keeps about half its features
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.2 < kept.min() and kept.max() < 0.8  # never all or nothing per sample
    with pytest.warns(UserWarning, match="Received a 2-D input"):
        nn.Dropout2d(0.5)(x)


def test_dropout2d_3d_input_is_read_as_n_c_l():
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        y = F.dropout2d(ag.ones(16, 8, 5), 0.5).numpy()
    per_channel = y.reshape(16, 8, 5)
    assert (per_channel == per_channel[:, :, :1]).all()  # one draw per (sample, channel)
    assert 0 < (y == 0).mean() < 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(ag.ones(2, 3, 4, 4), 0.5)  # 4-D: no warning
    with pytest.raises(RuntimeError, match="at least 2 dimensions"), \
            pytest.warns(UserWarning):
        F.dropout2d(ag.ones(3), 0.5)


def test_random_sampler_with_replacement_is_lazy():
    tracemalloc.start()
    try:
        s = nn.data.RandomSampler(range(10), replacement=True, num_samples=10 ** 10)
        first = list(itertools.islice(iter(s), 100))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(s) == 10 ** 10 and len(first) == 100 and set(first) <= set(range(10))
    assert peak < 1_000_000  # not 80 GB of indices
    assert len(list(nn.data.RandomSampler(range(3), replacement=True, num_samples=70))) == 70


def test_random_sampler_without_replacement_whole_permutations():
    out = list(nn.data.RandomSampler(range(4), num_samples=10, generator=ag.Generator(0)))
    assert sorted(out[:4]) == [0, 1, 2, 3] and sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(out) == 10 and len(set(out[8:])) == 2
