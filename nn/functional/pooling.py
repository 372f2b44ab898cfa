"""Pooling: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d.

Windows are strided views of the padded input; forward and backward loop over the
kernel offsets (kh*kw of them), never over batch, channels or pixels.
"""
from __future__ import annotations

from autograd import backend
from autograd.function import Function
from autograd.ops.index import Gather
from autograd.tensor import Tensor, _make

from .conv import _crop, _Geo, _ntuple, _offset_slices, _pad, _prod, _windows


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, op, nd=2):
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {nd + 1}-d or {nd + 2}-d input, got shape "
                           f"{tuple(x.shape)}")
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    stride = k if stride is None or stride == [] or stride == () else \
        _ntuple(stride, nd, op, "stride")
    pad = _ntuple(padding, nd, op, "padding")
    dilation = _ntuple(dilation, nd, op, "dilation")
    for p, kk, d in zip(pad, k, dilation):
        if p > (d * (kk - 1) + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, "
                               f"but got pad={p}, kernel_size={kk} and dilation={d}")
    in_hw = tuple(x.shape[-nd:])
    out, pads = [], []
    for n, kk, s, p, d in zip(in_hw, k, stride, pad, dilation):
        span = d * (kk - 1) + 1
        o = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:  # the last window must start inside
            o -= 1
        if o <= 0:
            raise RuntimeError(f"{op}: output size is too small for input {tuple(x.shape)} "
                               f"and kernel {k}")
        out.append(o)
        # ceil mode: the last window may run past the right padding
        pads.append((p, p + max(0, (o - 1) * s + span - (n + 2 * p))))
    return _Geo(in_hw, k, stride, tuple(pads), dilation, 1, tuple(out)), pad


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


# ----------------------------------------------------------------------------- max
class MaxPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, geo):
        xa = x.array
        xp = backend.array_module(xa)
        xpad = _pad(xa, geo.pad, value=-xp.inf)
        count = _prod(geo.k)
        views = [_offset_view(xpad, geo, k) for k in range(count)]
        best = views[0].copy()
        for v in views[1:]:
            xp.maximum(best, v, out=best)                   # NaN propagates, as in PyTorch
        # the kernel offset of the max; scanning backwards leaves the first one on ties
        arg = xp.zeros(best.shape, dtype=backend.int8 if count < 128 else backend.int64)
        # arg = where(hit, k, arg), in arithmetic: NumPy's masked copies are far slower
        for k in range(count - 1, -1, -1):
            arg -= (arg - k) * (views[k] == best)
        # NaN windows: the last NaN (on the GPU always, a no-op without NaNs: no read back)
        if backend.defers_checks(best) or xp.isnan(best).any():
            for k in range(count):
                arg -= (arg - k) * xp.isnan(views[k])
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
        zero = g.dtype.type(0)
        return _scatter_offsets(lambda k: xp.where(arg == k, g, zero), geo, shape, g.dtype, xp)

    @staticmethod
    def backward(ctx, grad):
        arg, geo = ctx.args
        return _gather_at(grad, arg, geo), None, None, None


def _gather_at(t, arg, geo):
    """t's value at each window's argmax: the adjoint of _MaxPoolBackward."""
    return _GatherAt.apply(t, arg, geo)


class _GatherAt(Function):
    @staticmethod
    def forward(ctx, t, arg, geo):
        xa = t.array
        xp = backend.array_module(xa)
        xpad = _pad(xa, geo.pad)
        out = xp.zeros(arg.shape, dtype=xa.dtype)
        for k in range(_prod(geo.k)):
            xp.copyto(out, _offset_view(xpad, geo, k), where=arg == k)
        ctx.args = (arg, geo, xa.shape)
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


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Same as torch.nn.functional.max_pool2d."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, 2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Same as torch.nn.functional.max_pool3d (indices into the flattened D*H*W)."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, 3, "max_pool3d")


def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd,
                op):
    geo, _ = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, op, nd)
    out = MaxPool2dFn.apply(input, geo)
    if return_indices:
        node = out.grad_fn
        arg = node.args[0] if node is not None else _argmax_again(input, geo)
        return out, _make(_flat_indices(arg, geo, backend.array_module(input.array)))
    return out


