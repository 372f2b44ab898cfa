"""Normalisation: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm, written in differentiable Tensor ops
(so gradients of any order come from the engine)."""
from __future__ import annotations

import functools

import autograd as ag
from autograd import amp as _amp
from autograd.ops import split as _split
from autograd.tensor import Tensor


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _keeps_input_dtype(fn):
    """PyTorch's CPU norms on float16/bfloat16 inputs: normalised in float32 (float32
    weights or not) and returned in the input's dtype (weights of float32 would
    otherwise promote the result)."""
    @functools.wraps(fn)
    def norm(input, *args, **kwargs):
        dt = getattr(input, "dtype", None)
        if (dt is ag.float16 or dt is ag.bfloat16) and not _amp.mode.on:
            return fn(input.float(), *args, **kwargs).to(dt)
        return fn(input, *args, **kwargs)
    return norm


@_keeps_input_dtype
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Same as torch.nn.functional.batch_norm: in training, normalise by the batch
    statistics and update the running stats in place (running_var with the unbiased
    variance); in eval, normalise by the running stats."""
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2-d or higher input, got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    c = input.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if v is not None and v.numel() != c:
            raise RuntimeError(f"batch_norm: {name} should contain {c} elements (the "
                               f"channels of input of shape {tuple(input.shape)}), not "
                               f"{v.numel()}")
    dims = (0,) + tuple(range(2, input.ndim))
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        n = input.numel() // c if c else 0
        if n == 1:  # an empty batch passes through (PyTorch leaves the running stats)
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(input.shape)}")
        mean = input.mean(dim=dims, keepdim=True)
        var = ag.var(input, dim=dims, keepdim=True, correction=0)
        with ag.no_grad():
            if running_mean is not None and n:
                running_mean.mul_(1 - momentum).add_(mean.detach().reshape(c), alpha=momentum)
            if running_var is not None and n:
                unbiased = var.detach().reshape(c) * (n / (n - 1))
                running_var.mul_(1 - momentum).add_(unbiased, alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: expected running_mean and running_var in eval "
                               "mode, got None")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (input - mean) * ag.rsqrt(var + eps)
    return _affine(out, weight, bias, shape)


@_keeps_input_dtype
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Same as torch.nn.functional.layer_norm."""
    if _amp.mode.on:
        input, weight, bias = _amp.fp32("layer_norm", input, weight, bias)
    if isinstance(input, Tensor) and input.dtype.kind in "biu":
        if weight is not None and weight.dtype != input.dtype:
            raise RuntimeError(f"layer_norm: mixed dtypes: input {input.dtype}, weight "
                               f"{weight.dtype}")
        raise NotImplementedError(f"layer_norm: not implemented for {input.dtype}")
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != normalized_shape or k > input.ndim:
        raise RuntimeError(f"layer_norm: expected input with shape [*, "
                           f"{', '.join(map(str, normalized_shape))}], got input of size "
                           f"{tuple(input.shape)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dim=dims, keepdim=True)
    var = ag.var(input, dim=dims, keepdim=True, correction=0)
    out = (input - mean) * ag.rsqrt(var + eps)
    return _affine(out, weight, bias, normalized_shape)


@_keeps_input_dtype
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Same as torch.nn.functional.group_norm."""
    if _amp.mode.on:
        input, weight, bias = _amp.fp32("group_norm", input, weight, bias)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-d input, got shape "
                           f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input ({c}) to be "
                           f"divisible by num_groups ({num_groups})")
    x = input.reshape(n, num_groups, input.numel() // max(n * num_groups, 1))
    mean = x.mean(dim=2, keepdim=True)
    var = ag.var(x, dim=2, keepdim=True, correction=0)
    out = ((x - mean) * ag.rsqrt(var + eps)).reshape(input.shape)
    return _affine(out, weight, bias, (1, c) + (1,) * (input.ndim - 2))


@_keeps_input_dtype
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Same as torch.nn.functional.instance_norm: each (sample, channel) is normalised over
    its spatial elements; the running stats (per channel) get the batch average of the
    per-instance mean and unbiased variance."""
    shape = tuple(input.shape)
    if use_input_stats:
        spatial = 1
        for n in shape[2:]:
            spatial *= n
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {shape}")
    c = shape[1]
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if shape[0] == 0 and (weight is not None or bias is not None):
        # PyTorch repeats the affine parameters once per sample and then fails on them
        raise IndexError(f"instance_norm: an empty batch (input size {shape}) with an "
                         f"affine weight or bias is not supported (as in PyTorch)")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {shape[0] * c} elements not "
                               f"{shape[0] * t.numel()}")
    if use_input_stats:
        dims = tuple(range(2, input.ndim))
        mean = input.mean(dim=dims, keepdim=True)
        var = ag.var(input, dim=dims, keepdim=True, correction=0)
        n = input.numel() // max(shape[0] * c, 1)
        with ag.no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(mean.detach().reshape(shape[0], c)
                                                     .mean(0), alpha=momentum)
            if running_var is not None:
                unbiased = var.detach().reshape(shape[0], c).mean(0) * (n / (n - 1))
                running_var.mul_(1 - momentum).add_(unbiased, alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        mean, var = running_mean.reshape(bshape), running_var.reshape(bshape)
    out = (input - mean) * ag.rsqrt(var + eps)
    return _affine(out, weight, bias, bshape)


_MACHINE_EPS = {"float16": 2.0 ** -10, "float32": 2.0 ** -23, "float64": 2.0 ** -52}


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Same as torch.nn.functional.rms_norm: input / sqrt(mean(input^2) + eps) * weight over
    the last len(normalized_shape) dims; eps=None means the dtype's machine epsilon."""
    if isinstance(normalized_shape, int) or not all(isinstance(n, int)
                                                    for n in normalized_shape):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k > input.ndim or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*{', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(normalized_shape)}")
    if eps is None:
        eps = _MACHINE_EPS.get(input.array.dtype.name, 2.0 ** -23)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * ag.rsqrt((input * input).mean(dim=dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Same as torch.nn.functional.local_response_norm: input / (k + alpha * mean of
    input^2 over `size` neighbouring channels, zero-padded)^beta."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = (input * input).unsqueeze(1)
    # zero-pad the channel axis by (size // 2, (size - 1) // 2), then sum `size` shifted
    # slices: a loop over the window, not over elements
    pad = [0, 0] * (input.ndim - 2) + [size // 2, (size - 1) // 2]
    sq = _split.pad(sq, pad)
    total = sq[:, :, 0:c]
    for j in range(1, size):
        total = total + sq[:, :, j:j + c]
    div = (total.squeeze(1) * (alpha / size) + k) ** beta
    return input / div
