"""`autograd.linalg` (torch.linalg): the norms (vector_norm, matrix_norm, norm), cross,
vecdot, multi_dot, cond and matrix_power here; inv, det, slogdet and solve from
ops/solve.py; the decompositions (svd, qr, cholesky, eigh, eig, lstsq, pinv, matrix_exp,
matrix_rank, solve_triangular, inv_ex, solve_ex) from _decompositions.py, the LU
functions from _linalg_lu.py."""
from __future__ import annotations

import math

from . import backend
from ._decompositions import (
    cholesky,
    cholesky_ex,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    householder_product,
    inv_ex,
    lstsq,
    matrix_exp,
    matrix_rank,
    pinv,
    qr,
    solve_ex,
    solve_triangular,
    svd,
    svdvals,
)
from ._linalg_lu import lu, lu_factor, lu_factor_ex, lu_solve
from .backend import extras as _bx
from .ops import reduce as _reduce
from .ops import shape as _shape
from .ops import unary as _unary
from .ops.compare import where
from .ops.decomp import check_matrix as _check
from .ops.elementwise import cast as _cast
from .ops.linalg import matmul as _matmul
from .ops.products import linalg_cross
from .ops.products import multi_dot as _multi_dot
from .ops.products import vecdot as _vecdot
from .ops.solve import (  # noqa: F401 (torch.linalg's names)
    LinAlgError,
    _square,
    det,
    inv,
    solve,
)
from .ops.solve import slogdet as _slogdet
from .ops.split import cat
from .return_types import return_type
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_INF = float("inf")


def _float_input(x, op, dtype):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    if dtype is not None:
        x = _cast(x, dtype)
    if backend.kind(x.array.dtype) not in "fc":
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
    """Same as torch.linalg.matrix_norm: ord 'fro', 'nuc', 2, -2, 1, -1, inf, -inf over
    the two dims `dim`, batched over the others ('nuc', 2, -2 from the singular values)."""
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
        moved = _shape.movedim(A, (d0, d1), (-2, -1))
        S = svdvals(moved)
        out = (_reduce.sum(S, -1) if ord == "nuc" else
               _reduce.amax(S, -1) if ord == 2 else _reduce.amin(S, -1))
        if keepdim:
            out = _shape.unsqueeze(_shape.unsqueeze(out, min(d0, d1)), max(d0, d1))
        return out
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


# ----------------------------------------------------------------------------- products
def cross(input, other, *, dim=-1):
    """Same as torch.linalg.cross."""
    return linalg_cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    """Same as torch.linalg.vecdot (real tensors)."""
    return _vecdot(x, y, dim=dim)


def multi_dot(tensors, *, out=None):
    """Same as torch.linalg.multi_dot."""
    return _multi_dot(tensors)


# ----------------------------------------------------------------------------- inverses
def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """Same as torch.linalg.cond: sigma_max / sigma_min for p None, 2 (-2: the
    inverse); otherwise matrix_norm(A, p) * matrix_norm(inv(A), p) (square A)."""
    _check(A, "linalg.cond")
    if p in (None, 2, -2):
        S = svdvals(A)
        hi, lo = _reduce.amax(S, -1), _reduce.amin(S, -1)
        return hi / lo if p != -2 else lo / hi
    _check(A, "linalg.cond", square=True)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def matrix_power(A, n, *, out=None):
    """Same as torch.linalg.matrix_power: repeated squaring with matmul; n < 0 inverts
    first; n = 0 gives identities (no gradient flows to A)."""
    op = "linalg.matrix_power"
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(A).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim >= 2 else 1} by "
                           f"{A.shape[-1] if A.ndim else 1} matrices")
    if n == 0:
        xp = backend.array_module(A.array)
        eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.array.dtype), A.array.shape)
        return _make(eye.copy())
    if n < 0:
        A, n = inv(_square(A, op)), -n
    result, base = None, A
    while n:  # binary powering: O(log n) matmuls
        if n & 1:
            result = base if result is None else _matmul(result, base)
        n >>= 1
        if n:
            base = _matmul(base, base)
    return result if result is not A else _shape.clone(A)


def logdet(A):
    """Same as torch.logdet: log det(A); nan where det(A) < 0, -inf where it is 0."""
    sign, logabs = slogdet(A)
    return where(sign < 0, float("nan"), logabs)


