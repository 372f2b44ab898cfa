"""Fractional max pooling (same as torch.nn.functional.fractional_max_pool2d/3d): windows of
kernel_size placed at pseudo-random, increasing offsets drawn per (sample, channel) from
`_random_samples` (uniform in [0, 1), drawn when not given), max over each window. The
offsets follow PyTorch's interval formula in the input's precision, so with the same
samples the result and indices are PyTorch's."""
from __future__ import annotations

import autograd as ag
from autograd.tensor import Tensor


def _tuple(v, n, name, op):
    t = (v,) * n if isinstance(v, (int, float)) else tuple(v)
    if len(t) != n:
        raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of {n} ints")
    return t


def _intervals(sample, n_in, n_out, k):
    """(N, C, n_out) window starts: floor((i + u) a) - floor(u a), a = (n_in - k) /
    (n_out - 1), the last one n_in - k."""
    dt = sample.dtype
    last = ag.full((*sample.shape, 1), n_in - k, dtype=ag.int64, device=sample.device)
    if n_out == 1:
        return last
    alpha = ag.tensor(float(n_in - k), dtype=dt, device=sample.device) / (n_out - 1)
    i = ag.arange(n_out - 1, dtype=dt, device=sample.device)
    u = sample.unsqueeze(-1)
    starts = ((i + u) * alpha).long() - (u * alpha).long()
    return ag.cat([starts, last], dim=-1)


def _fractional(input, kernel_size, output_size, output_ratio, return_indices, samples, nd,
                op, order):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an "
                         "output_ratio")
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    k = _tuple(kernel_size, nd, "kernel_size", op)
    sizes = tuple(x.shape[2:])
    if output_size is None:
        ratio = _tuple(output_ratio, nd, "output_ratio", op)
        out = tuple(int(s * r) for s, r in zip(sizes, ratio))
    else:
        out = _tuple(output_size, nd, "output_size", op)
    for s, kk, o in zip(sizes, k, out):
        if o + kk - 1 > s:
            raise RuntimeError(f"{op}(): pool size {kk} too large relative to input size {s} "
                               f"and output size {o}")
    n, c = x.shape[:2]
    if samples is None:
        samples = ag.rand(n, c, nd, dtype=x.dtype, device=x.device)
    elif tuple(samples.shape) != (n, c, nd):
        raise RuntimeError(f"{op}(): expected _random_samples of shape {(n, c, nd)}, got "
                           f"{tuple(samples.shape)}")
    # which sample drives which spatial dim: PyTorch's order (2-D: W then H; 3-D: T, H, W)
    starts = [_intervals(samples[..., order[d]], sizes[d], out[d], k[d]) for d in range(nd)]
    # flat index of every window element: (N, C, *out, *k)
    index, stride = None, 1
    for d in reversed(range(nd)):
        pos = starts[d].unsqueeze(-1) + ag.arange(k[d], device=x.device)  # (N, C, o, k)
        shape = [n, c] + [1] * nd + [1] * nd
        shape[2 + d], shape[2 + nd + d] = out[d], k[d]
        term = pos.reshape(shape) * stride
        index = term if index is None else index + term
        stride *= sizes[d]
    full = (n, c, *out, *k)
    index = index.expand(full)
    vals = x.reshape(n, c, -1).gather(2, index.reshape(n, c, -1)).reshape(
        n, c, *out, -1)
    best, arg = vals.max(dim=-1)
    indices = index.reshape(n, c, *out, -1).gather(-1, arg.unsqueeze(-1)).squeeze(-1)
    if not batched:
        best, indices = best.squeeze(0), indices.squeeze(0)
    return (best, indices) if return_indices else best


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Same as torch.nn.functional.fractional_max_pool2d ((N, C, H, W) or (C, H, W))."""
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 2, "fractional_max_pool2d", (1, 0))


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Same as torch.nn.functional.fractional_max_pool3d ((N, C, T, H, W) or (C, T, H, W))."""
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 3, "fractional_max_pool3d", (0, 1, 2))


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)
