"""Sliding-window array code shared by convolution and pooling: the window geometry,
im2col (every window as a column) and its adjoint col2im.

On the host, windows are strided views and col2im adds one kernel offset at a time
(tuned NumPy). On the GPU each direction is one kernel over its output elements: im2col
reads one input element per column entry, col2im gathers, for each input element, the
column entries of every window that covers it (no atomics, deterministic sums).
"""
from __future__ import annotations

import itertools
from collections import namedtuple

from autograd import backend

# Any number of spatial dims (1-d layers run as 2-d with height 1, 3-d directly).
# in_hw: input spatial size; k: kernel size; stride, dilation: one int per spatial dim;
# pad: ((lo, hi), ...) per spatial dim
_Geo = namedtuple("_Geo", "in_hw k stride pad dilation groups out_hw")


def _check_positive(op, **params):
    """RuntimeError naming `op` if any int in a params tuple is not positive (PyTorch's
    class for a zero stride, dilation or kernel size)."""
    for name, v in params.items():
        if min(v, default=1) <= 0:
            raise RuntimeError(f"{op}: {name} must be greater than zero, got {tuple(v)}")


def _ntuple(v, n, op, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"{op}: expected {name} to be an int or a {n}-tuple, got {v}")
    return v


def _geometry(in_hw, k, stride, pad, dilation, groups, op):
    _check_positive(op, stride=stride, dilation=dilation, kernel_size=k)
    if min((x for lh in pad for x in lh), default=0) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got {tuple(pad)}")
    out = tuple((n + lo + hi - d * (kk - 1) - 1) // s + 1
                for n, kk, s, (lo, hi), d in zip(in_hw, k, stride, pad, dilation))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: calculated output size {out} is too small for input "
                           f"size {tuple(in_hw)} and kernel size {tuple(k)}")
    return _Geo(tuple(in_hw), tuple(k), stride, pad, dilation, groups, out)


def _prod(sizes):
    out = 1
    for s in sizes:
        out *= s
    return out


def _windows(xpad, geo):
    """A (N, C, *k, *out) strided view of the padded input, e.g. (N, C, kh, kw, OH, OW):
    no copy."""
    xp = backend.array_module(xpad)
    lead, strides = xpad.shape[:2], xpad.strides[2:]
    return xp.lib.stride_tricks.as_strided(
        xpad, lead + tuple(geo.k) + tuple(geo.out_hw),
        xpad.strides[:2] + tuple(st * d for st, d in zip(strides, geo.dilation))
        + tuple(st * s for st, s in zip(strides, geo.stride)))


def _offset_slices(geo, offset):
    """Slices picking, from the padded input, the inputs that kernel position `offset`
    (a tuple) meets at every output position."""
    return tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                 for i, d, s, o in zip(offset, geo.dilation, geo.stride, geo.out_hw))


def _crop(xpad, geo):
    """The unpadded interior of a padded array."""
    if not any(lo or hi for lo, hi in geo.pad):
        return xpad
    return xpad[(Ellipsis,) + tuple(slice(lo, lo + n) for (lo, _), n in zip(geo.pad, geo.in_hw))]


def _pad(x, pad, value=0):
    if not any(lo or hi for lo, hi in pad):
        return x
    xp = backend.array_module(x)
    lead = ((0, 0),) * (x.ndim - len(pad))
    return xp.pad(x, lead + tuple(pad), mode="constant", constant_values=value)


