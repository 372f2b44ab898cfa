"""scaled_dot_product_attention in differentiable Tensor ops."""
from __future__ import annotations

import math

import autograd as ag
from autograd import _checks

from .dropout import dropout


def softmax_zeroing_dead_rows(scores):
    """softmax over the last dim where a row whose every score is -inf (every key masked
    out) gives zeros instead of NaN, as PyTorch's scaled_dot_product_attention does. On the
    GPU the row test always runs (a no-op where no row is dead): testing would read a flag
    back."""
    dead = scores.detach().isneginf().all(-1, keepdim=True)
    if not (_checks.defers_checks(dead) or dead.any()):
        return ag.softmax(scores, dim=-1)
    return ag.softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """Same as torch.nn.functional.scaled_dot_product_attention: softmax(q k^T * scale +
    mask) v. A bool mask marks positions that may be attended (True); a float mask is
    added. Rows with nothing to attend give zeros, as in PyTorch. With enable_gqa, key and
    value may have fewer heads (dim -3) than query, a divisor of its count: each key/value
    head serves a group of query heads (grouped-query attention)."""
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(f"scaled_dot_product_attention: number of heads in key and "
                               f"value ({hk}, {hv}) must divide the number of heads in query "
                               f"({hq}) with enable_gqa")
        key = key.repeat_interleave(hq // hk, dim=-3)
        value = value.repeat_interleave(hq // hv, dim=-3)
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: expected attn_mask None when "
                           "is_causal is set, got a mask")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = ag.ones((L, S), dtype=ag.bool, device=scores.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == ag.bool:
            scores = scores.masked_fill(~attn_mask.detach(), -math.inf)
        else:
            scores = scores + attn_mask
    attn = softmax_zeroing_dead_rows(scores) if attn_mask is not None else \
        ag.softmax(scores, dim=-1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, training=True)
    return attn @ value
