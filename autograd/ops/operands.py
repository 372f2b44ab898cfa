"""Operand helpers shared by the elementwise, comparison and unary ops: a binary op's
arrays promoted as PyTorch promotes, the broadcast error, float inputs for float maths.
They sit under those three modules so that none of them imports another for its helpers."""
from __future__ import annotations

from .. import backend
from ..tensor_base import TensorBase as Tensor

_Number = (bool, int, float, complex)
_ndarray = backend.ndarray

# NumPy converts a Python number to an array on every call that meets one: x * 0.5 costs
# 544 ns on a 16-element float32 array against 280 ns for x times a 0-d float32 array
# (2026-12-05). For the four arithmetic ops (their results are always new arrays, so a
# shared operand is never written) a number meeting a host float array is taken from
# this cache as a 0-d array of the array's dtype: the value NumPy's own conversion of
# the (weak) Python scalar gives, so results are identical. Zero (its sign) and values
# that overflow the dtype keep NumPy's path.
_SCALARS = {backend.float32: {}, backend.float64: {}}  # dtype -> {number: 0-d array}
_SCALARS_PER_DTYPE = 256


def _cache_scalar(d, v, arr):
    """Enter v into arr's dtype's cache d (see _SCALARS): as a 0-d array, or as v itself
    where NumPy's path must stay (zero, whose sign a shared array would lose between 0
    and -0.0 as dict keys; a value the dtype cannot hold)."""
    if not v:  # 0 == -0.0 as keys: never cached, NumPy converts each
        return v
    if len(d) >= _SCALARS_PER_DTYPE:  # a loop over ever new constants: start again
        d.clear()
    keep = -1e30 < v < 1e30  # False for NaN as well
    c = d[v] = backend.array_module(arr).asarray(v, dtype=arr.dtype) if keep else v
    return c


def as_number(x):
    """A NumPy scalar as the Python number it holds (as PyTorch takes one: a bound, a
    fill value, torch.where's branch); anything else unchanged."""
    return x.item() if backend.is_numpy_scalar(x) else x


def _operand(x, op):
    """A non-Tensor operand as something the backend can combine with an array. A NumPy
    scalar is a Python number, as PyTorch takes it (np.float64 is a float subclass, but
    it would make NumPy's result float64: x / np.sqrt(d) stays float32)."""
    if backend.is_numpy_scalar(x):
        return x.item()
    if isinstance(x, _Number):
        return x
    if backend.is_array(x):
        return x
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(x).__name__}")


def binary_operands(a, b, op, arith=False):
    """Arrays (or Python scalars) for a binary op, promoted as PyTorch promotes. `arith`
    (+, -, *, / only): a Python number meeting a float array comes as a cached 0-d array."""
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
        if tb is float or tb is int:
            # inlined (this is every `x * 0.5`); `or`: a miss, or a value cached as 0
            d = _SCALARS.get(x.dtype) if arith and type(x) is _ndarray else None
            y = b if d is None else d.get(b) or _cache_scalar(d, b, x)
        else:
            y = _operand(b, op)
        if x.dtype.kind in "biu" and not (type(y) is int or type(y) is bool):
            dt = backend.result_type(x, y)
            if dt != x.dtype:
                x = x.astype(dt)
        return x, y
    ta = type(a)
    y = b.array
    if ta is float or ta is int:
        d = _SCALARS.get(y.dtype) if arith and type(y) is _ndarray else None
        x = a if d is None else d.get(a) or _cache_scalar(d, a, y)
    else:
        x = _operand(a, op)
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
