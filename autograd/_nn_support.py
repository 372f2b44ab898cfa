"""What nn needs of arrays beyond the public ops, as functions on Tensors (nn never touches
the backend): multi-tensor norms, scaling and clamping for gradient clipping (PyTorch's
`torch._foreach_*` family plays this role), an in-place `y += alpha * x` with the
optimisers' rounding for L-BFGS, and a QR without gradient for `nn.init.orthogonal_`.
None of these records a graph: they act on gradients and on parameters under no_grad."""
from __future__ import annotations

import math

from . import backend
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


# ----------------------------------------------------------------------------- clip_grad
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


def total_norm(tensors: list[Tensor], norm_type: float) -> Tensor:
    """The norm of all elements of `tensors` together, computed as the norm of their
    per-tensor norms: a 0-d Tensor on the first tensor's device, in the promoted dtype
    (what torch.nn.utils.get_total_norm returns). `tensors` must not be empty."""
    first = tensors[0].array
    dev = backend.device_of(first)
    norms = [backend.to_device(_vector_norm(t.array, norm_type), dev) for t in tensors]
    dtype = norms[0].dtype
    for n in norms[1:]:
        dtype = backend.promote_types(dtype, n.dtype)
    xp = backend.array_module(first)
    return _make(_vector_norm(xp.stack([n.astype(dtype, copy=False) for n in norms]),
                              norm_type))


def scale_to_norm_(tensors: list[Tensor], max_norm: float, total: Tensor) -> None:
    """Multiply each tensor in place by min(1, max_norm / (total + 1e-6)), the coefficient
    kept on the device (as torch.nn.utils.clip_grads_with_norm_ does)."""
    t = total.array
    xp = backend.array_module(t)
    coef = xp.asarray(xp.minimum(max_norm / (t + 1e-6), 1.0), dtype=t.dtype)
    for g in tensors:
        g.array *= backend.to_device(coef, backend.device_of(g.array)).astype(
            g.array.dtype, copy=False)
        g._version[0] += 1


def clamp_(tensors: list[Tensor], low: float, high: float) -> None:
    """Clamp each tensor into [low, high] in place."""
    for g in tensors:
        backend.array_module(g.array).clip(g.array, low, high, out=g.array)
        g._version[0] += 1


# ----------------------------------------------------------------------------- L-BFGS
def add_scaled_(y: Tensor, x: Tensor, alpha: float) -> None:
    """y += alpha * x in place, rounded as the optimisers' updates are (one BLAS axpy for
    large host arrays); `x` is reshaped to y's shape."""
    backend.add_scaled_(y.array, x.array.reshape(y.array.shape), alpha)
    y._version[0] += 1


# ----------------------------------------------------------------------------- init
def qr(a: Tensor) -> tuple[Tensor, Tensor]:
    """The reduced QR factorisation of a 2-D tensor, without gradient (for
    nn.init.orthogonal_; autograd.linalg.qr is the differentiable one)."""
    q, r = backend.array_module(a.array).linalg.qr(a.array)
    return _make(q), _make(r)
