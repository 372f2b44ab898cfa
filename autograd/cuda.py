"""`autograd.cuda`: is_available(), device_count(), synchronize() and torch.cuda's other
everyday calls; safe to import and call without CuPy (the device queries then raise, as
PyTorch's do without CUDA)."""
from . import backend
from .amp import cuda_amp

amp = cuda_amp  # torch.cuda.amp (autocast, GradScaler)


def is_available() -> bool:
    """True when CuPy is installed and sees a CUDA GPU."""
    return backend.cuda_is_available()


def device_count() -> int:
    return backend.device_count()


def synchronize() -> None:
    """Wait for queued GPU work (a no-op without a GPU)."""
    backend.cuda_synchronize()


def manual_seed(seed: int) -> None:
    backend.manual_seed(seed)


manual_seed_all = manual_seed


def current_device() -> int:
    return backend.cuda_current_device()


def set_device(device) -> None:
    """Same as torch.cuda.set_device: an index, "cuda:N" or a device."""
    dev = backend.as_device(device) if not isinstance(device, int) else None
    backend.cuda_set_device(device if dev is None else (dev.index or 0))


def get_device_name(device=None) -> str:
    index = None if device is None else device if isinstance(device, int) else \
        (backend.as_device(device).index or 0)
    return backend.cuda_device_name(index)


def memory_allocated(device=None) -> int:
    """Bytes held by live GPU arrays (CuPy's memory pool); 0 without a GPU."""
    return backend.cuda_memory_allocated()


def empty_cache() -> None:
    """Same as torch.cuda.empty_cache: cached, unused GPU memory goes back to the driver."""
    backend.cuda_empty_cache()
