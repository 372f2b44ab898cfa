"""Array helpers the ops share: views, repeats, scatter-adds and reductions over repeated
indices, counts, and raw little-endian bytes for serialization."""
from __future__ import annotations

import math

import numpy as np

from .devices import _BY_ARRAY, owner, to_host
from .dtypes import as_dtype, bfloat16, float32

# OpenBLAS's GEMM with a transposed right operand ("NT": x @ w.T, a Linear layer's
# forward) is slow when x has few rows: at 32 x 784 @ (512 x 784).T, 374 us, against 276
# us for (w @ x.T).T plus the copy that makes it C-ordered again (8 rows: 241 -> 129;
# 64: 546 -> 478; from 128 rows on the two are even). benchmarks/RESULTS.md, 2026-12-05.
_NT_MAX_ROWS = 64
_NT_MIN_COLS = 128


def _small_nt(x, y) -> bool:
    return (type(x) is np.ndarray and type(y) is np.ndarray and x.ndim == 2 and y.ndim == 2
            and x.shape[0] <= _NT_MAX_ROWS and y.shape[1] >= _NT_MIN_COLS
            and x.dtype == y.dtype and x.dtype.kind == "f" and x.flags.c_contiguous
            and y.flags.f_contiguous and not y.flags.c_contiguous)


def matmul(x, y, out=None):
    """x @ y on arrays (into `out` when given: a C-ordered array of the result's shape).
    bfloat16 operands multiply in float32 (BLAS, float32 accumulation) and round once to
    bfloat16, as PyTorch's CPU kernels do; NumPy's own bfloat16 matmul is slow and returns
    float32 for some layouts. A host x @ w.T with few rows in x runs as (w @ x.T).T."""
    if x.dtype is bfloat16:
        r = (x.astype(float32) @ y.astype(float32)).astype(bfloat16)
        if out is None:
            return r
        out[...] = r
        return out
    if _small_nt(x, y):
        t = y.T @ x.T  # (n, m), C-ordered
        if out is None:
            out = np.empty((x.shape[0], y.shape[1]), dtype=t.dtype)
        np.copyto(out, t.T)
        return out
    if out is None:
        return x @ y
    return np.matmul(x, y, out=out)


_BITS = {2: np.int16, 4: np.int32, 8: np.int64}


def select(cond, a, b):
    """np.where(cond, a, b) for host float arrays, without branches. NumPy's where costs
    ~3.5 ns an element when the mask is unpredictable (a ReLU's), ten times an add; here
    the mask becomes all-one/all-zero bit patterns and picks bits with and/or, which is
    exact for every value (NaN, -0.0, Inf) and as fast as a multiply. Other operands
    (integers, complex, device arrays, mixed dtypes) go to the array module's where."""
    if type(cond) is not np.ndarray:
        return owner(cond).xp.where(cond, a, b)
    arr = a if type(a) is np.ndarray else b
    if (cond.dtype != np.bool_ or type(arr) is not np.ndarray or arr.dtype.kind != "f"
            or arr.dtype.itemsize not in _BITS or arr.shape != cond.shape or not cond.ndim):
        return np.where(cond, a, b)
    dt = arr.dtype
    other = b if arr is a else a
    bits = _BITS[dt.itemsize]
    if type(other) in (int, float):
        if other == 0 and math.copysign(1.0, other) > 0:
            # +0 has no bits set (a ReLU-type backward): arr's bits times 1 where it is
            # picked, times 0 elsewhere, as integers (exact for every value): one pass
            # over the bool mask and one multiply (a ReLU backward at 32x512 9.2 -> 7.9
            # us, at 64x6x28x28 226 -> 194 us; the former bit mask took two int passes)
            keep = cond if arr is a else np.logical_not(cond)
            return np.multiply(arr.view(bits), keep, dtype=bits).view(dt)
        other = np.array(other, dtype=dt)
    elif type(other) is not np.ndarray or other.dtype != dt or other.shape != arr.shape:
        return np.where(cond, a, b)
    a, b = (arr, other) if arr is a else (other, arr)
    mask = np.negative(cond.view(np.int8), dtype=bits)  # True -> all ones, False -> 0
    picked = np.bitwise_and(a.view(bits), mask)
    np.invert(mask, out=mask)
    mask &= b.view(bits)
    picked |= mask
    return picked.view(dt)


def is_numpy_scalar(obj) -> bool:
    return isinstance(obj, np.generic)


def reshape_view(arr, shape):
    """`arr` reshaped without copying, or None when that needs a copy."""
    try:
        if isinstance(arr, np.ndarray):
            return np.reshape(arr, shape, copy=False)
        out = arr.view()
        out.shape = shape
        return out
    except (ValueError, AttributeError):
        return None


def host_repeat(n: int, counts):
    """int64 host indices 0..n-1, index i repeated counts (an int, or counts[i]) times."""
    return np.repeat(np.arange(n, dtype=np.int64), counts)


def broadcast_shapes(*shapes):
    return np.broadcast_shapes(*shapes)


def index_add_at(out, index, values) -> None:
    """out[index] += values, accumulating over repeated indices."""
    (_BY_ARRAY.get(type(out)) or owner(out)).add_at(out, index, values)


def reduce_at(name, out, index, values) -> None:
    """out[index] = name(out[index], values), applied once per value even where indices
    repeat; name is "add", "multiply", "maximum" or "minimum" (scatter_reduce)."""
    (_BY_ARRAY.get(type(out)) or owner(out)).reduce_at(name, out, index, values)


def bincount(idx, minlength: int):
    """Counts of each value of the flat non-negative int array `idx` (all < minlength), as
    a length-`minlength` int64 array, without reading the data back to the host."""
    return (_BY_ARRAY.get(type(idx)) or owner(idx)).bincount(idx, minlength)


def array_to_bytes(arr):
    """`arr`'s elements as raw little-endian C-order bytes (a uint8 host array; copied from
    the device or reordered only when needed). Used by nn.utils.save."""
    host = to_host(arr)
    host = np.ascontiguousarray(host, dtype=host.dtype.newbyteorder("<"))
    return host.reshape(-1).view(np.uint8)


def array_from_bytes(buffer, dtype, shape):
    """A host array of `dtype` and `shape` reading little-endian bytes from `buffer` (any
    buffer-protocol object). No copy when the buffer is writable and aligned."""
    dtype = as_dtype(dtype)
    count = 1
    for n in shape:
        count *= n
    arr = np.frombuffer(buffer, dtype=dtype.newbyteorder("<"), count=count).reshape(shape)
    if not arr.dtype.isnative:
        arr = arr.astype(dtype)
    if not (arr.flags.writeable and arr.flags.aligned):
        arr = arr.copy()
    return arr


def view_dtype(arr, dtype):
    """`arr`'s memory read as `dtype` without a copy (torch.Tensor.view(dtype)); the caller
    checks PyTorch's rules on the last dim first."""
    return arr.view(dtype)


def array_view_bytes(buffer, dtype, shape, strides, offset: int = 0):
    """A host array of `dtype` viewing `buffer`'s bytes without a copy (writable when the
    buffer is): `shape` and `strides` counted in elements from element `offset`, as a
    torch storage view. The caller checks that the view stays inside the buffer. Used by
    autograd.serialization for PyTorch checkpoints."""
    dtype = as_dtype(dtype)
    base = np.frombuffer(buffer, dtype=dtype, count=len(buffer) // dtype.itemsize)
    return np.lib.stride_tricks.as_strided(
        base[offset:], shape=tuple(shape), strides=tuple(s * dtype.itemsize for s in strides))
