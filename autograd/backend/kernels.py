"""Fused kernels: an elementwise chain or a hand-written row kernel declared once beside
an op's array code, compiled by the device type of the arrays it is called with."""
from __future__ import annotations

import numpy as np

from .devices import _BY_ARRAY, owner


# On the GPU an op's cost is memory traffic and kernel launches, not arithmetic, so a
# chain of elementwise steps (an activation's backward, an optimiser's update) should be
# one kernel. Ops declare such a chain once, beside their NumPy code: `Fused` runs the
# NumPy function on host arrays and one compiled kernel on device arrays.
# `RawKernel` is the same seam for hand-written CUDA (a row-wise softmax, say).
class Fused:
    """`Fused(name, in_params, out_params, body, cpu)`: call it with arrays and scalars in
    the order of `in_params` then `out_params` (CuPy's ElementwiseKernel conventions:
    "T x, raw T y, float64 lr"; `i` is the element index). Host arrays go to
    `cpu(*args)`; device arrays to the kernel, compiled on first use. Outputs passed in
    are written in place, outputs left out are allocated and returned. `cpu=None` marks a
    device-only kernel (its caller keeps its own host code); `preamble` is CUDA code put
    before the kernel (helpers, macros). `blocks=False` keeps `blocked` from splitting
    host calls (a `cpu` that already makes one pass, as BLAS does)."""

    __slots__ = ("name", "cpu", "blocks", "_spec", "_kernels")

    def __init__(self, name: str, in_params: str, out_params: str, body: str, cpu,
                 preamble: str = "", blocks: bool = True):
        self.name, self.cpu, self.blocks = name, cpu, blocks
        self._spec = (in_params, out_params, body, preamble)
        self._kernels = {np.ndarray: cpu if cpu is not None else self._no_host}

    def _no_host(self, *args):
        raise TypeError(f"{self.name}: a device-only kernel, called with host arrays")

    def __call__(self, *args):
        if type(args[0]) is np.ndarray and self.cpu is not None:  # the host, directly
            return self.cpu(*args)
        kernel = self._kernels.get(type(args[0]))
        if kernel is None:
            in_params, out_params, body, preamble = self._spec
            kernel = self._kernels[type(args[0])] = owner(args[0]).elementwise_kernel(
                self.name, in_params, out_params, body, self.cpu, preamble=preamble)
        return kernel(*args)

    def blocked(self, *args):
        """self(*args) for an update whose array arguments (outputs all passed in) share
        one shape: on the host, large C-contiguous arrays go through `cpu` in L2-sized
        blocks of their flat views, so its NumPy steps keep their temporaries and the
        operands they read again in cache (six passes over a block in L2 instead of six
        over memory). Every step is elementwise: the values are those of one call."""
        a0 = args[0]
        if (type(a0) is not np.ndarray or self.cpu is None or not self.blocks
                or a0.size < 2 * _BLOCK_ELEMS):
            return self(*args)
        shape = a0.shape
        arrays = [i for i, a in enumerate(args) if type(a) is np.ndarray]
        if any(args[i].shape != shape or not args[i].flags.c_contiguous for i in arrays):
            return self(*args)
        for k, i in enumerate(arrays):  # partly overlapping operands: NumPy's buffering
            a = args[i]
            for j in arrays[k + 1:]:
                b = args[j]
                if a.ctypes.data != b.ctypes.data and np.may_share_memory(a, b):
                    return self(*args)
        flat = list(args)
        for i in arrays:
            flat[i] = args[i].reshape(-1)
        step = _BLOCK_BYTES // max(args[i].itemsize for i in arrays)
        cpu, n = self.cpu, a0.size
        for start in range(0, n, step):  # blocks of ~128 KB an array, not elements
            stop = min(start + step, n)
            cpu(*[a[start:stop] if type(a) is np.ndarray else a for a in flat])


_BLOCK_BYTES = 1 << 17  # per array in Fused.blocked: a block's operands stay in L2
_BLOCK_ELEMS = _BLOCK_BYTES // 8


class RawKernel:
    """A hand-written CUDA kernel `name` in `source`, compiled once per float dtype with
    `T` defined as that dtype (float or double). `rows(n, dtype, *args)` launches one warp
    (32 threads) per row for n rows; Python ints become int32 and floats T."""

    __slots__ = ("name", "source", "_kernels")

    def __init__(self, name: str, source: str):
        self.name, self.source = name, source
        self._kernels = {}

    def rows(self, n_rows: int, dtype, *args) -> None:
        dtype = np.dtype(dtype)
        key = (type(args[0]), dtype)
        launch = self._kernels.get(key)
        if launch is None:
            dt = _BY_ARRAY.get(type(args[0])) or owner(args[0])
            launch = self._kernels[key] = dt.row_kernel(self.name, self.source, dtype)
        launch(n_rows, args)
