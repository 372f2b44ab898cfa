"""multi_head_attention_forward (same as torch.nn.functional's): the computation of
nn.MultiheadAttention on (L, N, E) or unbatched (L, E) inputs, with PyTorch's masks (bool
True = may NOT attend), add_bias_kv (bias_k / bias_v appended to the keys and values),
add_zero_attn (a zero key and value appended per head) and static keys/values."""
from __future__ import annotations

import math

import autograd as ag

from .attention import softmax_zeroing_dead_rows
from .dropout import dropout as _dropout


def _as_additive(mask, dtype):
    """A bool mask (True = masked out) or a float mask as an additive float mask."""
    if mask is None:
        return None
    if mask.dtype == ag.bool:
        zeros = ag.zeros(tuple(mask.shape), dtype=dtype, device=mask.device)
        return zeros.masked_fill(mask.detach(), -math.inf)
    return mask


def _pad_last(mask):
    """One more (unmasked) key position at the end of a mask's last dim."""
    if mask is None:
        return None
    zeros = ag.zeros((*mask.shape[:-1], 1), dtype=mask.dtype, device=mask.device)
    return ag.cat([mask, zeros], dim=-1)


def _project(query, key, value, e, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    if separate:
        ws = (q_w, k_w, v_w)
    else:
        w = in_proj_weight
        ws = (w[:e], w[e:2 * e], w[2 * e:])
    b = in_proj_bias
    bs = (b[:e], b[e:2 * e], b[2 * e:]) if b is not None else (None,) * 3
    out = []
    for x, w_, b_ in zip((query, key, value), ws, bs):
        y = x @ w_.T
        out.append(y + b_ if b_ is not None else y)
    return out


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Same as torch.nn.functional.multi_head_attention_forward: (output (L, N, E),
    attention weights (N, L, S), averaged over heads unless average_attn_weights=False, or
    None without need_weights)."""
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if query.ndim not in (2, 3):  # PyTorch asserts this (AssertionError)
        raise AssertionError(f"multi_head_attention_forward: query should be unbatched 2D or "
                             f"batched 3D tensor but received a {query.ndim}-D query tensor of "
                             f"shape {tuple(query.shape)}")
    if key.shape[:-1] != value.shape[:-1]:
        raise AssertionError(f"multi_head_attention_forward: key shape {tuple(key.shape)} does "
                             f"not match value shape {tuple(value.shape)}")
    batched = query.ndim == 3
    if not batched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    L, N, E = query.shape
    if E != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {E}")
    H = num_heads
    hd = E // H
    if hd * H != E:
        raise AssertionError(f"embed_dim {E} not divisible by num_heads {H}")
    q, k, v = _project(query, key, value, E, in_proj_weight, in_proj_bias,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)
    mask = _as_additive(attn_mask, q.dtype)
    if mask is not None:
        S0 = key.shape[0]
        if mask.ndim == 2 and tuple(mask.shape) != (L, S0):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but "
                               f"should be {(L, S0)}.")
        if mask.ndim == 3 and tuple(mask.shape) != (N * H, L, S0):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but "
                               f"should be {(N * H, L, S0)}.")
    kpm = _as_additive(key_padding_mask, q.dtype)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = ag.cat([k, bias_k.expand(1, N, E)])
        v = ag.cat([v, bias_v.expand(1, N, E)])
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given, or neither")
    # (seq, N, E) -> (N, H, seq, hd); static keys/values come as (N * H, S, hd)
    q = q.reshape(L, N, H, hd).permute(1, 2, 0, 3)
    k = (k.reshape(k.shape[0], N, H, hd).permute(1, 2, 0, 3) if static_k is None
         else static_k.reshape(N, H, static_k.shape[1], hd))
    v = (v.reshape(v.shape[0], N, H, hd).permute(1, 2, 0, 3) if static_v is None
         else static_v.reshape(N, H, static_v.shape[1], hd))
    if add_zero_attn:
        zeros = ag.zeros((N, H, 1, hd), dtype=k.dtype, device=k.device)
        k, v = ag.cat([k, zeros], dim=2), ag.cat([v, zeros], dim=2)
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    S = k.shape[2]
    if mask is not None and mask.ndim == 3:
        mask = mask.reshape(N, H, L, S)
    if kpm is not None:
        if tuple(kpm.shape) != (N, S):
            raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got "
                                 f"{tuple(kpm.shape)}")
        kpm = kpm.reshape(N, 1, 1, S)
        mask = kpm if mask is None else mask + kpm
    scores = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores + mask
    if mask is not None and not need_weights:
        # PyTorch computes this case with scaled_dot_product_attention, whose rows with
        # every key masked out give zeros (with weights, its softmax gives NaN)
        attn = softmax_zeroing_dead_rows(scores)
    else:
        attn = ag.softmax(scores, dim=-1)
    if dropout_p > 0.0 and training:
        attn = _dropout(attn, dropout_p, True)
    out = (attn @ v).permute(2, 0, 1, 3).reshape(L, N, E)
    out = out @ out_proj_weight.T
    if out_proj_bias is not None:
        out = out + out_proj_bias
    weights = None
    if need_weights:
        weights = attn.mean(dim=1) if average_attn_weights else attn
        if not batched:
            weights = weights.squeeze(0)
    if not batched:
        out = out.squeeze(1)
    return out, weights
