"""scaled_dot_product_attention in differentiable Tensor ops."""
from __future__ import annotations

import math

import autograd as ag
from autograd import _checks

from .dropout import dropout


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """Same as torch.nn.functional.scaled_dot_product_attention: softmax(q k^T * scale +
    mask) v. A bool mask marks positions that may be attended (True); a float mask is
    added. Rows with nothing to attend give zeros, as in PyTorch."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: expected attn_mask None when "
                           "is_causal is set, got a mask")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = ag.ones((L, S), dtype=ag.bool, device=scores.device).tril()
    dead = None
    if attn_mask is not None:
        if attn_mask.dtype == ag.bool:
            scores = scores.masked_fill(~attn_mask.detach(), -math.inf)
        else:
            scores = scores + attn_mask
        dead = scores.detach().isneginf().all(-1, keepdim=True)
        # softmax of an all -inf row is NaN: compute it on zeros instead (on the GPU always,
        # as a no-op where no row is dead: testing would read a flag back)
        if _checks.defers_checks(dead) or dead.any():
            scores = scores.masked_fill(dead, 0.0)
        else:
            dead = None
    attn = ag.softmax(scores, dim=-1)
    if dead is not None:
        attn = attn.masked_fill(dead, 0.0)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, training=True)
    return attn @ value
