"""torch.cuda's streams, events, peak-memory statistics and per-device RNG states, over
CuPy (autograd/backend/cuda.py). Without a GPU they answer as PyTorch's do: the memory
queries return 0 / {} and the stream and event constructors raise RuntimeError.

The peak statistics are a high-water mark of CuPy's pool, sampled whenever they are read
(max_memory_*, memory_stats, reset_peak_memory_stats): CuPy keeps no peak of its own, so
a spike freed between two reads is not seen."""
from __future__ import annotations

from typing import Union

from . import backend
from . import sampling as _sampling
from .backend import cuda as _bcuda

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


def _index(device) -> int:
    if isinstance(device, int):
        return device
    return backend.as_device(device).index or 0


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
