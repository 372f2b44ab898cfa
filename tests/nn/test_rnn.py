"""RNN/LSTM/GRU against PyTorch: outputs, final states, input/state/parameter gradients for
every option (layers, bidirectional, batch_first, bias, initial states, unbatched)."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, torch

pytestmark = requires_torch

KINDS = {"RNN": (nn.RNN, "RNN"), "LSTM": (nn.LSTM, "LSTM"), "GRU": (nn.GRU, "GRU")}
OPTIONS = [
    dict(),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True, bias=False),
    dict(num_layers=2, batch_first=True, bidirectional=True, dropout=0.0),
]


def _pair(kind, dtype, **kw):
    ecls, tname = KINDS[kind]
    em = ecls(3, 4, dtype=dtype, **kw)
    tm = getattr(torch.nn, tname)(3, 4, **kw).to(getattr(torch, np.dtype(dtype).name))
    return em, tm


def _call_with_state(lstm):
    if lstm:
        return lambda m, x, h, c: m(x, (h, c))
    return lambda m, x, h: m(x, h)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_rnn_family_matches_torch(kind, kw, dtype, device):
    em, tm = _pair(kind, dtype, **kw)
    rng = np.random.default_rng(0)
    shape = (2, 5, 3) if kw.get("batch_first") else (5, 2, 3)
    check_module(em, tm, [rng.standard_normal(shape).astype(dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_rnn_family_with_initial_states_matches_torch(kind, dtype, device):
    em, tm = _pair(kind, dtype, num_layers=2, bidirectional=True, batch_first=True)
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(2, 4, 3), (4, 2, 4), (4, 2, 4)]]
    lstm = kind == "LSTM"
    check_module(em, tm, arrays if lstm else arrays[:2], dtype, call=_call_with_state(lstm),
                 device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_rnn_family_unbatched_input_matches_torch(kind, device):
    em, tm = _pair(kind, np.float64, bidirectional=True)
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s) for s in [(5, 3), (2, 4), (2, 4)]]
    lstm = kind == "LSTM"
    check_module(em, tm, arrays if lstm else arrays[:2], np.float64,
                 call=_call_with_state(lstm), device=device)
    check_module(em, tm, arrays[:1], np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_relu_rnn_matches_torch(device):
    em = nn.RNN(3, 4, 2, nonlinearity="relu", dtype=ag.float64)
    tm = torch.nn.RNN(3, 4, 2, nonlinearity="relu").double()
    check_module(em, tm, [np.random.default_rng(3).standard_normal((4, 2, 3))], np.float64,
                 device=device)


def test_rnn_parameter_names_shapes_and_init_range():
    em, tm = nn.LSTM(3, 5, num_layers=2, bidirectional=True), \
        torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    assert [(k, tuple(v.shape)) for k, v in em.named_parameters()] == \
        [(k, tuple(v.shape)) for k, v in tm.named_parameters()]
    bound = 1 / np.sqrt(5)
    for p in em.parameters():
        assert p.dtype == ag.float32 and np.abs(p.detach().numpy()).max() <= bound
    assert "bias_ih_l0" not in dict(nn.GRU(3, 4, bias=False).named_parameters())


def test_multilayer_dropout_is_active_only_in_training():
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ag.randn(6, 2, 3)
    m.eval()
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.array_equal(m(x)[0].detach().numpy(), a)


def test_rnn_rejects_wrong_hidden_shape():
    m = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        m(ag.randn(5, 2, 3), (ag.zeros(1, 3, 4), ag.zeros(1, 3, 4)))
    with pytest.raises(RuntimeError, match="input_size"):
        m(ag.randn(5, 2, 2))


@pytest.mark.parametrize("device", DEVICES)
def test_lstm_gradcheck(device):
    m = nn.LSTM(2, 2, dtype=ag.float64).to(device)
    x = ag.tensor(np.random.default_rng(4).standard_normal((3, 1, 2)), requires_grad=True,
                  device=device)
    w = m.weight_hh_l0
    assert ag.gradcheck(lambda x, w: m(x)[0], (x, w))
