"""Pooling ops: max (with argmax indices), average, adaptive max / average, max-unpool.

On the host, windows are strided views of the padded input and forward and backward loop
over the kernel offsets (kh*kw of them), never over batch, channels or pixels. On the GPU
each direction is one kernel (window.py): forward over output elements, backward over
input elements gathering from the windows that cover them.
"""
from __future__ import annotations

from autograd import backend
from autograd.function import Function
from autograd.tensor import _make

from . import compare as _compare
from .index import Gather, index_select
from .window import (
    _avgpool_backward_kernel,
    _avgpool_kernel,
    _crop,
    _dims,
    _gather_at_kernel,
    _maxpool_backward_kernel,
    _maxpool_kernel,
    _offset_slices,
    _pad,
    _prod,
    _windows,
)


def _offset(k, geo):
    """Flat kernel offset k -> its position tuple (row-major over geo.k)."""
    pos = []
    for kk in reversed(geo.k):
        pos.append(k % kk)
        k //= kk
    return tuple(reversed(pos))


def _offset_view(arr, geo, k):
    """The (..., *out) strided view of padded `arr` at flat kernel offset k."""
    return arr[(Ellipsis,) + _offset_slices(geo, _offset(k, geo))]


def _scatter_offsets(parts, geo, x_shape, dtype, xp):
    """Sum each flat offset's (..., *out) part into the padded input, then crop."""
    nd = len(geo.k)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(geo.in_hw, geo.pad))
    xpad = xp.zeros(tuple(x_shape[:-nd]) + padded, dtype=dtype)
    for k in range(_prod(geo.k)):
        part = parts(k)
        if part is not None:
            _offset_view(xpad, geo, k)[...] += part
    return _crop(xpad, geo)


def _out_shape(shape, geo):
    return tuple(shape[:-len(geo.k)]) + tuple(geo.out_hw)


# ----------------------------------------------------------------------------- max
def _max_pool_offsets(xa, geo):
    """The host's max pooling: (max, argmax kernel offset) from one strided view per
    kernel offset (also runs on CuPy arrays, as the reference of
    benchmarks/window_kernels.py)."""
    xp = backend.array_module(xa)
    xpad = _pad(xa, geo.pad, value=-xp.inf)
    count = _prod(geo.k)
    views = [_offset_view(xpad, geo, k) for k in range(count)]
    best = views[0].copy()
    for v in views[1:]:
        xp.maximum(best, v, out=best)                       # NaN propagates, as in PyTorch
    # the kernel offset of the max; scanning backwards leaves the first one on ties
    arg = xp.zeros(best.shape, dtype=backend.int8 if count < 128 else backend.int64)
    # arg = where(hit, k, arg), in arithmetic: NumPy's masked copies are far slower
    for k in range(count - 1, -1, -1):
        arg -= (arg - k) * (views[k] == best)
    # NaN windows: the last NaN (on CuPy always, a no-op without NaNs: no read back)
    if backend.defers_checks(best) or xp.isnan(best).any():
        for k in range(count):
            arg -= (arg - k) * xp.isnan(views[k])
    return best, arg


def _tiles(xa, geo):
    """True for a host float array whose windows tile it (stride = kernel, no padding, no
    dilation): the case _max_pool_tiled and _max_pool_backward_tiled serve."""
    return (not backend.is_device_array(xa) and xa.dtype.kind == "f"
            and tuple(geo.stride) == tuple(geo.k) and not any(d != 1 for d in geo.dilation)
            and not any(lo or hi for lo, hi in geo.pad))


