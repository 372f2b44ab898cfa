"""`autograd.cuda`: is_available(), device_count(), synchronize() and torch.cuda's other
everyday calls; safe to import and call without CuPy (the device queries then raise, as
PyTorch's do without CUDA)."""
from . import backend
from . import sampling as _sampling
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


def _index(device) -> int:
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    return backend.as_device(device).index or 0


class _DeviceProperties:
    """What torch.cuda.get_device_properties returns: name, total_memory, major, minor,
    multi_processor_count."""

    def __init__(self, props: dict) -> None:
        self.name = props["name"]
        self.total_memory = int(props["totalGlobalMem"])
        self.major, self.minor = int(props["major"]), int(props["minor"])
        self.multi_processor_count = int(props["multiProcessorCount"])

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // 2**20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None) -> _DeviceProperties:
    """Same as torch.cuda.get_device_properties (raises without a GPU, as PyTorch's)."""
    return _DeviceProperties(backend.cuda_device_properties(_index(device)))


def get_device_capability(device=None) -> tuple:
    """Same as torch.cuda.get_device_capability: (major, minor)."""
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: Ember has no bfloat16 dtype on any device."""
    return False


def is_initialized() -> bool:
    return is_available()


def init() -> None:
    """Same as torch.cuda.init: raises without a GPU; otherwise nothing to do (CuPy
    initialises on first use)."""
    if not is_available():
        backend.cuda_current_device()  # raises the no-CUDA error


def memory_reserved(device=None) -> int:
    """Bytes the memory pool holds from the driver (in use or cached); 0 without a GPU."""
    return backend.cuda_memory_reserved()


memory_cached = memory_reserved  # torch's deprecated name


def mem_get_info(device=None) -> tuple:
    """Same as torch.cuda.mem_get_info: (free, total) bytes of the device."""
    return backend.cuda_mem_get_info(_index(device))


OutOfMemoryError = backend.cuda_out_of_memory_error()


def seed() -> None:
    backend.seed()


seed_all = seed


def initial_seed() -> int:
    return backend.initial_seed()


def get_rng_state(device="cuda"):
    """The default generator's state (Ember's generator is one stream per device type,
    reseeded together by manual_seed; this is the state sampling.get_rng_state encodes)."""
    return _sampling.get_rng_state()


def set_rng_state(new_state, device="cuda") -> None:
    _sampling.set_rng_state(new_state)


class device:
    """Same as torch.cuda.device: a context manager making a GPU current."""

    def __init__(self, device) -> None:
        self.idx = -1 if device is None else _index(device)
        self._prev = -1

    def __enter__(self):
        if self.idx >= 0:
            self._prev = current_device()
            set_device(self.idx)
        return self

    def __exit__(self, *exc) -> None:
        if self._prev >= 0:
            set_device(self._prev)


class device_of(device):
    """Same as torch.cuda.device_of: the device of a tensor (a no-op for a CPU tensor)."""

    def __init__(self, obj) -> None:
        super().__init__(obj.get_device() if obj.device.type == "cuda" else -1)


from .cuda_more import (  # noqa: E402, F401  (streams, events, peak memory, RNG states)
    Device,
    Event,
    Stream,
    StreamContext,
    can_device_access_peer,
    current_stream,
    default_stream,
    get_arch_list,
    get_rng_state_all,
    max_memory_allocated,
    max_memory_cached,
    max_memory_reserved,
    memory_stats,
    reset_max_memory_allocated,
    reset_max_memory_cached,
    reset_peak_host_memory_stats,
    reset_peak_memory_stats,
    set_rng_state_all,
    set_stream,
    stream,
)
