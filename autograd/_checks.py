"""Value checks and device queries on Tensors, for code above the backend (nn): what
it needs of arrays (a deferred check, an index range check, whether a device defers its
checks) without touching backend arrays. On the CPU a failed check raises at once; on
the GPU it raises at the next host synchronisation (see backend.check)."""
from __future__ import annotations

from . import backend
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


def check(bad, make_error) -> None:
    """Raise make_error() if `bad` (a bool, or a 0-d bool Tensor) is true: at once on the
    CPU, at the next synchronisation on the GPU."""
    backend.check(bad.array if isinstance(bad, Tensor) else bad, make_error)


def check_index(index: Tensor, low: int, high: int, make_error) -> Tensor:
    """Check low <= index < high elementwise; make_error(smallest, largest) builds the
    error. Returns the indices to use (clipped into range on the GPU, where the check waits
    and nothing may read out of bounds meanwhile)."""
    arr = index.array
    safe = backend.check_index(arr, low, high, make_error)
    return index if safe is arr else _make(safe)


def first_outside(index: Tensor, low: int, high: int):
    """The first element outside [low, high) as an int (None if none), for error
    messages; reads the data back."""
    return backend.first_outside(index.array, low, high)


def is_array(value) -> bool:
    """Is `value` a backend array (NumPy/CuPy) or a NumPy scalar, i.e. something
    `autograd.as_tensor` takes without copying (state dicts may hold these)?"""
    return backend.is_array(value) or backend.is_numpy_scalar(value)


def defers_checks(t: Tensor) -> bool:
    """True where checks on t's data wait for a synchronisation (GPU tensors): callers
    then avoid reading a flag back."""
    return backend.defers_checks(t.array)


def bincount(index: Tensor, minlength: int) -> Tensor:
    """int64 counts of each value of a flat non-negative int Tensor (all < minlength),
    without reading the maximum back on the GPU."""
    return _make(backend.bincount(index.array, minlength))


def broadcast_shapes(*shapes) -> tuple:
    """Same as torch.broadcast_shapes, raising ValueError when they do not broadcast."""
    return tuple(backend.broadcast_shapes(*shapes))


def result_type(a: Tensor, b: Tensor):
    """The dtype of an elementwise op on a and b (as torch.result_type), as the backend's
    dtype (with .kind and .name)."""
    return backend.result_type(a.array, b.array)


_host = backend.ndarray


def same_device(a: Tensor, b: Tensor) -> bool:
    """Do two tensors live on one device? (No device object is built on the common path:
    two host arrays are on the one CPU.)"""
    x, y = a.array, b.array
    if type(x) is not type(y):
        return False
    return type(x) is _host or x.device == y.device
