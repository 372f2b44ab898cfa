"""Order statistics (median, kthvalue, mode, quantile), nan-aware reductions (nanmean,
nansum, nanmedian, nanquantile), scans (cummax, cummin, logcumsumexp) and binning
(histc, bincount, bucketize, searchsorted). Selections compute their indices on arrays
and take the values with a gather, so the gradient goes to the selected element."""
from __future__ import annotations

from .. import amp as _amp
from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import elementwise as _ew
from . import shape as _shape
from . import unary as _unary
from .index import Gather
from .reduce import _return_type, expand_reduced, reduce_dims

_int64 = backend.int64


# ----------------------------------------------------------------------------- helpers
def _is_float(x):
    return backend.is_floating(x.dtype)


def _reduced_dim(a, dim, op):
    """The axis to reduce and the input with at least one dim; IndexError for an empty one
    (PyTorch cannot select from nothing)."""
    d = _shape.norm_dim(dim, a.array.ndim, op)
    if a.array.ndim == 0:
        return 0, True
    if a.array.shape[d] == 0:
        raise IndexError(f"{op}: expected a non-empty dimension {d} to reduce, got size 0")
    return d, False


def _select(a, d, idx, keepdim, scalar, name):
    """(values, indices) from indices `idx` (int64, size 1 along d): the values gathered
    from `a`, so the gradient flows to the selected elements only (as PyTorch routes it)."""
    if scalar:  # a 0-d input: the element itself, index 0
        xp = backend.array_module(a.array)
        return _return_type(name)(_shape.clone(a), _make(xp.zeros((), dtype=_int64)))
    values = Gather.apply(a, d, _make(idx))
    index = _make(idx)
    if not keepdim:
        values, index = _shape.squeeze(values, d), _shape.squeeze(index, d)
    return _return_type(name)(values, index)


def _take(x, idx, d):
    return backend.array_module(x).take_along_axis(x, idx, axis=d)


def _first_nan(x, d):
    """(any NaN along d, index of the first NaN), both with keepdims."""
    xp = backend.array_module(x)
    nan = xp.isnan(x)
    return nan.any(axis=d, keepdims=True), xp.expand_dims(nan.argmax(axis=d), d)


_DOUBLING = False  # tests force the GPU's scan on host arrays with this


def _scan(x, d, op):
    """The running `op` ("maximum", "minimum" or "logaddexp") along axis d. NumPy has the
    ufunc's accumulate; on the GPU a Hillis-Steele scan: log2(n) vectorised steps."""
    xp = backend.array_module(x)
    f = getattr(xp, op)
    if not (_DOUBLING or backend.is_device_array(x)):
        return f.accumulate(x, axis=d)
    y = xp.moveaxis(x, d, -1).copy()
    n, s = y.shape[-1], 1
    while s < n:
        z = y.copy()
        z[..., s:] = f(y[..., s:], y[..., :-s])
        y, s = z, 2 * s
    return xp.moveaxis(y, -1, d)


def _positions(x, d):
    xp = backend.array_module(x)
    n = x.shape[d]
    return xp.arange(n, dtype=_int64).reshape((n,) + (1,) * (x.ndim - 1 - d))


# ----------------------------------------------------------------------------- median
class _EvenSelect(Function):
    """median()/nanmedian() of all elements: the gradient is shared evenly between the
    elements equal to the result (the NaNs when it is NaN), as PyTorch."""

    @staticmethod
    def forward(ctx, a, value):
        x = a.array
        xp = backend.array_module(x)
        if _is_float(x):
            mask = (x == value) | (xp.isnan(x) & xp.isnan(value))
        else:
            mask = x == value
        ctx.weight = mask / mask.sum()
        return value.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad * _make(ctx.weight.astype(grad.array.dtype, copy=False)), None


