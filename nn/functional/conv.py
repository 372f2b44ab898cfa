"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d: PyTorch's signatures and argument
checks over autograd's convolution op (im2col and one matmul, autograd/ops/conv.py)."""
from __future__ import annotations

from autograd import amp as _amp
from autograd.ops.conv import conv as _conv
from autograd.ops.conv import conv_transpose as _conv_transpose
from autograd.ops.shape import constant_pad as _constant_pad
from autograd.ops.window import _geometry, _ntuple
from autograd.tensor import Tensor


def _pair(v, op, name):
    return _ntuple(v, 2, op, name)


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
            raise RuntimeError(f"{op}: invalid padding string {padding!r}, expected 'same', "
                               "'valid' or ints")
        if tuple(stride) != (1,) * n:
            raise RuntimeError(f"{op}: padding='same' is not supported for strided "
                               "convolutions")
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
    return _conv(input, weight, bias, geo)


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


def _single(v, name="padding"):
    if isinstance(v, int):
        return v
    if len(tuple(v)) != 1:
        raise RuntimeError(f"conv1d: expected {name} to be an int or a 1-tuple, got {tuple(v)}")
    return int(tuple(v)[0])


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Same as torch.nn.functional.conv_transpose2d (weight is (C_in, C_out/groups, kh, kw))."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Same as torch.nn.functional.conv_transpose3d (weight is (C_in, C_out/groups, kd, kh,
    kw))."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                      dilation, nd, op):
    if _amp.mode.on:
        input, weight, bias = _amp.lower(input, weight, bias)
    _check_dtypes(op, input, weight, bias)
    if input.ndim == nd + 1:
        return _conv_transposend(input.unsqueeze(0), weight, bias, stride, padding,
                                 output_padding, groups, dilation, nd, op).squeeze(0)
    if input.ndim != nd + 2 or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected {nd + 2}-d input and weight, got shapes "
                           f"{tuple(input.shape)} and {tuple(weight.shape)}")
    n, c = input.shape[:2]
    if groups < 1 or c % groups or weight.shape[0] != c:
        raise RuntimeError(f"{op}: expected input of shape {tuple(input.shape)} to have "
                           f"{weight.shape[0]} channels (weight {tuple(weight.shape)}), "
                           f"got {c} channels")
    stride = _ntuple(stride, nd, op, "stride")
    dilation = _ntuple(dilation, nd, op, "dilation")
    pad = _ntuple(padding, nd, op, "padding")
    out_pad = _ntuple(output_padding, nd, op, "output_padding")
    for op_, s, d in zip(out_pad, stride, dilation):
        if op_ >= max(s, d):
            raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                               f"dilation, got output_padding={out_pad}, stride={stride}, "
                               f"dilation={dilation}")
    out_c = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_c,):
        raise RuntimeError(f"{op}: expected bias of shape ({out_c},), got "
                           f"{tuple(bias.shape)}")
    k = tuple(weight.shape[2:])
    # one convolution geometry covers output_padding up to stride - 1; the rest (allowed
    # below the dilation) are trailing rows no window reaches: zeros, added after
    fit = tuple(min(q, s - 1) for q, s in zip(out_pad, stride))
    out_hw = tuple((h - 1) * s - 2 * p + d * (kk - 1) + q + 1
                   for h, s, p, d, kk, q in zip(input.shape[2:], stride, pad, dilation, k,
                                                fit))
    # the adjoint of a convolution from the output size back to the input size
    geo = _geometry(out_hw, k, stride, tuple((p, p) for p in pad), dilation, groups, op)
    out = _conv_transpose(input, weight, geo, (n, out_c) + out_hw)
    if fit != out_pad:
        widths = []
        for q, f in reversed(list(zip(out_pad, fit))):  # pad's order: last dim first
            widths += [0, q - f]
        out = _constant_pad(out, widths)
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * nd)
    return out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Same as torch.nn.functional.conv_transpose1d."""
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias,
                           (1, _single(stride)), (0, _single(padding)),
                           (0, _single(output_padding)), groups, (1, _single(dilation)))
    return out.squeeze(-2)
