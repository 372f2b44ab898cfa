"""torch.nn.functional's remaining names: adaptive_max_pool3d, the *_with_indices forms,
gumbel_softmax, pdist, triplet_margin_with_distance_loss, conv_tbc, linear_cross_entropy,
native_channel_shuffle, assert_int_or_pair."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd.ops import adaptive_pool as _adaptive
from autograd.ops import grid_sample as _grid
from autograd.tensor import Tensor

from .conv import conv1d
from .distance import pairwise_distance
from .im2col import channel_shuffle
from .linear import linear
from .loss import cross_entropy
from .pooling import (
    _check_adaptive_max,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Same as torch.nn.functional.adaptive_max_pool3d (indices into the flattened D*H*W)."""
    _check_adaptive_max(input, "adaptive_max_pool3d", 4)
    if input.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: "
                           f"{list(input.shape)}")
    size = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 3:
        raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must "
                           "be 3")
    size = tuple(n if s is None else s for s, n in zip(size, input.shape[-3:]))
    if min(size) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(input.shape[:-3]) + list(size)}")
    out, idx = _adaptive.adaptive_max_pool(input, size)
    return (out, idx) if return_indices else out


def _with_indices(fn):
    def f(*args, **kwargs):
        kwargs.pop("return_indices", None)
        return fn(*args, return_indices=True, **kwargs)
    f.__name__ = f.__qualname__ = fn.__name__ + "_with_indices"
    f.__doc__ = f"Same as torch.nn.functional.{f.__name__}: {fn.__name__}, with indices."
    return f


max_pool1d_with_indices = _with_indices(max_pool1d)
max_pool2d_with_indices = _with_indices(max_pool2d)
max_pool3d_with_indices = _with_indices(max_pool3d)
adaptive_max_pool1d_with_indices = _with_indices(adaptive_max_pool1d)
adaptive_max_pool2d_with_indices = _with_indices(adaptive_max_pool2d)
adaptive_max_pool3d_with_indices = _with_indices(adaptive_max_pool3d)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Same as torch.nn.functional.gumbel_softmax: softmax((logits + g) / tau) with
    g ~ Gumbel(0, 1) drawn as -log(Exp(1)); `hard` gives the one-hot of its argmax with the
    soft sample's gradient (straight-through). `eps` is deprecated and unused."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -ag.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ag.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def pdist(input, p=2):
    """Same as torch.nn.functional.pdist: the p-norm distances between the rows of an
    (N, M) input, pairs i < j in row-major order (N (N - 1) / 2 values)."""
    if not isinstance(input, Tensor) or input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: "
                           f"{getattr(input, 'ndim', type(input).__name__)}D")
    if not input.is_floating_point():
        raise RuntimeError(f"pdist only supports floating-point dtypes, got {input.dtype}")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = ag.triu_indices(n, n, 1, device=input.device)
    diff = input[i] - input[j]
    return ag.linalg.vector_norm(diff, p, dim=1)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Same as torch.nn.functional.triplet_margin_with_distance_loss: max(d(a, p) - d(a, n)
    + margin, 0), d pairwise_distance unless given; swap uses min(d(a, n), d(p, n))."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not a == p == n:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive "
                           f"{p}D, and negative {n}D inputs")
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = ag.minimum(d_neg, dist(positive, negative))
    loss = ag.clamp_min(margin + d_pos - d_neg, 0)
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if reduction == "mean" else loss


def conv_tbc(input, weight, bias, pad=0):
    """Same as torch.conv_tbc / F.conv_tbc: a 1-D convolution of a (time, batch, channel)
    input with a (kernel, in, out) weight and an (out,) bias, `pad` zeros each side."""
    if input.ndim != 3:
        raise RuntimeError("conv_tbc: Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError("conv_tbc: Weight tensor must have 3 dims: kernel_width, "
                           "in_channels, out_channels.")
    if bias.ndim != 1:
        raise RuntimeError("conv_tbc: Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("conv_tbc: Input dim 2 (input channels) is not == dim 1 in the "
                           "weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("conv_tbc: Bias size must equal dim 2 in the weight tensor "
                           "(output channels).")
    out = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0,
                         options=None):
    """Same as torch.nn.functional.linear_cross_entropy: cross_entropy(linear(input,
    linear_weight, linear_bias), target, ...) (ignore_index None: no index ignored). The
    logits are computed whole (PyTorch's chunked path is a memory optimisation with the
    same result)."""
    extra = tuple(linear_weight.shape[:-1])  # (C, d1, ..., dK): a K-dimensional loss
    logits = linear(input, linear_weight.reshape(-1, linear_weight.shape[-1]),
                    None if linear_bias is None else linear_bias.reshape(-1))
    if len(extra) > 1:
        logits = logits.reshape(*input.shape[:-1], *extra)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)


