"""torch.amp.custom_fwd / custom_bwd: decorators for a custom Function's forward and
backward under autocast. custom_fwd(cast_inputs=dtype) runs forward with autocast off and
its floating-point tensor arguments cast to dtype (when autocast is on for the device
type); custom_bwd runs backward with the autocast state forward ran under."""
from __future__ import annotations

import functools

from .amp import autocast, get_autocast_dtype, is_autocast_enabled
from .tensor_base import TensorBase as Tensor


def _cast(value, dtype):
    if isinstance(value, Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Same as torch.amp.custom_fwd (device_type is required, as PyTorch 2.4+)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        enabled = is_autocast_enabled(device_type)
        ctx._amp_fwd_enabled = enabled
        ctx._amp_fwd_dtype = get_autocast_dtype(device_type)
        if cast_inputs is None or not enabled:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Same as torch.amp.custom_bwd: backward under forward's autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=getattr(ctx, "_amp_fwd_enabled",
                                                               False),
                      dtype=getattr(ctx, "_amp_fwd_dtype", None)):
            return bwd(*args, **kwargs)
    return decorate_bwd
