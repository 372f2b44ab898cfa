"""Matrix decompositions with PyTorch's gradients: svd, eigh, qr, cholesky, and eig
(complex results). Batched over leading dims by the backend's linalg (NumPy's and CuPy's
functions broadcast over them). Backward formulas are written in Tensor ops; under
`create_graph` the factors are recomputed as graph outputs of A, so higher derivatives
see them as functions of A rather than as constants.

Gradients are those of real matrices (as PyTorch's, they are undefined for repeated
singular values / eigenvalues and for the sign gauge of singular vectors)."""
from __future__ import annotations

from .. import backend
from ..function import Function, is_grad_enabled
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import arrange as _arrange
from . import complex as _complex
from . import shape as _shape
from . import split as _split
from .linalg import matmul
from .solve import LinAlgError, solve  # noqa: F401 (LinAlgError re-exported)


def mT(t):
    return _shape.transpose(t, -1, -2)


def _diag(t):
    return _shape.diagonal(t, 0, -2, -1)


def _eye_like(t, n):
    xp = backend.array_module(t.array)
    return _make(xp.eye(n, dtype=t.array.dtype))


def _real_grad_only(op, A):
    if A.array.dtype.kind == "c":
        raise NotImplementedError(f"{op}: the gradient for complex inputs is not "
                                  "implemented in Ember (real inputs only)")


def linalg_call(fn, op, *arrays, **kwargs):
    """A backend linalg call; the backend's LinAlgError becomes PyTorch's."""
    try:
        return fn(*arrays, **kwargs)
    except Exception as e:
        if type(e).__name__ != "LinAlgError":
            raise
        raise LinAlgError(f"{op}: The algorithm failed to converge or the input is "
                          f"singular ({e})") from None


# ----------------------------------------------------------------------------- svd
class Svd(Function):
    """A = U diag(S) Vh with U (..., m, k'), S (..., k), Vh (..., k', n)."""

    _materialize = False  # unused outputs get None: their terms drop out of the formula

    @staticmethod
    def forward(ctx, A, full_matrices):
        xp = backend.array_module(A.array)
        U, S, Vh = linalg_call(xp.linalg.svd, "linalg.svd", A.array,
                               full_matrices=full_matrices)
        if ctx.recording:
            ctx.full = full_matrices
            ctx.save_for_backward(A, _make(U), _make(S), _make(Vh))
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        A, U, S, Vh = ctx.saved_tensors
        _real_grad_only("linalg.svd", A)
        if is_grad_enabled():  # create_graph: factors as functions of A
            U, S, Vh = Svd.apply(A, ctx.full)
        if ctx.full:  # only the first k columns of U / rows of Vh carry a gradient
            k = S.shape[-1]
            U, Vh = _split.narrow(U, -1, 0, k), _split.narrow(Vh, -2, 0, k)
            gU = None if gU is None else _split.narrow(gU, -1, 0, k)
            gVh = None if gVh is None else _split.narrow(gVh, -2, 0, k)
        return svd_backward(gU, gS, gVh, U, S, Vh), None


def svd_backward(gU, gS, gVh, U, S, Vh):
    """The gradient of A = U diag(S) Vh (reduced factors) for real matrices."""
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if gU is None and gVh is None:
        if gS is None:
            return None
        return matmul(U, _shape.unsqueeze(gS, -1) * Vh)
    S_row, S_col = _shape.unsqueeze(S, -2), _shape.unsqueeze(S, -1)
    S2 = S * S
    # E_ij = s_j^2 - s_i^2, with 1 on the diagonal (the skew parts vanish there)
    E = _shape.unsqueeze(S2, -2) - _shape.unsqueeze(S2, -1) + _eye_like(S, k)
    ret = None
    V = gV = None
    if gU is not None:
        UhgU = matmul(mT(U), gU)
        ret = (UhgU - mT(UhgU)) * S_row / E
    if gVh is not None:
        V, gV = mT(Vh), mT(gVh)
        VhgV = matmul(Vh, gV)
        term = S_col * (VhgV - mT(VhgV)) / E
        ret = term if ret is None else ret + term
    if gS is not None:
        ret = ret + _arrange.diag_embed(gS)
    gA = matmul(matmul(U, ret), Vh)
    if gU is not None and m > k:  # the part of gU outside span(U)
        gA = gA + matmul((gU - matmul(U, matmul(mT(U), gU))) / S_row, Vh)
    if gV is not None and n > k:  # the part of gV outside span(V)
        gA = gA + matmul(U, mT((gV - matmul(V, matmul(Vh, gV))) / S_row))
    return gA


