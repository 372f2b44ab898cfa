"""parameters_to_vector / vector_to_parameters (same as torch.nn.utils')."""
from __future__ import annotations

import autograd as ag
from autograd.tensor import Tensor


def _check_device(param, device):
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return param.device


def parameters_to_vector(parameters) -> Tensor:
    """One 1-d tensor of every parameter flattened, in order (differentiable)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    device, parts = None, []
    for p in parameters:
        device = _check_device(p, device)
        parts.append(p.reshape(-1))
    return ag.cat(parts)


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of the 1-d `vec` into the parameters' data (the inverse of
    parameters_to_vector); no graph is recorded."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise RuntimeError(f"vector_to_parameters: expected a 1-d vector of {total} elements "
                           f"(the parameters' total), got shape {tuple(vec.shape)}")
    device, start = None, 0
    with ag.no_grad():
        for p in parameters:
            device = _check_device(p, device)
            n = p.numel()
            p.data = vec[start:start + n].view_as(p).detach().clone()
            start += n
