"""Gradient clipping: rescale by the total norm, or clamp each element."""
from __future__ import annotations

import math

from autograd import backend
from autograd.tensor import Tensor, _make


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(arr, norm_type: float):
    """The norm of a flattened array, as a 0-d array of the same dtype."""
    xp = backend.array_module(arr)
    # NumPy reductions return scalars, not 0-d arrays
    return xp.asarray(_norm_value(xp, arr, norm_type), dtype=arr.dtype)


def _norm_value(xp, arr, norm_type):
    if norm_type == math.inf:
        return xp.max(xp.abs(arr)) if arr.size else xp.zeros((), arr.dtype)
    if norm_type == -math.inf:
        return xp.min(xp.abs(arr)) if arr.size else xp.full((), math.inf, arr.dtype)
    if norm_type == 0:
        return xp.asarray(xp.count_nonzero(arr), dtype=arr.dtype)
    if norm_type == 1:
        return xp.sum(xp.abs(arr))
    if norm_type == 2:
        return xp.sqrt(xp.sum(arr * arr))
    return xp.sum(xp.abs(arr) ** norm_type) ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Same as torch.nn.utils.clip_grad_norm_: scales all gradients in place by
    min(1, max_norm / (total_norm + 1e-6)) and returns the total norm (a 0-d Tensor on the
    first gradient's device). `foreach` is accepted and ignored."""
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return _make(backend.asarray(0.0, dtype=backend.get_default_dtype()))
    first = grads[0].array
    dev = backend.device_of(first)
    xp = backend.array_module(first)
    # the norm of the per-tensor norms equals the norm of all elements together
    norms = [backend.to_device(_vector_norm(g.array, norm_type), dev) for g in grads]
    dtype = norms[0].dtype
    for n in norms[1:]:
        dtype = backend.promote_types(dtype, n.dtype)
    total = _vector_norm(xp.stack([n.astype(dtype, copy=False) for n in norms]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    coef = xp.asarray(xp.minimum(max_norm / (total + 1e-6), 1.0), dtype=dtype)
    for g in grads:
        g.array *= backend.to_device(coef, backend.device_of(g.array)).astype(
            g.array.dtype, copy=False)
        g._version[0] += 1
    return _make(total)


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Same as torch.nn.utils.clip_grad_value_: clamps gradients to [-clip_value,
    clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        backend.array_module(g.array).clip(g.array, -clip_value, clip_value, out=g.array)
        g._version[0] += 1