# ----------------------------------------------------------------------------- eigh
class Eigh(Function):
    """A = V diag(L) V^T for symmetric A, from its `uplo` triangle."""

    _materialize = False

    @staticmethod
    def forward(ctx, A, uplo):
        xp = backend.array_module(A.array)
        L, V = linalg_call(xp.linalg.eigh, "linalg.eigh", A.array, UPLO=uplo)
        if ctx.recording:
            ctx.uplo = uplo
            ctx.save_for_backward(A, _make(L), _make(V))
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        A, L, V = ctx.saved_tensors
        _real_grad_only("linalg.eigh", A)
        if is_grad_enabled():
            L, V = Eigh.apply(A, ctx.uplo)
        if gV is None:
            return matmul(V * _shape.unsqueeze(gL, -2), mT(V)), None
        n = L.shape[-1]
        # F_ij = 1 / (l_j - l_i) off the diagonal, 0 on it
        E = _shape.unsqueeze(L, -2) - _shape.unsqueeze(L, -1) + _eye_like(L, n)
        off = 1.0 - _eye_like(L, n)
        inner = matmul(mT(V), gV) * off / E
        inner = 0.5 * (inner + mT(inner))  # PyTorch's gradient is symmetric
        if gL is not None:
            inner = inner + _arrange.diag_embed(gL)
        return matmul(matmul(V, inner), mT(V)), None


# ----------------------------------------------------------------------------- qr
class Qr(Function):
    _materialize = False

    @staticmethod
    def forward(ctx, A, mode):
        xp = backend.array_module(A.array)
        Q, R = linalg_call(xp.linalg.qr, "linalg.qr", A.array,
                           mode="complete" if mode == "complete" else "reduced")
        if ctx.recording:
            ctx.mode = mode
            ctx.save_for_backward(A, _make(Q), _make(R))
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        A, Q, R = ctx.saved_tensors
        _real_grad_only("linalg.qr", A)
        m, n = A.shape[-2], A.shape[-1]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not "
                               "computed when mode='r'. Please use linalg.qr(A, "
                               "mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if is_grad_enabled():
            Q, R = Qr.apply(A, ctx.mode)
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R), None
        # A = Q [R1 R2] with X = A[:, :m] = Q R1 square and Y = A[:, m:] = Q R2
        R1 = _split.narrow(R, -1, 0, m)
        gR1 = gR2 = None
        if gR is not None:
            gR1, gR2 = _split.narrow(gR, -1, 0, m), _split.narrow(gR, -1, m, n - m)
        Y = _split.narrow(A, -1, m, n - m)
        if gR2 is not None:
            gQ = matmul(Y, mT(gR2)) if gQ is None else gQ + matmul(Y, mT(gR2))
        gX = _qr_backward_tall(gQ, gR1, Q, R1)
        gY = matmul(Q, gR2) if gR2 is not None else _split.narrow(A, -1, m, n - m) * 0.0
        if gX is None:
            gX = _split.narrow(A, -1, 0, m) * 0.0
        return _split.cat([gX, gY], -1), None


def _qr_backward_tall(gQ, gR, Q, R):
    """gA = [gQ + Q copyltu(M)] R^-T with M = R gR^T - gQ^T Q (m >= n, reduced)."""
    if gQ is None and gR is None:
        return None
    if gR is not None:
        M = matmul(gR, mT(R))
        if gQ is not None:
            M = M - matmul(mT(Q), gQ)
    else:
        M = -matmul(mT(Q), gQ)
    M = _shape.triu(M)
    # the symmetric matrix with the strictly upper part mirrored, its diagonal kept once
    sym = M + mT(M) - _arrange.diag_embed(_diag(M))
    gA = matmul(Q, sym)
    if gQ is not None:
        gA = gA + gQ
    return solve_triangular(R, gA, upper=True, left=False, transpose=True)


# ----------------------------------------------------------------------------- cholesky
class Cholesky(Function):
    save_output = True

    @staticmethod
    def forward(ctx, A, upper):
        xp = backend.array_module(A.array)
        try:
            L = xp.linalg.cholesky(A.array)
        except Exception as e:
            if type(e).__name__ != "LinAlgError":
                raise
            raise LinAlgError(cholesky_message(A.array)) from None
        if ctx.recording:
            ctx.upper = upper
        return xp.conj(xp.swapaxes(L, -1, -2)) if upper else L

    @staticmethod
    def backward(ctx, grad):
        # Murray (2016): gA = L^-T Phi(L^T gL) L^-1, Phi halving the diagonal, symmetrised
        L = ctx.output
        _real_grad_only("linalg.cholesky", L)
        if ctx.upper:
            L, grad = mT(L), mT(grad)
        P = _shape.tril(matmul(mT(L), grad))
        P = 0.5 * (P + mT(_shape.tril(P, -1)))
        gA = solve_triangular(mT(L), P, upper=True, left=True)
        return solve_triangular(L, gA, upper=False, left=False), None


