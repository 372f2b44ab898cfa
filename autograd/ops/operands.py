"""Operand helpers shared by the elementwise, comparison and unary ops: a binary op's
arrays promoted as PyTorch promotes, the broadcast error, float inputs for float maths.
They sit under those three modules so that none of them imports another for its helpers."""
from __future__ import annotations

from .. import backend
from ..tensor_base import TensorBase as Tensor

_Number = (bool, int, float, complex)


def _operand(x, op):
    """A non-Tensor operand as something the backend can combine with an array."""
    if isinstance(x, _Number):
        return x
    if backend.is_numpy_scalar(x):
        return x.item()
    if backend.is_array(x):
        return x
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(x).__name__}")


def binary_operands(a, b, op):
    """Arrays (or Python scalars) for a binary op, promoted as PyTorch promotes."""
    if isinstance(a, Tensor):
        x = a.array
        if isinstance(b, Tensor):
            y = b.array
            if x.dtype is not y.dtype:
                dt = backend.result_type(x, y)
                if x.dtype != dt:
                    x = x.astype(dt)
                if y.dtype != dt:
                    y = y.astype(dt)
            return x, y
        tb = type(b)
        y = b if tb is float or tb is int else _operand(b, op)
        if x.dtype.kind in "biu" and not (type(y) is int or type(y) is bool):
            dt = backend.result_type(x, y)
            if dt != x.dtype:
                x = x.astype(dt)
        return x, y
    ta = type(a)
    x = a if ta is float or ta is int else _operand(a, op)
    y = b.array
    if y.dtype.kind in "biu" and not (type(x) is int or type(x) is bool):
        dt = backend.result_type(x, y)
        if dt != y.dtype:
            y = y.astype(dt)
    return x, y


def broadcast_error(op, a, b):
    sa = tuple(a.shape) if hasattr(a, "shape") else ()
    sb = tuple(b.shape) if hasattr(b, "shape") else ()
    return RuntimeError(f"{op}: shapes {sa} and {sb} cannot broadcast")


def _float_array(x, op=None):
    """Integer/bool inputs of float-valued maths become the default float dtype. `op` (a
    name or the op's class) names the op when `x` is not a Tensor."""
    try:
        arr = x.array
    except AttributeError:
        name = getattr(op, "__name__", op) or "op"
        raise TypeError(f"{name.lower()}: expected a Tensor, got {type(x).__name__}") from None
    if arr.dtype.kind in "biu":
        return arr.astype(backend.get_default_dtype())
    return arr
