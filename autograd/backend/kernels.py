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
    before the kernel (helpers, macros)."""

    __slots__ = ("name", "cpu", "_spec", "_kernels")

    def __init__(self, name: str, in_params: str, out_params: str, body: str, cpu,
                 preamble: str = ""):
        self.name, self.cpu = name, cpu
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