def _grouped(a, groups):
    """(N, C, *spatial) -> (N, G, C/G, prod(spatial)), a view."""
    n, c = a.shape[:2]
    return a.reshape(n, groups, c // groups, _prod(a.shape[2:]))  # explicit: n may be 0


# ----------------------------------------------------------------------------- GPU kernels
# Every kernel sees three spatial dims: a 1-d or 2-d geometry gets leading dims of size 1
# (kernel 1, stride 1, no padding), so one source serves 1-3 d. `_dims(geo)` lists the
# 18 ints in the order of _GEO_PARAMS.
_GEO_PARAMS = ("int32 I0, int32 I1, int32 I2, int32 K0, int32 K1, int32 K2, "
               "int32 S0, int32 S1, int32 S2, int32 P0, int32 P1, int32 P2, "
               "int32 D0, int32 D1, int32 D2, int32 O0, int32 O1, int32 O2")


def _dims(geo):
    fill = 3 - len(geo.k)
    one, zero = (1,) * fill, (0,) * fill
    return (one + tuple(geo.in_hw) + one + tuple(geo.k) + one + tuple(geo.stride)
            + zero + tuple(lo for lo, _ in geo.pad) + one + tuple(geo.dilation)
            + one + tuple(geo.out_hw))


# the input position of output position o at kernel offset k, per dim
_SPLIT_OUT = """
    long long r = i;
    const int o2 = r % O2; r /= O2;
    const int o1 = r % O1; r /= O1;
    const int o0 = r % O0; r /= O0;
"""
_SPLIT_IN = """
    long long r = i;
    const int i2 = r % I2; r /= I2;
    const int i1 = r % I1; r /= I1;
    const int i0 = r % I0; r /= I0;
"""
# for input position iN: the output positions oN whose window covers it at kernel offset
# kN are oN = (iN + PN - kN * DN) / SN where that divides exactly and lies in [0, ON)
_COVER = """
#define EMBER_COVER(d, kk, oo, ok) \\
    { const int t = i##d + P##d - kk * D##d; \\
      oo = t / S##d; ok = t >= 0 && t % S##d == 0 && oo < O##d; }
"""

_im2col_kernel = backend.Fused(
    "ember_im2col", "raw T x, " + _GEO_PARAMS, "T col",
    # col is (N*C, K0, K1, K2, O0, O1, O2); r ends as the (n, c) row
    _SPLIT_OUT + """
    const int k2 = r % K2; r /= K2;
    const int k1 = r % K1; r /= K1;
    const int k0 = r % K0; r /= K0;
    const int a = o0 * S0 - P0 + k0 * D0, b = o1 * S1 - P1 + k1 * D1,
              c = o2 * S2 - P2 + k2 * D2;
    col = (a >= 0 && a < I0 && b >= 0 && b < I1 && c >= 0 && c < I2)
        ? x[((r * I0 + a) * I1 + b) * I2 + c] : (T)0;
    """, None)



def _gather_body(term):
    """A kernel body over input elements i (row r, position i0, i1, i2) that sums `term`
    over every (output position o, flat kernel offset kk) whose window covers i."""
    return _SPLIT_IN + """
    const long long P = (long long)O0 * O1 * O2;
    T acc = 0;
    for (int k0 = 0; k0 < K0; ++k0) {
        int a; bool ok0; EMBER_COVER(0, k0, a, ok0)
        if (!ok0) continue;
        for (int k1 = 0; k1 < K1; ++k1) {
            int b; bool ok1; EMBER_COVER(1, k1, b, ok1)
            if (!ok1) continue;
            for (int k2 = 0; k2 < K2; ++k2) {
                int c; bool ok2; EMBER_COVER(2, k2, c, ok2)
                if (!ok2) continue;
                const long long o = ((long long)a * O1 + b) * O2 + c;
                const int kk = (k0 * K1 + k1) * K2 + k2;
                acc += """ + term + """;
            }
        }
    }
    out = acc;
    """


# one input element gathers every column entry that im2col copied it to; the columns are
# (rows, K0*K1*K2, P)
_col2im_kernel = backend.Fused(
    "ember_col2im", "raw T col, " + _GEO_PARAMS, "T out",
    _gather_body("col[(r * K0 * K1 * K2 + kk) * P + o]"), None, preamble=_COVER)


def _im2col(x, geo):
    """Columns (N, G, Cg*kh*kw, OH*OW) of the input: one contiguous copy of the windows
    view, in the view's own order (batch outermost), so the copy streams."""
    xp = backend.array_module(x)
    n, g = x.shape[0], geo.groups
    k = x.shape[1] // g * _prod(geo.k)  # explicit sizes: an empty batch has no -1
    if backend.is_device_array(x):
        col = xp.empty(tuple(x.shape[:2]) + tuple(geo.k) + tuple(geo.out_hw), dtype=x.dtype)
        _im2col_kernel(xp.ascontiguousarray(x), *_dims(geo), col)
        return col.reshape(n, g, k, _prod(geo.out_hw))
    win = _windows(_pad(x, geo.pad), geo)
    return xp.ascontiguousarray(win).reshape(n, g, k, _prod(geo.out_hw))


def _col2im(cols, geo, x_shape):
    """The adjoint of _im2col: every column entry added back into its input element."""
    if backend.is_device_array(cols):
        xp = backend.array_module(cols)
        x = xp.empty(tuple(x_shape[:2]) + tuple(geo.in_hw), dtype=cols.dtype)
        _col2im_kernel(xp.ascontiguousarray(cols), *_dims(geo), x)
        return x
    return _col2im_offsets(cols, geo, x_shape)


def _conv_input_grad_host(gy, wa, geo, x_shape):
    """The transposed convolution conv^T(gy, w) on host arrays, batch innermost.

    With the batch as the last axis, every kernel offset's add in col2im runs over rows
    of OW * N contiguous elements (OW alone in (N, C, H, W) order: ten-element rows for a
    LeNet layer, where NumPy's per-row cost dominates), and the matmul is one GEMM over
    all pixels and samples. The transposes in and out are one copy each of gy and of
    the result, both small beside the columns."""
    xp = backend.array_module(gy)
    n, c = x_shape[:2]
    g, o = geo.groups, wa.shape[0]
    nd = len(geo.k)
    # (O, *out, N) -> (G, O/G, P*N); (G, O/G, Cg*K) -> (G, Cg*K, O/G)
    gt = xp.ascontiguousarray(xp.moveaxis(gy, 0, -1)).reshape(g, o // g, -1)
    wm = wa.reshape(g, o // g, _prod(wa.shape[1:])).transpose(0, 2, 1)
    cols = backend.matmul(wm, gt).reshape((c,) + tuple(geo.k) + tuple(geo.out_hw) + (n,))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(geo.in_hw, geo.pad))
    xpad = xp.zeros((c,) + padded + (n,), dtype=cols.dtype)
    every = (slice(None),)
    for offset in itertools.product(*(range(kk) for kk in geo.k)):
        xpad[every + _offset_slices(geo, offset) + every] += cols[every + offset]
    if any(lo or hi for lo, hi in geo.pad):
        xpad = xpad[every + tuple(slice(lo, lo + s) for (lo, _), s in zip(geo.pad, geo.in_hw))]
    return xp.ascontiguousarray(xp.moveaxis(xpad, nd + 1, 0))


def _col2im_offsets(cols, geo, x_shape):
    """The host's col2im: one strided add per kernel offset (also runs on CuPy arrays, as
    the reference of benchmarks/window_kernels.py)."""
    xp = backend.array_module(cols)
    n, c = x_shape[:2]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(geo.in_hw, geo.pad))
    xpad = xp.zeros((n, c) + padded, dtype=cols.dtype)
    cols = cols.reshape((n, c) + tuple(geo.k) + tuple(geo.out_hw))
    for offset in itertools.product(*(range(kk) for kk in geo.k)):
        xpad[(slice(None), slice(None)) + _offset_slices(geo, offset)] += \
            cols[(slice(None), slice(None)) + offset]
    return _crop(xpad, geo)


# ----------------------------------------------------------------------------- pooling
# The pooled array is (rows, *spatial) with rows = every leading dim; the argmax is the
# flat kernel offset kk of each window's max (int32 on the GPU).
_WINDOW_LOOP = _SPLIT_OUT + """
    const long long row = r * I0 * I1 * I2;
    for (int k0 = 0; k0 < K0; ++k0) {
        const int a = o0 * S0 - P0 + k0 * D0;
        if (a < 0 || a >= I0) continue;
        for (int k1 = 0; k1 < K1; ++k1) {
            const int b = o1 * S1 - P1 + k1 * D1;
            if (b < 0 || b >= I1) continue;
            for (int k2 = 0; k2 < K2; ++k2) {
                const int c = o2 * S2 - P2 + k2 * D2;
                if (c < 0 || c >= I2) continue;
                const T v = x[row + ((long long)a * I1 + b) * I2 + c];
                EMBER_VISIT
            }
        }
    }
"""

# padding never wins (PyTorch pads max pooling with -inf); the first maximum wins ties and
# NaN propagates (the last NaN of a window, as PyTorch's CPU kernel)
_maxpool_kernel = backend.Fused(
    "ember_maxpool", "raw T x, " + _GEO_PARAMS, "T out, int32 arg",
    "T best = 0; int at = -1;\n" + _WINDOW_LOOP.replace("EMBER_VISIT", """
                if (at < 0 || v > best || isnan(v)) {
                    best = v; at = (k0 * K1 + k1) * K2 + k2;
                }""") + "out = best; arg = at;", None)

_maxpool_backward_kernel = backend.Fused(
    "ember_maxpool_backward", "raw T g, raw int32 arg, " + _GEO_PARAMS, "T out",
    _gather_body("(arg[r * P + o] == kk ? g[r * P + o] : (T)0)"), None, preamble=_COVER)

# the adjoint of the backward: each output reads the input at its window's argmax
_gather_at_kernel = backend.Fused(
    "ember_gather_at", "raw T x, raw int32 arg, " + _GEO_PARAMS, "T out",
    _SPLIT_OUT + """
    const int kk = arg[i];
    const int k2 = kk % K2, k1 = (kk / K2) % K1, k0 = kk / (K1 * K2);
    const int a = o0 * S0 - P0 + k0 * D0, b = o1 * S1 - P1 + k1 * D1,
              c = o2 * S2 - P2 + k2 * D2;
    out = x[((r * I0 + a) * I1 + b) * I2 + c];
    """, None)

# div holds one divisor per output pixel (O0*O1*O2 of them)
_avgpool_kernel = backend.Fused(
    "ember_avgpool", "raw T x, raw T div, " + _GEO_PARAMS, "T out",
    "T acc = 0;\n" + _WINDOW_LOOP.replace("EMBER_VISIT", "acc += v;")
    + "out = acc / div[(((long long)o0 * O1) + o1) * O2 + o2];", None)

_avgpool_backward_kernel = backend.Fused(
    "ember_avgpool_backward", "raw T g, raw T div, " + _GEO_PARAMS, "T out",
    _gather_body("g[r * P + o] / div[o]"), None, preamble=_COVER)
