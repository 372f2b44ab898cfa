"""DLPack interop: `from_dlpack` (same as torch.from_dlpack) shares memory, never copies."""
from __future__ import annotations

from . import backend
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_DL_CPU, _DL_CUDA = 1, 2


def from_dlpack(ext_tensor) -> Tensor:
    """Same as torch.from_dlpack: a Tensor on the same memory as `ext_tensor` (a NumPy or
    CuPy array, a torch tensor, anything with `__dlpack__`); writes show on both sides."""
    if isinstance(ext_tensor, Tensor):
        return _make(ext_tensor.array)
    if not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__, got "
                        f"{type(ext_tensor).__name__}")
    kind = int(ext_tensor.__dlpack_device__()[0]) if hasattr(
        ext_tensor, "__dlpack_device__") else _DL_CPU
    if kind == _DL_CPU:
        return _make(backend.np.from_dlpack(ext_tensor))
    if kind == _DL_CUDA and backend.cp is not None:
        return _make(backend.cp.from_dlpack(ext_tensor))
    raise RuntimeError(f"from_dlpack: expected a CPU or CUDA tensor, got DLPack device type "
                       f"{kind}")
