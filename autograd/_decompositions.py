"""The decompositions of torch.linalg (re-exported by `autograd.linalg`): svd, svdvals,
qr, cholesky(_ex), eigh, eigvalsh, eig, eigvals, lstsq, pinv, matrix_exp, matrix_rank,
solve_triangular, inv_ex, solve_ex; and torch's top-level svd, qr, cholesky,
pinverse. The differentiable ops live in ops/decomp.py and ops/matfunc.py."""
from __future__ import annotations

from . import backend
from .ops import arrange as _arrange
from .ops import decomp as _decomp
from .ops import matfunc as _matfunc
from .ops import reduce as _reduce
from .ops import shape as _shape
from .ops import split as _split
from .ops.decomp import check_matrix as _check
from .ops.decomp import mT as _mT
from .ops.linalg import matmul as _matmul
from .ops.matfunc import matrix_exp as _matrix_exp
from .ops.solve import inv, solve
from .return_types import return_type
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_svd_result = return_type("linalg_svd", ["U", "S", "Vh"])
_qr_result = return_type("linalg_qr", ["Q", "R"])
_eigh_result = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
_eig_result = return_type("linalg_eig", ["eigenvalues", "eigenvectors"])
_cholesky_ex_result = return_type("linalg_cholesky_ex", ["L", "info"])
_inv_ex_result = return_type("linalg_inv_ex", ["inverse", "info"])
_solve_ex_result = return_type("linalg_solve_ex", ["result", "info"])
_lstsq_result = return_type("linalg_lstsq", ["solution", "residuals", "rank",
                                            "singular_values"])
_torch_svd_result = return_type("svd", ["U", "S", "V"])
_torch_qr_result = return_type("qr", ["Q", "R"])


def _empty(like, dtype=None):
    xp = backend.array_module(like.array)
    return _make(xp.zeros((0,), dtype=like.array.dtype if dtype is None else dtype))


