"""Dropout: zero each element with probability p, scale the rest by 1/(1-p)."""
from __future__ import annotations

from autograd import backend
from autograd.tensor import _make


def _keep_mask(shape, p, dtype, xp):
    """1/(1-p) where kept (probability 1-p), 0 elsewhere, from the default generator."""
    draw = dtype if dtype in (backend.float32, backend.float64) else backend.float32
    u = backend.rng(xp).random(shape, dtype=draw)
    return ((u >= p) * (1.0 / (1.0 - p))).astype(dtype, copy=False)


def _check_p(p, op):
    if p < 0 or p > 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout (inverted scaling; identity when not training).
    `inplace` is accepted; the result is computed out of place."""
    _check_p(p, "dropout")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    xp = backend.array_module(input.array)
    return input * _make(_keep_mask(input.array.shape, p, input.dtype, xp))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Same as torch.nn.functional.dropout2d: whole channels of (N, C, H, W) are dropped."""
    _check_p(p, "dropout2d")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    xp = backend.array_module(input.array)
    shape = input.array.shape[:-2] + (1, 1)
    return input * _make(_keep_mask(shape, p, input.dtype, xp))
