"""torch's window functions (hann, hamming, blackman, bartlett, kaiser), torch.gradient,
broadcast_shapes, and the poisson / binomial draws."""
from __future__ import annotations

import builtins
import math

from . import backend
from . import creation as _cr
from .backend import extras as _bx
from .ops.special import i0
from .ops.split import cat
from .tensor import Size
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make
from .torch_extras import histogram, histogramdd  # noqa: F401  (torch's)


def _window(name, n, periodic, dtype, device, requires_grad, f):
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={n}")
    dtype = dtype or backend.get_default_dtype()
    if not backend.is_floating(dtype):
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if n <= 1:
        return _cr.ones(n, dtype=dtype, device=device, requires_grad=requires_grad)
    m = n + 1 if periodic else n
    k = _cr.arange(n, dtype=backend.float64, device=device)
    out = f(k, m - 1).to(dtype)
    return out.requires_grad_(requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, device=None,
                requires_grad=False, layout=None, pin_memory=False):
    """Same as torch.hann_window."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, d: 0.5 - 0.5 * (2 * math.pi * k / d).cos())


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   device=None, requires_grad=False, layout=None, pin_memory=False):
    """Same as torch.hamming_window."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, d: alpha - beta * (2 * math.pi * k / d).cos())


def blackman_window(window_length, periodic=True, *, dtype=None, device=None,
                    requires_grad=False, layout=None, pin_memory=False):
    """Same as torch.blackman_window."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, d: 0.42 - 0.5 * (2 * math.pi * k / d).cos()
                   + 0.08 * (4 * math.pi * k / d).cos())


def bartlett_window(window_length, periodic=True, *, dtype=None, device=None,
                    requires_grad=False, layout=None, pin_memory=False):
    """Same as torch.bartlett_window."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, d: 1 - (2 * k / d - 1).abs())


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, device=None,
                  requires_grad=False, layout=None, pin_memory=False):
    """Same as torch.kaiser_window."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, d: i0(beta * (1 - (2 * k / d - 1) ** 2).clamp(min=0).sqrt())
                   / i0(_cr.tensor(float(beta), dtype=backend.float64)))


# ----------------------------------------------------------------------------- gradient
def _grad_along(f, d, h, edge_order):
    n = f.shape[d]
    if n < edge_order + 1:
        raise RuntimeError(f"torch.gradient expected each dimension size to be at least "
                           f"edge_order+1, got {n} along dim {d}")
    sl = f.narrow
    interior = (sl(d, 2, n - 2) - sl(d, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (sl(d, 1, 1) - sl(d, 0, 1)) / h
        last = (sl(d, n - 1, 1) - sl(d, n - 2, 1)) / h
    else:
        first = (-1.5 * sl(d, 0, 1) + 2 * sl(d, 1, 1) - 0.5 * sl(d, 2, 1)) / h
        last = (0.5 * sl(d, n - 3, 1) - 2 * sl(d, n - 2, 1) + 1.5 * sl(d, n - 1, 1)) / h
    return cat([first, interior, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Same as torch.gradient: spacing a number, one per dim, or one coordinate tensor
    per dim; central differences inside (second order, also on non-uniform coordinates),
    one-sided differences of order `edge_order` at the edges."""
    if edge_order not in (1, 2):
        raise RuntimeError(f"torch.gradient only supports edge_order=1 and edge_order=2, got "
                           f"{edge_order}")
    dims = list(range(input.dim())) if dim is None else \
        [dim] if isinstance(dim, int) else list(dim)
    dims = [d % input.dim() for d in dims]
    if isinstance(spacing, (int, float)):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or a "
                           f"list of length {len(dims)}, got a list of length {len(spacing)}")
    f = input if input.is_floating_point() else input.to(backend.get_default_dtype())
    out = []
    for d, h in zip(dims, spacing):
        if isinstance(h, Tensor) and h.dim() > 0:
            if h.dim() != 1 or h.shape[0] != f.shape[d]:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same "
                                   f"device and with size {f.shape[d]} along dim {d}, got a "
                                   f"spacing tensor of shape {tuple(h.shape)}")
            out.append(_grad_coords(f, d, h.to(f.dtype), edge_order))
        else:
            out.append(_grad_along(f, d, float(h), edge_order))
    return tuple(out)


def _grad_coords(f, d, x, edge_order):
    """Second-order accurate differences at coordinates x along dim d (non-uniform)."""
    n = f.shape[d]
    if n < edge_order + 1:
        raise RuntimeError(f"torch.gradient expected each dimension size to be at least "
                           f"edge_order+1, got {n} along dim {d}")
    shape = [1] * f.dim()
    shape[d] = -1

    def along(t):
        return t.reshape(shape)
    sl = f.narrow
    hl = along(x[1:-1] - x[:-2])
    hr = along(x[2:] - x[1:-1])
    interior = (hl * hl * sl(d, 2, n - 2) - hr * hr * sl(d, 0, n - 2)
                + (hr * hr - hl * hl) * sl(d, 1, n - 2)) / (hl * hr * (hl + hr))
    if edge_order == 1:
        first = (sl(d, 1, 1) - sl(d, 0, 1)) / along(x[1:2] - x[0:1])
        last = (sl(d, n - 1, 1) - sl(d, n - 2, 1)) / along(x[n - 1:n] - x[n - 2:n - 1])
    else:
        h1, h2 = along(x[1:2] - x[0:1]), along(x[2:3] - x[1:2])
        first = (-(2 * h1 + h2) / (h1 * (h1 + h2)) * sl(d, 0, 1)
                 + (h1 + h2) / (h1 * h2) * sl(d, 1, 1) - h1 / (h2 * (h1 + h2)) * sl(d, 2, 1))
        h1, h2 = along(x[n - 2:n - 1] - x[n - 3:n - 2]), along(x[n - 1:n] - x[n - 2:n - 1])
        last = (h2 / (h1 * (h1 + h2)) * sl(d, n - 3, 1) - (h1 + h2) / (h1 * h2) * sl(d, n - 2, 1)
                + (2 * h2 + h1) / (h2 * (h1 + h2)) * sl(d, n - 1, 1))
    return cat([first, interior, last], d)


# ----------------------------------------------------------------------------- random
def poisson(input, generator=None):
    """Same as torch.poisson: a Poisson draw for each rate."""
    r = backend.rng(backend.array_module(input.array), generator)
    return _make(_bx.poisson(r, input.array))


def binomial(count, prob, generator=None):
    """Same as torch.binomial: a Binomial(count, prob) draw for each element."""
    r = backend.rng(backend.array_module(count.array), generator)
    return _make(_bx.binomial(r, count.array, prob.array))


def broadcast_shapes(*shapes):
    """Same as torch.broadcast_shapes."""
    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    ndim = builtins.max((len(s) for s in dims), default=0)
    out = [1] * ndim
    for s in dims:
        for i, n in enumerate(s, ndim - len(s)):
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}")
            if n != 1 and out[i] not in (1, n):
                raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single "
                                   f"shape. Got shapes {[tuple(d) for d in dims]}")
            out[i] = n if n != 1 else out[i]
    return Size(out)
