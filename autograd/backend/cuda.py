"""The "cuda" device type: CuPy arrays, ElementwiseKernel / RawKernel compilation, checks
deferred to the next sync, the CUDA runtime calls (devices, streams, events, memory pool)
and NCCL. Registered without CuPy too, so that "cuda" parses and says what to install."""
from __future__ import annotations

import numpy as np

from .checks import DeferredChecks, flush_checks
from .devices import DeviceType, device, owner, register
from .dtypes import is_floating

try:  # CPU-only installs have no CuPy; everything on "cpu" still works.
    import cupy as cp
except Exception:  # ImportError, or a CuPy without a usable CUDA runtime
    cp = None
_cupyx_special = None
if cp is not None:
    try:
        from cupyx.scipy import special as _cupyx_special
    except Exception:
        _cupyx_special = None


class CUDADevice(DeferredChecks, DeviceType):
    """CuPy on NVIDIA GPUs; `cupy` is the module (None when it is not installed)."""

    name = "cuda"
    dlpack_device = 2
    is_host = False

    def __init__(self, cupy, special=None):
        self.xp = cupy
        self.array_types = (cupy.ndarray,) if cupy is not None else ()
        self.special = special

    # ------------------------------------------------------------------ runtime
    def require(self, what: str = "cuda") -> None:
        if self.xp is None:
            raise RuntimeError(
                f"{what}: CuPy is not installed, so 'cuda' devices are unavailable; install "
                "the extra matching your CUDA toolkit: pip install 'ember-grad[cuda12]' or "
                "'ember-grad[cuda13]'")
        if self.device_count() == 0:
            raise RuntimeError(f"{what}: CuPy is installed but no CUDA GPU was found")

    def device_count(self) -> int:
        if self.xp is None:
            return 0
        try:
            return self.xp.cuda.runtime.getDeviceCount()
        except Exception:
            return 0

    def module(self):
        self.require("cuda")
        return self.xp

    def synchronize(self) -> None:
        if self.is_available():
            self.xp.cuda.Device().synchronize()
            flush_checks()  # the GPU's deferred checks raise here

    def current_device(self) -> int:
        self.require("cuda.current_device")
        return self.xp.cuda.Device().id

    def set_device(self, index: int) -> None:
        self.require("cuda.set_device")
        self.xp.cuda.Device(index).use()

    def device_name(self, index: int | None = None) -> str:
        self.require("cuda.get_device_name")
        idx = self.xp.cuda.Device().id if index is None else index
        name = self.xp.cuda.runtime.getDeviceProperties(idx)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    def memory_allocated(self) -> int:
        """Bytes of GPU memory held by live arrays (CuPy's default pool); 0 without CuPy."""
        return self.xp.get_default_memory_pool().used_bytes() if self.xp is not None else 0

    def empty_cache(self) -> None:
        """Return the memory pool's unused blocks to the driver (torch.cuda.empty_cache)."""
        if self.xp is not None:
            self.xp.get_default_memory_pool().free_all_blocks()

    def use(self, dev):
        self.require(str(dev))
        return self.xp.cuda.Device(dev.index or 0)

    def cuda_device(self, index: int):
        """cupy.cuda.Device(index): use as a context manager to make it current."""
        self.require("cuda_device")
        return self.xp.cuda.Device(index)

    # ------------------------------------------------------------------ arrays
    def device_of(self, arr):
        return device("cuda", arr.device.id)

    def asarray(self, data, dtype, dev):
        self.require(str(dev))
        with self.xp.cuda.Device(0 if dev.index is None else dev.index):
            return self.xp.asarray(data, dtype=dtype)

    def to_device(self, arr, dev, copy):
        self.require(str(dev))
        index = 0 if dev.index is None else dev.index
        with self.xp.cuda.Device(index):
            if isinstance(arr, self.xp.ndarray) and arr.device.id == index:
                return arr.copy() if copy else arr
            if not isinstance(arr, (np.ndarray, self.xp.ndarray)):
                arr = owner(arr).to_host(arr)  # another device type: through the host
            return self.xp.asarray(arr)

    def to_host(self, arr):
        flush_checks()
        return self.xp.asnumpy(arr)

    def to_numpy(self, arr):
        return self.xp.asnumpy(arr)

    def data_ptr(self, arr) -> int:
        return arr.data.ptr

    def read_flags(self, flags) -> list:
        by_device = {}
        for k, flag in enumerate(flags):
            by_device.setdefault(flag.device.id, []).append(k)
        out = [False] * len(flags)
        for dev_id, ks in by_device.items():  # one transfer per GPU
            with self.xp.cuda.Device(dev_id):
                host = self.xp.asnumpy(self.xp.stack([flags[k].reshape(()) for k in ks]))
            for k, value in zip(ks, host):
                out[k] = bool(value)
        return out

    # ------------------------------------------------------------------ kernels
    def elementwise_kernel(self, name, in_params, out_params, body, cpu, preamble=""):
        return self.xp.ElementwiseKernel(in_params, out_params, body, name,
                                         preamble=preamble)

    def row_kernel(self, name, source, dtype):
        c_type = {"float32": "float", "float64": "double"}.get(dtype.name)
        if c_type is None:
            raise TypeError(f"{name}: no CUDA kernel for dtype {dtype}")
        kernel = self.xp.RawKernel(f"typedef {c_type} T;\n{source}", name)
        scalar = dtype.type

        def launch(n_rows, args, block=256):  # one warp (32 threads) per row
            args = tuple(np.int32(a) if type(a) is int else scalar(a) if type(a) is float
                         else a for a in args)
            kernel(((n_rows * 32 + block - 1) // block,), (block,), args)
        return launch

    # ------------------------------------------------------------------ random, scatter
    def rng(self, seed: int):
        return self.xp.random.default_rng(seed)

    def permutation(self, rng, n: int):
        return self.xp.argsort(rng.random(n))  # CuPy's Generator has no permutation

    def add_at(self, out, index, values) -> None:
        """CuPy's scatter-add: cupy.add.at (CuPy 13 and later), else cupyx.scatter_add."""
        if hasattr(self.xp.add, "at"):
            self.xp.add.at(out, index, values)
        else:
            import cupyx
            cupyx.scatter_add(out, index, values)

    def reduce_at(self, name, out, index, values) -> None:
        xp = self.xp
        if name == "add":
            self.add_at(out, index, values)
        elif name in ("maximum", "minimum"):
            import cupyx
            (cupyx.scatter_max if name == "maximum" else cupyx.scatter_min)(out, index, values)
        else:  # CuPy has no multiply.at: |product| = exp(sum log|v|), its sign and its zeros
            floating = is_floating(out.dtype)
            kind = out.dtype if floating else np.float64
            v = values.astype(kind, copy=False)
            zeros = xp.zeros(out.shape, dtype=np.int32)
            negative = xp.zeros(out.shape, dtype=np.int32)
            logs = xp.zeros(out.shape, dtype=kind)
            self.add_at(zeros, index, (v == 0).astype(np.int32))
            self.add_at(negative, index, (v < 0).astype(np.int32))
            self.add_at(logs, index, xp.log(xp.abs(xp.where(v == 0, 1, v))))
            factor = xp.exp(logs) * (1 - 2 * (negative % 2)) * (zeros == 0)
            if not floating:
                factor = xp.rint(factor)
            out[...] = (out * factor).astype(out.dtype, copy=False)

    def bincount(self, idx, minlength: int):
        # CuPy's own bincount reads the maximum back: scatter-add the counts instead
        counts = self.xp.zeros(minlength, dtype=np.int32)
        self.add_at(counts, idx, self.xp.ones(idx.shape, dtype=np.int32))
        return counts.astype(np.int64)


CUDA = register(CUDADevice(cp, _cupyx_special))


# ----------------------------------------------------------------------------- streams, NCCL
# nn.parallel's "nccl" backend reaches CuPy only through these helpers.
def nccl():
    """cupy.cuda.nccl (RuntimeError when CuPy, a GPU or NCCL is missing)."""
    CUDA.require("nccl")
    try:
        from cupy.cuda import nccl as mod
    except ImportError as exc:
        raise RuntimeError(f"nccl: CuPy was built without NCCL support ({exc})") from None
    if not getattr(mod, "available", True):
        raise RuntimeError("nccl: CuPy was built without NCCL support")
    return mod


def current_stream():
    """The CuPy stream kernels are queued on now."""
    return cp.cuda.get_current_stream()


def new_stream():
    """A fresh non-blocking CuPy stream (for communication beside computation)."""
    return cp.cuda.Stream(non_blocking=True)


def event():
    """A CuPy event without timing, recorded on one stream and awaited by another."""
    return cp.cuda.Event(disable_timing=True)


# ----------------------------------------------------------------------------- cuda queries
def device_properties(index: int) -> dict:
    """The CUDA runtime's properties of GPU `index` (name, totalGlobalMem, major, minor,
    multiProcessorCount, ...)."""
    CUDA.require("cuda.get_device_properties")
    props = dict(cp.cuda.runtime.getDeviceProperties(index))
    if isinstance(props.get("name"), bytes):
        props["name"] = props["name"].decode()
    return props


def memory_reserved() -> int:
    """Bytes CuPy's default pool holds from the driver (used and cached); 0 without CuPy."""
    return cp.get_default_memory_pool().total_bytes() if cp is not None else 0


def mem_get_info(index: int) -> tuple:
    """(free, total) bytes of GPU `index`, from the driver."""
    CUDA.require("cuda.mem_get_info")
    with cp.cuda.Device(index):
        return tuple(int(v) for v in cp.cuda.runtime.memGetInfo())


def out_of_memory_error() -> type:
    """The exception CuPy raises when the GPU runs out of memory (MemoryError without
    CuPy)."""
    return cp.cuda.memory.OutOfMemoryError if cp is not None else MemoryError


# ----------------------------------------------------------------------------- torch.cuda's rest
def null_stream():
    """The device's default (legacy null) stream."""
    CUDA.require("cuda.default_stream")
    return cp.cuda.Stream.null


def timed_event(enable_timing: bool, blocking: bool, interprocess: bool):
    """A CuPy event, as torch.cuda.Event(enable_timing, blocking, interprocess)."""
    CUDA.require("cuda.Event")
    return cp.cuda.Event(block=blocking, disable_timing=not enable_timing,
                         interprocess=interprocess)


def elapsed_time(start, end) -> float:
    """Milliseconds between two recorded events."""
    return float(cp.cuda.get_elapsed_time(start, end))


def can_access_peer(index: int, peer: int) -> bool:
    CUDA.require("cuda.can_device_access_peer")
    return bool(cp.cuda.runtime.deviceCanAccessPeer(index, peer))


def pool_used_bytes() -> int:
    """Bytes of live arrays in CuPy's default pool; 0 without CuPy."""
    return cp.get_default_memory_pool().used_bytes() if cp is not None else 0