def native_channel_shuffle(input, groups):
    """Same as torch.nn.functional.native_channel_shuffle (channel_shuffle's kernel)."""
    return channel_shuffle(input, groups)


def assert_int_or_pair(arg, arg_name, message):
    """Same as torch.nn.functional.assert_int_or_pair: arg is an int or a 2-sequence."""
    assert isinstance(arg, int) or len(arg) == 2, message.format(arg_name)


_ALIGN_WARNING = ("Default {} behavior has changed to align_corners=False since 1.3.0. Please "
                  "specify align_corners=True if the old behavior is desired. See the "
                  "documentation of {} for details.")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Same as torch.nn.functional.grid_sample: input (N, C, H, W) or (N, C, D, H, W) read at
    grid (N, H_out, W_out, 2) / (N, D_out, H_out, W_out, 3) in [-1, 1] (x first); mode
    'bilinear' (trilinear on 5-D), 'nearest' or 'bicubic' (4-D); padding 'zeros', 'border'
    or 'reflection'. Differentiable in input and grid."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING.format("grid_sample and affine_grid", "grid_sample"),
                      stacklevel=2)
        align_corners = False
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same "
                           f"number of dimensions, but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    nd = input.ndim - 2
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last "
                           f"dimension, but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    return _grid.grid_sample(input, grid, mode, padding_mode, bool(align_corners))


def affine_grid(theta, size, align_corners=None):
    """Same as torch.nn.functional.affine_grid: the (N, H, W, 2) / (N, D, H, W, 3) grid of
    the affine maps theta (N, 2, 3) / (N, 3, 4) for an output of `size` (N, C, [D,] H, W),
    for grid_sample."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING.format("grid_sample and affine_grid", "grid_sample"),
                      stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch size {theta.shape[0]} to match size[0] "
                         f"{size[0]}")
    return _grid.affine_grid(theta, size, bool(align_corners))


def grouped_mm(mat_a, mat_b, *, offs=None, bias=None, out_dtype=None):
    """Same as torch.nn.functional.grouped_mm: one matrix product per group (Mixture of
    Experts). 3-D x 3-D: a batched product (no offs). With int32 `offs` (each group's end):
    2-D a x 3-D b, a's rows split into groups, group g times b[g] -> (M, N); 2-D x 2-D, the
    shared K split -> (G, M, N); 3-D a x 2-D b, b's columns split, group g times a[g] ->
    (M, N). Rows (columns) past offs[-1] are zero. Differentiable in both operands."""
    if bias is not None:
        raise RuntimeError("Bias not supported yet")
    for name, m in (("mat_a", mat_a), ("mat_b", mat_b)):
        if m.dtype not in (ag.float32, ag.bfloat16, ag.float16):
            raise RuntimeError(f"Expected {name} to be Float32, BFloat16 or Float16 matrix, "
                               f"got {m.dtype}")
        if m.ndim not in (2, 3):
            raise RuntimeError(f"{name} must be 2D or 3D, got {m.ndim}D")
    if out_dtype is not None and out_dtype != mat_a.dtype:
        raise RuntimeError("Grouped gemm output dtype must match `mat_a` dtype")
    both_3d = mat_a.ndim == 3 and mat_b.ndim == 3
    if both_3d == (offs is not None):
        raise RuntimeError("Have to provide offsets if there is a 2d matrix, or no offset if "
                           "both matrices are 3d")
    if both_3d:
        return mat_a @ mat_b
    if offs.dtype != ag.int32:
        raise RuntimeError("Offsets have to be int32")
    ends = [int(e) for e in offs.tolist()]
    starts = [0] + ends[:-1]
    if mat_a.ndim == 2 and mat_b.ndim == 2:
        return ag.stack([mat_a[:, s:e] @ mat_b[s:e] for s, e in zip(starts, ends)])
    if mat_a.ndim == 2:
        parts = [mat_a[s:e] @ mat_b[g] for g, (s, e) in enumerate(zip(starts, ends))]
        rest = mat_a.shape[0] - ends[-1]
        if rest:
            parts.append(ag.zeros(rest, mat_b.shape[-1], dtype=mat_a.dtype,
                                  device=mat_a.device))
        return ag.cat(parts, dim=0)
    parts = [mat_a[g] @ mat_b[:, s:e] for g, (s, e) in enumerate(zip(starts, ends))]
    rest = mat_b.shape[-1] - ends[-1]
    if rest:
        parts.append(ag.zeros(mat_a.shape[1], rest, dtype=mat_a.dtype, device=mat_a.device))
    return ag.cat(parts, dim=1)
