"""Host BLAS: a ctypes handle on the BLAS NumPy links, for its thread count
(set_num_threads) and its axpy (add_scaled_, the optimisers' in-place y += a x)."""
from __future__ import annotations

import ctypes
import warnings

import numpy as np


def _numpy_blas():
    """A ctypes handle on NumPy's core extension, through which dlsym also finds the BLAS
    it links (the library NumPy's matmul calls), or None."""
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
