"""`autograd.linalg`: the norms of torch.linalg (vector_norm, matrix_norm for the
Frobenius, 1, -1, inf and -inf norms, and norm dispatching between them). Matrix norms
that need a singular value decomposition ('nuc', 2, -2) are not provided."""
from __future__ import annotations

from .ops import reduce as _reduce
from .ops import shape as _shape
from .ops import unary as _unary
from .ops.elementwise import cast as _cast
from .tensor import Tensor

_INF = float("inf")


def _float_input(x, op, dtype):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    if dtype is not None:
        x = _cast(x, dtype)
    if x.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype}")
    return x


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """Same as torch.linalg.vector_norm: the `ord`-norm over `dim` (every element when
    None): a number, inf, -inf or 0 (the count of non-zero elements)."""
    x = _float_input(x, "linalg.vector_norm", dtype)
    if isinstance(ord, str) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.vector_norm: expected ord to be a number, got {ord!r}")
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    return _reduce.norm(x, float(ord), dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Same as torch.linalg.matrix_norm for ord = 'fro', 1, -1, inf, -inf (over the two
    dims `dim`, batched over the others)."""
    op = "linalg.matrix_norm"
    A = _float_input(A, op, dtype)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: expected a tensor with 2 or more dimensions, got shape "
                           f"{tuple(A.shape)}")
    d0, d1 = (_shape.norm_dim(d, A.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different, got {dim}")
    if ord == "fro":
        return _reduce.norm(A, "fro", (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"{op}: ord={ord!r} needs singular values, which Ember "
                                  "does not compute")
    if ord in (1, -1):  # max / min over columns of the column sums of |A|
        sums, red = _reduce.sum(_unary.abs(A), d0, keepdim=True), d1
    elif ord in (_INF, -_INF):  # max / min over rows of the row sums
        sums, red = _reduce.sum(_unary.abs(A), d1, keepdim=True), d0
    else:
        raise RuntimeError(f"{op}: order {ord!r} not supported")
    pick = _reduce.amax if ord in (1, _INF) else _reduce.amin
    out = pick(sums, red, keepdim=True)
    return out if keepdim else _shape.squeeze(_shape.squeeze(out, max(d0, d1)), min(d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """Same as torch.linalg.norm: with a string ord or a 2-tuple dim a matrix norm; with
    ord None the 2-norm of the flattened input (or the Frobenius norm over a 2-tuple dim);
    otherwise a vector norm (dim None requires a 1-d or 2-d input for a numeric ord)."""
    op = "linalg.norm"
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim == 2:
            dim = (-2, -1)
        elif A.ndim != 1:
            raise RuntimeError(f"{op}: input must be 1-D or 2-D when dim is None and ord is "
                               f"not None, got shape {tuple(A.shape)}")
    if isinstance(ord, str) or (dim is not None and len(dim) == 2):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)