# ----------------------------------------------------------------------------- svd
def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """Same as torch.linalg.svd: (U, S, Vh) with A = U diag(S) Vh; the gradient needs
    distinct singular values and a loss invariant to the singular vectors' signs."""
    _check(A, "linalg.svd")
    return _svd_result(*_decomp.Svd.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """Same as torch.linalg.svdvals: the singular values in descending order."""
    _check(A, "linalg.svdvals")
    if not A.requires_grad:
        xp = backend.array_module(A.array)
        return _make(_decomp.linalg_call(xp.linalg.svd, "linalg.svdvals", A.array,
                                         compute_uv=False))
    return _decomp.Svd.apply(A, False)[1]


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """Same as torch.svd (deprecated form): (U, S, V) with V, not V^H; `some` gives the
    reduced factors; compute_uv=False gives zero-filled (m, m) U and (n, n) V."""
    if not compute_uv:
        S = svdvals(input)
        xp = backend.array_module(S.array)
        batch, (m, n) = tuple(input.shape[:-2]), tuple(input.shape[-2:])
        dtype = input.array.dtype
        return _torch_svd_result(_make(xp.zeros(batch + (m, m), dtype=dtype)), S,
                                 _make(xp.zeros(batch + (n, n), dtype=dtype)))
    U, S, Vh = svd(input, full_matrices=not some)
    return _torch_svd_result(U, S, _mT(Vh))


# ----------------------------------------------------------------------------- qr
def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """Same as torch.linalg.qr: mode 'reduced', 'complete' or 'r' (Q empty)."""
    _check(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    Q, R = _decomp.Qr.apply(A, mode)
    if mode == "r":
        Q = _empty(A)
    return _qr_result(Q, R)


def torch_qr(input: Tensor, some: bool = True, *, out=None):
    """Same as torch.qr (deprecated form)."""
    return _torch_qr_result(*qr(input, "reduced" if some else "complete"))


# ----------------------------------------------------------------------------- cholesky
def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """Same as torch.linalg.cholesky: L with A = L L^T (U^T U when upper); raises
    LinAlgError naming the first leading minor that is not positive-definite."""
    _check(A, "linalg.cholesky", square=True)
    return _decomp.Cholesky.apply(A, bool(upper))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """Same as torch.linalg.cholesky_ex: (L, info), info the order of the first leading
    minor that is not positive-definite (0 for success), per matrix."""
    _check(A, "linalg.cholesky_ex", square=True)
    xp = backend.array_module(A.array)
    try:
        L = _decomp.Cholesky.apply(A, bool(upper))
    except _decomp.LinAlgError:
        if check_errors:
            raise
        info = _decomp.cholesky_info(A.array)
        # the failed matrices are replaced by identities so that the others factor
        eye = xp.eye(A.shape[-1], dtype=A.array.dtype)
        safe = xp.where((info != 0)[..., None, None], eye, A.array)
        L = _make(xp.linalg.cholesky(safe))
        return _cholesky_ex_result(_mT(L) if upper else L, _make(info))
    return _cholesky_ex_result(L, _make(xp.zeros(A.shape[:-2], dtype=backend.int32)))


def torch_cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Same as torch.cholesky (deprecated form, positional `upper`)."""
    return cholesky(input, upper=upper)


# ----------------------------------------------------------------------------- eig
def _uplo(UPLO, op):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Same as torch.linalg.eigh: ascending eigenvalues and orthonormal eigenvectors of
    a symmetric matrix read from its UPLO triangle; the gradient needs distinct
    eigenvalues and a loss invariant to the eigenvectors' signs."""
    _check(A, "linalg.eigh", square=True)
    return _eigh_result(*_decomp.Eigh.apply(A, _uplo(UPLO, "linalg.eigh")))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """Same as torch.linalg.eigvalsh."""
    _check(A, "linalg.eigvalsh", square=True)
    if not A.requires_grad:
        xp = backend.array_module(A.array)
        return _make(_decomp.linalg_call(xp.linalg.eigvalsh, "linalg.eigvalsh", A.array,
                                         UPLO=_uplo(UPLO, "linalg.eigvalsh")))
    return _decomp.Eigh.apply(A, _uplo(UPLO, "linalg.eigvalsh"))[0]


def eig(A: Tensor, *, out=None):
    """Same as torch.linalg.eig: complex eigenvalues and eigenvectors (unit norm);
    PyTorch's gradient (a loss must not depend on the eigenvectors' phases)."""
    _check(A, "linalg.eig", square=True)
    return _eig_result(*_decomp.Eig.apply(A))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """Same as torch.linalg.eigvals."""
    return eig(A).eigenvalues


# ----------------------------------------------------------------------------- pinv, rank
def _tolerances(A, atol, rtol):
    """PyTorch's cutoff max(atol, rtol * sigma_max) as (atol, rtol) numbers or arrays:
    rtol defaults to eps * max(m, n) when atol is None or 0, else to 0."""
    if rtol is None:
        no_atol = atol is None or (not isinstance(atol, Tensor) and atol == 0)
        rtol = backend.finfo(A.array.real.dtype).eps * max(A.shape[-2], A.shape[-1]) \
            if no_atol else 0.0
    atol = 0.0 if atol is None else atol
    # tensor tolerances broadcast against the batch (one per matrix)
    atol = atol.array[..., None] if isinstance(atol, Tensor) else atol
    rtol = rtol.array[..., None] if isinstance(rtol, Tensor) else rtol
    return atol, rtol


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Same as torch.linalg.pinv: through the SVD (eigh when hermitian), singular values
    at or below max(atol, rtol * sigma_max) treated as zero; PyTorch's gradient."""
    _check(A, "linalg.pinv", square=hermitian)
    atol, rtol = _tolerances(A, atol, rtol)
    return _matfunc.Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Same as torch.pinverse: pinv with rtol = rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False,
                out=None) -> Tensor:
    """Same as torch.linalg.matrix_rank: the number of singular values (absolute
    eigenvalues when hermitian) above max(atol, rtol * sigma_max); int64."""
    _check(A, "linalg.matrix_rank")
    A = A.detach()
    S = eigvalsh(A).abs() if hermitian else svdvals(A)
    atol, rtol = _tolerances(A, atol, rtol)
    xp = backend.array_module(S.array)
    tol = xp.maximum(atol, rtol * S.array.max(axis=-1, keepdims=True, initial=0))
    return _make((S.array > tol).sum(axis=-1).astype(backend.int64))


# ----------------------------------------------------------------------------- solves
def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """Same as torch.linalg.solve_triangular: X with A X = B (X A = B when left=False),
    reading only A's upper or lower triangle (with ones on the diagonal when
    unitriangular); batch dims broadcast."""
    op = "linalg.solve_triangular"
    _check(A, op, square=True)
    _check(B, op)
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of "
                           f"type {A.dtype} and B of type {B.dtype} instead")
    k = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != k:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{k} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    return _decomp.solve_triangular(A, B, upper=bool(upper), left=bool(left),
                                    unitriangular=bool(unitriangular))


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Same as torch.linalg.lstsq (the CPU drivers): the minimum-norm least-squares
    solution through the SVD (singular values below rcond * sigma_max dropped); like
    PyTorch, rank is filled for 'gelsy' (default), 'gelsd', 'gelss'; residuals (m > n and
    full rank) for all but 'gelsy'; singular_values for 'gelsd' and 'gelss'; empty
    otherwise."""
    op = "linalg.lstsq"
    _check(A, op)
    _check(B, op)
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss), got {driver}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got "
                           f"{A.dtype} and {B.dtype}")
    vector = B.ndim == A.ndim - 1
    Bm = _shape.unsqueeze(B, -1) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if Bm.shape[-2] != m:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2), got {m} and "
                           f"{Bm.shape[-2]}")
    real_dtype = A.array.real.dtype
    if rcond is None:
        rcond = backend.finfo(real_dtype).eps * max(m, n)
    X = _matmul(pinv(A, rtol=rcond), Bm)
    residuals = singular_values = _empty(A, real_dtype)
    rank = _make(backend.array_module(A.array).zeros((0,), dtype=backend.int64))
    full_rank = True  # 'gels' assumes it
    if driver != "gels":
        S = svdvals(A.detach())
        tol = _reduce.amax(S, -1, keepdim=True) * rcond
        rank = _reduce.sum(S > tol, -1)
        full_rank = bool((rank == min(m, n)).all())
        if driver in ("gelsd", "gelss"):
            singular_values = S
    if driver != "gelsy" and m > n and full_rank:
        r = _matmul(A, X) - Bm
        residuals = _reduce.sum(r * r, -2)
    return _lstsq_result(_shape.squeeze(X, -1) if vector else X, residuals, rank,
                         singular_values)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """Same as torch.linalg.inv_ex: (inverse, info), info > 0 for singular matrices (the
    order of the first zero pivot, taken as rank + 1)."""
    _check(A, "linalg.inv_ex", square=True)
    xp = backend.array_module(A.array)
    try:
        return _inv_ex_result(inv(A), _make(xp.zeros(A.shape[:-2], dtype=backend.int32)))
    except RuntimeError:
        if check_errors:
            raise
    info = _singular_info(A)
    eye = xp.eye(A.shape[-1], dtype=A.array.dtype)
    safe = xp.where((info != 0)[..., None, None], eye, A.array)
    return _inv_ex_result(_make(xp.linalg.inv(safe)), _make(info))


def _singular_info(A):
    rank = matrix_rank(A).array
    n = A.shape[-1]
    return backend.array_module(rank).where(rank < n, rank + 1, 0).astype(backend.int32)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out=None):
    """Same as torch.linalg.solve_ex: (result, info) as inv_ex."""
    _check(A, "linalg.solve_ex", square=True)
    xp = backend.array_module(A.array)
    try:
        X = solve(A, B, left=left)
        return _solve_ex_result(X, _make(xp.zeros(A.shape[:-2], dtype=backend.int32)))
    except RuntimeError as e:
        if check_errors or "singular" not in str(e):
            raise
    info = _singular_info(A)
    eye = xp.eye(A.shape[-1], dtype=A.array.dtype)
    safe = _make(xp.where((info != 0)[..., None, None], eye, A.array))
    return _solve_ex_result(solve(safe, B.detach(), left=left), _make(info))


def matrix_exp(A: Tensor) -> Tensor:
    """Same as torch.linalg.matrix_exp (batched); gradient as PyTorch's."""
    _check(A, "linalg.matrix_exp", square=True)
    return _matrix_exp(A)


