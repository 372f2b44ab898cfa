"""Devices: torch.device, the registry of device types (one object per type: "cpu" in
cpu.py, "cuda" in cuda.py) and the free functions that dispatch to the object owning an
array. A new backend is one module defining a DeviceType subclass and registering it."""
from __future__ import annotations

import numpy as np

ndarray = np.ndarray  # the host array type; hot paths test `type(arr) is ndarray`

_TYPES = {}  # "cpu" -> its DeviceType object, in registration order
_BY_ARRAY = {}  # array class -> the DeviceType owning it
_MODULES = {}  # array class -> its array module (array_module's one dict lookup)
_BY_MODULE = {}  # array module -> the DeviceType running it
_ARRAY_TYPES = ()  # every registered array class (for isinstance on subclasses)


class DeviceType:
    """What the backend asks of a device type. Subclasses set `name`, `xp` (the array
    module, None when unavailable), `array_types` (array classes it owns), `is_host`
    (NumPy runs on its arrays), `defers_checks` (value checks wait for the next sync) and
    `special` (a scipy.special-like module or None), and implement the methods below."""

    name = ""
    dlpack_device = None  # DLPack's device type code (1 CPU, 2 CUDA)
    xp = None
    array_types = ()
    is_host = False
    defers_checks = False
    special = None

    def device_count(self) -> int:
        return 0

    def is_available(self) -> bool:
        return self.device_count() > 0

    def module(self):
        """The array module, or a RuntimeError saying what to install."""
        raise NotImplementedError

    def device_of(self, arr) -> "device":
        raise NotImplementedError

    def asarray(self, data, dtype, dev: "device"):
        """A new array of `data` (lists, scalars, host arrays) on `dev`."""
        raise NotImplementedError

    def to_device(self, arr, dev: "device", copy: bool):
        """`arr` (of any device) on `dev` of this type; `arr` itself when it is there."""
        raise NotImplementedError

    def to_host(self, arr):
        """A NumPy array for `arr`, raising deferred checks first."""
        raise NotImplementedError

    def to_numpy(self, arr):
        """A NumPy array for `arr`, as is (for error messages made while checks flush)."""
        raise NotImplementedError

    def synchronize(self) -> None:
        """Wait for queued work; deferred checks raise here."""

    def use(self, dev: "device"):
        """A context manager making `dev` current for arrays created inside it."""
        raise NotImplementedError

    def from_dlpack(self, obj):
        """An array sharing `obj`'s memory (`obj` has `__dlpack__` and lives here)."""
        return self.module().from_dlpack(obj)

    def data_ptr(self, arr) -> int:
        raise NotImplementedError

    def elementwise_kernel(self, name, in_params, out_params, body, cpu, preamble=""):
        """A callable running CuPy ElementwiseKernel-style `body` on this device's arrays
        (`cpu`, the NumPy function of the same signature, for host device types)."""
        raise NotImplementedError

    def row_kernel(self, name, source, dtype):
        """A callable (n_rows, args) launching hand-written `source` one warp per row."""
        raise TypeError(f"{name}: {self.name} has no raw kernels; the op's array code "
                        "runs there")

    def rng(self, seed: int):
        """A NumPy-Generator-like stream seeded with `seed`."""
        raise NotImplementedError

    def permutation(self, rng, n: int):
        return rng.permutation(n)

    # checks: a host-like device reads the flag at once (deferring ones: see checks.py)
    def check(self, bad, make_error) -> None:
        if bad:
            raise make_error()

    def check_index(self, idx, lo: int, hi: int, make_error):
        low, high = int(idx.min()), int(idx.max())
        if low < lo or high >= hi:
            raise make_error(low, high)
        return idx

    # scatter helpers (ops on repeated indices)
    def add_at(self, out, index, values) -> None:
        raise NotImplementedError

    def reduce_at(self, name, out, index, values) -> None:
        raise NotImplementedError

    def bincount(self, idx, minlength: int):
        raise NotImplementedError


def register(dt: DeviceType) -> DeviceType:
    """Make `dt` the owner of its name and of its array classes."""
    global _ARRAY_TYPES
    _TYPES[dt.name] = dt
    for cls in dt.array_types:
        _BY_ARRAY[cls] = dt
        _MODULES[cls] = dt.xp
    if dt.xp is not None:
        _BY_MODULE[dt.xp] = dt
    _ARRAY_TYPES = tuple(_BY_ARRAY)
    return dt


