"""Products and integrals: kron, tensordot, inner (n-d), cross, vecdot, multi_dot /
chain_matmul, cdist, trapezoid, cumulative_trapezoid, and linear (x W^T + b in one node).
Most are compositions of differentiable ops; cdist has its own backward (zero at zero
distance, as PyTorch) and linear its own node."""
from __future__ import annotations

import builtins
import warnings

from .. import amp as _amp
from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import shape as _shape
from . import split as _split
from .compare import where
from .linalg import MatMul, matmul
from .reduce import cumsum, sum_to
from .reduce import sum as _sum
from .unary import abs as _abs
from .unary import sign


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


# ----------------------------------------------------------------------------- kron, tensordot
def kron(input, other):
    """Same as torch.kron: the Kronecker product (the shorter shape padded with ones)."""
    a, b = _tensor(input, "kron"), _tensor(other, "kron")
    nd = builtins.max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    # out[i * nb + j] = a[i] * b[j]: interleave the dims as (a0, b0, a1, b1, ...)
    ai = _shape.reshape(a, tuple(x for s in sa for x in (s, 1)))
    bi = _shape.reshape(b, tuple(x for s in sb for x in (1, s)))
    return _shape.reshape(ai * bi, tuple(x * y for x, y in zip(sa, sb)))


def _tensordot_dims(a, b, dims):
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    da, db = dims
    da = [da] if isinstance(da, int) else list(da)
    db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


def tensordot(a, b, dims=2, out=None):
    """Same as torch.tensordot: contract dims of `a` with dims of `b` (an int n: the last
    n of a with the first n of b; or two lists), as one matmul."""
    _tensor(a, "tensordot"), _tensor(b, "tensordot")
    da, db = _tensordot_dims(a, b, dims)
    da = [_shape.norm_dim(d, a.ndim, "tensordot") for d in da]
    db = [_shape.norm_dim(d, b.ndim, "tensordot") for d in db]
    for i, j, ri, rj in zip(da, db, *_tensordot_dims(a, b, dims)):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {ri} and second has size {b.shape[j]} "
                               f"in dim {rj}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    left = _shape.reshape(_shape.permute(a, tuple(free_a + da)), (-1, k))
    right = _shape.reshape(_shape.permute(b, tuple(db + free_b)), (k, -1))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return _shape.reshape(matmul(left, right), shape)


def inner(input, other):
    """Same as torch.inner: the sum over the last dims; 0-d operands multiply."""
    a, b = _tensor(input, "inner"), _tensor(other, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    return tensordot(a, b, ([-1], [-1]))


# ----------------------------------------------------------------------------- cross, vecdot
def linalg_cross(input, other, *, dim=-1):
    """Same as torch.linalg.cross: the 3-vector cross product along `dim`, broadcasting."""
    a, b = _tensor(input, "linalg.cross"), _tensor(other, "linalg.cross")
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, "
                           f"got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    d = _shape.norm_dim(dim, a.ndim, "linalg.cross")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    try:
        shape = backend.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"linalg.cross: shapes {tuple(a.shape)} and {tuple(b.shape)} "
                           "cannot broadcast") from None
    a = a if tuple(a.shape) == shape else _shape.expand(a, shape)
    b = b if tuple(b.shape) == shape else _shape.expand(b, shape)
    # (a x b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}, indices mod 3: rolls along dim
    a1, a2 = _shape.roll(a, -1, d), _shape.roll(a, -2, d)
    b1, b2 = _shape.roll(b, -1, d), _shape.roll(b, -2, d)
    return a1 * b2 - a2 * b1


def cross(input, other, dim=None):
    """Same as torch.cross: with dim None PyTorch's deprecation warning, and the first dim
    of size 3 of `input`."""
    _tensor(input, "cross"), _tensor(other, "cross")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use "
                      "torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning,
                      stacklevel=2)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    """Same as torch.linalg.vecdot (real tensors): sum(x * y, dim) with broadcasting."""
    _tensor(x, "linalg.vecdot"), _tensor(y, "linalg.vecdot")
    if _amp.mode.on:
        x, y = _amp.lower(x, y, op="linalg_vecdot")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but "
                           f"found x of type {x.dtype} and y of type {y.dtype} instead")
    return _sum(x * y, dim)


