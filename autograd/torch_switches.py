"""torch's process-wide switches and small queries at the top level: the deterministic-
algorithms switch and its debug mode, the float32 matmul precision, warn-always, flush-
denormal, the inter-op thread count, the anomaly switch, the get/set/is_autocast_* family
(onto autograd.amp's per-thread state), result_type, can_cast, typename, unravel_index and
torch.OutOfMemoryError. Served through the torch namespace by autograd.torch_extras_aten.

The switches keep their values and answer them back as torch does; what each one changes
in Ember is said in its docstring."""
from __future__ import annotations

import warnings

from . import amp as _amp
from . import backend
from . import cuda as _cuda
from .function import _mode
from .tensor_base import TensorBase as Tensor

OutOfMemoryError = _cuda.OutOfMemoryError  # torch.OutOfMemoryError is torch.cuda's


class _Switches:
    deterministic = False
    warn_only = False
    matmul_precision = "highest"
    warn_always = False
    interop_threads = 1


_state = _Switches()


# ----------------------------------------------------------------------------- determinism
def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Same as torch.use_deterministic_algorithms: records the switch (read back by
    are_deterministic_algorithms_enabled and the debug mode). Ember's CPU kernels are
    deterministic; no op of Ember's refuses to run when it is on."""
    if not isinstance(mode, bool) or not isinstance(warn_only, bool):
        raise TypeError("use_deterministic_algorithms(): argument 'mode' and 'warn_only' "
                        f"must be bool, got {type(mode).__name__} and "
                        f"{type(warn_only).__name__}")
    _state.deterministic, _state.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Same as torch.are_deterministic_algorithms_enabled."""
    return _state.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Same as torch.is_deterministic_algorithms_warn_only_enabled."""
    return _state.warn_only


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode) -> None:
    """Same as torch.set_deterministic_debug_mode: 'default'/0 (off), 'warn'/1 (on, warn
    only), 'error'/2 (on)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int) or isinstance(debug_mode, bool):
        raise TypeError("debug_mode must be str or int, but got "
                        f"{type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """Same as torch.get_deterministic_debug_mode: 0, 1 or 2."""
    if not _state.deterministic:
        return 0
    return 1 if _state.warn_only else 2


# ----------------------------------------------------------------------------- precision
def set_float32_matmul_precision(precision: str) -> None:
    """Same as torch.set_float32_matmul_precision ('highest', 'high' or 'medium'; another
    value warns and changes nothing). Recorded only: Ember's float32 matmuls (NumPy's and
    cuBLAS's through CuPy) run in full float32 whatever is set."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the "
                      "current set_float32_matmul_precision call has no effect.",
                      UserWarning, stacklevel=2)
        return
    _state.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """Same as torch.get_float32_matmul_precision."""
    return _state.matmul_precision


def set_warn_always(b: bool, /) -> None:
    """Same as torch.set_warn_always: recorded (is_warn_always_enabled reads it back)."""
    _state.warn_always = bool(b)


def is_warn_always_enabled() -> bool:
    """Same as torch.is_warn_always_enabled."""
    return _state.warn_always


def set_flush_denormal(mode: bool) -> bool:
    """Same as torch.set_flush_denormal, which answers whether the mode could be set:
    False here, NumPy and CuPy give no control over the FPU's denormal flags."""
    return False


def get_num_interop_threads() -> int:
    """Same as torch.get_num_interop_threads: Ember runs inter-op work on the calling
    thread (1 unless set)."""
    return _state.interop_threads


def set_num_interop_threads(num: int) -> None:
    """Same as torch.set_num_interop_threads (recorded; Ember has no inter-op pool)."""
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError(f"Expected positive number of threads, got {num!r}")
    _state.interop_threads = num


def init_num_threads() -> None:
    """Same as torch.init_num_threads: nothing to initialise in Ember."""


