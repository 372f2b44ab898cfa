"""grid_sample and affine_grid (torch.nn.functional's), composed of differentiable ops:
each output point reads its input taps with a gather along the flattened spatial dims
(whose backward is a scatter-add into the input) and weights them by functions of the
sampling coordinates (whose gradient flows to the grid). Coordinates, padding
(zeros / border / reflection) and tap weights follow PyTorch's formulas, so values and
both gradients match it; bilinear (trilinear on 5-D inputs), nearest and bicubic (4-D)."""
from __future__ import annotations

import itertools

from .. import creation
from ..function import no_grad
from .arrange import meshgrid
from .split import stack

_CUBIC_A = -0.75


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    coord = (coord - low).abs()
    with no_grad():
        flips = (coord / span).floor()
    extra = coord - flips * span
    even = (flips.remainder(2) == 0).detach()
    return extra.where(even, span - extra) + low


def _padded(coord, size, padding_mode, align_corners):
    """PyTorch's compute_coordinates: border clips, reflection reflects then clips."""
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _gather(flat, index, valid, out_shape):
    """flat (N, C, L) read at integer index (N, *S) (invalid taps read as zero)."""
    n, c = flat.shape[:2]
    safe = index.where(valid, index * 0)
    idx = safe.reshape(n, 1, -1).expand(n, c, safe[0].numel())
    vals = flat.gather(2, idx).reshape(n, c, *out_shape)
    return vals * valid.unsqueeze(1).to(flat.dtype)


def _in_bounds(ints, sizes):
    valid = None
    for i, s in zip(ints, sizes):
        ok = (i >= 0) & (i <= s - 1)
        valid = ok if valid is None else valid & ok
    return valid


def _linear_index(ints, sizes):
    index, stride = None, 1
    for i, s in zip(reversed(ints), reversed(sizes)):
        term = i * stride
        index = term if index is None else index + term
        stride *= s
    return index


def _cubic_weights(t):
    """The four cubic-convolution weights (A = -0.75) of taps at -1, 0, 1, 2 from t."""
    a = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def grid_sample(input, grid, mode, padding_mode, align_corners):
    nd = input.ndim - 2
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])
    out_shape = tuple(grid.shape[1:-1])
    flat = input.reshape(n, c, -1)
    # coordinate i of the grid indexes spatial dim nd - 1 - i (x -> W, y -> H, z -> D)
    raw = [_unnormalize(grid[..., nd - 1 - d], sizes[d], align_corners) for d in range(nd)]
    if mode == "bicubic":
        return _bicubic(flat, raw, sizes, out_shape, padding_mode, align_corners)
    pix = [_padded(raw[d], sizes[d], padding_mode, align_corners) for d in range(nd)]
    if mode == "nearest":
        with no_grad():
            ints = [p.round().long() for p in pix]  # round half to even, as nearbyint
        out = _gather(flat, _linear_index(ints, sizes), _in_bounds(ints, sizes), out_shape)
        # the grid's gradient is zero (PyTorch gives zeros, not None): a zero-valued link
        link = (grid.sum(-1) * 0).nan_to_num(0.0, posinf=0.0, neginf=0.0)
        return out + link.unsqueeze(1)
    with no_grad():
        lows = [p.floor() for p in pix]
    fracs = [p - lo for p, lo in zip(pix, lows)]
    lows = [lo.long() for lo in lows]
    out = None
    for corner in itertools.product((0, 1), repeat=nd):
        ints = [lo + o for lo, o in zip(lows, corner)]
        weight = None
        for f, o in zip(fracs, corner):
            w = f if o else 1 - f
            weight = w if weight is None else weight * w
        vals = _gather(flat, _linear_index(ints, sizes), _in_bounds(ints, sizes), out_shape)
        term = vals * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out


def _bicubic(flat, raw, sizes, out_shape, padding_mode, align_corners):
    with no_grad():
        lows = [r.floor() for r in raw]
    ts = [r - lo for r, lo in zip(raw, lows)]
    weights = [_cubic_weights(t) for t in ts]
    out = None
    for taps in itertools.product(range(4), repeat=2):
        ints = []
        with no_grad():
            for d, k in enumerate(taps):
                coord = _padded(lows[d] + (k - 1), sizes[d], padding_mode, align_corners)
                ints.append(coord.long())  # truncation, as PyTorch's int64 cast
        vals = _gather(flat, _linear_index(ints, sizes), _in_bounds(ints, sizes), out_shape)
        w = weights[0][taps[0]] * weights[1][taps[1]]
        term = vals * w.unsqueeze(1)
        out = term if out is None else out + term
    return out


def _base_coords(size, align_corners, like):
    if size <= 1:
        return creation.zeros(size, dtype=like.dtype, device=like.device)
    steps = creation.linspace(-1, 1, size, dtype=like.dtype, device=like.device)
    return steps if align_corners else steps * ((size - 1) / size)


def affine_grid(theta, size, align_corners):
    """(N, *spatial, nd) sampling grid of the affine maps theta (N, nd, nd + 1)."""
    nd = len(size) - 2
    spatial = tuple(size[2:])
    axes = [_base_coords(s, align_corners, theta) for s in reversed(spatial)]  # x, y, (z)
    mesh = meshgrid(*reversed(axes), indexing="ij")  # per spatial dim (D,) H, W
    cols = [mesh[nd - 1 - i] for i in range(nd)]  # x, y, (z) over the spatial grid
    ones = creation.ones(spatial, dtype=theta.dtype, device=theta.device)
    base = stack(cols + [ones], dim=-1).reshape(1, -1, nd + 1)
    grid = base @ theta.transpose(1, 2)
    return grid.reshape(size[0], *spatial, nd)