# ----------------------------------------------------------------------------- multi_dot
def _chain_order(dims):
    """The cheapest parenthesisation of a chain of matrices with shapes dims[i] x
    dims[i + 1] (the textbook dynamic programme, on a few host ints): split[i][j]."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


def multi_dot(tensors, *, out=None):
    """Same as torch.linalg.multi_dot: a chain of matmuls in the cheapest order; the first
    and last tensors may be 1-d (a row and a column vector)."""
    op = "multi_dot()"
    tensors = [_tensor(t, "linalg.multi_dot") for t in tensors]
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"{op}: expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"{op}: the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"{op}: the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"{op}: tensor {i} must be 2D but got {t.ndim}D")
    mats = list(tensors)
    if first.ndim == 1:
        mats[0] = _shape.unsqueeze(first, 0)
    if last.ndim == 1:
        mats[-1] = _shape.unsqueeze(last, 1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"{op}: tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               "cannot be multiplied")
        if mats[i].dtype != mats[i + 1].dtype:
            raise RuntimeError(f"{op}: all tensors must have the same dtype, got "
                               f"{mats[i].dtype} and {mats[i + 1].dtype}")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    result = _chain(mats, _chain_order(dims), 0, n - 1)
    if first.ndim == 1:
        result = _shape.squeeze(result, 0)
    if last.ndim == 1:
        result = _shape.squeeze(result, -1)
    return result


_chain_warned = []


def chain_matmul(*matrices, out=None):
    """Same as torch.chain_matmul (deprecated there: it warns once): 2-d matrices only."""
    if not _chain_warned:
        _chain_warned.append(True)
        warnings.warn("torch.chain_matmul is deprecated and will be removed in a future "
                      "PyTorch release. Use torch.linalg.multi_dot instead, which accepts a "
                      "list of two or more tensors rather than multiple parameters.",
                      UserWarning, stacklevel=2)
    for t in matrices:
        if _tensor(t, "chain_matmul").ndim != 2:
            raise RuntimeError(f"chain_matmul(): Expected 2D tensors, but got a tensor of "
                               f"shape {tuple(t.shape)}")
    if len(matrices) == 1:
        return _shape.clone(matrices[0])
    return multi_dot(matrices)


# ----------------------------------------------------------------------------- cdist
_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
          "donot_use_mm_for_euclid_dist")


class Cdist(Function):
    """Pairwise p-norm distances of the rows of x1 (..., P, M) and x2 (..., R, M)."""

    save_output = True

    @staticmethod
    def forward(ctx, x1, x2, p, use_mm):
        a, b = x1.array, x2.array
        xp = backend.array_module(a)
        ctx.save_for_backward(x1, x2)
        ctx.p = p
        if p == 2 and use_mm:  # |a|^2 + |b|^2 - 2 a.b, clamped at 0 against rounding
            sq = ((a * a).sum(-1)[..., :, None] + (b * b).sum(-1)[..., None, :]
                  - 2 * (a @ xp.swapaxes(b, -1, -2)))
            return xp.sqrt(xp.maximum(sq, 0))
        diff = xp.abs(a[..., :, None, :] - b[..., None, :, :])
        if p == 0:
            return (diff != 0).sum(-1).astype(a.dtype)
        if p == float("inf"):
            return diff.max(-1) if diff.shape[-1] else diff.sum(-1)
        if p == 1:
            return diff.sum(-1)
        if p == 2:
            return xp.sqrt((diff * diff).sum(-1))
        return (diff ** p).sum(-1) ** (1.0 / p)

    @staticmethod
    def backward(ctx, grad):
        x1, x2 = ctx.saved_tensors
        p, dist = ctx.p, ctx.output
        zero = dist == 0
        if p == 0:  # piecewise constant: zero gradients, as PyTorch gives
            xp = backend.array_module(x1.array)
            return (_make(xp.zeros(x1.shape, x1.array.dtype)),
                    _make(xp.zeros(x2.shape, x2.array.dtype)), None, None)
        if p == 2:  # d dist / d x1_p = sum_r g_pr (x1_p - x2_r) / dist_pr, 0 where dist is 0
            w = where(zero, 0.0, grad / where(zero, 1.0, dist))
            g1 = _shape.unsqueeze(_sum(w, -1), -1) * x1 - matmul(w, x2)
            g2 = _shape.unsqueeze(_sum(w, -2), -1) * x2 - matmul(_shape.transpose(w, -1, -2),
                                                                  x1)
        else:
            diff = _shape.unsqueeze(x1, -2) - _shape.unsqueeze(x2, -3)
            g, zero, dist = (_shape.unsqueeze(t, -1) for t in (grad, zero, dist))
            if p == 1:
                gd = g * sign(diff)
            elif p == float("inf"):  # the gradient goes to the entries reaching the max
                hit = _abs(diff) == dist
                gd = where(zero | ~hit, 0.0, g * sign(diff))
            else:  # sign(d) |d|^(p-1) / dist^(p-1), 0 at zero distance (and zero entries)
                ad = _abs(diff)
                mask = zero | (ad == 0)
                ratio = where(mask, 0.0, ad) / where(zero, 1.0, dist)
                gd = where(mask, 0.0, g * sign(diff) * ratio ** (p - 1))
            g1, g2 = _sum(gd, -2), -_sum(gd, -3)
        return sum_to(g1, tuple(x1.shape)), sum_to(g2, tuple(x2.shape)), None, None


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Same as torch.cdist: batched (broadcasting batch dims) p-norm distances between the
    rows of x1 and x2."""
    _tensor(x1, "cdist"), _tensor(x2, "cdist")
    if _amp.mode.on:
        x1, x2 = _amp.fp32("cdist", x1, x2)
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if not backend.is_floating(x.dtype):
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x.dtype}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: expected both inputs to have the same dtype, got "
                           f"{x1.dtype} and {x2.dtype}")
    x1, x2 = _shape.broadcast_batch(x1, x2, "cdist")
    use_mm = compute_mode == _MODES[1] or (
        compute_mode == _MODES[0] and (x1.shape[-2] > 25 or x2.shape[-2] > 25))
    return Cdist.apply(x1, x2, float(p), use_mm)


