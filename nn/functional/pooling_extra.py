"""More pooling: power-average pooling (lp_pool1d/2d/3d) and the partial inverse of max
pooling (max_unpool1d/2d/3d)."""
from __future__ import annotations

import autograd as ag
from autograd.ops.pooling import max_unpool as _max_unpool_op
from autograd.ops.window import _ntuple, _prod
from autograd.tensor import Tensor

from .pooling import avg_pool1d, avg_pool2d, avg_pool3d


# ----------------------------------------------------------------------------- lp pool
def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, avg_pool):
    k = _ntuple(kernel_size, nd, f"lp_pool{nd}d", "kernel_size")
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # (sum over the window of x^p)^(1/p) = (count * mean)^(1/p); sign * relu(|.|) keeps
    # PyTorch's zero gradient where the window sum is 0
    return (ag.sign(out) * ag.relu(ag.abs(out))).mul(_prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Same as torch.nn.functional.lp_pool1d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Same as torch.nn.functional.lp_pool2d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Same as torch.nn.functional.lp_pool3d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d)


# ----------------------------------------------------------------------------- max unpool
def _unpool_size(input, kernel_size, stride, padding, output_size, nd):
    op = f"max_unpool{nd}d"
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    stride = k if stride is None else _ntuple(stride, nd, op, "stride")
    padding = _ntuple(padding, nd, op, "padding")
    default = tuple((n - 1) * s - 2 * p + kk
                    for n, s, p, kk in zip(input.shape[-nd:], stride, padding, k))
    if output_size is None:
        return default
    size = tuple(output_size)
    if len(size) == nd + 2:
        size = size[2:]
    if len(size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{size}" (dim {d} must be between {lo} '
                             f"and {hi})")
    return tuple(int(s) for s in size)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    if not isinstance(input, Tensor) or not isinstance(indices, Tensor):
        raise TypeError(f"max_unpool{nd}d: expected Tensors, got {type(input).__name__} and "
                        f"{type(indices).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d "
                           f"Tensor, but got a tensor with {input.ndim} dimensions.")
    if indices.dtype != ag.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    size = _unpool_size(input, kernel_size, stride, padding, output_size, nd)
    return _max_unpool_op(input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Same as torch.nn.functional.max_unpool1d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Same as torch.nn.functional.max_unpool2d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Same as torch.nn.functional.max_unpool3d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)
