"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d as im2col views and one matmul.

A convolution y = conv(x, w) is bilinear, so its two gradients are again the same
bilinear form with the roles swapped: the input gradient is a transposed convolution
(`_ConvInputGrad`, also the forward of conv_transpose2d) and the weight gradient is a
correlation of x with the output gradient (`_ConvWeightGrad`). Each of the three ops
differentiates into the other two, so double backward needs no extra code.
"""
from __future__ import annotations

import itertools
from collections import namedtuple

from autograd import amp as _amp
from autograd import backend
from autograd.function import Function
from autograd.tensor import Tensor

# Any number of spatial dims (1-d layers run as 2-d with height 1, 3-d directly).
# in_hw: input spatial size; k: kernel size; stride, dilation: one int per spatial dim;
# pad: ((lo, hi), ...) per spatial dim
_Geo = namedtuple("_Geo", "in_hw k stride pad dilation groups out_hw")


def _ntuple(v, n, op, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"{op}: expected {name} to be an int or a {n}-tuple, got {v}")
    return v


def _pair(v, op, name):
    return _ntuple(v, 2, op, name)


def _geometry(in_hw, k, stride, pad, dilation, groups, op):
    out = tuple((n + lo + hi - d * (kk - 1) - 1) // s + 1
                for n, kk, s, (lo, hi), d in zip(in_hw, k, stride, pad, dilation))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: calculated output size {out} is too small for input "
                           f"size {tuple(in_hw)} and kernel size {tuple(k)}")
    return _Geo(tuple(in_hw), tuple(k), stride, pad, dilation, groups, out)


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


def _im2col(x, geo):
    """Columns (N, G, Cg*kh*kw, OH*OW) of the input: one contiguous copy of the windows
    view, in the view's own order (batch outermost), so the copy streams."""
    xp = backend.array_module(x)
    n, g = x.shape[0], geo.groups
    win = _windows(_pad(x, geo.pad), geo)
    return xp.ascontiguousarray(win).reshape(n, g, -1, _prod(geo.out_hw))


def _col2im(cols, geo, x_shape):
    """The adjoint of _im2col: add each kernel offset's columns back into the input."""
    xp = backend.array_module(cols)
    n, c = x_shape[:2]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(geo.in_hw, geo.pad))
    xpad = xp.zeros((n, c) + padded, dtype=cols.dtype)
    cols = cols.reshape((n, c) + tuple(geo.k) + tuple(geo.out_hw))
    for offset in itertools.product(*(range(kk) for kk in geo.k)):
        xpad[(slice(None), slice(None)) + _offset_slices(geo, offset)] += \
            cols[(slice(None), slice(None)) + offset]
    return _crop(xpad, geo)


def _prod(sizes):
    out = 1
    for s in sizes:
        out *= s
    return out


