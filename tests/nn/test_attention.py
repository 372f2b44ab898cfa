"""scaled_dot_product_attention, MultiheadAttention, TransformerEncoderLayer and
TransformerEncoder against PyTorch; gradcheck of attention in float64."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch

pytestmark = [requires_torch, pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor")]


def _tdt(dtype):
    return getattr(torch, np.dtype(dtype).name)


def _sdpa_case(name, rng):
    mask = {"none": None, "causal": None, "bool": rng.random((3, 5)) > 0.4,
            "float": rng.standard_normal((2, 1, 3, 5)), "scale": None}[name]
    kw = {"causal": dict(is_causal=True), "scale": dict(scale=0.3)}.get(name, {})
    return mask, kw


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["none", "causal", "bool", "float", "scale"])
def test_sdpa_matches_torch(case, dtype, device):
    rng = np.random.default_rng(0)
    mask, kw = _sdpa_case(case, rng)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(2, 2, 3, 4), (2, 2, 5, 4),
                                                              (2, 2, 5, 3)]]
    if mask is not None:
        arrays.append(mask.astype(mask.dtype if mask.dtype == bool else dtype))
    grads = [True, True, True, False][:len(arrays)]

    def call(f):
        return lambda q, k, v, *m: f(q, k, v, attn_mask=m[0] if m else None, **kw)
    run_both(call(F.scaled_dot_product_attention),
             call(torch.nn.functional.scaled_dot_product_attention), arrays, dtype, grads=grads,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_sdpa_fully_masked_row_gives_zeros_like_torch(device):
    rng = np.random.default_rng(1)
    mask = np.array([[True, False], [False, False], [True, True]])
    arrays = [rng.standard_normal(s) for s in [(1, 3, 4), (1, 2, 4), (1, 2, 4)]] + [mask]
    run_both(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
             lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(q, k, v, m),
             arrays, np.float64, grads=[True, True, True, False], device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_sdpa_gradcheck(device):
    rng = np.random.default_rng(2)
    q, k, v = (ag.tensor(rng.standard_normal(s), requires_grad=True, device=device)
               for s in [(1, 2, 3), (1, 3, 3), (1, 3, 2)])
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert ag.gradcheck(fn, (q, k, v))
    assert ag.gradgradcheck(fn, (q, k, v))


# ----------------------------------------------------------------------------- MHA
def _mha_pair(dtype, **kw):
    em = nn.MultiheadAttention(8, 2, dtype=dtype, **kw)
    tm = torch.nn.MultiheadAttention(8, 2, **kw).to(_tdt(dtype))
    return em, tm


MHA_CASES = [
    ("plain", dict(), dict()),
    ("batch_first", dict(batch_first=True), dict()),
    ("no_bias", dict(bias=False), dict()),
    ("kdim_vdim", dict(kdim=5, vdim=3), dict()),
    ("per_head_weights", dict(), dict(average_attn_weights=False)),
    ("no_weights", dict(), dict(need_weights=False)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,init,call", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_matches_torch(name, init, call, dtype, device):
    em, tm = _mha_pair(dtype, **init)
    rng = np.random.default_rng(3)
    lead = (lambda s: (2, s)) if init.get("batch_first") else (lambda s: (s, 2))
    shapes = [lead(3) + (8,), lead(4) + (init.get("kdim", 8),), lead(4) + (init.get("vdim", 8),)]
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    check_module(em, tm, arrays, dtype, call=lambda m, q, k, v: m(q, k, v, **call), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_multihead_attention_masks_match_torch(dtype, device):
    em, tm = _mha_pair(dtype)
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(3, 2, 8), (4, 2, 8)]]
    kpm = np.array([[False, False, True, False], [False, True, False, False]])
    bool_mask = np.array([[False, True, False, False]] * 3)
    float_mask = rng.standard_normal((4, 3, 4)).astype(dtype)  # (N * heads, L, S)
    for attn_mask in (bool_mask, float_mask):
        for m in (em, tm):
            m.zero_grad()
        check_module(em, tm, arrays + [kpm, attn_mask], dtype,
                     grads=[True, True, False, False],
                     call=lambda m, q, kv, kpm, am: m(q, kv, kv, key_padding_mask=kpm,
                                                      attn_mask=am), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_multihead_attention_unbatched_and_names(device):
    em, tm = _mha_pair(np.float64)
    names = lambda m: [(k, tuple(v.shape)) for k, v in m.state_dict().items()]
    assert names(em) == names(tm)
    assert not np.any(em.in_proj_bias.detach().numpy())
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in [(3, 8), (4, 8)]]
    check_module(em, tm, arrays, np.float64, call=lambda m, q, kv: m(q, kv, kv), device=device)
    em2 = nn.MultiheadAttention(8, 2, kdim=5, vdim=3)
    assert em2.in_proj_weight is None and tuple(em2.k_proj_weight.shape) == (8, 5)


@pytest.mark.parametrize("device", DEVICES)
def test_multihead_attention_gradcheck(device):
    m = nn.MultiheadAttention(4, 2, dtype=ag.float64).to(device)
    x = ag.tensor(np.random.default_rng(6).standard_normal((3, 1, 4)), requires_grad=True,
                  device=device)
    assert ag.gradcheck(lambda x, w: m(x, x, x)[0], (x, m.in_proj_weight))


# ----------------------------------------------------------------------------- transformer
LAYER_CASES = [
    dict(),
    dict(norm_first=True, activation="gelu"),
    dict(batch_first=True, bias=False),
    dict(activation=lambda x: x.tanh() if hasattr(x, "tanh") else x),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", LAYER_CASES, ids=["post_norm", "pre_norm_gelu", "bf_nobias",
                                                 "callable"])
def test_transformer_encoder_layer_matches_torch(kw, dtype, device):
    em = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, dtype=dtype, **kw)
    tm = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                          **kw).to(_tdt(dtype))
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 8) if kw.get("batch_first") else (5, 2, 8)).astype(dtype)
    mask = np.triu(np.full((5, 5), -np.inf), 1).astype(dtype)
    check_module(em, tm, [x, mask], dtype, grads=[True, False],
                 call=lambda m, x, mask: m(x, src_mask=mask), device=device)
    em.eval()
    tm.eval()
    check_module(em, tm, [x], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_transformer_encoder_matches_torch(dtype, device):
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    tm = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8),
                                     enable_nested_tensor=False).to(_tdt(dtype))
    em = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                          batch_first=True, dtype=dtype),
                               2, norm=nn.LayerNorm(8, dtype=dtype))
    assert list(em.state_dict()) == list(tm.state_dict())
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 4, 8)).astype(dtype)
    kpm = np.array([[False, False, False, True], [False, False, False, False]])
    check_module(em, tm, [x, kpm], dtype, grads=[True, False],
                 call=lambda m, x, kpm: m(x, src_key_padding_mask=kpm), device=device)


def test_transformer_encoder_layers_are_independent_copies():
    em = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)
    a, b = em.layers[0].linear1.weight, em.layers[1].linear1.weight
    assert a is not b and a.array is not b.array
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_padding_and_causal_masks_together_like_torch(batch_first, dtype, device):
    """key_padding_mask and attn_mask together, with a query row whose every key is masked
    (left padding under a causal mask). Without weights PyTorch computes through
    scaled_dot_product_attention and that row gives zeros (then out_proj's bias), so a
    TransformerEncoderLayer stays finite; with need_weights=True its softmax gives NaN."""
    em, tm = _mha_pair(dtype, batch_first=batch_first)
    rng = np.random.default_rng(9)
    L = S = 4
    shape = (2, L, 8) if batch_first else (L, 2, 8)
    x = rng.standard_normal(shape).astype(dtype)
    kpm = np.array([[True, False, False, False], [False, False, False, True]])
    causal = np.triu(np.ones((L, S), bool), 1)
    for m in (em, tm):
        m.train()
    check_module(em, tm, [x, kpm, causal], dtype, grads=[True, False, False],
                 call=lambda m, x, kpm, am: m(x, x, x, key_padding_mask=kpm, attn_mask=am,
                                              need_weights=False)[0], device=device)
    xe = ag.tensor(x, device=device)
    out, w = em(xe, xe, xe, key_padding_mask=ag.tensor(kpm, device=device),
                attn_mask=ag.tensor(causal, device=device))
    w = w.detach().cpu().numpy()
    assert np.isnan(w[0, 0]).all()      # as torch: softmax of all -inf
    assert not np.isnan(w[1]).any()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_transformer_layer_left_padding_causal_stays_finite_like_torch(dtype, device):
    kw = dict(dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=True,
              activation="gelu")
    em = nn.TransformerEncoderLayer(8, 2, dtype=dtype, **kw)
    tm = torch.nn.TransformerEncoderLayer(8, 2, **kw).to(_tdt(dtype))
    x = np.random.default_rng(10).standard_normal((2, 4, 8)).astype(dtype)
    kpm = np.array([[True, True, False, False], [False, False, False, False]])
    causal = np.triu(np.full((4, 4), -np.inf), 1).astype(dtype)
    check_module(em, tm, [x, causal, kpm], dtype, grads=[True, False, False],
                 call=lambda m, x, am, kpm: m(x, src_mask=am, src_key_padding_mask=kpm),
                 device=device)


def test_state_dict_names_and_repr_match_torch():
    for make in (lambda M: M.MultiheadAttention(8, 2, kdim=5, vdim=3),
                 lambda M: M.TransformerEncoderLayer(8, 2, 16, bias=False),
                 lambda M: M.TransformerEncoder(M.TransformerEncoderLayer(8, 2, 16), 2,
                                                norm=M.LayerNorm(8))):
        em, tm = make(nn), make(torch.nn)
        assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
        assert repr(em) == repr(tm)
