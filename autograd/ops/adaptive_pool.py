"""Adaptive max pooling over any number of trailing dims (adaptive_max_pool3d): each bin's
argmax found one dim at a time (last dim first), then the values gathered at those flat
indices, so the gradient is Gather's scatter-add."""
from __future__ import annotations

from autograd import backend
from autograd.tensor import _make

from .index import Gather
from .pooling import _bin_windows


def _prod(xs):
    out = 1
    for v in xs:
        out *= v
    return out


def _adaptive_argmax(x, out_sizes, xp):
    """Flat index (into the last len(out_sizes) dims, row-major) of each bin's first max."""
    nd = len(out_sizes)
    sizes = x.shape[-nd:]
    vals, at = x, None
    for d in reversed(range(nd)):
        axis = x.ndim - nd + d
        o = out_sizes[d]
        bins = _bin_windows(sizes[d], o, xp)                       # (O, K)
        win = xp.take(vals, bins, axis=axis)                        # (..., O, K, rest)
        k = win.argmax(axis=axis + 1)                               # (..., O, rest)
        vals = xp.take_along_axis(win, xp.expand_dims(k, axis + 1), axis=axis + 1)
        vals = xp.squeeze(vals, axis + 1)
        o_idx = xp.arange(o).reshape((o,) + (1,) * (x.ndim - 1 - axis))
        pos = bins[o_idx, k]                                        # position along dim d
        step = pos * _prod(sizes[d + 1:])
        at = step if at is None else xp.take_along_axis(at, pos, axis=axis) + step
    return at


def adaptive_max_pool(x, out_sizes):
    """(values, int64 flat indices) of adaptive max pooling over the last len(out_sizes)
    dims of x (PyTorch's bins)."""
    nd = len(out_sizes)
    xp = backend.array_module(x.array)
    idx = _make(_adaptive_argmax(x.array, tuple(out_sizes), xp).astype(backend.int64))
    lead = tuple(x.shape[:-nd])
    out = Gather.apply(x.reshape(*lead, _prod(x.shape[-nd:])), len(lead),
                       idx.reshape(*lead, _prod(out_sizes))).reshape(*lead, *out_sizes)
    return out, idx
