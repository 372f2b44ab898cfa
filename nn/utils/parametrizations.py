"""Same as torch.nn.utils.parametrizations: weight_norm and spectral_norm written as
parametrizations (nn.utils.parametrize), with PyTorch's state-dict names."""
from __future__ import annotations

from autograd.function import no_grad
from autograd.tensor import Tensor

from ..module import Module
from . import parametrize

__all__ = ["weight_norm", "spectral_norm"]


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
    from ..layers import conv
    kinds = tuple(getattr(conv, kind) for kind in
                  ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") if hasattr(conv, kind))
    return isinstance(module, kinds)