def _median_all(a, ignore_nan):
    x = a.array.reshape(-1)
    xp = backend.array_module(x)
    if x.size == 0:
        return _make(xp.full((), float("nan"), dtype=x.dtype))
    s = xp.sort(x)  # NaNs last
    if _is_float(x):
        m = (~xp.isnan(s)).sum() if ignore_nan else x.size
        k = xp.maximum(m - 1, 0) // 2  # a NaN row (m = 0) gives s[0] = NaN
        if not ignore_nan:  # any NaN makes the median NaN: the last sorted element
            k = xp.where(xp.isnan(s[-1]), x.size - 1, k)
        value = xp.asarray(s[k])
    else:
        value = xp.asarray(s[(x.size - 1) // 2])
    return _EvenSelect.apply(a, value)


def _median_dim(a, dim, keepdim, ignore_nan, name):
    d, scalar = _reduced_dim(a, dim, name)
    if scalar:
        return _select(a, 0, None, keepdim, True, name)
    x = a.array
    xp = backend.array_module(x)
    n = x.shape[d]
    order = xp.argsort(x, axis=d, kind="stable")  # NaNs last
    if _is_float(x) and ignore_nan:
        m = (~xp.isnan(x)).sum(axis=d, keepdims=True)
        k = xp.where(m > 0, (m - 1) // 2, (n - 1) // 2)
        idx = _take(order, k.astype(_int64, copy=False), d)
    else:
        idx = xp.take(order, xp.asarray([(n - 1) // 2]), axis=d)
        if _is_float(x):  # a row with NaNs selects its first NaN
            has_nan, first = _first_nan(x, d)
            idx = xp.where(has_nan, first, idx)
    return _select(a, d, idx.astype(_int64, copy=False), keepdim, False, name)


def median(input, dim=None, keepdim=False):
    """Same as torch.median: the lower median of all elements, or (values, indices) along
    `dim` (NaN, at the first NaN, where a row has one). Among equal medians the index may
    differ from PyTorch's, which leaves it unspecified."""
    if isinstance(input, Tensor) and input.array.dtype.kind == "b":
        raise NotImplementedError("median: not implemented for bool tensors")
    if dim is None:
        return _median_all(input, False)
    return _median_dim(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim=False):
    """Same as torch.nanmedian: median() over the non-NaN elements."""
    if dim is None:
        return _median_all(input, True)
    return _median_dim(input, dim, keepdim, True, "nanmedian")


# ----------------------------------------------------------------------------- kthvalue, mode
def kthvalue(input, k, dim=-1, keepdim=False):
    """Same as torch.kthvalue: the k-th smallest element (1-based; NaN counts as the
    largest) along `dim` and its index."""
    d = _shape.norm_dim(dim, input.array.ndim, "kthvalue")
    n = input.array.shape[d] if input.array.ndim else 1
    if isinstance(k, (bool, float)) or not hasattr(k, "__index__"):
        raise TypeError(f"kthvalue: expected k to be an int, got {type(k).__name__}")
    k = k.__index__()
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue: expected k in [1, {n}] (selected number k out of range "
                           f"for dimension {d}), got {k}")
    if input.array.ndim == 0:
        return _select(input, 0, None, keepdim, True, "kthvalue")
    x = input.array
    xp = backend.array_module(x)
    order = xp.argsort(x, axis=d, kind="stable")
    idx = xp.take(order, xp.asarray([k - 1]), axis=d)
    return _select(input, d, idx.astype(_int64, copy=False), keepdim, False, "kthvalue")


def mode(input, dim=-1, keepdim=False):
    """Same as torch.mode: the most frequent value along `dim` (the smallest of equally
    frequent ones) and its last index, as PyTorch's CPU kernel gives for short rows."""
    d, scalar = _reduced_dim(input, dim, "mode")
    if scalar:
        return _select(input, 0, None, keepdim, True, "mode")
    x = input.array
    xp = backend.array_module(x)
    order = xp.moveaxis(xp.argsort(x, axis=d, kind="stable"), d, -1)
    s = xp.take_along_axis(xp.moveaxis(x, d, -1), order, axis=-1)
    n = s.shape[-1]
    pos = xp.arange(n, dtype=_int64)
    starts = xp.ones(s.shape, dtype=bool)  # where a run of equal values begins
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    ends = xp.ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    start = _scan(xp.where(starts, pos, 0), -1, "maximum")
    count = xp.where(ends, pos - start + 1, 0)
    best = count.argmax(axis=-1)[..., None]  # the first longest run: the smallest value
    idx = xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, d)
    return _select(input, d, idx.astype(_int64, copy=False), keepdim, False, "mode")


# ----------------------------------------------------------------------------- quantile
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(a, q, op):
    """q as a 1-d Tensor of a's dtype, and whether it was a scalar."""
    x = a.array
    xp = backend.array_module(x)
    if isinstance(q, Tensor):
        if q.array.ndim > 1:
            raise RuntimeError(f"{op}: expected q to be a scalar or 1D tensor, got shape "
                               f"{tuple(q.shape)}")
        if q.array.dtype != x.dtype:
            raise RuntimeError(f"{op}: expected q tensor of the input's dtype {x.dtype}, got "
                               f"{q.array.dtype}")
        if q.device != a.device:
            raise RuntimeError(f"{op}: expected the q tensor on the input's device "
                               f"{a.device}, got {q.device}")
        qa = q.array
        bad = ~((qa >= 0) & (qa <= 1)).all()
        backend.check(bad, lambda: RuntimeError(f"{op}: expected q values in the range "
                                                f"[0, 1], got {backend.to_host(qa)}"))
        return _shape.reshape(q, (-1,)), q.array.ndim == 0
    if isinstance(q, bool) or not isinstance(q, (int, float)):
        raise TypeError(f"{op}: expected q to be a float or a Tensor, got {type(q).__name__}")
    if not 0 <= q <= 1:
        raise RuntimeError(f"{op}: expected q in the range [0, 1], got {q}")
    return _make(xp.asarray([q], dtype=x.dtype)), True


def _quantile(a, q, dim, keepdim, interpolation, ignore_nan, op):
    x = a.array
    if not _is_float(x):
        raise RuntimeError(f"{op}: expected the input to be a float or double tensor, got "
                           f"{x.dtype}")
    q, scalar_q = _quantile_q(a, q, op)
    if x.size == 0:
        raise RuntimeError(f"{op}: expected a non-empty input tensor, got shape {x.shape}")
    if interpolation not in _MODES:
        raise RuntimeError(f"{op}: expected interpolation to be one of linear, lower, "
                           f"higher, midpoint or nearest, got {interpolation}")
    if dim is None:
        src, out_shape = _shape.reshape(a, (-1,)), (1,) * x.ndim if keepdim else ()
    else:
        d = _shape.norm_dim(dim, x.ndim, op)
        src = _shape.movedim(a, d, -1) if x.ndim else _shape.reshape(a, (1,))
        out_shape = tuple(1 if i == d else s for i, s in enumerate(x.shape) if keepdim or i != d)
    s = src.array
    xp = backend.array_module(s)
    n = s.shape[-1]
    order = xp.argsort(s, axis=-1, kind="stable")
    nan = xp.isnan(xp.take_along_axis(s, order, axis=-1))  # sorted: NaNs last
    if ignore_nan:  # ranks among the non-NaN values (all NaN: rank 0, a NaN)
        count = _make((n - nan.sum(axis=-1, keepdims=True) - 1).astype(s.dtype))
        ranks = _compare.clamp(q * count, min=0)
    else:  # a row with a NaN takes its last sorted element, a NaN
        ranks = _compare.where(_make(nan.any(axis=-1, keepdims=True)), float(n - 1),
                               q * (n - 1))
    r = ranks.array
    if interpolation != "linear" and interpolation != "midpoint":
        r = {"lower": xp.floor, "higher": xp.ceil, "nearest": xp.rint}[interpolation](r)
    below = xp.floor(r)
    last = src.ndim - 1
    out = Gather.apply(src, last, _make(_take(order, below.astype(_int64), -1)))
    if interpolation in ("linear", "midpoint"):
        above = Gather.apply(src, last, _make(_take(order, xp.ceil(r).astype(_int64), -1)))
        # weights from the ranks as Tensors, so a q that requires grad gets one
        weight = ranks - _make(below) if interpolation == "linear" else 0.5
        out = _ew.lerp(out, above, weight)
    out = _shape.movedim(out, -1, 0)  # the quantiles first, as PyTorch lays them out
    return _shape.reshape(out, out_shape if scalar_q else (out.shape[0],) + out_shape)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """Same as torch.quantile (q a float or a 0-d/1-d tensor; a row with NaN gives NaN)."""
    if _amp.mode.on:
        input, = _amp.fp32("quantile", input)
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """Same as torch.nanquantile: quantile() over the non-NaN values."""
    if _amp.mode.on:
        input, = _amp.fp32("nanquantile", input)
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


# ----------------------------------------------------------------------------- nansum, nanmean
class NanSum(Function):
    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype):
        x = a.array
        axes = reduce_dims(dim, x.ndim, "nansum")
        ctx.args = (x.shape, axes, keepdim)
        if _is_float(x):
            ctx.save_for_backward(a)
            x = backend.array_module(x).where(x != x, x.dtype.type(0), x)
        elif dtype is None:
            dtype = _int64
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        xp = backend.array_module(a.array)
        # d/dx nansum = 1 where x is not NaN, 0 at the NaNs
        g = expand_reduced(_ew.cast(grad, a.dtype), *ctx.args)
        return _compare.where(_make(xp.isnan(a.array)), 0.0, g)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Same as torch.nansum: sum() with NaNs counted as zero."""
    return NanSum.apply(input, dim, keepdim, backend.as_dtype(dtype))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Same as torch.nanmean: nansum() over the count of non-NaN elements."""
    x = input.array
    if not _is_float(x):
        raise RuntimeError(f"nanmean: expected input to have floating point dtype, got "
                           f"{x.dtype}")
    total = nansum(input, dim, keepdim, dtype=dtype)
    axes = reduce_dims(dim, x.ndim, "nanmean")
    count = (~backend.array_module(x).isnan(x)).sum(axis=axes, keepdims=keepdim)
    return total / _make(count.astype(total.array.dtype))


# ----------------------------------------------------------------------------- scans
def _cumulative(a, dim, largest):
    name = "cummax" if largest else "cummin"
    d = _shape.norm_dim(dim, a.array.ndim, name)
    x = a.array
    if x.ndim == 0:
        return _select(a, 0, None, False, True, name)
    xp = backend.array_module(x)
    if x.shape[d] == 0:
        return _return_type(name)(_shape.clone(a), _make(xp.zeros(x.shape, dtype=_int64)))
    op = "maximum" if largest else "minimum"
    best = _scan(x, d, op)  # NaN-propagating, as PyTorch's
    # PyTorch takes a new index where x >= the running max (<= for min) or x is NaN: the
    # last such "record" up to each position
    record = x == best
    if _is_float(x):
        record |= xp.isnan(x)
    idx = _scan(xp.where(record, _positions(x, d), 0), d, "maximum")
    return _return_type(name)(Gather.apply(a, d, _make(idx)), _make(idx))


def cummax(input, dim):
    """Same as torch.cummax: (running max, index of the last element attaining it)."""
    return _cumulative(input, dim, True)


def cummin(input, dim):
    """Same as torch.cummin."""
    return _cumulative(input, dim, False)


class LogCumSumExp(Function):
    save_output = True

    @staticmethod
    def forward(ctx, a, dim):
        x = a.array
        if not _is_float(x):
            raise NotImplementedError(f"logcumsumexp: expected a floating point tensor, got "
                                      f"{x.dtype}")
        d = _shape.norm_dim(dim, x.ndim, "logcumsumexp")
        ctx.dim = d
        ctx.save_for_backward(a)
        if x.ndim == 0 or x.shape[d] == 0:
            return x.copy()
        return _scan(x, d, "logaddexp")  # pairwise log(e^a + e^b): no overflow or underflow

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if a.ndim == 0:
            return grad
        d, out = ctx.dim, ctx.output
        # dL/dx_i = sum_{j>=i} g_j exp(x_i - y_j), summed in log space for positive and
        # negative g separately (PyTorch's stable form)
        xp = backend.array_module(a.array)
        dtype = a.array.dtype
        lowest = float(xp.finfo(dtype).min)  # a host constant
        log_abs = _unary.log(_unary.abs(grad))
        pos = _compare.where(grad > 0, log_abs, lowest)
        neg = _compare.where(grad < 0, log_abs, lowest)

        def reverse(t):
            return _shape.flip(logcumsumexp(_shape.flip(t, (d,)), d), (d,))
        return _unary.exp(reverse(pos - out) + a) - _unary.exp(reverse(neg - out) + a)


def logcumsumexp(input, dim):
    """Same as torch.logcumsumexp."""
    return LogCumSumExp.apply(input, dim)


# ----------------------------------------------------------------------------- binning
def histc(input, bins=100, min=0, max=0):
    """Same as torch.histc: counts in `bins` equal bins over [min, max] (the data's range
    when min == max), in the input's dtype; elements outside (and NaNs) are skipped.
    The range is found on the device: nothing is read back."""
    x = input.array
    if not _is_float(x):
        raise NotImplementedError(f"histc: expected a floating point tensor, got {x.dtype}")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins <= 0:
        raise RuntimeError(f"histc: expected bins > 0, got {bins}")
    xp = backend.array_module(x)
    lo, hi = xp.asarray(float(min), dtype=x.dtype), xp.asarray(float(max), dtype=x.dtype)
    if float(min) == float(max) and x.size:
        lo, hi = x.min(), x.max()
    same = lo == hi
    lo, hi = xp.where(same, lo - 1, lo), xp.where(same, hi + 1, hi)
    not_finite = ~(xp.isfinite(lo) & xp.isfinite(hi))
    backend.check(not_finite, lambda: RuntimeError(
        f"histc: range of [{float(lo)}, {float(hi)}] is not finite"))
    backend.check(~not_finite & (lo > hi), lambda: RuntimeError(
        "histc: max must be larger than min"))
    x = x.reshape(-1)
    inside = (x >= lo) & (x <= hi)
    # PyTorch's bin: (x - min) * bins / (max - min) in the input's dtype, the top edge
    # joining the last bin; skipped elements go to an extra bin dropped at the end
    pos = (xp.where(inside, x, lo) - lo) * bins / (hi - lo)
    pos = xp.where(inside, xp.minimum(pos.astype(_int64), bins - 1), bins)
    return _make(backend.bincount(pos, bins + 1)[:bins].astype(x.dtype))


def bincount(input, weights=None, minlength=0):
    """Same as torch.bincount. The output's length is data (max(input) + 1): on the GPU
    that one number is read back, as PyTorch does. Not differentiable, as PyTorch."""
    x = input.array
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"bincount: expected an integer tensor, got {x.dtype}")
    if x.ndim != 1:
        raise RuntimeError(f"bincount: expected a 1-d non-negative integral tensor, got shape "
                           f"{x.shape}")
    if minlength < 0:
        raise RuntimeError(f"bincount: expected minlength >= 0, got {minlength}")
    if weights is not None and (weights.array.ndim != 1 or weights.array.shape != x.shape):
        raise RuntimeError(f"bincount: expected 1-d weights of the input's length {x.shape}, "
                           f"got shape {weights.array.shape}")
    xp = backend.array_module(x)
    length = minlength
    if x.size:
        low, high = backend.to_host(xp.stack([x.min(), x.max()])).tolist()
        if low < 0:
            raise RuntimeError(f"bincount: expected non-negative values, got {low}")
        length = max(high + 1, minlength)
    if weights is None:
        return _make(backend.bincount(x, length))
    w = weights.array
    dtype = w.dtype if _is_float(w) else backend.float64
    out = xp.zeros(length, dtype=dtype)
    backend.index_add_at(out, x, w.astype(dtype, copy=False))
    return _make(out)


def _bisect(xp, seq, values, right, sorter):
    """PyTorch's binary search, vectorised over all values at once: (rows, m) positions in
    (rows, n) sequences, the first where seq >= value (seq > value when `right`); a NaN
    value lands at n, as in PyTorch. log2(n) steps of gathers."""
    rows, n = seq.shape
    lo = xp.zeros(values.shape, dtype=_int64)
    hi = xp.full(values.shape, n, dtype=_int64)
    for _ in range(n.bit_length()):
        mid = (lo + hi) // 2
        at = xp.minimum(mid, n - 1)
        if sorter is not None:
            at = xp.take_along_axis(sorter, at, axis=1)
        v = xp.take_along_axis(seq, at, axis=1)
        go_right = ~(v > values) if right else ~(v >= values)
        active = lo < hi
        lo = xp.where(active & go_right, mid + 1, lo)
        hi = xp.where(active & ~go_right, mid, hi)
    return lo


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Same as torch.searchsorted: 1-d sorted_sequence, or one row per leading index of
    `values`; `sorter` gives the sorting permutation of an unsorted sequence."""
    op = "searchsorted"
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{op}: expected side to be 'left' or 'right', got {side}")
        if right and side == "left":
            raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of "
                               f"left while right was True")
        right = side == "right"
    seq = sorted_sequence.array
    xp = backend.array_module(seq)
    scalar = not isinstance(values, Tensor)
    v = xp.asarray(values) if scalar else values.array
    if scalar and seq.ndim != 1:
        raise RuntimeError(f"{op}: expected a 1-d boundaries tensor for a scalar value, got "
                           f"shape {seq.shape}")
    if seq.ndim == 0 or (seq.ndim > 1 and (v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1])):
        raise RuntimeError(f"{op}: expected a 1-d boundaries tensor or one whose first N-1 "
                           f"dims match the values', got shapes {seq.shape} and {v.shape}")
    n = seq.shape[-1]
    rows = seq.reshape(-1, n) if seq.ndim > 1 else seq.reshape(1, n)
    if sorter is not None:
        s = sorter.array
        if s.dtype != _int64:
            raise RuntimeError(f"{op}: expected sorter of dtype int64, got {s.dtype}")
        if s.shape != seq.shape:
            raise RuntimeError(f"{op}: expected sorter of the boundaries' shape {seq.shape}, "
                               f"got {s.shape}")
        s = backend.check_index(s, 0, n, lambda low, high: RuntimeError(
            f"{op}: sorter index out of range, got values from {low} to {high}"))
        sorter = s.reshape(rows.shape)
    common = xp.result_type(rows, v)
    vals = v.reshape(rows.shape[0], -1).astype(common, copy=False)
    out = _bisect(xp, rows.astype(common, copy=False), vals, right, sorter) if n else (
        xp.zeros(vals.shape, dtype=_int64))
    return _make(out.reshape(v.shape).astype(backend.int32 if out_int32 else _int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """Same as torch.bucketize: searchsorted(boundaries, input) with a 1-d boundaries."""
    if boundaries.array.ndim != 1:
        raise RuntimeError(f"bucketize: expected a 1-d boundaries tensor, got shape "
                           f"{tuple(boundaries.shape)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
