"""MultiheadAttention's add_bias_kv / add_zero_attn, merge_masks,
F.multi_head_attention_forward and scaled_dot_product_attention's enable_gqa, against
PyTorch (values and gradients)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _pair(**kw):
    ours, theirs = nn.MultiheadAttention(8, 2, **kw), torch.nn.MultiheadAttention(8, 2, **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("bias_kv,zero_attn", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("masks", [False, True])
def test_mha_bias_kv_zero_attn(bias_kv, zero_attn, masks):
    ours, theirs = _pair(add_bias_kv=bias_kv, add_zero_attn=zero_attn, kdim=6, vdim=5)
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in [(4, 3, 8), (5, 3, 6),
                                                                     (5, 3, 5)])
    kw_o, kw_t = {}, {}
    if masks:
        am = np.triu(np.ones((4, 5), bool), 2)
        kpm = np.zeros((3, 5), bool)
        kpm[1, -1] = True
        kw_o = dict(attn_mask=ag.tensor(am), key_padding_mask=ag.tensor(kpm))
        kw_t = dict(attn_mask=torch.tensor(am), key_padding_mask=torch.tensor(kpm))
    qo, qt = ag.tensor(q, requires_grad=True), torch.tensor(q, requires_grad=True)
    (oo, wo), (ot, wt) = (ours(qo, ag.tensor(k), ag.tensor(v), **kw_o),
                          theirs(qt, torch.tensor(k), torch.tensor(v), **kw_t))
    _close(oo, ot), _close(wo, wt)
    oo.sum().backward(), ot.sum().backward()
    _close(qo.grad, qt.grad)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        _close(p.grad, tp.grad)


def test_multi_head_attention_forward_and_merge_masks():
    ours, theirs = _pair(add_bias_kv=True)
    x = np.random.default_rng(1).standard_normal((3, 2, 8)).astype(np.float32)
    args_o = [ag.tensor(x)] * 3 + [8, 2, ours.in_proj_weight, ours.in_proj_bias, ours.bias_k,
                                   ours.bias_v, True, 0.0, ours.out_proj.weight,
                                   ours.out_proj.bias]
    args_t = [torch.tensor(x)] * 3 + [8, 2, theirs.in_proj_weight, theirs.in_proj_bias,
                                      theirs.bias_k, theirs.bias_v, True, 0.0,
                                      theirs.out_proj.weight, theirs.out_proj.bias]
    (oo, wo), (ot, wt) = (F.multi_head_attention_forward(*args_o, average_attn_weights=False),
                          TF.multi_head_attention_forward(*args_t, average_attn_weights=False))
    _close(oo, ot), _close(wo, wt)
    am = np.random.default_rng(2).standard_normal((3, 3)).astype(np.float32)
    kpm = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    q = np.zeros((2, 3, 8), np.float32)
    mo, to_ = ours.merge_masks(ag.tensor(am), ag.tensor(kpm), ag.tensor(q)), \
        theirs.merge_masks(torch.tensor(am), torch.tensor(kpm), torch.tensor(q))
    assert mo[1] == to_[1] == 2
    _close(mo[0], to_[0])
    assert ours.merge_masks(None, None, ag.tensor(q)) == (None, None)
    assert ours.merge_masks(None, ag.tensor(kpm), ag.tensor(q))[1] == 1


@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_enable_gqa(causal):
    rng = np.random.default_rng(4)
    q = rng.standard_normal((2, 6, 4, 8)).astype(np.float32)
    k = rng.standard_normal((2, 2, 4, 8)).astype(np.float32)
    v = rng.standard_normal((2, 3, 4, 8)).astype(np.float32)
    ours = [ag.tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    oo = F.scaled_dot_product_attention(*ours, is_causal=causal, enable_gqa=True)
    ot = TF.scaled_dot_product_attention(*theirs, is_causal=causal, enable_gqa=True)
    _close(oo, ot)
    oo.sum().backward(), ot.sum().backward()
    for a, b in zip(ours, theirs):
        _close(a.grad, b.grad)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(q[:, :4]), ag.tensor(q[:, :4]),
                                       enable_gqa=True)


@pytest.mark.parametrize("act", ["relu", "gelu", "tanh_module"])
def test_encoder_layer_activation_flag(act):
    a, b = (nn.Tanh(), torch.nn.Tanh()) if act == "tanh_module" else (act, act)
    assert nn.TransformerEncoderLayer(4, 2, 8, activation=a).activation_relu_or_gelu == \
        torch.nn.TransformerEncoderLayer(4, 2, 8, activation=b).activation_relu_or_gelu
