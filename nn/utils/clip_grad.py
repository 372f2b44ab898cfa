"""Gradient clipping: rescale by the total norm, or clamp each element."""
from __future__ import annotations

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
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return ag.tensor(0.0)
    # the norm of the per-tensor norms equals the norm of all elements together
    total = _nn_support.total_norm(grads, norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    _nn_support.scale_to_norm_(grads, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Same as torch.nn.utils.clip_grad_value_: clamps gradients to [-clip_value,
    clip_value] in place."""
    clip_value = float(clip_value)
    _nn_support.clamp_(_grads(parameters), -clip_value, clip_value)