# ----------------------------------------------------------------------------- torch.*
_triangular_solve_result = return_type("triangular_solve", ["solution", "cloned_coefficient"])


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Same as torch.cholesky_solve: X with A X = B for A = L L^T (U^T U when upper)."""
    _check(L, "cholesky_solve", square=True)
    _check(B, "cholesky_solve")
    if upper:
        L = _mT(L)
    Y = _decomp.solve_triangular(L, B, upper=False)
    return _decomp.solve_triangular(_mT(L), Y, upper=True)


def cholesky_inverse(L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Same as torch.cholesky_inverse: A^-1 from A's Cholesky factor."""
    _check(L, "cholesky_inverse", square=True)
    xp = backend.array_module(L.array)
    eye = _make(xp.broadcast_to(xp.eye(L.shape[-1], dtype=L.array.dtype), L.array.shape))
    return cholesky_solve(eye, L, upper)


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """Same as torch.triangular_solve (deprecated form): (solution, a clone of A)."""
    _check(A, "triangular_solve", square=True)
    _check(b, "triangular_solve")
    X = _decomp.solve_triangular(A, b, upper=bool(upper), unitriangular=bool(unitriangular),
                                 transpose=bool(transpose))
    return _triangular_solve_result(X, _shape.clone(A))


# ----------------------------------------------------------------------------- Householder
_geqrf_result = return_type("geqrf", ["a", "tau"])


