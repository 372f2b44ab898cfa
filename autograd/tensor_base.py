"""What the layers under tensor.py (function, engine, the ops, creation) know of the Tensor
class, without importing tensor.py: tensor.py assembles Tensor from its core and its method
families, which call the ops, so the ops cannot import it.

- `TensorBase`: a base class of every Tensor (and Parameter); the code under tensor.py
  recognises tensors with `isinstance(x, TensorBase)`.
- `Tensor`: the class itself, bound once by tensor.py (`bind`) right after it is defined,
  before any op can run. This is the one late binding between the layers; `_make` and
  `Function.apply` build instances of it.
"""
from __future__ import annotations

from . import backend

_new = object.__new__
Tensor: type = None  # the assembled class; see bind()
# True once any leaf set Tensor.grad_dtype: only then does the engine look for it
GRAD_DTYPE_SET = [False]


class TensorBase:
    """Empty base of Tensor: an isinstance target for modules that cannot import Tensor."""

    __slots__ = ()


_on_bind = []  # modules' setters of their own name for the class (a global read per op)


def bind(cls: type) -> None:
    """Called once by tensor.py with the assembled Tensor class."""
    global Tensor
    Tensor = cls
    for setter in _on_bind:
        setter(cls)


def _make(arr, requires_grad=False):
    """Wrap a backend array without copying (internal fast constructor)."""
    if type(arr) is not backend.ndarray and not backend.is_array(arr):
        arr = backend.array_module(arr).asarray(arr)
    t = _new(Tensor)
    t.array = arr
    t._requires_grad = requires_grad
    t.grad_fn = None
    t._grad = None
    t._version = [0]
    return t


def _leaf_inplace_error(op):
    return RuntimeError(
        f"{op}: a leaf Variable that requires grad is being used in an in-place operation; "
        "wrap it in `with autograd.no_grad():` (e.g. for a manual SGD step) or use the "
        "out-of-place op")