def _grouped(a, groups):
    """(N, C, *spatial) -> (N, G, C/G, prod(spatial)), a view."""
    n, c = a.shape[:2]
    return a.reshape(n, groups, c // groups, -1)


class Conv2dFn(Function):
    """y = conv(x, w) + b on (N, C, *spatial) inputs (any number of spatial dims)."""

    @staticmethod
    def forward(ctx, x, w, b, geo):
        xa, wa = x.array, w.array
        n, g, o = xa.shape[0], geo.groups, wa.shape[0]
        cols = _im2col(xa, geo)
        # one batched matmul: (G, O/G, K) @ (N, G, K, P) -> (N, G, O/G, P) = (N, O, OH, OW)
        y = backend.matmul(wa.reshape(g, o // g, -1), cols).reshape(n, o, *geo.out_hw)
        if b is not None:
            y += b.array.reshape((-1,) + (1,) * len(geo.out_hw))
        # the unfolded input is reused by the weight gradient; saved (not a ctx attribute)
        # so that the engine frees it right after this node's backward
        need_w = ctx.recording and ctx.next[1] is not None
        ctx.save_for_backward(x, w, cols if need_w else None)
        ctx.geo = geo
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w, cols = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        gx = _ConvInputGrad.apply(grad, w, geo, tuple(x.shape)) if need[0] else None
        gw = None
        if need[1]:
            gw = _ConvWeightGrad.apply(x, grad, geo, tuple(w.shape), cols)
        gb = grad.sum(dim=(0,) + tuple(range(2, grad.ndim))) if need[2] else None
        return gx, gw, gb, None


class _ConvInputGrad(Function):
    """x_grad = conv^T(gy, w): the transposed convolution."""

    @staticmethod
    def forward(ctx, gy, w, geo, x_shape):
        wa = w.array
        g, o = geo.groups, wa.shape[0]
        wm = wa.reshape(g, o // g, -1).transpose(0, 2, 1)     # (G, Cg*kh*kw, O/G)
        cols = backend.matmul(wm, _grouped(gy.array, g))                      # (N, G, Cg*kh*kw, P)
        ctx.save_for_backward(gy, w)
        ctx.geo = geo
        return _col2im(cols, geo, x_shape)

    @staticmethod
    def backward(ctx, grad):
        gy, w = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        # <G, conv^T(gy, w)> = <conv(G, w), gy> = <wgrad(G, gy), w>
        d_gy = Conv2dFn.apply(grad, w, None, geo) if need[0] else None
        d_w = _ConvWeightGrad.apply(grad, gy, geo, tuple(w.shape), None) if need[1] else None
        return d_gy, d_w, None, None


class _ConvWeightGrad(Function):
    """w_grad = sum over batch and pixels of gy * windows(x)."""

    @staticmethod
    def forward(ctx, x, gy, geo, w_shape, cols):
        if cols is None:
            cols = _im2col(x.array, geo)
        # (N, G, O/G, P) @ (N, G, P, K), summed over the batch
        gw = backend.matmul(_grouped(gy.array, geo.groups),
                            cols.transpose(0, 1, 3, 2)).sum(axis=0)
        ctx.save_for_backward(x, gy)
        ctx.geo = geo
        return gw.reshape(w_shape)

    @staticmethod
    def backward(ctx, grad):
        x, gy = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        # <G, wgrad(x, gy)> = <conv(x, G), gy> = <conv^T(gy, G), x>
        d_x = _ConvInputGrad.apply(gy, grad, geo, tuple(x.shape)) if need[0] else None
        d_gy = Conv2dFn.apply(x, grad, None, geo) if need[1] else None
        return d_x, d_gy, None, None, None


# ----------------------------------------------------------------------------- public API
def _check_dtypes(op, *tensors):
    ts = [t for t in tensors if t is not None]
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    for t in ts[1:]:
        if t.dtype != ts[0].dtype:
            raise RuntimeError(f"{op}: expected input, weight and bias of one dtype, got "
                               f"{ts[0].dtype} and {t.dtype}")


def _conv_pad(padding, k, dilation, stride, op):
    n = len(k)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding != "same":
            raise ValueError(f"{op}: expected padding 'same', 'valid' or ints, got {padding!r}")
        if tuple(stride) != (1,) * n:
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        # the total padding d*(k-1) goes left first, the odd extra one on the right
        total = [d * (kk - 1) for d, kk in zip(dilation, k)]
        return tuple((t // 2, t - t // 2) for t in total)
    return tuple((p, p) for p in _ntuple(padding, n, op, "padding"))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as torch.nn.functional.conv2d (padding may be an int, a pair, 'same' or
    'valid'; unbatched (C, H, W) input allowed)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as torch.nn.functional.conv3d (padding may be an int, a triple, 'same' or
    'valid'; unbatched (C, D, H, W) input allowed)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, op):
    if _amp.mode.on:
        input, weight, bias = _amp.lower(input, weight, bias)
    _check_dtypes(op, input, weight, bias)
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 2}-d weight, got shape "
                           f"{tuple(weight.shape)}")
    if input.ndim == nd + 1:
        return _convnd(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups,
                       nd, op).squeeze(0)
    if input.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected {nd + 1}-d or {nd + 2}-d input, got shape "
                           f"{tuple(input.shape)}")
    c, o = input.shape[1], weight.shape[0]
    if groups < 1 or c % groups or o % groups or weight.shape[1] * groups != c:
        raise RuntimeError(
            f"{op}: expected input of shape {tuple(input.shape)} to have "
            f"{weight.shape[1] * groups} channels (weight {tuple(weight.shape)}, "
            f"groups={groups}), got {c} channels")
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{op}: expected bias of shape ({o},), got {tuple(bias.shape)}")
    stride = _ntuple(stride, nd, op, "stride")
    dilation = _ntuple(dilation, nd, op, "dilation")
    k = tuple(weight.shape[2:])
    pad = _conv_pad(padding, k, dilation, stride, op)
    geo = _geometry(input.shape[2:], k, stride, pad, dilation, groups, op)
    return Conv2dFn.apply(input, weight, bias, geo)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Same as torch.nn.functional.conv1d: a conv2d over a height-1 image."""
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-d weight, got shape {tuple(weight.shape)}")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"conv1d: expected 2-d or 3-d input, got shape "
                           f"{tuple(input.shape)}")
    pad = padding if isinstance(padding, str) else (0, _single(padding))
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride)), pad,
                 (1, _single(dilation)), groups)
    return out.squeeze(-2)


def _single(v):
    return v if isinstance(v, int) else int(tuple(v)[0])


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Same as torch.nn.functional.conv_transpose2d (weight is (C_in, C_out/groups, kh, kw))."""
    op = "conv_transpose2d"
    if _amp.mode.on:
        input, weight, bias = _amp.lower(input, weight, bias)
    _check_dtypes(op, input, weight, bias)
    if input.ndim == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding,
                                output_padding, groups, dilation).squeeze(0)
    if input.ndim != 4 or weight.ndim != 4:
        raise RuntimeError(f"{op}: expected 4-d input and weight, got shapes "
                           f"{tuple(input.shape)} and {tuple(weight.shape)}")
    n, c = input.shape[:2]
    if groups < 1 or c % groups or weight.shape[0] != c:
        raise RuntimeError(f"{op}: expected input of shape {tuple(input.shape)} to have "
                           f"{weight.shape[0]} channels (weight {tuple(weight.shape)}), "
                           f"got {c} channels")
    stride = _pair(stride, op, "stride")
    dilation = _pair(dilation, op, "dilation")
    pad = _pair(padding, op, "padding")
    out_pad = _pair(output_padding, op, "output_padding")
    for op_, s, d in zip(out_pad, stride, dilation):
        if op_ >= max(s, d):
            raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                               f"dilation, got output_padding={out_pad}, stride={stride}, "
                               f"dilation={dilation}")
    k = tuple(weight.shape[2:])
    out_hw = tuple((h - 1) * s - 2 * p + d * (kk - 1) + q + 1
                   for h, s, p, d, kk, q in zip(input.shape[2:], stride, pad, dilation, k,
                                                out_pad))
    # the adjoint of a convolution from the output size back to the input size
    geo = _geometry(out_hw, k, stride, tuple((p, p) for p in pad), dilation, groups, op)
    out_c = weight.shape[1] * groups
    out = _ConvInputGrad.apply(input, weight, geo, (n, out_c) + out_hw)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Same as torch.nn.functional.conv_transpose1d."""
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias,
                           (1, _single(stride)), (0, _single(padding)),
                           (0, _single(output_padding)), groups, (1, _single(dilation)))
    return out.squeeze(-2)
