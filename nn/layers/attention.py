"""MultiheadAttention with PyTorch's parameters (in_proj_weight, in_proj_bias, out_proj)
and masks (bool True = may NOT attend, unlike scaled_dot_product_attention)."""
from __future__ import annotations

import math

import autograd as ag
from autograd import Parameter, _checks

from .. import init
from ..functional.dropout import dropout as _dropout
from ..module import Module
from .linear import Linear


def _as_additive(mask, dtype):
    """A bool mask (True = masked out) or a float mask as an additive float mask."""
    if mask is None:
        return None
    if mask.dtype == ag.bool:
        zeros = ag.zeros(tuple(mask.shape), dtype=dtype, device=mask.device)
        return zeros.masked_fill(mask.detach(), -math.inf)
    return mask


class NonDynamicallyQuantizableLinear(Linear):
    """PyTorch's name for the output projection of MultiheadAttention (a plain Linear)."""


class MultiheadAttention(Module):
    """Same as torch.nn.MultiheadAttention (add_bias_kv and add_zero_attn are not supported)."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are "
                                      "not supported")
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise AssertionError(f"embed_dim ({embed_dim}) must be divisible by num_heads "
                                 f"({num_heads})")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.batch_first, self.head_dim = batch_first, embed_dim // num_heads
        new = lambda *shape: Parameter(ag.empty(shape, dtype=dtype, device=device))
        if self._qkv_same_embed_dim:
            self.in_proj_weight = new(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = new(embed_dim, embed_dim)
            self.k_proj_weight = new(embed_dim, self.kdim)
            self.v_proj_weight = new(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = new(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _project(self, query, key, value):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            ws = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        bs = (b[:e], b[e:2 * e], b[2 * e:]) if b is not None else (None,) * 3
        out = []
        for x, w_, b_ in zip((query, key, value), ws, bs):
            y = x @ w_.T
            out.append(y + b_ if b_ is not None else y)
        return out

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask`"
                               " to create this mask.")
        if query.ndim not in (2, 3):  # PyTorch asserts this (AssertionError)
            raise AssertionError(f"MultiheadAttention: query should be unbatched 2D or batched "
                                 f"3D tensor but received a {query.ndim}-D query tensor of "
                                 f"shape {tuple(query.shape)}")
        if key.shape[:-1] != value.shape[:-1]:
            raise AssertionError(f"MultiheadAttention: key shape {tuple(key.shape)} does not "
                                 f"match value shape {tuple(value.shape)}")
        batched = query.ndim == 3
        if batched and self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        L, N, E = query.shape
        S = key.shape[0]
        if E != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {E}")
        H, hd = self.num_heads, self.head_dim
        q, k, v = self._project(query, key, value)
        # (seq, N, E) -> (N, H, seq, head_dim)
        q, k, v = (t.reshape(t.shape[0], N, H, hd).permute(1, 2, 0, 3) for t in (q, k, v))
        mask = _as_additive(attn_mask, q.dtype)
        if mask is not None:
            if mask.ndim == 3:  # (N*H, L, S)
                mask = mask.reshape(N, H, L, S)
            elif tuple(mask.shape) != (L, S):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(L, S)}.")
        kpm = _as_additive(key_padding_mask, q.dtype)
        if kpm is not None:
            if tuple(kpm.shape) != (N, S):
                raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got "
                                     f"{tuple(kpm.shape)}")
            kpm = kpm.reshape(N, 1, 1, S)
            mask = kpm if mask is None else mask + kpm
        scores = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-2, -1)
        dead = None
        if mask is not None:
            scores = scores + mask
            if not need_weights:
                # PyTorch computes this case with scaled_dot_product_attention, whose rows
                # with every key masked out give zeros (with weights, its softmax gives NaN)
                dead = scores.detach().isneginf().all(-1, keepdim=True)
                if _checks.defers_checks(dead) or dead.any():  # GPU: no flag read back
                    scores = scores.masked_fill(dead, 0.0)
                else:
                    dead = None
        attn = ag.softmax(scores, dim=-1)
        if dead is not None:
            attn = attn.masked_fill(dead, 0.0)
        if self.dropout > 0.0 and self.training:
            attn = _dropout(attn, self.dropout, True)
        out = (attn @ v).permute(2, 0, 1, 3).reshape(L, N, E)
        out = self.out_proj(out)
        weights = None
        if need_weights:
            weights = attn.mean(dim=1) if average_attn_weights else attn
            if not batched:
                weights = weights.squeeze(0)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights
