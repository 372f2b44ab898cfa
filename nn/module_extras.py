"""Small public names of torch.nn: `Buffer` (a tensor that registers itself as a buffer when
assigned to a Module attribute), the deprecated `Container`, and `factory_kwargs`."""
from __future__ import annotations

import warnings

import autograd as ag
from autograd.tensor import Tensor

from .module import Module


class _BufferMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Same as torch.nn.Buffer(data=None, *, persistent=True): `module.x = nn.Buffer(t)`
    registers t (detached, sharing its storage) as a buffer, persistent or not."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = ag.empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


class Container(Module):
    """Deprecated (same as torch.nn.Container): a Module whose keyword arguments become its
    submodules. Subclass Module instead."""

    def __init__(self, **kwargs):
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now "
                      "implemented in `nn.Module`. Subclass that instead.", FutureWarning,
                      stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


def factory_kwargs(kwargs):
    """Same as torch.nn.factory_kwargs: the device/dtype/memory_format of `kwargs` (and of
    its "factory_kwargs" entry) as one dict; other keys raise TypeError."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    expected = simple | {"factory_kwargs"}
    if not kwargs.keys() <= expected:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected}")
    out = dict(kwargs.get("factory_kwargs", {}))
    for k in simple:
        if k in kwargs:
            if k in out:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            out[k] = kwargs[k]
    return out
