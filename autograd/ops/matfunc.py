"""Matrix functions: matrix_exp (scaling and squaring with a degree-13 Pade approximant,
batched), with PyTorch's gradient: the exponential of the block matrix [[A^T, G], [0, A^T]]
has the gradient in its upper-right block."""
from __future__ import annotations

from .. import backend
from ..function import Function
from . import complex as _complex
from . import shape as _shape
from . import split as _split
from .linalg import matmul

# Higham (2005): Pade [13/13] coefficients and the 1-norm bound it is accurate below
_B13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
        129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
        40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm_array(a):
    """exp of each matrix in `a` (..., n, n): scale by 2^-s so that the 1-norm is below
    theta13 (s per matrix), Pade [13/13], then square s times (masked per matrix)."""
    xp = backend.array_module(a)
    n = a.shape[-1]
    norm1 = xp.abs(a).sum(axis=-2).max(axis=-1) if n else xp.zeros(a.shape[:-2])
    s = xp.maximum(0, xp.ceil(xp.log2(xp.maximum(norm1.real, 1e-300) / _THETA13)))
    s = xp.where(xp.isfinite(s), s, 0).astype(backend.int64)
    a = a / (2.0 ** s)[..., None, None].astype(a.real.dtype)
    b = _B13
    eye = xp.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
             b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    steps = int(s.max()) if s.size else 0
    for j in range(steps):  # over squarings, not over the batch
        r = xp.where((s > j)[..., None, None], r @ r, r)
    return r.astype(a.dtype, copy=False)


class MatrixExp(Function):
    @staticmethod
    def forward(ctx, A):
        if ctx.recording:
            ctx.save_for_backward(A)
        return expm_array(A.array)

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        return exp_block_backward(A, grad)


def exp_block_backward(A, grad):
    """d exp(A)^T-contracted: the upper-right block of exp([[A^T, G], [0, A^T]])."""
    n = A.shape[-1]
    At = _shape.transpose(A, -1, -2)
    if A.array.dtype.kind == "c":
        At = _complex.conj(At)
    top = _split.cat([At, grad], -1)
    bottom = _split.cat([At * 0.0, At], -1)
    big = matrix_exp(_split.cat([top, bottom], -2))
    return _split.narrow(_split.narrow(big, -2, 0, n), -1, n, n)


def matrix_exp(A):
    """Same as torch.linalg.matrix_exp (batched)."""
    return MatrixExp.apply(A)


# ----------------------------------------------------------------------------- pinv
def pinv_array(a, atol, rtol, hermitian):
    """The pseudo-inverse through the SVD (eigh when hermitian): values at or below
    max(atol, rtol * largest) treated as zero. atol/rtol: numbers or arrays."""
    xp = backend.array_module(a)
    if hermitian:
        L, V = xp.linalg.eigh(a)
        mag = xp.abs(L)
        keep = mag > xp.maximum(atol, rtol * mag.max(axis=-1, keepdims=True, initial=0))
        inv = xp.where(keep, 1 / xp.where(keep, L, 1), 0).astype(a.dtype)
        return (V * inv[..., None, :]) @ xp.conj(xp.swapaxes(V, -1, -2))
    U, S, Vh = xp.linalg.svd(a, full_matrices=False)
    keep = S > xp.maximum(atol, rtol * S.max(axis=-1, keepdims=True, initial=0))
    inv = xp.where(keep, 1 / xp.where(keep, S, 1), 0).astype(a.dtype)
    return xp.conj(xp.swapaxes(Vh, -1, -2)) * inv[..., None, :] @ \
        xp.conj(xp.swapaxes(U, -1, -2))


class Pinv(Function):
    """The Moore-Penrose pseudo-inverse; PyTorch's gradient (that of a constant-rank
    pseudo-inverse), the same for hermitian=True."""

    save_output = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        if ctx.recording:
            ctx.save_for_backward(A)
        return pinv_array(A.array, atol, rtol, hermitian)

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        P = ctx.output
        Ph, gh = _mH(P), _mH(grad)
        K = matmul(gh, P)
        KPh = matmul(K, Ph)
        return (-_mH(matmul(P, K)) + KPh - matmul(matmul(A, P), KPh) +
                matmul(matmul(Ph, P), gh - matmul(K, A))), None, None, None


def _mH(t):
    t = _shape.transpose(t, -1, -2)
    if t.array.dtype.kind == "c":
        t = _complex.conj(t)
    return t
