"""Resampling: interpolate (nearest, nearest-exact, linear, bilinear, area), pixel_shuffle
and pixel_unshuffle: signatures and argument checks. The resampling op itself lives in
autograd.ops.resample."""
from __future__ import annotations

import numbers
import warnings

from autograd.ops.resample import resample
from autograd.ops.shape import clone
from autograd.tensor import Tensor

from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_WRONG_DIM = {(3, "bilinear"): "Got 3D input, but bilinear mode needs 4D input",
              (3, "trilinear"): "Got 3D input, but trilinear mode needs 5D input",
              (4, "linear"): "Got 4D input, but linear mode needs 3D input",
              (4, "trilinear"): "Got 4D input, but trilinear mode needs 5D input",
              (5, "linear"): "Got 5D input, but linear mode needs 3D input",
              (5, "bilinear"): "Got 5D input, but bilinear mode needs 4D input"}


def _is_integer(v):
    return isinstance(v, numbers.Integral) or (isinstance(v, Tensor) and v.ndim == 0
                                               and v.array.dtype.kind in "iub")


def _sizes(input, size, scale_factor, recompute_scale_factor):
    """(output sizes, scale factors to pass on or None), checked as PyTorch does."""
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(s) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            sizes = [int(s) for s in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"interpolate: expected size to be an int or a tuple of ints, "
                                f"got {type(size).__name__}")
            sizes = [int(size)] * dim
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return sizes, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {spatial} and "
                f"scale_factor of shape {scale_factor}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    # floor(size * scale) (truncation toward zero, as PyTorch's int cast)
    sizes = [int(n * s) for n, s in zip(spatial, scales)]
    return sizes, None if recompute_scale_factor else scales


def _check_sizes(input, sizes):
    names = "HW"[-len(sizes):] if len(sizes) <= 2 else "DHW"
    spatial = input.shape[2:]
    if min(spatial) <= 0 or min(sizes) <= 0:
        if len(sizes) == 1:
            raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                               f"(W: {spatial[0]}) and output (W: {sizes[0]})")
        src = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        dst = ", ".join(f"{k}: {v}" for k, v in zip(names, sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({src}) output ({dst})")
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor "
                           f"with sizes {list(input.shape)}")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Same as torch.nn.functional.interpolate for 3-d (linear) and 4-d (bilinear) inputs in
    modes nearest, nearest-exact, linear, bilinear and area; antialias is not supported."""
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: expected input to be a Tensor, got "
                        f"{type(input).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    sizes, scales = _sizes(input, size, scale_factor, recompute_scale_factor)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    key = (input.ndim, mode)
    if key in _WRONG_DIM:
        raise NotImplementedError(_WRONG_DIM[key])
    supported = {(3, "nearest"), (4, "nearest"), (3, "nearest-exact"), (4, "nearest-exact"),
                 (3, "linear"), (4, "bilinear"), (3, "area"), (4, "area")}
    if key not in supported:
        if input.ndim in (3, 4, 5) and mode in _MODES.split(" | "):
            raise NotImplementedError(f"interpolate: mode {mode!r} for {input.ndim}D input is "
                                      "not supported")
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported"
            f" (got {input.ndim}D) for the modes: {_MODES} (got {mode})")
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, sizes[0] if input.ndim == 3 else tuple(sizes))
    _check_sizes(input, sizes)
    kind = input.array.dtype
    if kind.kind != "f" and not (kind.name == "uint8" and mode.startswith("nearest")):
        # as PyTorch on the CPU: floats only (uint8 too for the nearest modes)
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented for "
                                  f"{input.dtype}")
    out = resample(input, sizes, scales, mode, align_corners)
    return clone(input) if out is input else out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Same as torch.nn.functional.upsample (deprecated alias of interpolate)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Same as torch.nn.functional.upsample_nearest."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Same as torch.nn.functional.upsample_bilinear (align_corners=True)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------- pixel shuffle
def _check_factor(factor, op, name):
    if not isinstance(factor, numbers.Integral) or isinstance(factor, bool):
        raise TypeError(f"{op}(): argument '{name}' (position 2) must be int, not "
                        f"{type(factor).__name__}")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def _check_rank(input, op):
    if input.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input "
                           f"with {input.ndim} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """Same as torch.nn.functional.pixel_shuffle: (*, C r^2, H, W) -> (*, C, H r, W r)."""
    _check_factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    _check_rank(input, "pixel_shuffle")
    r = int(upscale_factor)
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but "
                           f"input.size(-3)={c} is not divisible by {r * r}")
    b = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    # (*, C, r_h, r_w, H, W) -> (*, C, H, r_h, W, r_w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """Same as torch.nn.functional.pixel_unshuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    _check_factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    _check_rank(input, "pixel_unshuffle")
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    for name, n, k in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({k})={n} is not divisible "
                               f"by {r}")
    b = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    # (*, C, H, r_h, W, r_w) -> (*, C, r_h, r_w, H, W)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


