"""Multi-tensor kernels: one CUDA launch applies an elementwise `backend.Fused` body to
every tensor of a list (PyTorch's foreach / fused optimiser paths).

The kernel is generated from the Fused declaration itself, so the per-tensor kernel and
the multi-tensor one share one formula. Each `T` parameter becomes a table of device
pointers (one per tensor); a thread finds its tensor by binary search over the running
element counts. The tables are cached by their pointer values: with CuPy's memory pool
the parameters, their state and usually their gradients keep their addresses from step
to step, so a steady training loop uploads no table and makes one launch per group.
"""
from __future__ import annotations

import numpy as np

from . import kernels as _kernels

try:
    import cupy as cp
except Exception:  # no CuPy: the host path never reaches this module's kernels
    cp = None

_C_SCALARS = {"float64": ("double", np.float64), "float32": ("double", np.float64),
              "bool": ("int", np.int32), "int32": ("int", np.int32),
              "int64": ("long long", np.int64)}
_TABLE_CACHE = 16  # pointer tables kept per kernel (one per group and gradient layout)


def _params(spec):
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        t, var = part.split()
        out.append((t, var))
    return out


class MultiTensor:
    """`MultiTensor(fused)`: call `run(lists, scalars)` with one list of equally shaped
    device arrays per `T` parameter of `fused` (in its parameter order, inputs then
    outputs; all of one dtype and C-contiguous) and the scalars in their order."""

    __slots__ = ("name", "tensors", "scalars", "body", "preamble", "_kernels", "_tables")

    def __init__(self, fused: _kernels.Fused):
        in_params, out_params, body = fused._spec[:3]
        params = _params(in_params) + _params(out_params)
        self.name = fused.name + "_multi"
        self.tensors = [var for t, var in params if t == "T"]
        self.scalars = [(t, var) for t, var in params if t != "T"]
        self.body, self.preamble = body, (fused._spec[3] if len(fused._spec) > 3 else "")
        self._kernels, self._tables = {}, {}

    def source(self, c_type: str) -> str:
        # the loop's own names start with `em_` so that no body variable shadows them
        binds = " ".join(f"T& {var} = ((T*)em_tables[{k} * em_n + em_t])[em_j];"
                         for k, var in enumerate(self.tensors))
        args = "".join(f", {_C_SCALARS[t][0]} {var}" for t, var in self.scalars)
        return f"""typedef {c_type} T;
{self.preamble}
extern "C" __global__ void {self.name}(const long long* em_tables,
        const long long* em_ends, int em_n, long long em_total{args}) {{
    for (long long em_i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
         em_i < em_total; em_i += (long long)blockDim.x * gridDim.x) {{
        // the tensor holding element em_i: em_ends[t - 1] <= em_i < em_ends[t]
        int em_lo = 0, em_hi = em_n - 1;
        while (em_lo < em_hi) {{
            const int em_mid = (em_lo + em_hi) >> 1;
            if (em_ends[em_mid] > em_i) em_hi = em_mid; else em_lo = em_mid + 1;
        }}
        const int em_t = em_lo;
        const long long em_j = em_i - (em_t ? em_ends[em_t - 1] : 0);
        {binds}
        {self.body};
    }}
}}
"""

    def _kernel(self, dtype):
        kernel = self._kernels.get(dtype)
        if kernel is None:
            c_type = {"float32": "float", "float64": "double"}.get(np.dtype(dtype).name)
            if c_type is None:
                raise TypeError(f"{self.name}: no multi-tensor kernel for dtype {dtype}")
            kernel = self._kernels[dtype] = cp.RawKernel(self.source(c_type), self.name)
        return kernel

    def _table(self, lists):
        """(device pointer table, device running counts, total) for these arrays."""
        ptrs = tuple(a.data.ptr for arrays in lists for a in arrays)
        sizes = tuple(a.size for a in lists[0])
        key = ptrs + sizes
        hit = self._tables.get(key)
        if hit is None:
            ends = np.cumsum(sizes, dtype=np.int64)
            hit = (cp.asarray(np.asarray(ptrs, dtype=np.int64)), cp.asarray(ends),
                   int(ends[-1]))
            if len(self._tables) >= _TABLE_CACHE:
                self._tables.pop(next(iter(self._tables)))
            self._tables[key] = hit
        return hit

    def run(self, lists, scalars) -> None:
        first = lists[0][0]
        tables, ends, total = self._table(lists)
        if total == 0:
            return
        args = tuple(_C_SCALARS[t][1](v) for (t, _), v in zip(self.scalars, scalars))
        block = 256
        grid = min((total + block - 1) // block, 65535)
        with first.device:
            self._kernel(first.dtype)((grid,), (block,),
                                      (tables, ends, np.int32(len(lists[0])),
                                       np.int64(total)) + args)


def usable(arrays_lists) -> bool:
    """True when these arrays can go through one multi-tensor launch: CuPy arrays, one
    dtype (float32 or float64), one device, all C-contiguous, no overlap of a tensor with
    itself across lists being needed (the caller passes distinct buffers)."""
    if cp is None:
        return False
    first = arrays_lists[0][0]
    if type(first) is not cp.ndarray or first.dtype.name not in ("float32", "float64"):
        return False
    dtype, dev = first.dtype, first.device.id
    for arrays in arrays_lists:
        for a in arrays:
            if (type(a) is not cp.ndarray or a.dtype != dtype or a.device.id != dev
                    or not a.flags.c_contiguous):
                return False
    return True
