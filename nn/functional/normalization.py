"""Normalisation: batch_norm, layer_norm, group_norm, written in differentiable Tensor ops
(so gradients of any order come from the engine)."""
from __future__ import annotations

import autograd as ag
from autograd.tensor import Tensor


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Same as torch.nn.functional.batch_norm: in training, normalise by the batch
    statistics and update the running stats in place (running_var with the unbiased
    variance); in eval, normalise by the running stats."""
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2-d or higher input, got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    c = input.shape[1]
    dims = (0,) + tuple(range(2, input.ndim))
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(input.shape)}")
        mean = input.mean(dim=dims, keepdim=True)
        var = ag.var(input, dim=dims, keepdim=True, correction=0)
        with ag.no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(mean.detach().reshape(c), alpha=momentum)
            if running_var is not None:
                unbiased = var.detach().reshape(c) * (n / (n - 1))
                running_var.mul_(1 - momentum).add_(unbiased, alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: expected running_mean and running_var in eval "
                               "mode, got None")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (input - mean) * ag.rsqrt(var + eps)
    return _affine(out, weight, bias, shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Same as torch.nn.functional.layer_norm."""
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


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Same as torch.nn.functional.group_norm."""
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-d input, got shape "
                           f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input ({c}) to be "
                           f"divisible by num_groups ({num_groups})")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(dim=2, keepdim=True)
    var = ag.var(x, dim=2, keepdim=True, correction=0)
    out = ((x - mean) * ag.rsqrt(var + eps)).reshape(input.shape)
    return _affine(out, weight, bias, (1, c) + (1,) * (input.ndim - 2))
