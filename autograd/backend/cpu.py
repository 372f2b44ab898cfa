"""The "cpu" device type: NumPy arrays, NumPy code as is for fused kernels, checks that
raise at once, SciPy's special functions when SciPy is installed."""
from __future__ import annotations

import contextlib

import numpy as np

from .devices import CPU, DeviceType, owner, register

_SCIPY_SPECIAL: list = []  # [scipy.special or None] once first asked for


def scipy_special():
    """scipy.special, imported at first use (it is a sixth of importing autograd, ~0.2 s,
    and many programs never call a special function), or None without SciPy (optional:
    special.py has NumPy fallbacks where it can)."""
    if not _SCIPY_SPECIAL:
        try:
            from scipy import special as mod
        except Exception:
            mod = None
        _SCIPY_SPECIAL.append(mod)
    return _SCIPY_SPECIAL[0]


_NOTHING = contextlib.nullcontext()


class CPUDevice(DeviceType):
    """NumPy on the host."""

    name = "cpu"
    dlpack_device = 1
    xp = np
    array_types = (np.ndarray,)
    is_host = True
    defers_checks = False

    @property
    def special(self):
        return scipy_special()

    def device_count(self) -> int:
        return 1

    def module(self):
        return np

    def use(self, dev):
        return _NOTHING

    def device_of(self, arr):
        return CPU

    def asarray(self, data, dtype, dev):
        return np.asarray(data, dtype=dtype)

    def to_device(self, arr, dev, copy):
        if type(arr) is not np.ndarray:
            source = owner(arr)
            if source is not self:  # another device type's array (maybe an ndarray subclass)
                return source.to_host(arr)
        return arr.copy() if copy else arr

    def to_host(self, arr):
        return arr

    def to_numpy(self, arr):
        return arr

    def data_ptr(self, arr) -> int:
        return arr.__array_interface__["data"][0]

    def elementwise_kernel(self, name, in_params, out_params, body, cpu, preamble=""):
        return cpu  # the NumPy function is the kernel

    def rng(self, seed: int):
        return np.random.default_rng(seed)

    def add_at(self, out, index, values) -> None:
        np.add.at(out, index, values)

    def reduce_at(self, name, out, index, values) -> None:
        getattr(np, name).at(out, index, values)

    def bincount(self, idx, minlength: int):
        return np.bincount(idx, minlength=minlength)


HOST = register(CPUDevice())
