"""`save` / `load` live in autograd.serialization (safetensors writer, safetensors and
PyTorch checkpoint readers); nn.utils keeps its names for them."""
from __future__ import annotations

from autograd.serialization import CheckpointError, save
from autograd.serialization import load as _load

__all__ = ["CheckpointError", "load", "save"]


def load(f, map_location=None, weights_only: bool = True, *, device=None):
    """Same as autograd.load (torch.load, weights only); `device` is this function's
    older name for `map_location`."""
    if device is not None:
        if map_location is not None:
            raise TypeError("load: pass map_location or device, not both")
        map_location = device
    return _load(f, map_location, weights_only=weights_only)