def _max_pool_tiled(xa, geo):
    """(max, argmax) of non-overlapping windows on the host. One copy puts each kernel
    offset's values in a contiguous plane (K, rows * out pixels); the scan over the K
    planes then runs on long contiguous arrays instead of (..., OW)-row strided views,
    whose short rows NumPy pays for one by one. Same results as _max_pool_offsets: the
    first maximum in window order, the max as NumPy's maximum gives it; windows holding
    NaN go to that function, which knows its rule (the last NaN of a window)."""
    xp = backend.array_module(xa)
    nd = len(geo.k)
    lead, out = xa.shape[:-nd], tuple(geo.out_hw)
    crop = xa[(Ellipsis,) + tuple(slice(0, o * k) for o, k in zip(out, geo.k))]
    split = crop.reshape(lead + tuple(v for o, k in zip(out, geo.k) for v in (o, k)))
    nl = len(lead)
    order = (tuple(nl + 2 * d + 1 for d in range(nd)) + tuple(range(nl))
             + tuple(nl + 2 * d for d in range(nd)))
    planes = xp.ascontiguousarray(split.transpose(order)).reshape(_prod(geo.k), -1)
    best = planes[0].copy()
    arg = xp.zeros(best.shape, backend.int8 if len(planes) < 128 else backend.int64)
    for k in range(1, len(planes)):
        hit = planes[k] > best                 # strictly: the first maximum stays
        xp.maximum(best, planes[k], out=best)
        arg += hit * (k - arg) if k > 1 else hit
    if xp.isnan(best).any():  # maximum propagates NaN: a window held one
        return _max_pool_offsets(xa, geo)
    return best.reshape(lead + out), arg.reshape(lead + out)


def _max_pool_backward_tiled(g, arg, geo, shape):
    """Each output gradient written to its window's argmax: every input element lies in
    at most one window, so each offset's share is written, not added."""
    xp = backend.array_module(g)
    covered = all(o * k == n for o, k, n in zip(geo.out_hw, geo.k, geo.in_hw))
    gx = (xp.empty if covered else xp.zeros)(shape, dtype=g.dtype)
    for k in range(_prod(geo.k)):
        pos = _offset(k, geo)
        gx[(Ellipsis,) + tuple(slice(p, o * kk, kk) for p, o, kk
                               in zip(pos, geo.out_hw, geo.k))] = \
            backend.select(arg == k, g, 0)
    return gx


def _max_pool_backward_offsets(g, arg, geo, shape):
    """The host's max-pool backward: each offset's share added into the padded input."""
    xp = backend.array_module(g)
    zero = g.dtype.type(0)
    return _scatter_offsets(lambda k: xp.where(arg == k, g, zero), geo, shape, g.dtype, xp)


class MaxPool2dFn(Function):
    """Max over each window of the last len(geo.k) dims; keeps each window's argmax as a
    flat kernel offset (the first maximum; the last NaN where a window holds NaN)."""

    @staticmethod
    def forward(ctx, x, geo):
        xa = x.array
        xp = backend.array_module(xa)
        if backend.is_device_array(xa):
            best = xp.empty(_out_shape(xa.shape, geo), dtype=xa.dtype)
            arg = xp.empty(best.shape, dtype=backend.int32)
            _maxpool_kernel(xp.ascontiguousarray(xa), *_dims(geo), best, arg)
            ctx.args = (arg, geo, xa.shape)
            return best
        best, arg = (_max_pool_tiled if _tiles(xa, geo) else _max_pool_offsets)(xa, geo)
        ctx.args = (arg, geo, xa.shape)
        return best

    @staticmethod
    def backward(ctx, grad):
        arg, geo, shape = ctx.args
        return _MaxPoolBackward.apply(grad, arg, geo, shape), None


class _MaxPoolBackward(Function):
    """Routes each output gradient to its window's argmax."""

    @staticmethod
    def forward(ctx, grad, arg, geo, shape):
        g = grad.array
        xp = backend.array_module(g)
        ctx.args = (arg, geo)
        if backend.is_device_array(g):
            out = xp.empty(shape, dtype=g.dtype)
            _maxpool_backward_kernel(xp.ascontiguousarray(g), arg, *_dims(geo), out)
            return out
        if _tiles(g, geo):
            return _max_pool_backward_tiled(g, arg, geo, shape)
        return _max_pool_backward_offsets(g, arg, geo, shape)

    @staticmethod
    def backward(ctx, grad):
        arg, geo = ctx.args
        return _GatherAt.apply(grad, arg, geo), None, None, None


