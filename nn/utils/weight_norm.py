"""Same as torch.nn.utils.weight_norm / spectral_norm (the legacy forms, kept by PyTorch
for old checkpoints): a forward pre-hook recomputes `module.weight` from hidden
parameters (`weight_g`, `weight_v` / `weight_orig`) before each call."""
from __future__ import annotations

import warnings

from autograd.function import no_grad
from autograd.tensor import Parameter

from .parametrizations import _is_conv_transpose, _norm_except_dim, _normalize, _weight_norm

__all__ = ["weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm",
           "WeightNorm", "SpectralNorm"]


class WeightNorm:
    """Same as torch.nn.utils.weight_norm.WeightNorm: the forward pre-hook that sets
    `module.<name>` = g * v / ||v||."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError("Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        with no_grad():
            g = _norm_except_dim(weight.detach(), fn.dim)
        module.register_parameter(name + "_g", Parameter(g))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        # a plain attribute until the first call recomputes it
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Same as torch.nn.utils.weight_norm (deprecated there too, with the same
    FutureWarning): parameters `<name>_g` and `<name>_v` replace `<name>`."""
    WeightNorm.apply(module, name, dim)
    return module


def _remove_hook(module, kind, name, label):
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{label} of '{name}' not found in {module}")


def remove_weight_norm(module, name="weight"):
    """Same as torch.nn.utils.remove_weight_norm: `<name>` is a parameter again."""
    return _remove_hook(module, WeightNorm, name, "weight_norm")


class SpectralNorm:
    """Same as torch.nn.utils.spectral_norm.SpectralNorm: the forward pre-hook that sets
    `module.<name>` = weight_orig / sigma, advancing the power iteration (buffers
    `<name>_u`, `<name>_v`) in training mode."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            # v first, then u (the parametrization's order is the other way round)
            with no_grad():
                detached = weight_mat.detach()
                for _ in range(self.n_power_iterations):
                    v.copy_(_normalize(detached.mT.mv(u), self.eps))
                    u.copy_(_normalize(detached.mv(v), self.eps))
                u, v = u.clone(), v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError("Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight.detach())
            height, width = weight_mat.shape
            u = _normalize(weight.new_empty(height).normal_(0, 1), fn.eps)
            v = _normalize(weight.new_empty(width).normal_(0, 1), fn.eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        # the raw weight until the first call (as in PyTorch)
        setattr(module, name, weight.data)
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Same as torch.nn.utils.spectral_norm: `<name>_orig` (parameter), `<name>_u` and
    `<name>_v` (buffers) replace `<name>`; dim defaults to 1 for ConvTranspose layers.

    PyTorch also records a version in the state dict's metadata, for loading checkpoints
    older than PyTorch 1.1; those are not read here."""
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Same as torch.nn.utils.remove_spectral_norm: `<name>` is a parameter again."""
    return _remove_hook(module, SpectralNorm, name, "spectral_norm")
