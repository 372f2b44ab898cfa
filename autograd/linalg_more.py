"""torch.linalg's remaining functions: diagonal, matmul, vander, tensorinv, tensorsolve
(compositions of Tensor ops and linalg.inv / solve, so they have gradients), and the LDL
factorisation ldl_factor(_ex) / ldl_solve (LAPACK's sytrf/sytrs, as PyTorch; no gradient,
as in PyTorch)."""
from __future__ import annotations

import math
from collections import namedtuple

from . import backend
from .backend import extras_more as _bx
from .linalg import LinAlgError, inv, solve
from .ops import shape as _shape
from .ops.linalg import matmul as _matmul
from .ops.split import cat
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_LDL = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
_LDLEx = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
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


def _square(A, op):
    if not isinstance(A, Tensor) or A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{tuple(getattr(A, 'shape', ()))}")
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype}")


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """Same as torch.linalg.ldl_factor_ex: (LD, pivots, info) of LAPACK's sytrf."""
    _square(A, "torch.linalg.ldl_factor_ex")
    ld, piv, info = _bx.ldl_factor(A.detach().array, hermitian)
    out = _LDLEx(_make(ld), _make(piv), _make(info))
    if check_errors and bool((info != 0).any()):
        raise LinAlgError(f"torch.linalg.ldl_factor_ex: The factorization could not be "
                          f"completed because the input is not invertible (info = "
                          f"{out.info.tolist()}).")
    return out


def ldl_factor(A, *, hermitian=False):
    """Same as torch.linalg.ldl_factor: (LD, pivots); raises on a singular D."""
    _square(A, "torch.linalg.ldl_factor")
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if bool((info.array != 0).any()):
        raise LinAlgError("torch.linalg.ldl_factor: The factorization could not be completed "
                          "because the input is not invertible.")
    return _LDL(LD, pivots)


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """Same as torch.linalg.ldl_solve: X with A X = B, from A's ldl_factor."""
    _square(LD, "torch.linalg.ldl_solve")
    if B.dim() < 2 or B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the "
                           f"equation AX = B ({tuple(LD.shape)} and {tuple(B.shape)})")
    if pivots.dtype != backend.int32:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected pivots to be integers. Got "
                           f"{pivots.dtype}")
    return _make(_bx.ldl_solve(LD.detach().array, pivots.array, B.detach().array, hermitian))
