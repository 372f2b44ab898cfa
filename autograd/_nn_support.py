"""What nn needs of arrays beyond the public ops, as functions on Tensors (nn never touches
the backend): multi-tensor norms, scaling and clamping for gradient clipping (PyTorch's
`torch._foreach_*` family plays this role), L-BFGS's flat-vector maths (kept on arrays:
a step is a few dozen small vector ops per iteration), and a QR without gradient for
`nn.init.orthogonal_`.
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
# L-BFGS works on all parameters as one flat vector: these functions take and return that
# vector as an array (opaque to nn, which only adds, negates and scales it) so that the
# step does one concatenation per gradient and no Tensor per history entry. Scalars from
# `dot` stay 0-d arrays on the device; `max_abs` and `abs_sum` read back to the host.
def flat_grad(params: list[Tensor]):
    """All gradients as one new vector (zeros for a parameter without one)."""
    xp = backend.array_module(params[0].array)
    return xp.concatenate([
        p.grad.array.reshape(-1) if p.grad is not None
        else xp.zeros(p.array.size, dtype=p.array.dtype) for p in params])


def add_flat_(params: list[Tensor], step_size: float, update) -> None:
    """params += step_size * update in place, the flat vector cut back into parameters,
    rounded as the optimisers' updates are (one BLAS axpy for large host arrays)."""
    offset = 0
    for p in params:
        n = p.array.size
        backend.add_scaled_(p.array, update[offset:offset + n].reshape(p.shape), step_size)
        p._version[0] += 1
        offset += n


def copy_params(params: list[Tensor]) -> list:
    """Copies of the parameters' values (for set_params_)."""
    return [p.array.copy() for p in params]


def set_params_(params: list[Tensor], values: list) -> None:
    """Write values saved by copy_params back into the parameters."""
    for p, arr in zip(params, values):
        p.array[...] = arr
        p._version[0] += 1


def dot(a, b):
    """The inner product of two flat vectors, as a 0-d array (no host read)."""
    return backend.array_module(a).dot(a, b)


def max_abs(v) -> float:
    """max |v|, read back to the host."""
    return float(backend.array_module(v).abs(v).max())


def abs_sum(v) -> float:
    """sum |v|, read back to the host."""
    return float(backend.array_module(v).abs(v).sum())


def lbfgs_direction(flat_grad, prev_flat_grad, d, t, old_dirs: list, old_stps: list,
                    ro: list, H_diag, al: list, history_size: int):
    """One L-BFGS direction -H g: the curvature pair (y, s) from the last step joins the
    history (lists updated in place, the oldest dropped at `history_size`) when y's > 1e-10,
    then the two-loop recursion over it (`al` filled in place). Returns (d, H_diag)."""
    xp = backend.array_module(flat_grad)
    y = flat_grad - prev_flat_grad
    s = d * t
    ys = xp.dot(y, s)
    if float(ys) > 1e-10:  # curvature condition: keep the pair (y, s)
        if len(old_dirs) == history_size:
            old_dirs.pop(0)
            old_stps.pop(0)
            ro.pop(0)
        old_dirs.append(y)
        old_stps.append(s)
        ro.append(1.0 / ys)
        H_diag = ys / xp.dot(y, y)  # initial Hessian scale y's / y'y
    # scalars stay 0-d arrays on the device: the recursion needs no host reads
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = xp.dot(old_stps[i], q) * ro[i]
        q -= al[i] * old_dirs[i]
    d = r = q * H_diag
    for i in range(len(old_dirs)):
        be_i = xp.dot(old_dirs[i], r) * ro[i]
        r += (al[i] - be_i) * old_stps[i]
    return d, H_diag


def state_tensor(value):
    """An array or NumPy scalar as a Tensor for optimiser state (0-d for the scalars, as
    PyTorch keeps them); Python numbers, None and Tensors stay."""
    if value is None or type(value) in (int, float) or isinstance(value, Tensor):
        return value
    return _make(backend.array_module(value).asarray(value))


# ----------------------------------------------------------------------------- init
def qr(a: Tensor) -> tuple[Tensor, Tensor]:
    """The reduced QR factorisation of a 2-D tensor, without gradient (for
    nn.init.orthogonal_; autograd.linalg.qr is the differentiable one)."""
    q, r = backend.array_module(a.array).linalg.qr(a.array)
    return _make(q), _make(r)
