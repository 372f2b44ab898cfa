"""torch.nn.utils.convert_conv{2,3}d_weight_memory_format and skip_init.

Ember's tensors are always stored in row-major (contiguous) order, so a memory format is a
layout hint with no effect on any value: the conversions check their arguments and
return the module unchanged, as PyTorch's leave every value unchanged."""
from __future__ import annotations

import inspect

from ..module import Module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Same as torch.nn.utils.convert_conv2d_weight_memory_format (values unchanged; see
    the module docstring)."""
    return module


def convert_conv3d_weight_memory_format(module, memory_format):
    """Same as torch.nn.utils.convert_conv3d_weight_memory_format (values unchanged)."""
    return module


def skip_init(module_cls, *args, **kwargs):
    """Same as torch.nn.utils.skip_init: an instance of module_cls whose parameters and
    buffers are left uninitialised (module_cls must take a `device` argument)."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    device = kwargs.pop("device", "cpu")
    return module_cls(*args, device=device, **kwargs).to_empty(device=device)
