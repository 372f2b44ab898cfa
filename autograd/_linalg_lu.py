"""The LU functions of torch.linalg (re-exported by `autograd.linalg`): lu_factor,
lu_factor_ex, lu, lu_solve, and torch's lu_unpack and lu (deprecated form). The
differentiable factorisation lives in ops/lu.py."""
from __future__ import annotations

from . import backend
from .ops import lu as _lu
from .ops.decomp import LinAlgError
from .ops.decomp import check_matrix as _check
from .ops.decomp import mT as _mT
from .ops.decomp import solve_triangular as _solve_tri
from .ops.linalg import matmul as _matmul
from .return_types import return_type
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_lu_factor_result = return_type("linalg_lu_factor", ["LU", "pivots"])
_lu_factor_ex_result = return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_lu_result = return_type("linalg_lu", ["P", "L", "U"])
_lu_unpack_result = return_type("lu_unpack", ["P", "L", "U"])


def _factor(A, op, pivot):
    _check(A, op)
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")
    return _lu.LuFactor.apply(A)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """Same as torch.linalg.lu_factor_ex: (LU, pivots, info); info > 0 names the first
    zero pivot (1-based), as LAPACK's getrf."""
    LU, pivots, _, info = _factor(A, "linalg.lu_factor_ex", pivot)
    if check_errors and bool((info.array != 0).any()):
        raise LinAlgError("linalg.lu_factor_ex: The factorization could not be completed "
                          "because the input is singular")
    return _lu_factor_ex_result(LU, pivots, info)


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """Same as torch.linalg.lu_factor: (LU packed, pivots int32, 1-based); a zero pivot
    raises, as in PyTorch."""
    LU, pivots, _, info = _factor(A, "linalg.lu_factor", pivot)
    bad = backend.to_host(info.array).reshape(-1)
    if bad.any():
        first = int(bad[bad != 0][0]) - 1
        raise RuntimeError(f"torch.linalg.lu_factor: U[{first},{first}] is zero and using it "
                           "on lu_solve would result in a division by zero. If you still "
                           "want to perform the factorization, consider calling "
                           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return _lu_factor_result(LU, pivots)


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """Same as torch.linalg.lu: (P, L, U) with A = P L U, L unit lower triangular (m x k),
    U upper (k x n); gradients through L and U as PyTorch's."""
    LU, _, perm, _ = _factor(A, "linalg.lu", pivot)
    L, U = _lu.unpack(LU)
    return _lu_result(_make(_lu.permutation_matrix(perm.array, A.array.dtype)), L, U)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True, *, out=None):
    """Same as torch.lu_unpack: (P, L, U) from lu_factor's output (empty tensors for the
    parts not asked for)."""
    _check(LU_data, "lu_unpack")
    xp = backend.array_module(LU_data.array)
    empty = _make(xp.zeros((0,), dtype=LU_data.array.dtype))
    L, U = _lu.unpack(LU_data) if unpack_data else (empty, empty)
    P = empty
    if unpack_pivots:
        perm = _lu.perm_from_pivots(LU_pivots.array, LU_data.shape[-2])
        P = _make(_lu.permutation_matrix(perm, LU_data.array.dtype))
    return _lu_unpack_result(P, L, U)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False, out=None) -> Tensor:
    """Same as torch.linalg.lu_solve: X with A X = B (X A = B when left=False; A^T in
    place of A when adjoint) for A given by lu_factor's (LU, pivots)."""
    op = "linalg.lu_solve"
    _check(LU, op, square=True)
    _check(B, op)
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(lu_solve(LU, pivots, _mT(B), adjoint=not adjoint))
    P = _make(_lu.permutation_matrix(_lu.perm_from_pivots(pivots.array, n), LU.array.dtype))
    if not adjoint:  # A = P L U: X = U^-1 L^-1 P^T B
        Y = _solve_tri(LU, _matmul(_mT(P), B), upper=False, unitriangular=True)
        return _solve_tri(LU, Y, upper=True)
    # A^T = U^T L^T P^T: X = P L^-T U^-T B
    Y = _solve_tri(LU, B, upper=True, transpose=True)
    return _matmul(P, _solve_tri(LU, Y, upper=False, unitriangular=True, transpose=True))


def torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """Same as torch.lu (deprecated form): (A_LU, pivots[, infos])."""
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    return (LU, pivots, info) if get_infos else (LU, pivots)


__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack", "torch_lu"]