# ----------------------------------------------------------------------------- anomaly
def is_anomaly_enabled() -> bool:
    """Same as torch.is_anomaly_enabled (this thread's anomaly mode)."""
    return _mode.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """Same as torch.is_anomaly_check_nan_enabled."""
    return _mode.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Same as torch.set_anomaly_enabled: anomaly mode on or off in this thread."""
    _mode.anomaly, _mode.check_nan = bool(enabled), bool(check_nan)
    _mode.rewatch()


# ----------------------------------------------------------------------------- autocast
def _dev(device_type):
    if device_type not in _amp.mode.enabled:
        raise RuntimeError(f"unsupported autocast device_type '{device_type}' (Ember "
                           "autocasts on 'cpu' and 'cuda')")
    return device_type


def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def set_autocast_enabled(device_type, enabled=None) -> None:
    """Same as torch.set_autocast_enabled(device_type, enabled) and its deprecated
    one-argument form (set_autocast_enabled(enabled), for 'cuda')."""
    if enabled is None:  # torch accepts this form without a warning
        device_type, enabled = "cuda", device_type
    m = _amp.mode
    _amp._set(_dev(device_type), bool(enabled), m.dtype[device_type], m.cache_enabled)


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Same as torch.set_autocast_dtype: the dtype an enabled region of that device type
    casts to."""
    m = _amp.mode
    _amp._set(_dev(device_type), m.enabled[device_type], backend.as_dtype(dtype),
              m.cache_enabled)


def is_autocast_cpu_enabled() -> bool:
    """Same as torch.is_autocast_cpu_enabled (deprecated in torch)."""
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return _amp.mode.enabled["cpu"]


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """Same as torch.set_autocast_cpu_enabled (deprecated in torch)."""
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    """Same as torch.get_autocast_cpu_dtype (deprecated in torch)."""
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return _amp.get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    """Same as torch.get_autocast_gpu_dtype (deprecated in torch)."""
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return _amp.get_autocast_dtype("cuda")


def set_autocast_cpu_dtype(dtype) -> None:
    """Same as torch.set_autocast_cpu_dtype (deprecated in torch)."""
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype) -> None:
    """Same as torch.set_autocast_gpu_dtype (deprecated in torch)."""
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled() -> bool:
    """Same as torch.is_autocast_cache_enabled."""
    return _amp.mode.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Same as torch.set_autocast_cache_enabled (recorded: Ember does not cache casts)."""
    _amp.mode.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Same as torch.clear_autocast_cache: Ember keeps no cache of casts to clear."""


# ----------------------------------------------------------------------------- dtypes
def _scalar_or_array(x, fn):
    if isinstance(x, Tensor):
        return x.array
    if isinstance(x, (bool, int, float)):
        return x
    raise TypeError(f"{fn}(): expected a Tensor or a Python number, got "
                    f"{type(x).__name__}")


def result_type(tensor1, tensor2):
    """Same as torch.result_type: the dtype an arithmetic op on the two (tensors or
    Python numbers) gives, under torch's promotion rules."""
    return backend.torch_dtype(backend.result_type(_scalar_or_array(tensor1, "result_type"),
                                                   _scalar_or_array(tensor2, "result_type")))


_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def can_cast(from_, to) -> bool:
    """Same as torch.can_cast: False only for a cast that lowers the category (complex
    to real, floating to integer, a non-bool to bool)."""
    for name, d in (("from_", from_), ("to", to)):
        if type(d).__name__ not in ("TorchDtype", "dtype"):
            raise TypeError(f"can_cast(): argument '{name}' must be torch.dtype, not "
                            f"{type(d).__name__}")
    a, b = backend.as_dtype(from_), backend.as_dtype(to)
    return _RANK[backend.kind(a)] <= _RANK[backend.kind(b)]


def typename(obj, /) -> str:
    """Same as torch.typename: 'torch.FloatTensor' & co. for a tensor, else the object's
    (or, for an instance, its class's) dotted name, without 'builtins.'."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(named, "__module__", None) or ""
    qual = named.__qualname__
    return qual if module in ("", "builtins") else f"{module}.{qual}"


def unravel_index(indices, shape):
    """Same as torch.unravel_index: the coordinates (a tuple of int64 tensors of indices'
    shape) of flat indices into a tensor of `shape`; indices outside it wrap (floor
    division, as torch)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a Tensor, but got {type(indices).__name__}")
    if indices.is_floating_point() or indices.dtype.is_complex or \
            backend.as_dtype(indices.dtype) is backend.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(not isinstance(s, int) for s in shape):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {shape}")
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    flat = indices.long()
    out = []
    for size in reversed(shape):  # one step per dimension of `shape`, not per element
        out.append(flat.remainder(size))
        flat = flat.div(size, rounding_mode="floor")
    return tuple(reversed(out))

