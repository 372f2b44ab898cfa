"""The one seam to the array libraries: NumPy for "cpu", CuPy for "cuda".

Nothing outside this module imports numpy or cupy. Ops ask `array_module(arr)` for the
library that owns an array and call it as `xp`; devices, dtypes, transfers and the
random generator live here too.
"""
from __future__ import annotations

import numpy as np

try:  # CPU-only installs have no CuPy; everything on "cpu" still works.
    import cupy as cp
except Exception:  # ImportError, or a CuPy without a usable CUDA runtime
    cp = None

ndarray = np.ndarray
_MODULES = {np.ndarray: np}
if cp is not None:
    _MODULES[cp.ndarray] = cp


def array_module(arr):
    """numpy or cupy, whichever owns `arr`."""
    xp = _MODULES.get(type(arr))
    if xp is None:
        if cp is not None and isinstance(arr, cp.ndarray):
            return cp
        return np
    return xp


def is_array(obj) -> bool:
    """True for a NumPy or CuPy ndarray."""
    return type(obj) in _MODULES or isinstance(obj, np.ndarray) or (
        cp is not None and isinstance(obj, cp.ndarray))


def is_numpy_scalar(obj) -> bool:
    return isinstance(obj, np.generic)


# ----------------------------------------------------------------------------- dtypes
float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
bfloat16 = None  # not supported by NumPy
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")
DTYPES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "int16": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8,
    "bool": bool_,
}

_default_dtype = float32


def get_default_dtype():
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Same as torch.set_default_dtype: the dtype of Python floats (float32 or float64)."""
    global _default_dtype
    dtype = as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_dtype = dtype


def as_dtype(dtype):
    """Normalise a dtype given as np.dtype, a string, a Python type or a scalar type."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if dtype is float:
        return _default_dtype
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if isinstance(dtype, str):
        name = dtype[6:] if dtype.startswith("torch.") else dtype
        if name in DTYPES:
            return DTYPES[name]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as autograd.float32, got {dtype!r}") from None


def is_floating(dtype) -> bool:
    return dtype.kind == "f"


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(a, b):
    """PyTorch's promotion of two tensor dtypes (int64 with float32 gives float32)."""
    if a is b:
        return a
    ka, kb = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    if ka != kb:
        return a if ka > kb else b
    return np.promote_types(a, b)


def result_type(a, b):
    """Result dtype of a binary op on arrays or Python scalars, following PyTorch.

    Categories are bool < integer < float. Dimensioned tensors decide; a 0-d tensor,
    then a Python scalar, only counts when it is of a higher category (so float32
    tensor * 2.5 stays float32 and int64 tensor * 2.5 becomes the default float dtype).
    """
    levels = ([], [], [])  # dimensioned arrays, 0-d arrays, Python scalars
    for x in (a, b):
        if isinstance(x, (bool, int, float)):
            levels[2].append(_dtype_of(x))
        else:
            levels[1 if x.ndim == 0 else 0].append(x.dtype)
    result = None
    for dtypes in levels:
        if not dtypes:
            continue
        d = dtypes[0] if len(dtypes) == 1 else promote_types(dtypes[0], dtypes[1])
        if result is None or _KIND_RANK[d.kind] > _KIND_RANK[result.kind]:
            result = d
    return result


def _dtype_of(x):
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default_dtype
    return x.dtype


# ----------------------------------------------------------------------------- devices
class device:
    """Same as torch.device: `device("cuda:0")`, `.type`, `.index`; equal to its string."""

    __slots__ = ("type", "index")

    def __init__(self, spec="cpu", index=None):
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, num = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {spec!r}")
        if num:
            if not num.isdigit():
                raise RuntimeError(f"device: invalid device index in {spec!r}")
            index = int(num)
        if kind == "cpu":
            index = None
        self.type, self.index = kind, index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        if self.type != other.type:
            return False
        # "cuda" (no index) equals the current device, as a convenience for comparisons
        return self.index == other.index or self.index is None or other.index is None

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")
_default_device = CPU


def get_default_device() -> device:
    return _default_device


def set_default_device(dev) -> None:
    global _default_device
    _default_device = as_device(dev)


