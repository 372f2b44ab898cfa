"""nn.utils.rnn (pad/pack/unpack, PackedSequence through RNN/LSTM/GRU) and the transformer
decoder side (TransformerDecoderLayer, TransformerDecoder, Transformer) against PyTorch:
values and every gradient, float64 and float32, plus gradcheck and PyTorch's errors."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.layers.transformer import Transformer, TransformerDecoder, TransformerDecoderLayer
from nn.utils import rnn as R
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, close, copy_weights, run_both, torch

pytestmark = requires_torch
if torch is not None:
    import torch.nn.utils.rnn as TR

TDTYPE = {np.float64: "float64", np.float32: "float32"}


def _rng(seed=0):
    return np.random.default_rng(seed)


def _lib(x):
    """(utils.rnn module, tensor constructor) of the library `x` belongs to."""
    if isinstance(x, torch.Tensor):
        return TR, torch.tensor
    return R, lambda a: ag.tensor(a)


# ----------------------------------------------------------------------------- pad / pack
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_matches_torch(batch_first, side, dtype, device):
    arrays = [_rng(i).standard_normal((n, 3)).astype(dtype) for i, n in enumerate((2, 5, 3))]
    call = lambda *xs: _lib(xs[0])[0].pad_sequence(
        list(xs), batch_first=batch_first, padding_value=-1.5, padding_side=side)
    run_both(call, call, arrays, dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_pad_sequence_of_1d_sequences_and_of_a_tensor(device):
    arrays = [np.arange(n, dtype=np.float64) for n in (3, 1)]
    call = lambda *xs: _lib(xs[0])[0].pad_sequence(list(xs), batch_first=True)
    run_both(call, call, arrays, np.float64, device=device)
    stacked = _rng().standard_normal((2, 3, 4))
    close(R.pad_sequence(ag.tensor(stacked, device=device)),
          TR.pad_sequence(torch.tensor(stacked)), np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_then_pad_round_trip_matches_torch(batch_first, enforce_sorted, dtype, device):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]   # ties keep their order
    shape = (4, 6, 2) if batch_first else (6, 4, 2)
    x = _rng(1).standard_normal(shape).astype(dtype)

    host_parts = []  # batch_sizes and lengths: CPU tensors in both libraries

    def call(x):
        lib, _ = _lib(x)
        packed = lib.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        padded, lens = lib.pad_packed_sequence(packed, batch_first=batch_first,
                                               padding_value=0.5, total_length=7)
        host_parts.append((packed.batch_sizes, lens))
        idx = [] if enforce_sorted else [packed.sorted_indices, packed.unsorted_indices]
        return [packed.data, padded] + idx

    run_both(call, call, [x], dtype, device=device)
    (e_sizes, e_lens), (t_sizes, t_lens) = host_parts
    for ours, theirs in ((e_sizes, t_sizes), (e_lens, t_lens)):
        assert ours.device.type == "cpu" and ours.dtype == ag.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_unpack_and_unpad_match_torch(enforce_sorted, device):
    lengths = (4, 2, 1) if enforce_sorted else (2, 4, 1)
    arrays = [_rng(n).standard_normal((n, 2, 3)) for n in lengths]

    def call(*xs):
        lib, _ = _lib(xs[0])
        packed = lib.pack_sequence(list(xs), enforce_sorted=enforce_sorted)
        unpacked = lib.unpack_sequence(packed)
        padded = lib.pad_sequence(list(xs))
        lens = torch.tensor(lengths) if lib is TR else ag.tensor(list(lengths))
        return [packed.data, *unpacked, *lib.unpad_sequence(padded, lens)]

    run_both(call, call, arrays, np.float64, device=device)


def test_lengths_as_a_tensor_and_float_lengths_work():
    x = _rng().standard_normal((3, 2, 2))
    ours = R.pack_padded_sequence(ag.tensor(x), ag.tensor([3.0, 2.0]))
    theirs = TR.pack_padded_sequence(torch.tensor(x), torch.tensor([3.0, 2.0]))
    close(ours.data, theirs.data, np.float64)
    close(ours.batch_sizes, theirs.batch_sizes, np.float64)
    assert ours.batch_sizes.device.type == "cpu" and ours.batch_sizes.dtype == ag.int64


def _same_error(fn):
    """fn(lib, make_tensor) raises the same exception type and message in both."""
    with pytest.raises(Exception) as theirs:
        fn(TR, torch.tensor)
    with pytest.raises(type(theirs.value)) as ours:
        fn(R, ag.tensor)
    assert str(ours.value) == str(theirs.value)


X = np.zeros((3, 2, 4))


@pytest.mark.parametrize("case", [
    lambda lib, mk: lib.pack_padded_sequence(mk(X), [2, 3]),
    lambda lib, mk: lib.pack_padded_sequence(mk(X), [3, 0], enforce_sorted=False),
    lambda lib, mk: lib.pack_padded_sequence(mk(X), [3, -1]),
    lambda lib, mk: lib.pack_padded_sequence(mk(X), [3]),
    lambda lib, mk: lib.pack_padded_sequence(mk(X), mk([[3, 1]])),
    lambda lib, mk: lib.pad_packed_sequence(lib.pack_padded_sequence(mk(X), [3, 1]),
                                            total_length=2),
    lambda lib, mk: lib.pad_sequence([]),
    lambda lib, mk: lib.pack_sequence([]),
    lambda lib, mk: lib.pad_sequence([mk(X[0])], padding_side="middle"),
], ids=["unsorted", "zero-length", "negative", "count", "2d-lengths", "total_length",
        "pad-empty", "pack-empty", "padding_side"])
def test_errors_match_torch(case):
    _same_error(case)


def test_lengths_longer_than_the_input_raise():
    with pytest.raises(RuntimeError, match="at most the padded length 3, got 4"):
        R.pack_padded_sequence(ag.tensor(X), [4, 1])


def test_packed_sequence_to_and_permutations():
    packed = R.pack_sequence([ag.tensor([[1.0], [2.0]]), ag.tensor([[3.0], [4.0], [5.0]])],
                             enforce_sorted=False)
    assert packed.to(ag.float32) is packed                     # nothing to change
    as64 = packed.double()
    assert as64.data.dtype == ag.float64 and as64.sorted_indices is packed.sorted_indices
    assert as64.batch_sizes is packed.batch_sizes and not as64.is_cuda
    assert packed.sorted_indices.tolist() == [1, 0] and packed.unsorted_indices.tolist() == [1, 0]
    perm = ag.tensor([2, 0, 3, 1])
    assert R.invert_permutation(perm).tolist() == [1, 3, 0, 2]
    assert R.invert_permutation(None) is None
    data, sizes, _, _ = packed                                   # a namedtuple
    assert data is packed.data and sizes.tolist() == [2, 2, 1]
    assert R.PackedSequence((data, sizes)).batch_sizes is sizes


def test_pad_and_pack_gradcheck_and_gradgradcheck():
    seqs = [ag.tensor(_rng(i).standard_normal((n, 2)), requires_grad=True)
            for i, n in enumerate((3, 1, 2))]
    pad = lambda *xs: R.pad_sequence(list(xs), padding_value=0.25, padding_side="left")
    assert ag.gradcheck(pad, seqs) and ag.gradgradcheck(pad, seqs)
    x = ag.tensor(_rng(5).standard_normal((4, 3, 2)), requires_grad=True)

    def round_trip(x):
        packed = R.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        return packed.data, R.pad_packed_sequence(packed, batch_first=True)[0]

    assert ag.gradcheck(round_trip, [x]) and ag.gradgradcheck(round_trip, [x])
    unpad = lambda x: tuple(R.unpad_sequence(x, ag.tensor([4, 2, 3])))
    assert ag.gradcheck(unpad, [x])


# ----------------------------------------------------------------------------- packed RNNs
def _packed_call(lengths, batch_first, enforce_sorted, lstm):
    """m(packed input[, state]) -> [output data, padded output, h_n (, c_n)]."""
    def call(m, x, *state):
        lib, _ = _lib(x)
        packed = lib.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        hx = None if not state else (tuple(state) if lstm else state[0])
        out, hidden = m(packed, hx)
        assert isinstance(out, lib.PackedSequence)
        padded = lib.pad_packed_sequence(out, batch_first=batch_first)[0]
        return [out.data, padded, *(hidden if lstm else (hidden,))]
    return call


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_packed_rnn_family_matches_torch(kind, bidirectional, enforce_sorted, batch_first,
                                         dtype, device):
    kw = dict(num_layers=2, bidirectional=bidirectional, batch_first=batch_first)
    em = getattr(nn, kind)(3, 4, dtype=dtype, **kw)
    tm = getattr(torch.nn, kind)(3, 4, dtype=getattr(torch, TDTYPE[dtype]), **kw)
    lengths = [5, 4, 4, 2] if enforce_sorted else [2, 5, 4, 1]
    rng = _rng(3)
    x = rng.standard_normal((4, 5, 3) if batch_first else (5, 4, 3)).astype(dtype)
    lstm = kind == "LSTM"
    states = [rng.standard_normal((2 * (1 + bidirectional), 4, 4)).astype(dtype)
              for _ in range(1 + lstm)]
    check_module(em, tm, [x], dtype, call=_packed_call(lengths, batch_first, enforce_sorted,
                                                       lstm), device=device)
    em.zero_grad()
    tm.zero_grad()
    check_module(em, tm, [x, *states], dtype, seed=1, device=device,
                 call=_packed_call(lengths, batch_first, enforce_sorted, lstm))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_packed_final_state_is_each_sequences_last_step(kind):
    """h_n of a packed batch equals running each sequence alone."""
    m = getattr(nn, kind)(2, 3, bidirectional=True, dtype=np.float64)
    seqs = [ag.tensor(_rng(n).standard_normal((n, 2))) for n in (2, 4, 3)]
    _, hidden = m(R.pack_sequence(seqs, enforce_sorted=False))
    h_n = hidden[0] if kind == "LSTM" else hidden
    for b, s in enumerate(seqs):
        _, alone = m(s)
        alone = alone[0] if kind == "LSTM" else alone
        np.testing.assert_allclose(h_n[:, b].detach().numpy(), alone.detach().numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_packed_input_with_wrong_rank_or_state_raises():
    m = nn.GRU(3, 4)
    bad = R.PackedSequence(ag.zeros(4, 2, 3), ag.tensor([2, 2]))
    with pytest.raises(RuntimeError, match="input must have 2 dimensions, got 3"):
        m(bad)
    packed = R.pack_sequence([ag.zeros(2, 3), ag.zeros(1, 3)])
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\)"):
        m(packed, ag.zeros(1, 3, 4))


# ----------------------------------------------------------------------------- transformer
D, NHEAD, FF = 8, 2, 16


def _masks(dtype, batch, tgt_len, src_len):
    """A causal float tgt mask, a bool memory mask and bool key padding masks, no row
    fully masked."""
    causal = np.triu(np.full((tgt_len, tgt_len), -np.inf), 1).astype(dtype)
    memory_mask = np.zeros((tgt_len, src_len), dtype=bool)
    memory_mask[:, -1] = True
    tgt_kpm = np.zeros((batch, tgt_len), dtype=bool)
    tgt_kpm[1, -2:] = True
    mem_kpm = np.zeros((batch, src_len), dtype=bool)
    mem_kpm[0, 0] = True
    return causal, memory_mask, tgt_kpm, mem_kpm


def _decoder_inputs(dtype, batch_first, seed=0):
    rng = _rng(seed)
    tgt = rng.standard_normal((2, 4, D) if batch_first else (4, 2, D)).astype(dtype)
    mem = rng.standard_normal((2, 5, D) if batch_first else (5, 2, D)).astype(dtype)
    return [tgt, mem, *_masks(dtype, 2, 4, 5)]


def _decode(m, tgt, mem, causal, memory_mask, tgt_kpm, mem_kpm):
    return m(tgt, mem, tgt_mask=causal, memory_mask=memory_mask, tgt_key_padding_mask=tgt_kpm,
             memory_key_padding_mask=mem_kpm, tgt_is_causal=True)


GRADS = [True, True, False, False, False, False]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opts", [
    dict(), dict(norm_first=True, activation="gelu"), dict(batch_first=True, bias=False),
    dict(batch_first=True, norm_first=True, activation="callable"),
], ids=str)
def test_decoder_layer_matches_torch(opts, dtype, device):
    opts = dict(opts)
    act = opts.pop("activation", "relu")
    tdtype = getattr(torch, TDTYPE[dtype])
    em = TransformerDecoderLayer(D, NHEAD, FF, dtype=dtype, layer_norm_eps=1e-6,
                                 activation=nn.functional.silu if act == "callable" else act,
                                 **opts).eval()
    tm = torch.nn.TransformerDecoderLayer(
        D, NHEAD, FF, dtype=tdtype, layer_norm_eps=1e-6,
        activation=torch.nn.functional.silu if act == "callable" else act, **opts).eval()
    assert set(em.state_dict()) == set(tm.state_dict())
    check_module(em, tm, _decoder_inputs(dtype, opts.get("batch_first", False)), dtype,
                 grads=GRADS, call=_decode, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_decoder_with_norm_matches_torch(dtype, device):
    tdtype = getattr(torch, TDTYPE[dtype])
    em = TransformerDecoder(TransformerDecoderLayer(D, NHEAD, FF, dtype=dtype), 2,
                            nn.LayerNorm(D, dtype=dtype)).eval()
    tm = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(D, NHEAD, FF,
                                                                      dtype=tdtype), 2,
                                     torch.nn.LayerNorm(D, dtype=tdtype)).eval()
    assert sorted(em.state_dict()) == sorted(tm.state_dict())
    check_module(em, tm, _decoder_inputs(dtype, False, 1), dtype, grads=GRADS, call=_decode,
                 device=device)


def _transform(m, src, tgt, src_kpm, causal, memory_mask, tgt_kpm, mem_kpm):
    return m(src, tgt, tgt_mask=causal, memory_mask=memory_mask, src_key_padding_mask=src_kpm,
             tgt_key_padding_mask=tgt_kpm, memory_key_padding_mask=mem_kpm)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(batch_first, dtype, device):
    kw = dict(d_model=D, nhead=NHEAD, num_encoder_layers=2, num_decoder_layers=2,
              dim_feedforward=FF, batch_first=batch_first)
    em = Transformer(dtype=dtype, **kw).eval()
    tm = torch.nn.Transformer(dtype=getattr(torch, TDTYPE[dtype]), **kw).eval()
    rng = _rng(2)
    src = rng.standard_normal((2, 5, D) if batch_first else (5, 2, D)).astype(dtype)
    tgt = rng.standard_normal((2, 4, D) if batch_first else (4, 2, D)).astype(dtype)
    causal, memory_mask, tgt_kpm, mem_kpm = _masks(dtype, 2, 4, 5)
    check_module(em, tm, [src, tgt, mem_kpm, causal, memory_mask, tgt_kpm, mem_kpm], dtype,
                 grads=[True, True] + [False] * 5, call=_transform, device=device)


def test_transformer_state_dict_moves_both_ways_and_init():
    em = Transformer(D, NHEAD, 1, 1, FF, dtype=np.float64).eval()
    tm = torch.nn.Transformer(D, NHEAD, 1, 1, FF, dtype=torch.float64).eval()
    e_sd, t_sd = em.state_dict(), tm.state_dict()
    assert list(e_sd) == list(t_sd)
    assert all(tuple(e_sd[k].shape) == tuple(t_sd[k].shape) for k in t_sd)
    # Ember -> torch, then the same outputs
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in e_sd.items()})
    src, tgt = _rng(4).standard_normal((3, 1, D)), _rng(5).standard_normal((2, 1, D))
    with torch.no_grad():
        expected = tm(torch.tensor(src), torch.tensor(tgt))
    close(em(ag.tensor(src), ag.tensor(tgt)), expected, np.float64)
    copy_weights(tm, em)                                         # torch -> Ember
    # xavier_uniform_ bound for every matrix; LayerNorm weights stay ones
    w = em.decoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= np.sqrt(6 / (D + FF)) and w.std() > 0
    assert (em.encoder.norm.weight.detach().numpy() == 1).all()
    assert em.d_model == D and em.nhead == NHEAD and em.batch_first is False


def test_custom_encoder_and_decoder_are_used():
    class Enc(nn.Module):
        def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
            return src * 2

    class Dec(nn.Module):
        def forward(self, tgt, memory, **kw):
            return tgt + memory.mean()

    enc, dec = Enc(), Dec()
    t = Transformer(D, NHEAD, custom_encoder=enc, custom_decoder=dec)
    assert t.encoder is enc and t.decoder is dec
    assert not any(k.startswith(("encoder.layers", "decoder.layers")) for k in t.state_dict())
    out = t(ag.ones(3, 1, D), ag.zeros(2, 1, D))
    np.testing.assert_allclose(out.detach().numpy(), np.full((2, 1, D), 2.0))


@pytest.mark.parametrize("sz", [1, 4])
def test_generate_square_subsequent_mask_matches_torch(sz):
    ours = Transformer.generate_square_subsequent_mask(sz)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(sz)
    assert ours.dtype == ag.float32 and ours.device.type == "cpu"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert Transformer.generate_square_subsequent_mask(2, dtype=ag.float64).dtype == ag.float64


@pytest.mark.parametrize("shapes", [((3, 2, D), (4, 1, D)), ((3, 2, D), (4, 2, D + 2))])
def test_transformer_shape_errors_match_torch(shapes):
    em = Transformer(D, NHEAD, 1, 1, FF)
    tm = torch.nn.Transformer(D, NHEAD, 1, 1, FF)
    with pytest.raises(RuntimeError) as theirs:
        tm(*[torch.zeros(s) for s in shapes])
    with pytest.raises(RuntimeError) as ours:
        em(*[ag.zeros(s) for s in shapes])
    assert str(ours.value) == str(theirs.value)


def test_decoder_layer_causal_hint_without_mask_raises_as_torch():
    em, tm = TransformerDecoderLayer(D, NHEAD, FF), torch.nn.TransformerDecoderLayer(D, NHEAD, FF)
    with pytest.raises(RuntimeError) as theirs:
        tm(torch.zeros(2, 1, D), torch.zeros(3, 1, D), tgt_is_causal=True)
    with pytest.raises(RuntimeError) as ours:
        em(ag.zeros(2, 1, D), ag.zeros(3, 1, D), tgt_is_causal=True)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.skipif(not hasattr(nn, "TransformerDecoderLayer"), reason="wired by the integrator")
def test_wired_names():
    assert nn.TransformerDecoderLayer is TransformerDecoderLayer
    assert nn.TransformerDecoder is TransformerDecoder and nn.Transformer is Transformer
    assert nn.utils.rnn.pad_sequence is R.pad_sequence
