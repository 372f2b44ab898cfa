"""What nn.data (host data loading) needs of arrays, as functions of autograd (nn never
touches the backend): recognising arrays in a batch, index orders as host int64 arrays
(concatenated, padded, taken from lists or Tensors), a Tensor's bytes for shared memory
or a pickle and back, and seeding NumPy's global generator in workers. Index orders stay
host arrays: a sampler's whole epoch is one array, sliced into batches without a Tensor
per batch."""
from __future__ import annotations

from . import backend
from .creation import tensor
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


# ----------------------------------------------------------------------------- collate
def is_array(obj) -> bool:
    """True for a NumPy or CuPy array (a sample default_collate stacks)."""
    return backend.is_array(obj)


def is_numpy_scalar(obj) -> bool:
    """True for a NumPy scalar (np.float32(1.0), ...)."""
    return backend.is_numpy_scalar(obj)


# ----------------------------------------------------------------------------- index orders
def host_int64(indices):
    """Indices (a list, array or Tensor) as a host int64 array."""
    if isinstance(indices, Tensor):
        return backend.to_host(indices.array).astype(backend.int64, copy=False)
    if backend.is_array(indices):
        return backend.to_host(indices).astype(backend.int64, copy=False)
    return tensor(list(indices), dtype=backend.int64, device="cpu").array


def concatenate(orders):
    """Index arrays one after the other."""
    return backend.array_module(orders[0]).concatenate(orders)


def resize(order, n: int):
    """`order` repeated from its start until it has n elements (or cut to n)."""
    return backend.array_module(order).resize(order, n)


# ----------------------------------------------------------------------------- bytes
def tensor_bytes(t: Tensor):
    """The elements of `t` as raw little-endian C-order bytes: a host uint8 array (its
    `nbytes`, `tobytes()` and buffer are what travels)."""
    return backend.array_to_bytes(backend.to_host(t.array))


def tensor_from_bytes(buffer, dtype, shape) -> Tensor:
    """A CPU Tensor of `dtype` and `shape` reading little-endian bytes from `buffer` (no
    copy when the buffer is writable and aligned: the Tensor keeps it alive)."""
    return _make(backend.array_from_bytes(buffer, dtype, shape))


# ----------------------------------------------------------------------------- workers
def seed_numpy_global(words) -> None:
    """Seed NumPy's global generator (np.random.*) with a list of 32-bit words."""
    backend.seed_numpy_global(words)