def as_device(dev) -> device:
    if dev is None:
        return _default_device
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int):
        return device("cuda", dev)
    return device(dev)


def device_of(arr) -> device:
    if type(arr) is np.ndarray or not (cp is not None and isinstance(arr, cp.ndarray)):
        return CPU
    return device("cuda", arr.device.id)


def _require_cupy(what="cuda"):
    if cp is None:
        raise RuntimeError(
            f"{what}: CuPy is not installed, so 'cuda' devices are unavailable; install the "
            "extra matching your CUDA toolkit: pip install 'ember-grad[cuda12]' or "
            "'ember-grad[cuda13]'")
    if device_count() == 0:
        raise RuntimeError(f"{what}: CuPy is installed but no CUDA GPU was found")


def cuda_is_available() -> bool:
    return device_count() > 0


def device_count() -> int:
    if cp is None:
        return 0
    try:
        return cp.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


def cuda_synchronize() -> None:
    if cuda_is_available():
        cp.cuda.Device().synchronize()
        flush_checks()  # the GPU's deferred checks raise here (see "deferred checks")


def cuda_current_device() -> int:
    _require_cupy("cuda.current_device")
    return cp.cuda.Device().id


def cuda_set_device(index: int) -> None:
    _require_cupy("cuda.set_device")
    cp.cuda.Device(index).use()


def cuda_device_name(index: int | None = None) -> str:
    _require_cupy("cuda.get_device_name")
    idx = cp.cuda.Device().id if index is None else index
    name = cp.cuda.runtime.getDeviceProperties(idx)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def cuda_memory_allocated() -> int:
    """Bytes of GPU memory held by live arrays (CuPy's default pool); 0 without CuPy."""
    return cp.get_default_memory_pool().used_bytes() if cp is not None else 0


def cuda_empty_cache() -> None:
    """Return the memory pool's unused blocks to the driver (torch.cuda.empty_cache)."""
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def module_for(dev: device):
    if dev.type == "cpu":
        return np
    _require_cupy(str(dev))
    return cp


def to_device(arr, dev: device, copy: bool = False):
    """Move `arr` to `dev` (a no-op when it is already there, unless `copy`)."""
    if dev.type == "cpu":
        if type(arr) is np.ndarray or isinstance(arr, np.ndarray):
            return arr.copy() if copy else arr
        flush_checks()
        return cp.asnumpy(arr)
    _require_cupy(str(dev))
    index = 0 if dev.index is None else dev.index
    with cp.cuda.Device(index):
        if isinstance(arr, cp.ndarray) and arr.device.id == index:
            return arr.copy() if copy else arr
        return cp.asarray(arr)


def to_host(arr):
    """A NumPy array for `arr` (a copy from the GPU when needed)."""
    if isinstance(arr, np.ndarray):
        return arr
    flush_checks()
    return cp.asnumpy(arr)


def asarray(data, dtype=None, dev: device | None = None):
    """Build a backend array from data (lists, scalars, arrays) on `dev`."""
    dev = as_device(dev)
    xp = module_for(dev)
    if dev.type == "cuda":
        with cp.cuda.Device(0 if dev.index is None else dev.index):
            return cp.asarray(data, dtype=dtype)
    return xp.asarray(data, dtype=dtype)


def ascontiguous(arr):
    return array_module(arr).ascontiguousarray(arr)


# ----------------------------------------------------------------------------- random
class Generator:
    """Same idea as torch.Generator: one seeded stream per device type."""

    def __init__(self, seed: int | None = None):
        self.manual_seed(np.random.SeedSequence().entropy % (2**63) if seed is None else seed)

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        self._seed = seed
        self._np = np.random.default_rng(seed)
        self._cp = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def for_module(self, xp):
        if xp is np:
            return self._np
        if self._cp is None:
            self._cp = cp.random.default_rng(self._seed)
        return self._cp

    def get_state(self):
        return {"seed": self._seed, "np": self._np.bit_generator.state}

    def set_state(self, state) -> None:
        self._seed = state["seed"]
        self._np.bit_generator.state = state["np"]


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Same as torch.manual_seed: reseeds the default generator on every device."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Same as torch.seed: reseed the default generator from fresh entropy; returns it."""
    return default_generator.manual_seed(
        np.random.SeedSequence().entropy % (2**63)).initial_seed()


