"""torch.svd_lowrank and torch.pca_lowrank: the randomized range finder (Halko, Martinsson
and Tropp, 2009) with `niter` subspace iterations, then the SVD of the small projected
matrix. Compositions of Ember's matmul, QR and SVD, so gradients come from those ops (and
the result depends on the random draw, as torch's: it is exact when rank(A) <= q)."""
from __future__ import annotations

from . import creation as _cr
from ._decompositions import qr, svd
from .tensor_base import TensorBase as Tensor


def _basis(A, q, niter, M):
    """An orthonormal (m, q) basis approximating A's (minus M's) column space."""
    R = _cr.randn(A.shape[-1], q, dtype=A.dtype, device=A.device)
    X = A @ R if M is None else A @ R - M @ R
    Q = qr(X)[0]
    for _ in range(niter):  # subspace iterations: one pair of QRs each, not per element
        X = A.mT @ Q if M is None else A.mT @ Q - M.mT @ Q
        Q = qr(X)[0]
        X = A @ Q if M is None else A @ Q - M @ Q
        Q = qr(X)[0]
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """Same as torch.svd_lowrank: (U, S, V) of a rank-q approximation of A - M (A of
    shape (..., m, n)), with A ~= U diag(S) V^T."""
    if not isinstance(A, Tensor):
        raise TypeError(f"svd_lowrank(): expected a Tensor, got {type(A).__name__}")
    if A.dim() < 2:
        raise ValueError(f"svd_lowrank: expected a matrix or a batch of matrices, got shape "
                         f"{tuple(A.shape)}")
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    if M is not None:
        M = M.broadcast_to(A.shape)
    m, n = A.shape[-2:]
    if m < n:  # work on the tall transpose, then swap U and V
        V, S, U = svd_lowrank(A.mT, q, niter, None if M is None else M.mT)
        return U, S, V
    Q = _basis(A, q, niter, M)
    B = Q.mT @ A if M is None else Q.mT @ (A - M)
    U, S, Vh = svd(B, full_matrices=False)
    return Q @ U, S, Vh.mT


def pca_lowrank(A, q=None, center=True, niter=2):
    """Same as torch.pca_lowrank: (U, S, V) of the low-rank SVD of A with its column
    means taken off (center=True); q defaults to min(6, m, n)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank(): expected a Tensor, got {type(A).__name__}")
    if A.dim() < 2:
        raise ValueError(f"pca_lowrank: expected a matrix or a batch of matrices, got shape "
                         f"{tuple(A.shape)}")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (isinstance(q, int) and 0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not (isinstance(niter, int) and niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter)
