"""LU factorisation with partial pivoting (torch.linalg.lu_factor's packed form and
LAPACK's 1-based pivots), computed by the backend's array module one elimination step
per column, vectorised over the batch; PyTorch's gradient through the L and U factors
(square, wide and tall matrices)."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import _make
from . import shape as _shape
from . import split as _split
from .decomp import mT, solve_triangular
from .linalg import matmul


def lu_factor_array(a):
    """(LU packed, pivots int32 1-based, perm: row order with A[perm] = L U, info)."""
    xp = backend.array_module(a)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    flat = a.reshape((-1, m, n)).copy()
    rows = xp.arange(flat.shape[0])
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    pivots = xp.zeros((flat.shape[0], k), dtype=backend.int32)
    info = xp.zeros(flat.shape[0], dtype=backend.int32)
    for j in range(k):  # elimination steps (columns), each over the whole batch
        p = xp.argmax(xp.abs(flat[:, j:, j]), axis=-1) + j
        pivots[:, j] = p + 1
        top, other = flat[:, j].copy(), flat[rows, p].copy()
        flat[:, j], flat[rows, p] = other, top
        top, other = perm[:, j].copy(), perm[rows, p].copy()
        perm[:, j], perm[rows, p] = other, top
        piv = flat[:, j, j]
        zero = piv == 0
        info = xp.where((info == 0) & zero, j + 1, info)
        factors = flat[:, j + 1:, j] / xp.where(zero, 1, piv)[:, None]
        factors = xp.where(zero[:, None], 0, factors)
        flat[:, j + 1:, j] = factors
        flat[:, j + 1:, j + 1:] -= factors[:, :, None] * flat[:, j, None, j + 1:]
    return (flat.reshape(a.shape), pivots.reshape(batch + (k,)), perm.reshape(batch + (m,)),
            info.reshape(batch))


def permutation_matrix(perm, dtype):
    """P with A = P L U from `perm` (A[perm] = L U): P[perm[i], i] = 1."""
    xp = backend.array_module(perm)
    m = perm.shape[-1]
    return (perm[..., None, :] == xp.arange(m)[:, None]).astype(dtype)


def perm_from_pivots(pivots, m):
    """The row order `perm` (A[perm] = L U) from LAPACK's sequential 1-based swaps."""
    xp = backend.array_module(pivots)
    flat = pivots.reshape((-1, pivots.shape[-1])).astype(backend.int64) - 1
    rows = xp.arange(flat.shape[0])
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    for j in range(flat.shape[-1]):  # the recorded swaps, in order
        p = flat[:, j]
        top, other = perm[:, j].copy(), perm[rows, p].copy()
        perm[:, j], perm[rows, p] = other, top
    return perm.reshape(pivots.shape[:-1] + (m,))


class LuFactor(Function):
    """A -> (LU packed, pivots, perm, info); only LU carries a gradient."""

    _materialize = False

    @staticmethod
    def forward(ctx, A):
        LU, pivots, perm, info = lu_factor_array(A.array)
        if ctx.recording:
            ctx.save_for_backward(A, _make(LU), _make(perm))
        return LU, pivots, perm, info

    @staticmethod
    def backward(ctx, gLU, g_piv, g_perm, g_info):
        A, LU, perm = ctx.saved_tensors
        if gLU is None:
            return None
        if A.array.dtype.kind == "c":
            raise NotImplementedError("linalg.lu_factor: the gradient for complex inputs is "
                                      "not implemented in Ember")
        P = _make(permutation_matrix(perm.array, A.array.dtype))
        L, U = unpack(LU)
        k = min(A.shape[-2], A.shape[-1])
        gL = _split.narrow(_shape.tril(gLU, -1), -1, 0, k)
        gU = _split.narrow(_shape.triu(gLU), -2, 0, k)
        return lu_backward(gL, gU, P, L, U)


def unpack(LU):
    """L (unit lower, m x k) and U (upper, k x n) from the packed factor (differentiable)."""
    m, n = LU.shape[-2], LU.shape[-1]
    k = min(m, n)
    xp = backend.array_module(LU.array)
    L = _split.narrow(_shape.tril(LU, -1), -1, 0, k) + _make(xp.eye(m, k, dtype=LU.array.dtype))
    U = _split.narrow(_shape.triu(LU), -2, 0, k)
    return L, U


def _square_backward(gL, gU, L, U):
    """gA' with A' = L U square: L^-T [tril(L^T gL, -1) + triu(gU U^T)] U^-T."""
    gR = _shape.tril(matmul(mT(L), gL), -1) + _shape.triu(matmul(gU, mT(U)))
    gA = solve_triangular(L, gR, upper=False, unitriangular=True, transpose=True)
    return solve_triangular(U, gA, upper=True, left=False, transpose=True)


def lu_backward(gL, gU, P, L, U):
    """PyTorch's gradient of A = P L U for L (m x k) and U (k x n), k = min(m, n)."""
    m, n = L.shape[-2], U.shape[-1]
    if m == n:
        return matmul(P, _square_backward(gL, gU, L, U))
    if m < n:  # U = [U1 U2]: A2 = P L U2 makes U2 = L^-1 P^T A2
        U1, U2 = _split.narrow(U, -1, 0, m), _split.narrow(U, -1, m, n - m)
        gU1, gU2 = _split.narrow(gU, -1, 0, m), _split.narrow(gU, -1, m, n - m)
        gA2 = solve_triangular(L, gU2, upper=False, unitriangular=True, transpose=True)
        gL = gL - matmul(gA2, mT(U2))
        gA1 = _square_backward(gL, gU1, L, U1)
        return matmul(P, _split.cat([gA1, gA2], -1))
    # m > n: L = [L1; L2]: the rows A2 = L2 U make L2 = A2 U^-1
    L1, L2 = _split.narrow(L, -2, 0, n), _split.narrow(L, -2, n, m - n)
    gL1, gL2 = _split.narrow(gL, -2, 0, n), _split.narrow(gL, -2, n, m - n)
    gA2 = solve_triangular(U, gL2, upper=True, left=False, transpose=True)
    gU = gU - matmul(mT(L2), gA2)
    gA1 = _square_backward(gL1, gU, L1, U)
    return matmul(P, _split.cat([gA1, gA2], -2))