def initial_seed() -> int:
    """Same as torch.initial_seed: the default generator's seed."""
    return default_generator.initial_seed()


def rng(xp, generator: Generator | None = None):
    return (generator or default_generator).for_module(xp)


def permutation(xp, n: int, generator: Generator | None = None):
    """A random permutation of range(n) from the generator's stream for `xp` (CuPy's
    Generator has no permutation: there it is the argsort of n uniform draws)."""
    r = rng(xp, generator)
    if xp is np:
        return r.permutation(n)
    return xp.argsort(r.random(n))


# ----------------------------------------------------------------------------- special maths
# NumPy has no erf or logistic function. SciPy's (or CuPy's) ufuncs are used when they
# are installed; otherwise the NumPy formulas below, accurate to float64 rounding.
try:
    from scipy import special as _sp_special
except Exception:  # SciPy is optional
    _sp_special = None
_cp_special = None
if cp is not None:
    try:
        from cupyx.scipy import special as _cp_special
    except Exception:
        _cp_special = None


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    if type(x) is np.ndarray and _sp_special is not None:
        return _sp_special.expit(x)
    if _cp_special is not None and isinstance(x, cp.ndarray):
        return _cp_special.expit(x)
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def erf(x):
    """The error function, elementwise."""
    if type(x) is np.ndarray and _sp_special is not None:
        return _sp_special.erf(x)
    if _cp_special is not None and isinstance(x, cp.ndarray):
        return _cp_special.erf(x)
    return _erf_series(x)


def _scipy_special(name, x, *args):
    """SciPy's special function `name` on host arrays, cupyx.scipy.special's on the GPU,
    in x's dtype (float16 is computed in float32)."""
    arr = x.astype(np.float32) if x.dtype == np.float16 else x
    if type(arr) is np.ndarray:
        lib = _sp_special
    else:
        lib = _cp_special if cp is not None and isinstance(arr, cp.ndarray) else None
    if lib is None:
        raise RuntimeError(f"{name}: expected SciPy (CPU) or cupyx.scipy (GPU) to be installed, "
                           "got neither")
    return getattr(lib, name)(*args, arr).astype(x.dtype, copy=False)


def erfc(x):
    """1 - erf(x), accurate for large x."""
    return _scipy_special("erfc", x)


def erfinv(x):
    return _scipy_special("erfinv", x)


def lgamma(x):
    """log |gamma(x)|; +inf at -inf, as PyTorch (SciPy gives -inf there)."""
    out = _scipy_special("gammaln", x)
    return array_module(x).where(x == -np.inf, np.inf, out).astype(x.dtype, copy=False)


def digamma(x):
    return _scipy_special("psi", x)


def polygamma(n: int, x):
    """The n-th derivative of digamma (n >= 0)."""
    if n == 0:
        return digamma(x)
    if cp is not None and isinstance(x, cp.ndarray):
        n = cp.asarray(n)  # cupyx's polygamma takes n as an array only
    return _scipy_special("polygamma", x, n)


def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return _scipy_special("i0", x)


def i1(x):
    """Modified Bessel function of the first kind, order 1."""
    return _scipy_special("i1", x)


def _erf_series(x):
    # |x| < 3: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), all terms
    # positive (no cancellation). |x| >= 3: erf = 1 - erfc, erfc by its continued fraction.
    xp = array_module(x)
    dtype = x.dtype
    a = xp.abs(x.astype(np.float64))
    small = xp.minimum(a, 3.0)
    term = small.copy()
    total = small.copy()
    x2 = small * small
    for n in range(1, 80):
        term = term * (2 * x2) / (2 * n + 1)
        total = total + term
    erf_small = 2 / np.sqrt(np.pi) * xp.exp(-x2) * total
    big = xp.maximum(a, 3.0)
    # erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
    frac = big.copy()
    for k in range(60, 0, -1):
        frac = big + (k / 2) / frac
    erfc_big = xp.exp(-big * big) / np.sqrt(np.pi) / frac
    out = xp.where(a < 3.0, erf_small, 1 - erfc_big)
    return (xp.sign(x) * out).astype(dtype, copy=False)


