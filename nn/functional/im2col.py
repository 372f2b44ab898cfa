"""Rearranging ops: unfold / fold (im2col / col2im, the convolution's own machinery) and
channel_shuffle."""
from __future__ import annotations

from autograd.ops.conv import col2im as _col2im
from autograd.ops.conv import im2col as _im2col
from autograd.ops.window import _geometry, _ntuple, _prod
from autograd.tensor import Tensor


def _fold_geometry(in_hw, kernel_size, dilation, padding, stride, op):
    k = _ntuple(kernel_size, 2, op, "kernel_size")
    dilation = _ntuple(dilation, 2, op, "dilation")
    padding = _ntuple(padding, 2, op, "padding")
    stride = _ntuple(stride, 2, op, "stride")
    blocks = tuple((n + 2 * p - d * (kk - 1) - 1) // s + 1
                   for n, kk, d, p, s in zip(in_hw, k, dilation, padding, stride))
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(in_hw)}, kernel_size={k}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the "
                           f"array of sliding blocks as {blocks}, but its components must be "
                           f"at least one.")
    return _geometry(in_hw, k, stride, tuple((p, p) for p in padding), dilation, 1, op)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Same as torch.nn.functional.unfold: (N, C, H, W) or (C, H, W) ->
    (N, C*kh*kw, L) or (C*kh*kw, L)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim not in (3, 4) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    geo = _fold_geometry(tuple(input.shape[2:]), kernel_size, dilation, padding, stride,
                         "unfold")
    return _im2col(input, geo)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Same as torch.nn.functional.fold: (N, C*kh*kw, L) or (C*kh*kw, L) -> (N, C, H, W)
    or (C, H, W), summing overlapping blocks."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim not in (2, 3) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding,
                    stride).squeeze(0)
    out_hw = _ntuple(output_size, 2, "fold", "output_size")
    geo = _fold_geometry(out_hw, kernel_size, dilation, padding, stride, "fold")
    n, ck, length = input.shape
    kk = _prod(geo.k)
    if ck % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ck} and "
                           f"kernel_size={geo.k}.")
    if length != _prod(geo.out_hw):
        raise RuntimeError(
            f"Given output_size={out_hw}, kernel_size={geo.k}, dilation={geo.dilation}, "
            f"padding={tuple(p for p, _ in geo.pad)}, stride={geo.stride}, expected size of "
            f"input's dimension 2 to match the calculated number of sliding blocks "
            f"{geo.out_hw[0]} * {geo.out_hw[1]} = {_prod(geo.out_hw)}, but got "
            f"input.size(2)={length}.")
    return _col2im(input, geo, (n, ck // kk) + out_hw)


def channel_shuffle(input, groups):
    """Same as torch.nn.functional.channel_shuffle: (N, g*c, ...) -> channels regrouped as
    (N, c*g, ...), i.e. channel i*c + j moves to j*g + i."""
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value "
                           f"of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    n, rest = input.shape[0], tuple(input.shape[2:])
    out = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return out.reshape(n, c, *rest)
