"""The inverse, determinant and solve of square matrices (torch.linalg.inv, det, slogdet,
solve; re-exported by autograd.linalg), and LinAlgError, the one error class of linalg."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import shape as _shape
from .linalg import matmul as _matmul


class LinAlgError(RuntimeError):
    """Same as torch.linalg.LinAlgError: a factorisation that could not be completed."""




def _square(A, op):
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(A).__name__}")
    if backend.kind(A.array.dtype) not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        if A.ndim < 2:
            raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A


def _call(fn, op, *arrays):
    """A backend linalg call; NumPy's LinAlgError becomes PyTorch's (a RuntimeError)."""
    try:
        return fn(*arrays)
    except Exception as e:
        if type(e).__name__ != "LinAlgError":
            raise
        raise LinAlgError(f"{op}: the input matrix is singular ({e})") from None


def _mT(t):
    return _shape.transpose(t, -1, -2)


class Inv(Function):
    save_output = True

    @staticmethod
    def forward(ctx, A):
        xp = backend.array_module(A.array)
        return _call(xp.linalg.inv, "linalg.inv", A.array)

    @staticmethod
    def backward(ctx, grad):
        # d(A^-1) = -A^-1 dA A^-1, so grad_A = -A^-T grad A^-T
        Y = _mT(ctx.output)
        return -_matmul(_matmul(Y, grad), Y)


def inv(A, *, out=None):
    """Same as torch.linalg.inv (batched)."""
    return Inv.apply(_square(A, "linalg.inv"))


class SlogdetAbs(Function):
    """log |det A|; its gradient is A^-T (the sign carries none)."""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        xp = backend.array_module(A.array)
        return xp.linalg.slogdet(A.array)[1]

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        return _shape.unsqueeze(_shape.unsqueeze(grad, -1), -1) * _mT(inv(A))


class Det(Function):
    save_output = True

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return backend.array_module(A.array).linalg.det(A.array)

    @staticmethod
    def backward(ctx, grad):
        # d det(A) / dA = det(A) A^-T (invertible A)
        (A,) = ctx.saved_tensors
        scale = _shape.unsqueeze(_shape.unsqueeze(grad * ctx.output, -1), -1)
        return scale * _mT(inv(A))


def det(A, *, out=None):
    """Same as torch.linalg.det (batched); the gradient needs an invertible A."""
    return Det.apply(_square(A, "linalg.det"))


_slogdet_result = return_type("slogdet", ["sign", "logabsdet"])


def slogdet(A, *, out=None):
    """Same as torch.linalg.slogdet: (sign, logabsdet), a named tuple."""
    A = _square(A, "linalg.slogdet")
    xp = backend.array_module(A.array)
    sign = _make(xp.linalg.slogdet(A.array)[0])
    return _slogdet_result(sign, SlogdetAbs.apply(A))


class Solve(Function):
    """X = A^-1 B for A (..., n, n) and B (..., n, k), batch dims already broadcast."""

    save_output = True

    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A, None)
        xp = backend.array_module(A.array)
        return _call(xp.linalg.solve, "torch.linalg.solve", A.array, B.array)

    @staticmethod
    def backward(ctx, grad):
        # grad_B = A^-T grad; grad_A = -grad_B X^T
        A, _ = ctx.saved_tensors
        grad_b = solve(_mT(A), grad)
        grad_a = -_matmul(grad_b, _mT(ctx.output)) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


def solve(A, B, *, left=True, out=None):
    """Same as torch.linalg.solve: X with A X = B (X A = B when left=False); B is a batch
    of vectors when its shape is A's minus the last dim (or it is 1-d)."""
    op = "linalg.solve"
    _square(A, op)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of "
                           f"type {A.dtype} and B of type {B.dtype} instead")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(solve(_mT(A), _mT(B)))
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = _shape.unsqueeze(B, -1) if vector else B
    n = A.shape[-1]
    if Bm.shape[-2] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{n} and {Bm.shape[-2]}x{Bm.shape[-1]})")
    Ab, Bb = _shape.broadcast_batch(A, Bm, op, (A.shape, B.shape))
    X = Solve.apply(Ab, Bb)
    return _shape.squeeze(X, -1) if vector else X