# ----------------------------------------------------------------------------- fused kernels
# On the GPU an op's cost is memory traffic and kernel launches, not arithmetic, so a
# chain of elementwise steps (an activation's backward, an optimiser's update) should be
# one kernel. Ops declare such a chain once, beside their NumPy code: `Fused` runs the
# NumPy function on host arrays and one CuPy ElementwiseKernel on device arrays.
# `RawKernel` is the same seam for hand-written CUDA (a row-wise softmax, say).
class Fused:
    """`Fused(name, in_params, out_params, body, cpu)`: call it with arrays and scalars in
    the order of `in_params` then `out_params` (CuPy's ElementwiseKernel conventions:
    "T x, raw T y, float64 lr"; `i` is the element index). Host arrays go to
    `cpu(*args)`; device arrays to the kernel, compiled on first use. Outputs passed in
    are written in place, outputs left out are allocated and returned."""

    __slots__ = ("name", "cpu", "_spec", "_kernel")

    def __init__(self, name: str, in_params: str, out_params: str, body: str, cpu):
        self.name, self.cpu = name, cpu
        self._spec = (in_params, out_params, body)
        self._kernel = None

    def __call__(self, *args):
        if cp is None or not isinstance(args[0], cp.ndarray):
            return self.cpu(*args)
        kernel = self._kernel
        if kernel is None:
            in_params, out_params, body = self._spec
            kernel = self._kernel = cp.ElementwiseKernel(in_params, out_params, body,
                                                         self.name)
        return kernel(*args)


