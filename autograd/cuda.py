"""`autograd.cuda`: is_available(), device_count(), synchronize() and torch.cuda's other
everyday calls; safe to import and call without CuPy (the device queries then raise, as
PyTorch's do without CUDA)."""
from typing import Union

from . import backend
from . import sampling as _sampling
from .amp import cuda_amp
from .backend import cuda as _bcuda

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


# ----------------------------------------------------------------------------- streams, events,
# peak-memory statistics and per-device RNG states, over CuPy (autograd/backend/cuda.py).
# Without a GPU they answer as PyTorch's do: the memory queries return 0 / {} and the
# stream and event constructors raise RuntimeError. The peak statistics are a high-water
# mark of CuPy's pool, sampled whenever they are read (max_memory_*, memory_stats,
# reset_peak_memory_stats): CuPy keeps no peak of its own, so a spike freed between two
# reads is not seen.
Device = Union[backend.device, str, int, None]  # torch.cuda.Device: what a device arg takes
_peak = {"allocated": 0, "reserved": 0}


def _sample() -> tuple:
    used, reserved = _bcuda.pool_used_bytes(), backend.cuda_memory_reserved()
    _peak["allocated"] = max(_peak["allocated"], used)
    _peak["reserved"] = max(_peak["reserved"], reserved)
    return used, reserved


def max_memory_allocated(device=None) -> int:
    """Peak bytes held by live GPU arrays since the last reset (0 without a GPU)."""
    _sample()
    return _peak["allocated"]


def max_memory_reserved(device=None) -> int:
    """Peak bytes the memory pool held from the driver since the last reset."""
    _sample()
    return _peak["reserved"]


max_memory_cached = max_memory_reserved  # torch's deprecated name


def reset_peak_memory_stats(device=None) -> None:
    """Restart the peaks from the current usage."""
    _peak["allocated"], _peak["reserved"] = 0, 0
    _sample()


reset_max_memory_allocated = reset_max_memory_cached = reset_peak_memory_stats


def reset_peak_host_memory_stats() -> None:
    """Same as torch.cuda.reset_peak_host_memory_stats: Ember keeps no pinned host pool,
    so there is nothing to reset."""


def memory_stats(device=None) -> dict:
    """torch.cuda.memory_stats' main keys (empty without a GPU, as PyTorch's)."""
    if not backend.cuda_is_available():
        return {}
    used, reserved = _sample()
    return {"allocated_bytes.all.current": used, "allocated_bytes.all.peak": _peak["allocated"],
            "reserved_bytes.all.current": reserved,
            "reserved_bytes.all.peak": _peak["reserved"]}


def get_arch_list() -> list:
    """The compute capabilities Ember's kernels target: CuPy compiles them at run time for
    each present GPU (empty without one)."""
    if not backend.cuda_is_available():
        return []
    out = []
    for i in range(backend.device_count()):
        p = backend.cuda_device_properties(i)
        out.append(f"sm_{p['major']}{p['minor']}")
    return sorted(set(out))


def can_device_access_peer(device, peer_device) -> bool:
    return _bcuda.can_access_peer(_index(device), _index(peer_device))


def get_rng_state_all() -> list:
    """One RNG state per GPU ([] without one)."""
    return [_sampling.get_rng_state() for _ in range(backend.device_count())] \
        if backend.cuda_is_available() else []


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        _sampling.set_rng_state(state)


# ----------------------------------------------------------------------------- streams, events
class Stream:
    """Same as torch.cuda.Stream: a CUDA stream (a CuPy stream underneath)."""

    def __init__(self, device=None, priority=0, *, _stream=None):
        if not backend.cuda_is_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        self.cupy_stream = _stream if _stream is not None else backend.cuda_new_stream()
        self.device = backend.device("cuda", 0 if device is None else _index(device))
        self.priority = priority

    def synchronize(self) -> None:
        self.cupy_stream.synchronize()

    def query(self) -> bool:
        return bool(self.cupy_stream.done)

    def wait_event(self, event) -> None:
        self.cupy_stream.wait_event(event.cupy_event)

    def wait_stream(self, stream) -> None:
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def __eq__(self, other):
        return isinstance(other, Stream) and other.cupy_stream is self.cupy_stream

    def __hash__(self):
        return hash(id(self.cupy_stream))


class Event:
    """Same as torch.cuda.Event: a CUDA event (a CuPy event underneath)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not backend.cuda_is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event: CUDA is not "
                               "available")
        self.cupy_event = _bcuda.timed_event(enable_timing, blocking, interprocess)

    def record(self, stream=None) -> None:
        self.cupy_event.record((stream or current_stream()).cupy_stream)

    def wait(self, stream=None) -> None:
        (stream or current_stream()).wait_event(self)

    def query(self) -> bool:
        return bool(self.cupy_event.done)

    def synchronize(self) -> None:
        self.cupy_event.synchronize()

    def elapsed_time(self, end_event) -> float:
        """Milliseconds from this event to end_event (both recorded, with timing)."""
        return _bcuda.elapsed_time(self.cupy_event, end_event.cupy_event)


def current_stream(device=None) -> Stream:
    backend.cuda_current_device()  # raises without a GPU, as PyTorch's
    return Stream(device, _stream=backend.cuda_current_stream())


def default_stream(device=None) -> Stream:
    return Stream(device, _stream=_bcuda.null_stream())


def set_stream(stream) -> None:
    """Make `stream` the one Ember's kernels are queued on."""
    if stream is not None:
        stream.cupy_stream.use()


class StreamContext:
    """Same as torch.cuda.StreamContext: `stream` is current inside the block (a no-op for
    None)."""

    def __init__(self, stream):
        self.stream = stream
        self._prev = None

    def __enter__(self):
        if self.stream is not None:
            self._prev = current_stream()
            set_stream(self.stream)
        return self.stream

    def __exit__(self, *exc):
        if self._prev is not None:
            set_stream(self._prev)


def stream(stream) -> StreamContext:
    return StreamContext(stream)
