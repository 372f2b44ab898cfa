"""`torch.autograd.Variable` (and the `torch.autograd.variable` module): the pre-0.4
wrapper, which PyTorch keeps as a way to make a tensor. `Variable(t, requires_grad)`
is a new leaf sharing t's memory, detached from t's graph; every Tensor is an instance
of `Variable`."""
from __future__ import annotations

import warnings

from .tensor import Tensor, _make


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Same as torch.autograd.Variable: `Variable(t, requires_grad=False)` returns a new
    leaf tensor on t's memory (detached), requiring grad as asked."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use "
                          "`with torch.no_grad():` instead.", UserWarning, stacklevel=2)
        return _make(data.array, requires_grad=bool(requires_grad))


__all__ = ["Variable"]
