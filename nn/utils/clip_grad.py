"""Gradient clipping: rescale by the total norm, or clamp each element."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd import _nn_support
from autograd.tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Same as torch.nn.utils.clip_grad_norm_: scales all gradients in place by
    min(1, max_norm / (total_norm + 1e-6)) and returns the total norm (a 0-d Tensor on the
    first gradient's device). `foreach` is accepted and ignored."""
    # as PyTorch composes it: the total norm, then the scaling
    max_norm = float(max_norm)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        _nn_support.scale_to_norm_(grads, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Same as torch.nn.utils.clip_grad_value_: clamps gradients to [-clip_value,
    clip_value] in place."""
    clip_value = float(clip_value)
    _nn_support.clamp_(_grads(parameters), -clip_value, clip_value)


def _tensors(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Same as torch.nn.utils.get_total_norm: the norm of the norms of `tensors` (the
    norm of all their elements together); a 0-d tensor, 0 for no tensors."""
    tensors = [t for t in _tensors(tensors) if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return ag.tensor(0.0)
    # the norm of the per-tensor norms equals the norm of all elements together
    total = _nn_support.total_norm(tensors, norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None) -> None:
    """Same as torch.nn.utils.clip_grads_with_norm_: scales the gradients in place by
    min(1, max_norm / (total_norm + 1e-6)), total_norm given (see get_total_norm)."""
    grads = _grads(parameters)
    if grads:
        if not isinstance(total_norm, Tensor):
            total_norm = ag.tensor(float(total_norm))
        _nn_support.scale_to_norm_(grads, float(max_norm), total_norm)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated form of clip_grad_norm_ (warns with FutureWarning, as torch does)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)