class _GatherAt(Function):
    """t's value at each window's argmax: the adjoint of _MaxPoolBackward."""

    @staticmethod
    def forward(ctx, t, arg, geo):
        xa = t.array
        xp = backend.array_module(xa)
        ctx.args = (arg, geo, xa.shape)
        if backend.is_device_array(xa):
            out = xp.empty(arg.shape, dtype=xa.dtype)
            _gather_at_kernel(xp.ascontiguousarray(xa), arg, *_dims(geo), out)
            return out
        xpad = _pad(xa, geo.pad)
        out = xp.zeros(arg.shape, dtype=xa.dtype)
        for k in range(_prod(geo.k)):
            xp.copyto(out, _offset_view(xpad, geo, k), where=arg == k)
        return out

    @staticmethod
    def backward(ctx, grad):
        arg, geo, shape = ctx.args
        return _MaxPoolBackward.apply(grad, arg, geo, shape), None, None


def _flat_indices(arg, geo, xp):
    """Kernel-offset argmax -> index into the flattened (e.g. H*W) unpadded input."""
    nd = len(geo.k)
    flat, inner = 0, 1
    for d in reversed(range(nd)):
        shape = (-1,) + (1,) * (nd - 1 - d)
        within = (arg // _prod(geo.k[d + 1:])) % geo.k[d]
        pos = (xp.arange(geo.out_hw[d]).reshape(shape) * geo.stride[d] - geo.pad[d][0]
               + within * geo.dilation[d])
        flat = flat + pos * inner
        inner *= geo.in_hw[d]
    return flat.astype(backend.int64)


def max_pool(x, geo, return_indices=False):
    """Max pooling over the last len(geo.k) dims of x; with return_indices, also each
    window's argmax as an int64 index into the flattened spatial dims (as PyTorch)."""
    out = MaxPool2dFn.apply(x, geo)
    if not return_indices:
        return out
    node = out.grad_fn
    if node is not None:
        arg = node.args[0]
    else:  # not recorded: run the forward again for its argmax
        ctx = type("Ctx", (), {})()
        MaxPool2dFn.forward(ctx, x, geo)
        arg = ctx.args[0]
    return out, _make(_flat_indices(arg, geo, backend.array_module(x.array)))


# ----------------------------------------------------------------------------- average
class AvgPool2dFn(Function):
    """Average pooling over the last len(geo.k) dims; `divisor` is a scalar or an array
    broadcasting to the output's spatial shape."""

    @staticmethod
    def forward(ctx, x, geo, divisor):
        xa = x.array
        nd = len(geo.k)
        ctx.args = (geo, divisor, xa.shape)
        if backend.is_device_array(xa):
            xp = backend.array_module(xa)
            out = xp.empty(_out_shape(xa.shape, geo), dtype=xa.dtype)
            _avgpool_kernel(xp.ascontiguousarray(xa), divisor, *_dims(geo), out)
            return out
        win = _windows(_pad(xa.reshape((-1,) + xa.shape[-nd - 1:]), geo.pad), geo)
        out = win.sum(axis=tuple(range(2, 2 + nd))) / divisor
        return out.reshape(xa.shape[:-nd] + out.shape[-nd:]).astype(xa.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        geo, divisor, shape = ctx.args
        return _AvgPoolBackward.apply(grad, geo, divisor, shape), None, None


class _AvgPoolBackward(Function):
    @staticmethod
    def forward(ctx, grad, geo, divisor, shape):
        g = grad.array
        xp = backend.array_module(g)
        ctx.args = (geo, divisor)
        if backend.is_device_array(g):
            out = xp.empty(shape, dtype=g.dtype)
            _avgpool_backward_kernel(xp.ascontiguousarray(g), divisor, *_dims(geo), out)
            return out
        g = (g / divisor).astype(g.dtype, copy=False)
        return _scatter_offsets(lambda k: g, geo, shape, g.dtype, xp)

    @staticmethod
    def backward(ctx, grad):
        geo, divisor = ctx.args
        return AvgPool2dFn.apply(grad, geo, divisor), None, None, None


def _window_counts(n, k, s, p, out, xp, include_pad):
    start = xp.arange(out) * s - p
    end = xp.minimum(start + k, n + p)
    if include_pad:
        return end - start
    return xp.minimum(end, n) - xp.maximum(start, 0)


def avg_pool(x, geo, padding, count_include_pad=True, divisor_override=None):
    """Average pooling over the last len(geo.k) dims of x; `padding` is the symmetric
    padding asked for (geo.pad adds ceil mode's overhang, never counted)."""
    nd = len(geo.k)
    xp = backend.array_module(x.array)
    if divisor_override:
        divisor = divisor_override
    else:
        # the window sizes per dim, multiplied as an outer product over the output grid
        divisor = 1
        for d, (n, k, s, p, o) in enumerate(zip(geo.in_hw, geo.k, geo.stride, padding,
                                                 geo.out_hw)):
            count = _window_counts(n, k, s, p, o, xp, count_include_pad)
            divisor = divisor * count.reshape((-1,) + (1,) * (nd - 1 - d))
        divisor = divisor.astype(x.dtype)
    if backend.is_device_array(x.array):  # the kernel reads one divisor per output pixel
        divisor = xp.ascontiguousarray(xp.broadcast_to(xp.asarray(divisor, dtype=x.dtype),
                                                       tuple(geo.out_hw)))
    return AvgPool2dFn.apply(x, geo, divisor)


# ----------------------------------------------------------------------------- adaptive
def _averaging_matrix(n, out, dtype, xp):
    """(out, n) matrix whose row i averages PyTorch's window floor(i*n/out)..ceil((i+1)*n/out)."""
    i = xp.arange(out).reshape(-1, 1)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    cols = xp.arange(n)
    inside = (cols >= start) & (cols < end)
    return (inside / (end - start)).astype(dtype)


def averaging_matrix(n: int, out: int, like, transposed: bool = False):
    """The (out, n) adaptive-average matrix (or its contiguous (n, out) transpose) as a
    constant Tensor of `like`'s dtype and device: adaptive average pooling is a matmul
    with it along each pooled dim."""
    a = _averaging_matrix(n, out, like.dtype, backend.array_module(like.array))
    return _make(a.T.copy() if transposed else a)


def adaptive_avg_along(x, d: int, out: int):
    """Adaptive average pooling of `x` along dim `d` into `out` of PyTorch's bins. Each bin
    sums only its own elements (a gather of its window, masked where a bin is shorter), so
    a NaN or inf stays in the bins that hold it, as in PyTorch (an averaging matmul would
    spread 0 * inf = NaN over every bin)."""
    n = x.shape[d]
    if n == 0 or out == 0:
        return _moved_matmul(x, d, averaging_matrix(n, out, x))
    xp = backend.array_module(x.array)
    i = xp.arange(out).reshape(-1, 1)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    width = min(-(-n // out) + 1, n)  # no bin is wider than ceil(n/out) + 1
    pos = start + xp.arange(width)                                   # (out, K)
    valid = pos < end
    taken = index_select(x, d, _make(xp.minimum(pos, n - 1).reshape(-1).astype(backend.int64)))
    lead, tail = tuple(x.shape[:d]), tuple(x.shape[d + 1:])
    taken = taken.reshape(lead + (out, width) + tail)
    mask = _make(valid.reshape((out, width) + (1,) * len(tail)))
    total = _compare.where(mask, taken, 0.0).sum(d + 1)
    count = (end - start).astype(x.array.dtype).reshape((out,) + (1,) * len(tail))
    return total / _make(count)


def _moved_matmul(x, d, a):
    """a (out, n) applied along dim d of x (the empty-bin fallback)."""
    if x.ndim == 1:
        return a @ x
    return (a @ x.movedim(d, -2)).movedim(-2, d)


def _bin_windows(n, out, xp):
    """(out, K) input positions covering PyTorch's adaptive bins [floor(i n/out),
    ceil((i+1) n/out)); short bins repeat their last position (harmless for a max)."""
    i = xp.arange(out).reshape(-1, 1)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    width = max(-(-n // out) + 1, 1) if out else 1  # no bin is wider than ceil(n/out) + 1
    return xp.minimum(start + xp.arange(min(width, n)), end - 1)


def _adaptive_max_argmax(x, oh, ow, xp):
    """Flat (H*W) index of each adaptive bin's max: first the max along each row's column
    bins, then along the row bins; argmax keeps the first maximum in row-major order."""
    h, w = x.shape[-2:]
    cols = _bin_windows(w, ow, xp)                          # (OW, Kw)
    win = xp.take(x, cols, axis=-1)                         # (..., H, OW, Kw)
    k = win.argmax(axis=-1)
    col_best = xp.take_along_axis(win, k[..., None], axis=-1)[..., 0]      # (..., H, OW)
    col_at = cols[xp.arange(ow), k]                         # (..., H, OW)
    rows = _bin_windows(h, oh, xp)                          # (OH, Kh)
    win = xp.take(col_best, rows, axis=-2)                  # (..., OH, Kh, OW)
    k = win.argmax(axis=-2)                                 # (..., OH, OW)
    row_at = rows[xp.arange(oh).reshape(-1, 1), k]
    return row_at * w + xp.take_along_axis(col_at, row_at, axis=-2)


def adaptive_max_pool2d(x, oh: int, ow: int):
    """(values, int64 flat H*W indices) of adaptive max pooling over the last two dims."""
    h, w = x.shape[-2:]
    xp = backend.array_module(x.array)
    idx = _make(_adaptive_max_argmax(x.array, oh, ow, xp).astype(backend.int64))
    lead = tuple(x.shape[:-2])
    # out = x.flatten(-2).gather(-1, idx): differentiable, the backward a scatter-add
    out = Gather.apply(x.reshape(*lead, h * w), len(lead),
                       idx.reshape(*lead, oh * ow)).reshape(*lead, oh, ow)
    return out, idx


# ----------------------------------------------------------------------------- max unpool
class _Unpool(Function):
    """(B, L_in) values written at their (B, L_in) flat indices of a zero (B, L_out) output;
    the backward reads the gradient back at those indices (a gather)."""

    @staticmethod
    def forward(ctx, x, index, length):
        xa = x.array
        xp = backend.array_module(xa)
        out = xp.zeros((xa.shape[0], length), dtype=xa.dtype)
        # an assignment, not a sum: indices shared by overlapping windows hold one max
        out[xp.arange(xa.shape[0]).reshape(-1, 1), index.array] = xa
        ctx.args = (index,)
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.args
        return Gather.apply(grad, 1, index), None, None


def max_unpool(x, indices, size):
    """x's values scattered to their flat `indices` (int64, x's shape) of zero outputs of
    spatial `size` over the last len(size) dims; indices outside raise RuntimeError."""
    nd = len(size)
    lead, length = tuple(x.shape[:-nd]), _prod(size)
    flat = indices.array.reshape(-1, _prod(x.shape[-nd:]))
    flat = backend.check_index(flat, 0, length, lambda lo, hi: RuntimeError(
        f"Found an invalid max index: {backend.first_outside(flat, 0, length)} (output "
        f"volumes are of size {'x'.join(str(s) for s in size)})"))
    out = _Unpool.apply(x.reshape(flat.shape), _make(flat), length)
    return out.reshape(*lead, *size)