def geqrf(input: Tensor, *, out=None):
    """Same as torch.geqrf: LAPACK's compact QR (reflectors below the diagonal, R on and
    above it) and the reflectors' scales tau; no gradient (as in PyTorch)."""
    _check(input, "geqrf")
    xp = backend.array_module(input.array)
    h, tau = _decomp.linalg_call(xp.linalg.qr, "geqrf", input.array, mode="raw")
    return _geqrf_result(_make(xp.ascontiguousarray(xp.swapaxes(h, -1, -2))), _make(tau))


def householder_product(A: Tensor, tau: Tensor, *, out=None) -> Tensor:
    """Same as torch.linalg.householder_product: the first n columns of the product
    H_1 ... H_k, H_i = I - tau_i v_i v_i^T with v_i column i of A below the diagonal and 1
    on it. Differentiable; one step per reflector, batched over leading dims."""
    op = "linalg.householder_product"
    _check(A, op)
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to "
                           f"input.shape[-1], got {m} and {n}")
    if k > n:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to "
                           f"tau.shape[-1], got {n} and {k}")
    xp = backend.array_module(A.array)
    # v_i: strictly lower part of A plus the unit diagonal (columns 0..k-1)
    V = _shape.tril(A, -1) + _make(xp.eye(m, n, dtype=A.array.dtype))
    Q = _make(xp.broadcast_to(xp.eye(m, n, dtype=A.array.dtype), A.array.shape).copy())
    for i in reversed(range(k)):  # over the reflectors, not the batch
        v = _split.narrow(V, -1, i, 1)  # (..., m, 1)
        t = _shape.unsqueeze(_shape.unsqueeze(_arrange.select(tau, -1, i), -1), -1)
        Q = Q - t * _matmul(v, _matmul(_mT(v), Q))
    return Q