# ----------------------------------------------------------------------------- trapezoid
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Same as torch.trapezoid: the trapezoidal rule along `dim`, with sample points `x`
    (a tensor) or a constant spacing `dx` (default 1)."""
    _tensor(y, "trapezoid")
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: give "
                        "either x or dx, not both")
    d = _shape.norm_dim(dim, y.ndim, "trapezoid")
    n = y.shape[d]
    if n == 0:
        return _sum(y, d) * 0
    left, right = _split.narrow(y, d, 0, n - 1), _split.narrow(y, d, 1, n - 1)
    if x is None:
        return _sum(left + right, d) * ((1.0 if dx is None else dx) / 2)
    return _sum(_spacing(x, y, d, "trapezoid") * (left + right), d) / 2


def _spacing(x, y, d, op):
    """x's differences along the integration dim, shaped to broadcast with y's."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point, "
                               f"got x of shape {tuple(x.shape)} and y of shape "
                               f"{tuple(y.shape)}")
        gaps = x[1:] - x[:-1]
        return _shape.reshape(gaps, (-1,) + (1,) * (y.ndim - 1 - d))
    xd = _shape.norm_dim(d - y.ndim, x.ndim, op)
    m = x.shape[xd]
    return _split.narrow(x, xd, 1, m - 1) - _split.narrow(x, xd, 0, m - 1)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Same as torch.cumulative_trapezoid: the running trapezoidal sums along `dim` (one
    fewer entry than y)."""
    _tensor(y, "cumulative_trapezoid")
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid() received an invalid combination of "
                        "arguments: give either x or dx, not both")
    d = _shape.norm_dim(dim, y.ndim, "cumulative_trapezoid")
    n = y.shape[d]
    if n == 0:
        return y
    left, right = _split.narrow(y, d, 0, n - 1), _split.narrow(y, d, 1, n - 1)
    if x is None:
        return cumsum((left + right) * ((1.0 if dx is None else dx) / 2), d)
    return cumsum(_spacing(x, y, d, "cumulative_trapezoid") * (left + right) / 2, d)


# ----------------------------------------------------------------------------- linear
class Linear(Function):
    """y = x W^T + b in one node (no separate transpose and add nodes)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        xa, wa = x.array, weight.array
        if xa.dtype != wa.dtype or (bias is not None and bias.array.dtype != wa.dtype):
            raise RuntimeError(
                "linear: expected input, weight and bias of one dtype, got "
                f"{xa.dtype}, {wa.dtype}" + (f" and {bias.dtype}" if bias is not None else ""))
        if xa.ndim == 0 or xa.shape[-1] != wa.shape[1]:
            raise RuntimeError(
                f"linear: expected input with last dimension {wa.shape[1]} (weight of shape "
                f"{tuple(wa.shape)}), got input of shape {tuple(xa.shape)}")
        out = backend.matmul(xa, wa.T)  # bfloat16: float32 accumulation
        if bias is not None:
            try:
                out += bias.array
            except ValueError:
                raise RuntimeError(
                    f"linear: expected bias of shape ({wa.shape[0]},), got "
                    f"{tuple(bias.shape)}") from None
        ctx.save_for_backward(x, weight)
        ctx.bias_shape = None if bias is None else bias.array.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.next  # None where no gradient is needed
        grad_x = grad_w = grad_b = None
        # forward checked the shapes and dtypes: the MatMul op itself, not the checking
        # matmul() function, is called here
        if need_x is not None:
            grad_x = MatMul.apply(grad, weight)
        if need_w is not None:
            # sum over every leading (batch) dim: dW = G^T X with both flattened to 2-D
            g, xs = grad, x
            if grad.ndim != 2:
                n_out, n_in = weight.shape
                g, xs = grad.reshape(-1, n_out), x.reshape(-1, n_in)
            grad_w = WeightGrad.apply(g, xs)
        if need_b is not None:
            grad_b = sum_to(grad, ctx.bias_shape)
        return grad_x, grad_w, grad_b


class WeightGrad(Function):
    """Linear's weight gradient G^T X (G: (N, out), X: (N, in)) as one op: the plain
    backward records no transpose node and calls BLAS once; differentiable again (its
    backward is two matmuls)."""

    @staticmethod
    def forward(ctx, g, x):
        if ctx.recording:
            ctx.save_for_backward(g, x)
        return backend.matmul(g.array.T, x.array)  # bfloat16: float32 accumulation

    @staticmethod
    def backward(ctx, gw):
        g, x = ctx.saved_tensors
        need_g, need_x = ctx.next
        # d(G^T X)/dG applied to gw: X gw^T; d/dX: G gw
        return (MatMul.apply(x, _shape.transpose(gw, 0, 1)) if need_g is not None else None,
                MatMul.apply(g, gw) if need_x is not None else None)