def _argmax_again(input, geo):
    ctx = type("Ctx", (), {})()
    MaxPool2dFn.forward(ctx, input, geo)
    return ctx.args[0]


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Same as torch.nn.functional.max_pool1d."""
    out = max_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     (1, _one(kernel_size if stride is None else stride)), (0, _one(padding)),
                     (1, _one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def _one(v):
    return v if isinstance(v, int) else int(tuple(v)[0])


# ----------------------------------------------------------------------------- average
class AvgPool2dFn(Function):
    """Average pooling over the last len(geo.k) dims."""

    @staticmethod
    def forward(ctx, x, geo, divisor):
        xa = x.array
        nd = len(geo.k)
        win = _windows(_pad(xa.reshape((-1,) + xa.shape[-nd - 1:]), geo.pad), geo)
        out = win.sum(axis=tuple(range(2, 2 + nd))) / divisor
        ctx.args = (geo, divisor, xa.shape)
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
        g = (g / divisor).astype(g.dtype, copy=False)
        ctx.args = (geo, divisor)
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


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Same as torch.nn.functional.avg_pool2d."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 2, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Same as torch.nn.functional.avg_pool3d."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 3, "avg_pool3d")


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, nd, op):
    geo, pad = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode, op, nd)
    xp = backend.array_module(input.array)
    if divisor_override:
        divisor = divisor_override
    else:
        # the window sizes per dim, multiplied as an outer product over the output grid
        divisor = 1
        for d, (n, k, s, p, o) in enumerate(zip(geo.in_hw, geo.k, geo.stride, pad,
                                                 geo.out_hw)):
            count = _window_counts(n, k, s, p, o, xp, count_include_pad)
            divisor = divisor * count.reshape((-1,) + (1,) * (nd - 1 - d))
        divisor = divisor.astype(input.dtype)
    return AvgPool2dFn.apply(input, geo, divisor)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Same as torch.nn.functional.avg_pool1d."""
    out = avg_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     (1, _one(kernel_size if stride is None else stride)), (0, _one(padding)),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ----------------------------------------------------------------------------- adaptive
def _averaging_matrix(n, out, dtype, xp):
    """(out, n) matrix whose row i averages PyTorch's window floor(i*n/out)..ceil((i+1)*n/out)."""
    i = xp.arange(out).reshape(-1, 1)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    cols = xp.arange(n)
    inside = (cols >= start) & (cols < end)
    return (inside / (end - start)).astype(dtype)


def adaptive_avg_pool2d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool2d: rows and columns are averaged by
    two small matrices, out = A_h @ x @ A_w^T (differentiable through matmul)."""
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected 3-d or 4-d input, got shape "
                           f"{tuple(getattr(input, 'shape', ()))}")
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    oh, ow = h if oh is None else oh, w if ow is None else ow
    xp = backend.array_module(input.array)
    a_h = _make(_averaging_matrix(h, oh, input.dtype, xp))
    a_w = _make(_averaging_matrix(w, ow, input.dtype, xp).T.copy())
    return a_h @ input @ a_w


def adaptive_avg_pool3d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool3d: one averaging matrix per spatial
    dim, applied as a matmul along that dim (differentiable through matmul)."""
    if not isinstance(input, Tensor) or input.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d: expected 4-d or 5-d input, got shape "
                           f"{tuple(getattr(input, 'shape', ()))}")
    d, h, w = input.shape[-3:]
    size = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 3:
        raise RuntimeError(f"adaptive_avg_pool3d: expected output_size of 3 ints, got {size}")
    od, oh, ow = (n if o is None else o for n, o in zip((d, h, w), size))
    xp = backend.array_module(input.array)
    a_d, a_h, a_w = (_make(_averaging_matrix(n, o, input.dtype, xp))
                     for n, o in ((d, od), (h, oh), (w, ow)))
    lead = tuple(input.shape[:-3])
    out = a_h @ input @ a_w.mT                                    # (..., D, OH, OW)
    out = a_d @ out.reshape(*lead, d, oh * ow)                    # (..., OD, OH*OW)
    return out.reshape(*lead, od, oh, ow)


def adaptive_avg_pool1d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool1d."""
    n = input.shape[-1]
    out = output_size if isinstance(output_size, int) else output_size[0]
    a = _make(_averaging_matrix(n, out, input.dtype, backend.array_module(input.array)).T.copy())
    return input @ a


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


def _check_adaptive_max(input, op, high):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if op == "adaptive_max_pool2d" and input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    if op == "adaptive_max_pool1d" and input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"adaptive_max_pool1d)")
    for d in range(input.ndim - high, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"\"{op}\" not implemented for '{input.dtype}'")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Same as torch.nn.functional.adaptive_max_pool2d (indices into the flattened H*W)."""
    _check_adaptive_max(input, "adaptive_max_pool2d", 3)
    h, w = input.shape[-2:]
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must "
                           "be 2")
    oh, ow = h if size[0] is None else size[0], w if size[1] is None else size[1]
    if oh < 0 or ow < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(oh, ow)}: {list(input.shape[:-2]) + [oh, ow]}")
    xp = backend.array_module(input.array)
    idx = _make(_adaptive_max_argmax(input.array, oh, ow, xp).astype(backend.int64))
    lead = tuple(input.shape[:-2])
    # out = x.flatten(-2).gather(-1, idx): differentiable, the backward a scatter-add
    out = Gather.apply(input.reshape(*lead, h * w), len(lead),
                       idx.reshape(*lead, oh * ow)).reshape(*lead, oh, ow)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Same as torch.nn.functional.adaptive_max_pool1d."""
    _check_adaptive_max(input, "adaptive_max_pool1d", 2)
    if not isinstance(output_size, int):
        if len(tuple(output_size)) != 1:
            raise RuntimeError(f"adaptive_max_pool1d() argument 'output_size' should contain "
                               f"one int (got {len(tuple(output_size))})")
        output_size = tuple(output_size)[0]
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, output_size), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
