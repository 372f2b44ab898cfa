"""RNN/LSTM/GRU where `unbind0` (one autograd node, x[0], x[1], ...) gets a leading dim
of size 1: one time step, or an initial state of one layer and direction. Such a node
returns a tuple of one output; its backward once failed ('_Unbind0' object has no
attribute '_shape'). Values and gradients (input, h0/c0, parameters) against PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import gradcheck
from autograd.ops.arrange import unbind0
from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from tests.conftest import requires_torch, torch

KINDS = ["RNN", "LSTM", "GRU"]
RTOL, ATOL = 1e-10, 1e-12  # float64 throughout


def _pair(kind, input_size=3, hidden_size=4, **kw):
    """An Ember and a torch module of `kind` with identical float64 weights."""
    em = getattr(nn, kind)(input_size, hidden_size, dtype=ag.float64, **kw)
    tm = getattr(torch.nn, kind)(input_size, hidden_size, **kw).double()
    sd = em.state_dict()
    assert sorted(sd) == sorted(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(np.array(v.detach().numpy())) for k, v in sd.items()})
    return em, tm


def _leaf(arr):
    return ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


def _close(e, t):
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy(),
                               rtol=RTOL, atol=ATOL)


def _backward(e_outs, t_outs, rng):
    """Backward of a random weighting of every output (so each gets its own gradient)."""
    e_loss, t_loss = 0, 0
    for e, t in zip(e_outs, t_outs):
        _close(e, t)
        w = rng.standard_normal(tuple(t.shape))
        e_loss = e_loss + (e * ag.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    e_loss.backward()
    t_loss.backward()


def _flat(out):
    """(output, h_n) or (output, (h_n, c_n)) as a flat list."""
    x, h = out
    return [x, *h] if isinstance(h, tuple) else [x, h]


def _check_param_grads(em, tm):
    tparams = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert p.grad is not None, name
        _close(p.grad, tparams[name].grad)


def _check(kind, kw, x_shape, with_state, seed=0):
    rng = np.random.default_rng(seed)
    em, tm = _pair(kind, **kw)
    ex, tx = _leaf(rng.standard_normal(x_shape))
    e_args, t_args = [ex], [tx]
    states = []
    if with_state:
        dirs = 2 if kw.get("bidirectional") else 1
        n = kw.get("num_layers", 1) * dirs
        batched = len(x_shape) == 3
        batch = x_shape[0 if kw.get("batch_first") else 1] if batched else None
        shape = (n, batch, 4) if batched else (n, 4)
        states = [_leaf(rng.standard_normal(shape)) for _ in range(2 if kind == "LSTM" else 1)]
        if kind == "LSTM":
            e_args.append(tuple(s[0] for s in states))
            t_args.append(tuple(s[1] for s in states))
        else:
            e_args.append(states[0][0])
            t_args.append(states[0][1])
    _backward(_flat(em(*e_args)), _flat(tm(*t_args)), rng)
    _close(ex.grad, tx.grad)
    for es, ts in states:
        _close(es.grad, ts.grad)
    _check_param_grads(em, tm)


OPTIONS = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True),
    dict(num_layers=2, batch_first=True, bidirectional=True),
]


# ----------------------------------------------------------------------------- unbind0
def test_unbind0_leading_dim_one_backward():
    x = ag.tensor(np.arange(3.0).reshape(1, 3), requires_grad=True)
    (p,) = unbind0(x * 2)
    assert p.shape == (3,)
    (p * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, 4.0, 6.0]])


@requires_torch
def test_unbind0_leading_dim_one_matches_torch():
    arr = np.random.default_rng(0).standard_normal((1, 2, 3))
    ex, tx = _leaf(arr)
    (ep,) = unbind0(ex * 2)
    (tp,) = torch.unbind(tx * 2, 0)
    _close(ep, tp)
    w = np.random.default_rng(1).standard_normal((2, 3))
    (ep.exp() * ag.tensor(w)).sum().backward()
    (tp.exp() * torch.tensor(w)).sum().backward()
    _close(ex.grad, tx.grad)


def test_unbind0_leading_dim_one_hooks_grad_and_double_backward():
    x = ag.tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    (p,) = unbind0(x * 1)
    seen = []
    p.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
    (g,) = ag.grad((p ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [[3.0, 12.0]])
    np.testing.assert_allclose(seen[0], [3.0, 12.0])
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [[6.0, 12.0]])
    # the output as an autograd.grad input
    (q,) = unbind0(x * 1)
    (gq,) = ag.grad((q ** 2).sum(), q)
    np.testing.assert_allclose(gq.numpy(), [2.0, 4.0])
    # retain_grad() on the output
    (r,) = unbind0(x * 1)
    r.retain_grad()
    (r * 3).sum().backward()
    np.testing.assert_array_equal(r.grad.numpy(), [3.0, 3.0])


@pytest.mark.filterwarnings("ignore:Anomaly Detection")
def test_unbind0_leading_dim_one_under_anomaly_mode():
    x = ag.tensor(np.ones((1, 2)), requires_grad=True)
    with ag.detect_anomaly():
        (p,) = unbind0(x * 2)
        p.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, 2.0]])


def test_unbind0_other_sizes_still_multi_output():
    for n in (0, 2, 3):
        x = ag.tensor(np.ones((n, 2)), requires_grad=True)
        parts = unbind0(x * 2)
        assert len(parts) == n
        if n:
            parts[-1].sum().backward()
            expect = np.zeros((n, 2))
            expect[-1] = 2
            np.testing.assert_array_equal(x.grad.numpy(), expect)


# ----------------------------------------------------------------------------- T = 1
@requires_torch
@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("kind", KINDS)
def test_single_step_matches_torch(kind, kw):
    shape = (2, 1, 3) if kw.get("batch_first") else (1, 2, 3)
    _check(kind, kw, shape, with_state=False)


@requires_torch
@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("kind", KINDS)
def test_single_step_with_initial_state_matches_torch(kind, kw):
    shape = (2, 1, 3) if kw.get("batch_first") else (1, 2, 3)
    _check(kind, kw, shape, with_state=True, seed=1)


@requires_torch
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True)], ids=str)
@pytest.mark.parametrize("kind", KINDS)
def test_single_step_unbatched_matches_torch(kind, kw):
    _check(kind, kw, (1, 3), with_state=False, seed=2)
    _check(kind, kw, (1, 3), with_state=True, seed=3)


@requires_torch
@pytest.mark.parametrize("kind", KINDS)
def test_single_step_batch_of_one_matches_torch(kind):
    _check(kind, dict(), (1, 1, 3), with_state=True, seed=4)


@requires_torch
@pytest.mark.parametrize("kind", KINDS)
def test_longer_sequence_with_state_of_one_layer_matches_torch(kind):
    # T > 1, but h0 (and c0) have a leading dim of 1 and require grad
    _check(kind, dict(), (5, 2, 3), with_state=True, seed=5)


# ----------------------------------------------------------------------------- h0 from encoder
@requires_torch
@pytest.mark.parametrize("kind", KINDS)
def test_encoder_decoder_state_requires_grad_matches_torch(kind):
    rng = np.random.default_rng(6)
    enc, tenc = _pair(kind, 3, 4)
    dec, tdec = _pair(kind, 5, 4)
    ex, tx = _leaf(rng.standard_normal((6, 2, 3)))
    ey, ty = _leaf(rng.standard_normal((4, 2, 5)))
    _, eh = enc(ex)
    _, th = tenc(tx)
    eout, _ = dec(ey, eh)
    tout, _ = tdec(ty, th)
    _backward([eout], [tout], rng)
    _close(ex.grad, tx.grad)
    _close(ey.grad, ty.grad)
    _check_param_grads(enc, tenc)
    _check_param_grads(dec, tdec)


# ----------------------------------------------------------------------------- packed
@requires_torch
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_packed_batch_of_length_one_sequences_matches_torch(kind, bidirectional):
    rng = np.random.default_rng(7)
    em, tm = _pair(kind, bidirectional=bidirectional)
    ex, tx = _leaf(rng.standard_normal((1, 3, 3)))
    lengths = [1, 1, 1]
    eo, eh = em(pack_padded_sequence(ex, lengths, enforce_sorted=False))
    to, th = tm(torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, enforce_sorted=False))
    epad, _ = pad_packed_sequence(eo)
    tpad, _ = torch.nn.utils.rnn.pad_packed_sequence(to)
    _backward(_flat((epad, eh)), _flat((tpad, th)), rng)
    _close(ex.grad, tx.grad)
    _check_param_grads(em, tm)


# ----------------------------------------------------------------------------- carried state
@requires_torch
@pytest.mark.parametrize("kind", KINDS)
def test_state_carried_across_single_step_batches_matches_torch(kind):
    rng = np.random.default_rng(8)
    em, tm = _pair(kind, num_layers=2)
    eh = th = None
    for _ in range(3):
        ex, tx = _leaf(rng.standard_normal((1, 2, 3)))
        eo, eh = em(ex) if eh is None else em(ex, eh)
        to, th = tm(tx) if th is None else tm(tx, th)
        w = rng.standard_normal((1, 2, 4))
        (eo * ag.tensor(w)).sum().backward(retain_graph=True)
        (to * torch.tensor(w)).sum().backward(retain_graph=True)
        _close(eo, to)
        _close(ex.grad, tx.grad)
    _check_param_grads(em, tm)


# ----------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("kind", KINDS)
def test_single_step_gradcheck(kind):
    m = getattr(nn, kind)(2, 2, dtype=ag.float64)
    rng = np.random.default_rng(9)
    x = ag.tensor(rng.standard_normal((1, 2, 2)), requires_grad=True)
    h = ag.tensor(rng.standard_normal((1, 2, 2)), requires_grad=True)
    w = m.weight_hh_l0
    if kind == "LSTM":
        c = ag.tensor(rng.standard_normal((1, 2, 2)), requires_grad=True)
        assert gradcheck(lambda x, h, c, w: m(x, (h, c))[0], (x, h, c, w))
    else:
        assert gradcheck(lambda x, h, w: m(x, h)[0], (x, h, w))


def test_unbind0_gradcheck():
    x = ag.tensor(np.random.default_rng(10).standard_normal((1, 3)), requires_grad=True)
    assert gradcheck(lambda x: unbind0(x.sin())[0], (x,))