__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "eig", "eigh",
           "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "lstsq", "lu",
           "lu_factor", "lu_factor_ex", "lu_solve",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm",
           "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals",
           "vecdot", "vector_norm", "diagonal", "ldl_factor", "ldl_factor_ex", "ldl_solve",
           "matmul", "tensorinv", "tensorsolve", "vander"]


# ----------------------------------------------------------------------------- the rest
# torch.linalg's remaining functions: diagonal, matmul, vander, tensorinv, tensorsolve
# (compositions of Tensor ops and linalg.inv / solve, so they have gradients), and the LDL
# factorisation ldl_factor(_ex) / ldl_solve (LAPACK's sytrf/sytrs, as PyTorch; no gradient,
# as in PyTorch).
_LinalgSlogdet = return_type("linalg_slogdet", ["sign", "logabsdet"])


def slogdet(A, *, out=None):
    """Same as torch.linalg.slogdet: (sign, logabsdet), a named tuple (torch.slogdet and
    Tensor.slogdet give the same values as `slogdet`)."""
    return _LinalgSlogdet(*_slogdet(A, out=out))


_LDL = return_type("linalg_ldl_factor", ["LD", "pivots"])
_LDLEx = return_type("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
matmul = _matmul


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Same as torch.linalg.diagonal (torch.diagonal with dims -2, -1 by default)."""
    return _shape.diagonal(A, offset, dim1, dim2)


def vander(x, *, N=None):
    """Same as torch.linalg.vander: columns x^0, x^1, ..., x^(N-1) (increasing powers)."""
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError(f"linalg.vander: N must be greater than 1, got N={n}")
    if not x.is_floating_point() and not x.is_complex():
        x = x.long()
    ones = x.new_ones(tuple(x.shape) + (1,))
    powers = x.unsqueeze(-1).expand(tuple(x.shape) + (n - 1,)).cumprod(-1)
    return cat([ones, powers], -1)


def tensorinv(A, ind=2):
    """Same as torch.linalg.tensorinv: the inverse of A seen as a matrix of
    prod(A.shape[:ind]) rows and prod(A.shape[ind:]) columns."""
    if ind <= 0:
        raise RuntimeError(f"linalg.tensorinv: Expected a strictly positive integer for 'ind', "
                           f"but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"linalg.tensorinv: Expected self to satisfy the requirement "
                           f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                           f"{math.prod(cols)} != {math.prod(rows)}")
    return inv(A.reshape(math.prod(rows), math.prod(cols))).reshape(cols + rows)


def tensorsolve(A, B, dims=None):
    """Same as torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) == B."""
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        A = A.permute([d for d in range(A.dim()) if d not in dims] + dims)
    rest = tuple(A.shape[B.dim():])
    if math.prod(A.shape[:B.dim()]) != B.numel() or math.prod(rest) != B.numel():
        raise RuntimeError(f"linalg.tensorsolve: Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
                           f"but got shapes {tuple(A.shape)} and {tuple(B.shape)}")
    x = solve(A.reshape(B.numel(), B.numel()), B.reshape(B.numel(), 1))
    return x.reshape(rest)



def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """Same as torch.linalg.ldl_factor_ex: (LD, pivots, info) of LAPACK's sytrf."""
    _square(A, "linalg.ldl_factor_ex")
    ld, piv, info = _bx.ldl_factor(A.detach().array, hermitian)
    out = _LDLEx(_make(ld), _make(piv), _make(info))
    if check_errors and bool((info != 0).any()):
        raise LinAlgError(f"torch.linalg.ldl_factor_ex: The factorization could not be "
                          f"completed because the input is not invertible (info = "
                          f"{out.info.tolist()}).")
    return out


def ldl_factor(A, *, hermitian=False):
    """Same as torch.linalg.ldl_factor: (LD, pivots); raises on a singular D."""
    _square(A, "linalg.ldl_factor")
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if bool((info.array != 0).any()):
        raise LinAlgError("torch.linalg.ldl_factor: The factorization could not be completed "
                          "because the input is not invertible.")
    return _LDL(LD, pivots)


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """Same as torch.linalg.ldl_solve: X with A X = B, from A's ldl_factor."""
    _square(LD, "linalg.ldl_solve")
    if B.dim() < 2 or B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the "
                           f"equation AX = B ({tuple(LD.shape)} and {tuple(B.shape)})")
    if pivots.dtype != backend.int32:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected pivots to be integers. Got "
                           f"{pivots.dtype}")
    return _make(_bx.ldl_solve(LD.detach().array, pivots.array, B.detach().array, hermitian))