def cholesky_info(arr):
    """LAPACK's info per matrix: the order of the first leading minor that is not
    positive-definite (0 where the factorisation succeeds); run on failure only."""
    xp = backend.array_module(arr)
    n = arr.shape[-1]
    info = xp.zeros(arr.shape[:-2], dtype=backend.int32)
    for k in range(1, n + 1):  # over the matrix order, vectorised over the batch
        sign, _ = xp.linalg.slogdet(arr[..., :k, :k])
        bad = (info == 0) & ~(sign.real > 0)
        info = xp.where(bad, k, info)
    return info


def cholesky_message(arr):
    info = backend.to_host(cholesky_info(arr))
    first = next((i for i, v in enumerate(info.reshape(-1)) if v), 0)
    order = int(info.reshape(-1)[first]) if info.size else 0
    where = f"(Batch element {first}): " if arr.ndim > 2 else ""
    return (f"linalg.cholesky: {where}The factorization could not be completed because the "
            f"input is not positive-definite (the leading minor of order {order} is not "
            f"positive-definite).")


# ----------------------------------------------------------------------------- eig
class Eig(Function):
    """Eigenvalues and eigenvectors of general square matrices (complex results)."""

    _materialize = False

    @staticmethod
    def forward(ctx, A):
        xp = backend.array_module(A.array)
        if not hasattr(xp.linalg, "eig"):
            raise NotImplementedError(f"linalg.eig: not available on device {A.device}; "
                                      "move the input to the CPU")
        L, V = linalg_call(xp.linalg.eig, "linalg.eig", A.array)
        cdt = (backend.as_dtype("complex128") if A.array.dtype.name in ("float64",
                                                                         "complex128")
               else backend.as_dtype("complex64"))
        L, V = L.astype(cdt), V.astype(cdt)
        if ctx.recording:
            ctx.save_for_backward(_make(L), _make(V))
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        # PyTorch's formula: gA = V^-H (diag(gL) + P(V^H gV) / conj(E)) V^H, where the
        # projection P removes V^H V Re(diag(V^H gV)) (the eigenvectors' norm gauge)
        L, V = ctx.saved_tensors
        Vh = _complex.conj(mT(V))
        n = L.shape[-1]
        if gV is not None:
            VhgV = matmul(Vh, gV)
            VhgV = VhgV - matmul(Vh, V * _shape.unsqueeze(_complex.real(_diag(VhgV)), -2))
            Lc = _complex.conj(L)
            E = _shape.unsqueeze(Lc, -2) - _shape.unsqueeze(Lc, -1) + _eye_like(L, n)
            inner = VhgV * (1.0 - _eye_like(L, n)) / E
            if gL is not None:
                inner = inner + _arrange.diag_embed(gL)
        else:
            inner = _arrange.diag_embed(gL)
        return solve(Vh, matmul(inner, Vh))


# ----------------------------------------------------------------------------- triangular
class SolveTriangular(Function):
    """X with A X = B (A triangular, its other triangle ignored); batch dims broadcast
    already. `unit`: the diagonal is taken as ones."""

    save_output = True

    @staticmethod
    def forward(ctx, A, B, upper, unit):
        xp = backend.array_module(A.array)
        T = xp.triu(A.array) if upper else xp.tril(A.array)
        if unit:
            n = T.shape[-1]
            T = T.copy()
            T[..., xp.arange(n), xp.arange(n)] = 1
        if ctx.recording:
            ctx.args = (upper, unit)
            ctx.save_for_backward(A, None)
        return linalg_call(xp.linalg.solve, "linalg.solve_triangular", T, B.array)

    @staticmethod
    def backward(ctx, grad):
        A, _ = ctx.saved_tensors
        upper, unit = ctx.args
        grad_b = SolveTriangular.apply(mT(A), grad, not upper, unit)
        grad_a = None
        if ctx.needs_input_grad[0]:
            grad_a = -matmul(grad_b, mT(ctx.output))
            grad_a = _shape.triu(grad_a, int(unit)) if upper else _shape.tril(grad_a, -int(unit))
        return grad_a, grad_b, None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, transpose=False):
    """X with A X = B (X A = B when left=False); `transpose` solves with A^T instead
    (whose triangle is the other one). Batch dims broadcast."""
    if transpose:
        A, upper = mT(A), not upper
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return mT(solve_triangular(mT(A), mT(B), upper=not upper,
                                   unitriangular=unitriangular))
    batch = backend.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    if tuple(A.shape[:-2]) != batch:
        A = _shape.expand(A, batch + tuple(A.shape[-2:]))
    if tuple(B.shape[:-2]) != batch:
        B = _shape.expand(B, batch + tuple(B.shape[-2:]))
    return SolveTriangular.apply(A, B, upper, unitriangular)


def check_matrix(A, op, square=False, real_only=False):
    """A floating (or complex) tensor of matrices, with PyTorch's messages."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(A).__name__}")
    kind = A.array.dtype.kind
    if kind not in "fc" or (real_only and kind == "c"):
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {A.dtype}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A
