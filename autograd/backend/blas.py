"""Host BLAS: a ctypes handle on the BLAS NumPy links, for its thread count
(set_num_threads), its axpy (add_scaled_, the optimisers' in-place y += a x) and its
axpby (momentum_step_, SGD's buf = m buf + g then p += a buf)."""
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


# (symbol pattern, integer type): NumPy's wheels (scipy-openblas, 64-bit ints), older
# wheels' openblas64_, then a plain LP64 CBLAS
_PATTERNS = (("scipy_cblas_{}{}64_", ctypes.c_int64), ("cblas_{}{}64_", ctypes.c_int64),
             ("cblas_{}{}", ctypes.c_int))


def _find(name, argtypes, works) -> dict:
    """NumPy's own BLAS `?name` for float32 and float64, reached through ctypes (the
    library NumPy's matmul already calls, so one thread pool for all), under the first
    naming scheme that has both and whose functions pass `works(fn, dtype)`.
    `argtypes(int_t, real_t)` gives the C signature. Returns {dtype: (function, largest
    n)}; empty where NumPy's BLAS does not export it under a known name."""
    lib = _BLAS
    if lib is None:
        return {}
    for pattern, int_t in _PATTERNS:
        found = {}
        for letter, dtype, real_t in (("s", np.dtype(np.float32), ctypes.c_float),
                                      ("d", np.dtype(np.float64), ctypes.c_double)):
            fn = getattr(lib, pattern.format(letter, name), None)
            if fn is None:
                break
            fn.argtypes = argtypes(int_t, real_t)
            fn.restype = None
            if not works(fn, dtype):  # a check before trusting it
                break
            found[dtype] = (fn, 2 ** (8 * ctypes.sizeof(int_t) - 1) - 1)
        if len(found) == 2:
            return found
    return {}


def _axpy_works(fn, dtype) -> bool:
    y, x = np.arange(5, dtype=dtype), np.full(5, 2, dtype=dtype)
    fn(5, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)
    return np.array_equal(y, np.arange(5, dtype=dtype) - 1)


def _axpby_works(fn, dtype) -> bool:
    """axpby rounds as NumPy's two steps `y *= b; y += x` do (b y rounded, then the sum
    rounded: no fused multiply-add), on values where a fused one would differ, over a
    vector body and a tail on any kernel width."""
    x, y = np.random.default_rng(1).standard_normal((2, 1031)).astype(dtype)
    want = y * dtype.type(0.9)
    want += x
    fn(x.size, 1.0, x.ctypes.data, 1, 0.9, y.ctypes.data, 1)
    return np.array_equal(y, want)


# y += a x in one pass, no temporary (add_scaled_); without it add_scaled_ works in blocks
_AXPY = _find("axpy", lambda i, r: (i, r, ctypes.c_void_p, i, ctypes.c_void_p, i),
              _axpy_works)
# y = a x + b y in one pass (an OpenBLAS extension; momentum_step_), kept only where it
# rounds as NumPy's two steps
_AXPBY = {dt: fn for dt, (fn, _) in _find(
    "axpby", lambda i, r: (i, r, ctypes.c_void_p, i, r, ctypes.c_void_p, i),
    _axpby_works).items()} if _AXPY else {}


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


_BLOCK = 1 << 17  # elements per block of momentum_step_: p's, buf's and g's stay in L2


def momentum_step_(p, buf, g, momentum: float, alpha: float) -> None:
    """buf = momentum * buf + g, then p += alpha * buf, in place: SGD's momentum step
    (dampening 0), rounded as PyTorch's `buf.mul_(momentum).add_(g)` then
    `p.add_(buf, alpha=alpha)`. For large host arrays it is one BLAS axpby and one axpy
    per L2-sized block, so the second pass reads buf from cache: five array accesses per
    element instead of NumPy's eight (`buf *= m`, `buf += g`, `p += a buf`)."""
    n = p.size
    axpby = _AXPBY.get(p.dtype)
    if (axpby is None or n < _AXPY_MIN or type(p) is not np.ndarray
            or type(buf) is not np.ndarray or type(g) is not np.ndarray
            or not (p.dtype == buf.dtype == g.dtype and p.shape == buf.shape == g.shape)
            or not (p.flags.c_contiguous and buf.flags.c_contiguous and g.flags.c_contiguous
                    and p.flags.writeable and buf.flags.writeable and p.flags.aligned
                    and buf.flags.aligned and g.flags.aligned)
            or np.may_share_memory(p, buf) or np.may_share_memory(p, g)
            or np.may_share_memory(buf, g)):
        buf *= momentum
        add_scaled_(buf, g, 1.0)
        add_scaled_(p, buf, alpha)
        return
    axpy = _AXPY[p.dtype][0]
    pp, pb, pg = p.ctypes.data, buf.ctypes.data, g.ctypes.data
    size = p.itemsize
    for start in range(0, n, _BLOCK):  # blocks of 128K elements, not elements
        k = min(_BLOCK, n - start)
        off = start * size
        axpby(k, 1.0, pg + off, 1, momentum, pb + off, 1)
        axpy(k, alpha, pb + off, 1, pp + off, 1)