class RawKernel:
    """A hand-written CUDA kernel `name` in `source`, compiled once per float dtype with
    `T` defined as that dtype (float or double). `rows(n, *args)` launches one warp (32
    threads) per row for n rows; Python ints become int32 and floats T."""

    __slots__ = ("name", "source", "_kernels")

    def __init__(self, name: str, source: str):
        self.name, self.source = name, source
        self._kernels = {}

    def rows(self, n_rows: int, dtype, *args) -> None:
        dtype = np.dtype(dtype)
        kernel = self._kernels.get(dtype)
        if kernel is None:
            c_type = {"float32": "float", "float64": "double"}.get(dtype.name)
            if c_type is None:
                raise TypeError(f"{self.name}: no CUDA kernel for dtype {dtype}")
            kernel = self._kernels[dtype] = cp.RawKernel(
                f"typedef {c_type} T;\n{self.source}", self.name)
        args = tuple(np.int32(a) if type(a) is int else dtype.type(a) if type(a) is float
                     else a for a in args)
        block = 256
        kernel(((n_rows * 32 + block - 1) // block,), (block,), args)


def is_device_array(arr) -> bool:
    """True for a CuPy array (the caller picks a GPU kernel over its NumPy code)."""
    return type(arr) is _cp_ndarray or (cp is not None and isinstance(arr, cp.ndarray))


_cp_ndarray = cp.ndarray if cp is not None else type("_NoCupyArray", (), {})


def _numpy_blas():
    """A ctypes handle on NumPy's core extension, through which dlsym also finds the BLAS
    it links (the library NumPy's matmul calls), or None."""
    import ctypes
    try:
        try:
            from numpy._core import _multiarray_umath as umath
        except ImportError:  # NumPy 1.x
            from numpy.core import _multiarray_umath as umath
        return ctypes.CDLL(umath.__file__)  # already loaded: the same handle
    except (ImportError, OSError, AttributeError):
        return None


_BLAS = _numpy_blas()


def _find_axpy() -> dict:
    """NumPy's own BLAS `?axpy` (y += a x in one pass, no temporary), reached through
    ctypes: the library NumPy's matmul already calls, so one thread pool for both.
    Returns {dtype: (function, largest n)}; empty where NumPy's BLAS does not export it
    under a known name (then add_scaled_ works in blocks instead)."""
    import ctypes
    lib = _BLAS
    if lib is None:
        return {}
    # (symbol pattern, integer type): NumPy's wheels (scipy-openblas, 64-bit ints), older
    # wheels' openblas64_, then a plain LP64 CBLAS
    for pattern, int_t in (("scipy_cblas_{}axpy64_", ctypes.c_int64),
                           ("cblas_{}axpy64_", ctypes.c_int64), ("cblas_{}axpy", ctypes.c_int)):
        found = {}
        for letter, dtype, real_t in (("s", np.dtype(np.float32), ctypes.c_float),
                                      ("d", np.dtype(np.float64), ctypes.c_double)):
            fn = getattr(lib, pattern.format(letter), None)
            if fn is None:
                break
            fn.argtypes = (int_t, real_t, ctypes.c_void_p, int_t, ctypes.c_void_p, int_t)
            fn.restype = None
            y, x = np.arange(5, dtype=dtype), np.full(5, 2, dtype=dtype)
            fn(5, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)  # a check before trusting it
            if not np.array_equal(y, np.arange(5, dtype=dtype) - 1):
                break
            found[dtype] = (fn, 2 ** (8 * ctypes.sizeof(int_t) - 1) - 1)
        if len(found) == 2:
            return found
    return {}


_AXPY = _find_axpy()


def _find_blas_threads():
    """(set, get) for the thread count of NumPy's BLAS (NumPy's wheels and older
    openblas64_ builds, or a plain OpenBLAS), or None."""
    import ctypes
    lib = _BLAS
    if lib is None:
        return None
    for setter, getter in (("scipy_openblas_set_num_threads64_",
                            "scipy_openblas_get_num_threads64_"),
                           ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
                           ("openblas_set_num_threads", "openblas_get_num_threads")):
        set_fn, get_fn = getattr(lib, setter, None), getattr(lib, getter, None)
        if set_fn is not None and get_fn is not None:
            set_fn.argtypes, set_fn.restype = (ctypes.c_int,), None
            get_fn.argtypes, get_fn.restype = (), ctypes.c_int
            return set_fn, get_fn
    return None


_BLAS_THREADS = _find_blas_threads()


def set_num_threads(n: int) -> None:
    """Same as torch.set_num_threads: the threads NumPy's BLAS (matmul, the host's only
    multi-threaded kernels) uses. Warns where NumPy's BLAS offers no such control."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise RuntimeError(f"set_num_threads: expected a positive number of threads, got {n}")
    if _BLAS_THREADS is None:
        import warnings
        warnings.warn("set_num_threads: NumPy's BLAS exposes no thread control here; set "
                      "OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before starting Python",
                      stacklevel=2)
        return
    _BLAS_THREADS[0](n)


def get_num_threads() -> int:
    """Same as torch.get_num_threads: the threads NumPy's BLAS uses (1 if unknown)."""
    return _BLAS_THREADS[1]() if _BLAS_THREADS is not None else 1
_AXPY_MIN = 1 << 13  # below this, ctypes' call costs more than NumPy's temporary
_CHUNK = 1 << 15  # elements per block where there is no axpy: the temporary stays in L2


def add_scaled_(y, x, alpha: float) -> None:
    """y += alpha * x in place. Optimiser updates go through here. For large host arrays
    it is one BLAS axpy call (as PyTorch's fused add_(x, alpha=): no temporary the size of
    a weight matrix, one pass over memory); without an axpy, cache-sized blocks bound the
    temporary. A fused GPU kernel can replace this in one place."""
    n = y.size
    if (n < _AXPY_MIN or type(y) is not np.ndarray or type(x) is not np.ndarray
            or x.shape != y.shape or not (y.flags.c_contiguous and x.flags.c_contiguous)):
        y += alpha * x
        return
    px, py = x.ctypes.data, y.ctypes.data
    if px != py and np.may_share_memory(x, y):  # overlapping: NumPy's buffered order
        y += alpha * x
        return
    blas = _AXPY.get(y.dtype) if x.dtype == y.dtype else None
    if blas is not None and n <= blas[1] and y.flags.writeable and y.flags.aligned \
            and x.flags.aligned:
        blas[0](n, alpha, px, 1, py, 1)
        return
    if n > 4 * _CHUNK:
        yf, xf = y.reshape(-1), x.reshape(-1)
        tmp = np.empty(_CHUNK, dtype=np.result_type(y.dtype, x.dtype))
        for start in range(0, n, _CHUNK):  # blocks of 32K elements, not elements
            stop = min(start + _CHUNK, n)
            t = tmp[:stop - start]
            np.multiply(xf[start:stop], alpha, out=t)
            yf[start:stop] += t
        return
    y += alpha * x


def data_ptr(arr) -> int:
    if isinstance(arr, np.ndarray):
        return arr.__array_interface__["data"][0]
    return arr.data.ptr


# Memory: training allocates and frees the same large arrays every step (activations,
# gradients). With glibc's defaults those come from mmap or are trimmed back to the OS
# when freed, so every step pays hundreds of page faults (measured: 750 per step of
# benchmarks/mlp_step.py at batch 32, 2.8 ms instead of 1.35 ms). Like PyTorch's caching
# allocators, keep freed memory in the process instead. EMBER_MALLOC_CACHE=0 opts out.
def _tune_malloc() -> bool:
    import os
    import sys
    if os.environ.get("EMBER_MALLOC_CACHE", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 32 << 20) == 1
        return ok and libc.mallopt(m_trim_threshold, 256 << 20) == 1
    except (OSError, AttributeError):  # not glibc (musl, ...): keep the defaults
        return False


malloc_tuned = _tune_malloc()


# Floating-point warnings (log(0), 0/0) raised inside this package: PyTorch returns
# inf/nan silently, and an errstate context per op would cost a microsecond.
import warnings as _warnings  # noqa: E402

_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(autograd|nn)(\.|$)")


# ----------------------------------------------------------------------------- array helpers
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


class finfo:
    """Same as torch.finfo: machine limits of a floating dtype (the default dtype when
    none is given): bits, eps, max, min, tiny (= smallest_normal), resolution, dtype."""

    def __init__(self, dtype=None):
        dt = as_dtype(dtype) or get_default_dtype()
        if dt.kind != "f":
            raise TypeError(f"finfo: expected a floating point dtype, got {dt}")
        info = np.finfo(dt)
        self.bits, self.dtype = info.bits, dt.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Same as torch.iinfo: bits, max, min and dtype of an integer dtype."""

    def __init__(self, dtype):
        dt = as_dtype(dtype)
        if dt is None or dt.kind not in "iub":
            raise TypeError(f"iinfo: expected an integer dtype, got {dt}")
        info = np.iinfo(dt) if dt.kind != "b" else np.iinfo(np.uint8)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            dt.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def host_repeat(n: int, counts):
    """int64 host indices 0..n-1, index i repeated counts (an int, or counts[i]) times."""
    return np.repeat(np.arange(n, dtype=np.int64), counts)


def broadcast_shapes(*shapes):
    return np.broadcast_shapes(*shapes)


def _cp_add_at(out, index, values):
    """CuPy's scatter-add: cupy.add.at (CuPy 13 and later), else cupyx.scatter_add."""
    if hasattr(cp.add, "at"):
        cp.add.at(out, index, values)
    else:
        import cupyx
        cupyx.scatter_add(out, index, values)


def index_add_at(out, index, values):
    """out[index] += values, accumulating over repeated indices."""
    if isinstance(out, np.ndarray):
        np.add.at(out, index, values)
    else:
        _cp_add_at(out, index, values)


def reduce_at(name, out, index, values):
    """out[index] = name(out[index], values), applied once per value even where indices
    repeat; name is "add", "multiply", "maximum" or "minimum" (scatter_reduce)."""
    if isinstance(out, np.ndarray):
        getattr(np, name).at(out, index, values)
    elif name == "add":
        _cp_add_at(out, index, values)
    elif name in ("maximum", "minimum"):
        import cupyx
        (cupyx.scatter_max if name == "maximum" else cupyx.scatter_min)(out, index, values)
    else:  # CuPy has no multiply.at: |product| = exp(sum log|v|), its sign and its zeros
        kind = out.dtype if out.dtype.kind == "f" else np.float64
        v = values.astype(kind, copy=False)
        zeros = cp.zeros(out.shape, dtype=np.int32)
        negative = cp.zeros(out.shape, dtype=np.int32)
        logs = cp.zeros(out.shape, dtype=kind)
        _cp_add_at(zeros, index, (v == 0).astype(np.int32))
        _cp_add_at(negative, index, (v < 0).astype(np.int32))
        _cp_add_at(logs, index, cp.log(cp.abs(cp.where(v == 0, 1, v))))
        factor = cp.exp(logs) * (1 - 2 * (negative % 2)) * (zeros == 0)
        if out.dtype.kind != "f":
            factor = cp.rint(factor)
        out[...] = (out * factor).astype(out.dtype, copy=False)


# ----------------------------------------------------------------------------- raw bytes
def array_to_bytes(arr):
    """`arr`'s elements as raw little-endian C-order bytes (a uint8 host array; copied from
    the GPU or reordered only when needed). Used by nn.utils.save."""
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


def array_view_bytes(buffer, dtype, shape, strides, offset: int = 0):
    """A host array of `dtype` viewing `buffer`'s bytes without a copy (writable when the
    buffer is): `shape` and `strides` counted in elements from element `offset`, as a
    torch storage view. The caller checks that the view stays inside the buffer. Used by
    autograd.serialization for PyTorch checkpoints."""
    dtype = as_dtype(dtype)
    base = np.frombuffer(buffer, dtype=dtype, count=len(buffer) // dtype.itemsize)
    return np.lib.stride_tricks.as_strided(
        base[offset:], shape=tuple(shape), strides=tuple(s * dtype.itemsize for s in strides))


# ----------------------------------------------------------------------------- NCCL
# nn.parallel's "nccl" backend reaches CuPy only through these helpers.
def nccl():
    """cupy.cuda.nccl (RuntimeError when CuPy, a GPU or NCCL is missing)."""
    _require_cupy("nccl")
    try:
        from cupy.cuda import nccl as mod
    except ImportError as exc:
        raise RuntimeError(f"nccl: CuPy was built without NCCL support ({exc})") from None
    if not getattr(mod, "available", True):
        raise RuntimeError("nccl: CuPy was built without NCCL support")
    return mod


def cuda_device(index: int):
    """cupy.cuda.Device(index): use as a context manager to make it current."""
    _require_cupy("cuda_device")
    return cp.cuda.Device(index)


def cuda_current_stream():
    """The CuPy stream kernels are queued on now."""
    return cp.cuda.get_current_stream()


def cuda_new_stream():
    """A fresh non-blocking CuPy stream (for communication beside computation)."""
    return cp.cuda.Stream(non_blocking=True)


def cuda_event():
    """A CuPy event without timing, recorded on one stream and awaited by another."""
    return cp.cuda.Event(disable_timing=True)


# ----------------------------------------------------------------------------- deferred checks
# Checks on data (an index out of range, a probability outside [0, 1]) need the data on the
# host. On the CPU that costs nothing and they raise at once. On the GPU, reading a flag
# back would wait for all queued work after every op, so, like PyTorch's device-side
# asserts, the flag stays on the device and is tested when the host waits anyway: at
# to_host (.cpu(), .numpy(), .item(), .tolist(), printing), cuda_synchronize, or when more
# than MAX_PENDING_CHECKS are queued. The first failed check raises its op's own error then.
# Meanwhile the op keeps its work in bounds (check_index clips the indices on the device).
import threading as _threading  # noqa: E402

MAX_PENDING_CHECKS = 64
_pending_checks = []  # (bad: 0-d bool device array, make_error: () -> Exception)
_pending_lock = _threading.Lock()


# checks on a GPU array are deferred: nothing may read it back
defers_checks = is_device_array


def check(bad, make_error) -> None:
    """Raise make_error() if `bad` (a bool, or a 0-d bool array: "some element is invalid")
    is true: at once for host values, at the next host synchronisation for GPU arrays."""
    if is_device_array(bad):
        with _pending_lock:
            _pending_checks.append((bad, make_error))
            full = len(_pending_checks) > MAX_PENDING_CHECKS
        if full:
            flush_checks()
    elif bad:
        raise make_error()


def pending_checks() -> int:
    """How many GPU checks wait for the next synchronisation."""
    return len(_pending_checks)


def flush_checks() -> None:
    """Test every queued GPU check with one device-to-host copy; raise the first failure
    (the queue is emptied first, so each failure is raised once)."""
    if not _pending_checks:
        return
    with _pending_lock:
        pending = list(_pending_checks)
        _pending_checks.clear()
    by_device = {}
    for k, (bad, _) in enumerate(pending):
        by_device.setdefault(bad.device.id, []).append(k)
    failed = [False] * len(pending)
    for dev_id, ks in by_device.items():
        with cp.cuda.Device(dev_id):
            flags = cp.asnumpy(cp.stack([pending[k][0].reshape(()) for k in ks]))
        for k, flag in zip(ks, flags):
            failed[k] = bool(flag)
    for (_, make_error), bad in zip(pending, failed):
        if bad:
            raise make_error()


def check_index(idx, lo: int, hi: int, make_error):
    """Check lo <= idx < hi elementwise; make_error(low, high) gets the smallest and largest
    index as ints. Returns the indices to use: `idx` itself on the host (a bad one has
    raised already); on the GPU, where the check waits, `idx` clipped into [lo, hi) so the
    op never reads or writes out of bounds meanwhile."""
    if not idx.size:
        return idx
    if type(idx) is np.ndarray or not defers_checks(idx):
        low, high = int(idx.min()), int(idx.max())
        if low < lo or high >= hi:
            raise make_error(low, high)
        return idx
    low, high = idx.min(), idx.max()
    if hi <= lo:  # nothing is in range: known without reading the data
        raise make_error(int(low), int(high))
    check((low < lo) | (high >= hi), lambda: make_error(int(low), int(high)))
    return cp.clip(idx, lo, hi - 1)


def first_outside(arr, lo: int, hi: int):
    """The first element of `arr` (in C order) outside [lo, hi), as an int (None if none).
    For error messages; reads the array back."""
    host = arr if isinstance(arr, np.ndarray) else cp.asnumpy(arr)
    host = host.reshape(-1)
    bad = host[(host < lo) | (host >= hi)]
    return int(bad[0]) if bad.size else None


def bincount(idx, minlength: int):
    """Counts of each value of the flat non-negative int array `idx` (all < minlength), as
    a length-`minlength` int64 array. CuPy's own bincount reads the maximum back; on the GPU
    the counts are scatter-added instead."""
    if type(idx) is np.ndarray:
        return np.bincount(idx, minlength=minlength)
    counts = cp.zeros(minlength, dtype=np.int32)
    _cp_add_at(counts, idx, cp.ones(idx.shape, dtype=np.int32))
    return counts.astype(np.int64)


# ----------------------------------------------------------------------------- cuda queries
def cuda_device_properties(index: int) -> dict:
    """The CUDA runtime's properties of GPU `index` (name, totalGlobalMem, major, minor,
    multiProcessorCount, ...)."""
    _require_cupy("cuda.get_device_properties")
    props = dict(cp.cuda.runtime.getDeviceProperties(index))
    if isinstance(props.get("name"), bytes):
        props["name"] = props["name"].decode()
    return props


def cuda_memory_reserved() -> int:
    """Bytes CuPy's default pool holds from the driver (used and cached); 0 without CuPy."""
    return cp.get_default_memory_pool().total_bytes() if cp is not None else 0


def cuda_mem_get_info(index: int) -> tuple:
    """(free, total) bytes of GPU `index`, from the driver."""
    _require_cupy("cuda.mem_get_info")
    with cp.cuda.Device(index):
        return tuple(int(v) for v in cp.cuda.runtime.memGetInfo())


def cuda_out_of_memory_error() -> type:
    """The exception CuPy raises when the GPU runs out of memory (MemoryError without
    CuPy)."""
    return cp.cuda.memory.OutOfMemoryError if cp is not None else MemoryError
