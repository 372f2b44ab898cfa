"""Pooling: max_pool1d/2d/3d, avg_pool1d/2d/3d, adaptive_avg_pool1d/2d/3d,
adaptive_max_pool1d/2d: PyTorch's signatures, argument checks and window geometry over
autograd's pooling ops (autograd/ops/pooling.py)."""
from __future__ import annotations

from autograd.ops import pooling as _ops
from autograd.ops.window import _check_positive, _Geo, _ntuple
from autograd.tensor import Tensor


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, op, nd=2):
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {nd + 1}-d or {nd + 2}-d input, got shape "
                           f"{tuple(x.shape)}")
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    stride = k if stride is None or stride == [] or stride == () else \
        _ntuple(stride, nd, op, "stride")
    pad = _ntuple(padding, nd, op, "padding")
    dilation = _ntuple(dilation, nd, op, "dilation")
    _check_positive(op, kernel_size=k, stride=stride, dilation=dilation)
    if min(pad) < 0:
        raise RuntimeError(f"{op}: padding must be non-negative, got {pad}")
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
    if nd == 1 and isinstance(input, Tensor) and input.dtype.kind in "biu":
        raise NotImplementedError(f"{op}: not implemented for {input.dtype}")
    geo, _ = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, op, nd)
    return _ops.max_pool(input, geo, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Same as torch.nn.functional.max_pool1d."""
    if isinstance(input, Tensor) and input.dtype.kind in "biu":
        raise NotImplementedError(f"max_pool1d: not implemented for {input.dtype}")
    out = max_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     (1, _one(kernel_size if stride is None else stride)), (0, _one(padding)),
                     (1, _one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def _one(v):
    return v if isinstance(v, int) else int(tuple(v)[0])


# ----------------------------------------------------------------------------- average
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
    return _ops.avg_pool(input, geo, pad, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Same as torch.nn.functional.avg_pool1d."""
    out = avg_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     (1, _one(kernel_size if stride is None else stride)), (0, _one(padding)),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ----------------------------------------------------------------------------- adaptive
def adaptive_avg_pool2d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool2d: rows, then columns, averaged over
    PyTorch's bins (NaN and inf stay in their bins)."""
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected 3-d or 4-d input, got shape "
                           f"{tuple(getattr(input, 'shape', ()))}")
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    oh, ow = h if oh is None else oh, w if ow is None else ow
    if min(oh, ow) < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be >= 0, got "
                           f"{(oh, ow)}")
    return _ops.adaptive_avg_along(_ops.adaptive_avg_along(input, input.ndim - 2, oh),
                                   input.ndim - 1, ow)


def adaptive_avg_pool3d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool3d: each spatial dim in turn averaged
    over PyTorch's bins."""
    if not isinstance(input, Tensor) or input.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d: expected 4-d or 5-d input, got shape "
                           f"{tuple(getattr(input, 'shape', ()))}")
    d, h, w = input.shape[-3:]
    size = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 3:
        raise RuntimeError(f"adaptive_avg_pool3d: expected output_size of 3 ints, got {size}")
    od, oh, ow = (n if o is None else o for n, o in zip((d, h, w), size))
    out = input
    for k, o in enumerate((od, oh, ow)):
        out = _ops.adaptive_avg_along(out, input.ndim - 3 + k, o)
    return out


def adaptive_avg_pool1d(input, output_size):
    """Same as torch.nn.functional.adaptive_avg_pool1d."""
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d: expected 2-d or 3-d input, got shape "
                           f"{tuple(getattr(input, 'shape', ()))}")
    n = input.shape[-1]
    if not isinstance(output_size, int) and len(output_size) != 1:
        raise RuntimeError(f"adaptive_avg_pool1d: output_size should contain one int, got "
                           f"{tuple(output_size)}")
    out = output_size if isinstance(output_size, int) else output_size[0]
    if out < 0:
        raise RuntimeError(f"adaptive_avg_pool1d: output_size must be >= 0, got {out}")
    if n == 0:
        return input @ _ops.averaging_matrix(n, out, input, transposed=True)
    return _ops.adaptive_avg_along(input, input.ndim - 1, out)


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
    if not input.is_floating_point():
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
    out, idx = _ops.adaptive_max_pool2d(input, oh, ow)
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
