"""Same as torch.nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal
written as parametrizations (nn.utils.parametrize), with PyTorch's state-dict names."""
from __future__ import annotations

import autograd
from autograd.function import no_grad
from autograd.tensor import Tensor

from ..layers import conv
from ..module import Module
from . import parametrize

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def _norm_except_dim(v, dim):
    """The 2-norm of `v` over every dim but `dim`, kept as size-1 dims (same as
    torch.norm_except_dim); dim=-1 means over all of `v` (a 0-d result), as in PyTorch."""
    if dim == -1:
        return v.norm(2)
    dim = dim % v.ndim
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.norm(2, dim=others, keepdim=True) if others else v.abs()


def _weight_norm(v, g, dim):
    # w = g * v / ||v||, the norm taken over every dim but `dim`
    return v * (g / _norm_except_dim(v, dim))


class _WeightNorm(Module):
    """weight = g * v / ||v||: originals (g, v) = (original0, original1)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Same as torch.nn.utils.parametrizations.weight_norm: `module.<name>` becomes
    g * v / ||v|| with g = `parametrizations.<name>.original0` (the norm over every dim but
    `dim`; over all dims when dim is None) and v = `original1`.

    PyTorch also lets such a module load a state dict of the legacy
    nn.utils.weight_norm (`weight_g`, `weight_v`); here rename those two keys first."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _normalize(x, eps):
    # x / max(||x||, eps), as F.normalize(x, dim=0, eps=eps) on a vector
    return x / x.norm(2).clamp_min(eps)


class _SpectralNorm(Module):
    """weight / sigma, sigma estimated by power iteration on the weight seen as a matrix
    (`dim` first). Its buffers `_u`, `_v` advance by `n_power_iterations` steps at each
    evaluation in training mode, as in PyTorch."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            height, width = weight_mat.shape
            with no_grad():
                u = weight_mat.new_empty(height).normal_(0, 1)
                v = weight_mat.new_empty(width).normal_(0, 1)
                self.register_buffer("_u", _normalize(u, self.eps))
                self.register_buffer("_v", _normalize(v, self.eps))
            # start from a good estimate of the top singular vectors
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u <- W v / ||W v||, v <- W^T u / ||W^T u||, written into the buffers in place
        with no_grad():
            weight_mat = weight_mat.detach()
            for _ in range(n_power_iterations):
                self._u.copy_(_normalize(weight_mat.mv(self._v), self.eps))
                self._v.copy_(_normalize(weight_mat.mT.mv(self._u), self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return weight / weight.norm(2).clamp_min(self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # copies, so that later power steps do not touch what backward saved
        u, v = self._u.clone(), self._v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        # any weight is its own preimage: sigma is re-estimated from it
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Same as torch.nn.utils.parametrizations.spectral_norm: `module.<name>` becomes
    weight / sigma(weight); the original is `parametrizations.<name>.original`, the power
    iteration vectors `parametrizations.<name>.0._u` / `._v`. dim defaults to 1 for
    ConvTranspose layers, else 0."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def _is_conv_transpose(module):
    kinds = tuple(getattr(conv, kind) for kind in
                  ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") if hasattr(conv, kind))
    return isinstance(module, kinds)


# ----------------------------------------------------------------------------- orthogonal
_ORTH_MAPS = ("matrix_exp", "cayley", "householder")


def _eye_like(X, n, k):
    return autograd.eye(n, k, dtype=X.dtype, device=X.device)


def _orthonormalised(Q):
    """The Q factor of Q's QR decomposition with R's diagonal made non-negative (tall Q)."""
    q, r = autograd.linalg.qr(Q)
    signs = r.diagonal(dim1=-2, dim2=-1).sign()
    signs = autograd.where(signs == 0, 1.0, signs)
    return q * signs.unsqueeze(-2)


class _Orthogonal(Module):
    """An orthogonal (unitary) matrix from unconstrained parameters: the map of a
    skew-symmetric matrix built from the lower triangle (matrix_exp or Cayley), or a
    product of Householder reflectors; with use_trivialization, multiplied by the buffer
    `base` (set by right_inverse), as PyTorch does."""

    def __init__(self, weight, orthogonal_map, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:  # work with a tall matrix
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            A = X.tril(-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = autograd.linalg.householder_product(A, tau)
            # the diagonal of X (+1 or -1, not differentiated) flips columns
            Q = Q * X.diagonal(dim1=-2, dim2=-1).detach().int().to(Q.dtype).unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:  # square it with zero columns
                X = autograd.cat([X, X.new_zeros(*X.shape[:-1], n - k)], dim=-1)
            A = X - X.mT.conj()  # skew-symmetric (skew-Hermitian)
            if self.orthogonal_map == "matrix_exp":
                Q = autograd.linalg.matrix_exp(A)
            else:  # Cayley: (I - A/2)^-1 (I + A/2)
                eye = _eye_like(A, n, n)
                Q = autograd.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if getattr(self, "base", None) is not None:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {tuple(Q.shape)}.")
        with no_grad():
            Q_in = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transposed = n < k
            if transposed:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map != "householder":
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False.")
                # reflectors whose product is Q's orthonormal factor: the compact QR, the
                # diagonal holding R's signs (flipped where a reflection was skipped)
                A, tau = autograd.geqrf(Q)
                signs = A.diagonal(dim1=-2, dim2=-1).sign()
                signs = autograd.where(tau == 0, -signs, signs)
                eye = _eye_like(A, n, k)
                A = autograd.where(eye.bool(), signs.unsqueeze(-2) * eye, A)
                return A.mT if transposed else A
            if n == k:
                eye = _eye_like(Q, k, k)
                tol = 10.0 * n * autograd.finfo(Q.dtype).eps
                orthogonal = bool(((Q.mT.conj() @ Q - eye).abs() <= tol).all())
                Q = Q.clone() if orthogonal else _orthonormalised(Q)
            else:  # complete Q to an n x n orthogonal matrix with random columns
                extra = autograd.randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype, device=Q.device)
                Q = _orthonormalised(autograd.cat([Q, extra], dim=-1))
            self.base = Q
            # -I: the Householder map of it is I (and matrix_exp / Cayley ignore its
            # diagonal), so the parametrized weight starts as base
            rows, cols = Q_in.shape[-2], Q_in.shape[-1]
            return (-_eye_like(Q_in, rows, cols)).expand(*Q_in.shape).clone()


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Same as torch.nn.utils.parametrizations.orthogonal: `module.<name>` (a matrix or a
    batch of them) stays orthogonal (unitary), through the map 'matrix_exp' (default for
    square or complex weights), 'cayley' or 'householder' (default otherwise); with
    use_trivialization (default) the current weight, orthonormalised, becomes the buffer
    `base` and the map moves away from it."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in _ORTH_MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