def device_type(name: str) -> DeviceType:
    """The registered device type called `name` ("cpu", "cuda")."""
    return _TYPES[name]


def owner(arr) -> DeviceType:
    """The device type owning `arr`; the host's for Python values and unknown types."""
    dt = _BY_ARRAY.get(type(arr))
    if dt is not None:
        return dt
    for cls, dt in _BY_ARRAY.items():  # subclasses of a registered array class
        if isinstance(arr, cls):
            return dt
    return _TYPES["cpu"]


def module_owner(xp) -> DeviceType:
    """The device type whose array module is `xp`."""
    return _BY_MODULE[xp]


def array_module(arr):
    """numpy or cupy, whichever owns `arr`."""
    xp = _MODULES.get(type(arr))
    if xp is None:
        return owner(arr).xp
    return xp


def is_array(obj) -> bool:
    """True for an array of a registered device type (a NumPy or CuPy ndarray)."""
    return type(obj) in _MODULES or isinstance(obj, _ARRAY_TYPES)


def is_device_array(arr) -> bool:
    """True for an array NumPy cannot run on (the caller picks a device kernel)."""
    return not (_BY_ARRAY.get(type(arr)) or owner(arr)).is_host


def defers_checks(arr) -> bool:
    """True when checks on `arr` wait for the next sync (nothing may read it back)."""
    return (_BY_ARRAY.get(type(arr)) or owner(arr)).defers_checks


# ----------------------------------------------------------------------------- torch.device
class device:
    """Same as torch.device: `device("cuda:0")`, `.type`, `.index`; equal to its string."""

    __slots__ = ("type", "index")

    def __init__(self, spec="cpu", index=None):
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, num = spec.partition(":")
        if kind not in _TYPES:
            names = ", ".join(f"'{n}'" for n in _TYPES)
            raise RuntimeError(f"device: expected {names} or '{list(_TYPES)[-1]}:N', "
                               f"got {spec!r}")
        if num:
            if not num.isdigit():
                raise RuntimeError(f"device: invalid device index in {spec!r}")
            index = int(num)
        if kind == "cpu":
            index = None
        self.type, self.index = kind, index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        if self.type != other.type:
            return False
        # "cuda" (no index) equals the current device, as a convenience for comparisons
        return self.index == other.index or self.index is None or other.index is None

    def __hash__(self):
        return hash((self.type, self.index))


CPU = object.__new__(device)  # built before "cpu" is registered: the one host device
CPU.type, CPU.index = "cpu", None
_default_device = CPU


def get_default_device() -> device:
    return _default_device


def set_default_device(dev) -> None:
    global _default_device
    _default_device = as_device(dev)


def as_device(dev) -> device:
    if dev is None:
        return _default_device
    if isinstance(dev, device):
        return dev
    if isinstance(dev, int):
        return device("cuda", dev)
    return device(dev)


# ----------------------------------------------------------------------------- dispatch
def device_of(arr) -> device:
    if type(arr) is ndarray:
        return CPU
    return owner(arr).device_of(arr)


def dlpack_owner(code: int) -> DeviceType | None:
    """The available device type whose DLPack device code is `code`, or None."""
    for dt in _TYPES.values():
        if dt.dlpack_device == code and dt.xp is not None:
            return dt
    return None


def module_for(dev: device):
    """The array module of `dev`'s type (RuntimeError when it is unavailable)."""
    return _TYPES[dev.type].module()


def to_device(arr, dev: device, copy: bool = False):
    """Move `arr` to `dev` (a no-op when it is already there, unless `copy`)."""
    return _TYPES[dev.type].to_device(arr, dev, copy)


def to_host(arr):
    """A NumPy array for `arr` (a copy from the device when needed; deferred checks of
    that device raise first)."""
    if type(arr) is ndarray:
        return arr
    return owner(arr).to_host(arr)


def asarray(data, dtype=None, dev: device | None = None):
    """Build a backend array from data (lists, scalars, arrays) on `dev`."""
    dev = as_device(dev)
    return _TYPES[dev.type].asarray(data, dtype, dev)


def ascontiguous(arr):
    return array_module(arr).ascontiguousarray(arr)


def data_ptr(arr) -> int:
    return owner(arr).data_ptr(arr)


def synchronize(dev: device | None = None) -> None:
    """Wait for the queued work of `dev`'s type (every type when None)."""
    for dt in ([_TYPES[dev.type]] if dev is not None else list(_TYPES.values())):
        dt.synchronize()
