"""`autograd.cuda`: is_available(), device_count(), synchronize(); safe without CuPy."""
from . import backend


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
