"""Mixed precision as torch.amp has it: `autocast` (a grad-mode-like switch per device
type that a few entry points read: the matmul family runs in a lower-precision float, the
ops that need range run in float32) and `GradScaler` (loss scaling, inf/nan step skipping).

Entry points call `lower(...)` / `fp32(op, ...)` behind one `if mode.on:` line; the casts
are the differentiable `cast`, so every gradient comes back in its parameter's own dtype.
"""
from __future__ import annotations

import copy
import enum
import functools
import sys
import threading
import types
import warnings
from collections import abc, defaultdict

from . import backend
from .function import no_grad
from .ops import elementwise as _ew
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_host = backend.ndarray
_f16, _f32, _f64 = backend.float16, backend.float32, backend.float64


# ----------------------------------------------------------------------------- the switch
class _AutocastMode(threading.local):
    """Like grad mode: per thread (as torch's autocast state), per device type.
    `cast_to[dev]` is the dtype of an enabled region (None outside one); `on` is True when
    any device type autocasts in this thread, so that the entry points pay one attribute
    read when none does. A new thread starts with autocast off and torch's default dtypes,
    whatever regions the thread that started it is in."""

    on = False
    cache_enabled = True

    def __init__(self):  # runs once in each thread that reads `mode`: its own dicts
        self.enabled = {"cpu": False, "cuda": False}
        # torch's defaults: bfloat16 on 'cpu' (from ml_dtypes), float16 on 'cuda'
        self.dtype = {"cpu": backend.bfloat16, "cuda": _f16}
        self.cast_to = {"cpu": None, "cuda": None}


mode = _AutocastMode()

# torch's lists of the ops Ember has, per device type. Lower precision: the matmul family,
# convolutions, prelu and attention on both; mv and addmv on 'cuda' only (dot, outer on
# neither). Entry points that pass no op name are on both lists. Float32: its CPU list
# keeps softmax and the norms in the input's dtype.
_LOWER_BOTH = frozenset({
    "matmul", "mm", "bmm", "addmm", "addbmm", "baddbmm", "einsum", "linear", "prelu",
    "linalg_vecdot", "scaled_dot_product_attention", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"})
_LOWER_OPS = {"cpu": _LOWER_BOTH, "cuda": _LOWER_BOTH | {"mv", "addmv"}}
_FP32_BOTH = frozenset({
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits"})
_FP32_OPS = {"cpu": _FP32_BOTH | {"prod", "cdist", "trace", "quantile", "nanquantile"},
             "cuda": _FP32_BOTH | {"softmax", "log_softmax", "layer_norm", "group_norm"}}


def _device_type(arr):
    return "cpu" if type(arr) is _host else backend.device_of(arr).type


def _cast_each(tensors, target):
    """Each floating tensor that is not float64 cast to `target(device_type)` (None: kept);
    anything else (ints, float64, None, numbers) unchanged, as torch's eligibility rule."""
    out = []
    for t in tensors:
        if isinstance(t, Tensor):
            dt = t.array.dtype
            if backend.is_floating(dt) and dt != _f64:
                to = target(_device_type(t.array))
                if to is not None and dt != to:
                    t = _ew.cast(t, to)
        out.append(t)
    return tuple(out)


def lower(*tensors, op=None):
    """The inputs of a matmul-family op (linear, matmul, conv, addmm, ...) under autocast:
    cast to the region's dtype on the device types that autocast (and, when `op` is
    given, list it as lower precision)."""
    if op is None:
        return _cast_each(tensors, mode.cast_to.get)
    return _cast_each(tensors, lambda dev: mode.cast_to.get(dev) if op in _LOWER_OPS[dev]
                      else None)


def fp32(op, *tensors):
    """The inputs of `op` under autocast: float32 where torch lists `op` as float32 for
    the tensors' device type, unchanged otherwise."""
    def target(dev):
        if mode.cast_to.get(dev) is None or op not in _FP32_OPS[dev]:
            return None
        if op == "binary_cross_entropy" and dev == "cuda":
            raise RuntimeError(
                "binary_cross_entropy: unsafe to autocast (as in torch, BCELoss is refused "
                "inside a 'cuda' autocast region); apply it to logits with "
                "binary_cross_entropy_with_logits / BCEWithLogitsLoss, which are safe")
        return _f32
    return _cast_each(tensors, target)


def _set(device_type, enabled, dtype, cache_enabled):
    mode.enabled[device_type] = enabled
    mode.dtype[device_type] = dtype
    mode.cache_enabled = cache_enabled
    mode.cast_to[device_type] = dtype if enabled else None
    mode.on = any(v is not None for v in mode.cast_to.values())


def is_autocast_available(device_type: str) -> bool:
    """Same as torch.amp.is_autocast_available ('cpu' and 'cuda' here)."""
    return device_type in mode.dtype


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Same as torch.is_autocast_enabled (no argument: 'cuda', as in torch)."""
    return mode.enabled[device_type]


def get_autocast_dtype(device_type: str):
    """Same as torch.get_autocast_dtype (bfloat16 for 'cpu', float16 for 'cuda')."""
    return backend.torch_dtype(mode.dtype[device_type])


# ----------------------------------------------------------------------------- autocast
class autocast:
    """Same as torch.autocast / torch.amp.autocast: a context manager and a decorator.
    Inside an enabled region linear, matmul, mm, bmm, addmm, baddbmm, einsum, prelu,
    attention and the convolutions (and mv, addmv on 'cuda') run in `dtype` (bfloat16 by
    default on 'cpu', float16 on 'cuda'), the losses (and, on 'cuda', softmax,
    log_softmax, layer_norm, group_norm) in float32. Differences: bfloat16 needs the
    ml_dtypes package; casts are not cached (`cache_enabled` is accepted and changes
    nothing)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in mode.dtype:
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        fast = mode.dtype[device_type] if dtype is None else dtype
        # bfloat16 without ml_dtypes stays a placeholder: only an enabled region needs it
        self.fast_dtype = fast if isinstance(fast, backend.MissingDtype) else \
            backend.as_dtype(fast)
        self._cache_enabled = mode.cache_enabled if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == "cuda" and not backend.cuda_is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
            elif isinstance(self.fast_dtype, backend.MissingDtype):
                raise self.fast_dtype.error()
            elif device_type == "cpu" and self.fast_dtype not in (_f16, backend.bfloat16):
                warnings.warn("In CPU autocast, but the target dtype is not supported. "
                              "Disabling autocast.\nCPU Autocast only supports dtypes of "
                              "torch.bfloat16, torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = bool(enabled)

    def __enter__(self):
        dev = self.device
        self._prev = (mode.enabled[dev], mode.dtype[dev], mode.cache_enabled)
        # a disabled region keeps the dtype it would have used, as torch's does
        _set(dev, self._enabled, self.fast_dtype, self._cache_enabled)
        return self

    def __exit__(self, *exc):
        _set(self.device, *self._prev)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. Did "
                "you mean to use autocast as a context manager? For example:\n    with "
                "torch.autocast(device_type=...):\n        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with copy.copy(self):  # a copy per call: recursion keeps its own saved state
                return func(*args, **kwargs)
        return decorate_autocast


# ----------------------------------------------------------------------------- GradScaler
class OptState(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


# float64 values at or above this round to inf in float32 (max + half an ulp)
_F32_OVERFLOW = 2.0 ** 128 - 2.0 ** 103


def _update_scale_(scale, tracker, found_inf, growth_factor, backoff_factor, interval):
    """torch._amp_update_scale_ on device arrays, with no host decision: back off on
    inf/nan and reset the tracker; otherwise count, and grow after `interval` clean steps
    (if the grown scale is finite). Products in float64, rounded to float32 as torch's."""
    xp = backend.array_module(scale)
    s = scale.astype(_f64)
    found = found_inf != 0
    clean = tracker + 1
    grown = s * growth_factor
    grow = ~found & (clean == interval)
    scale[...] = xp.where(found, s * backoff_factor,
                          xp.where(grow & (grown < _F32_OVERFLOW), grown, s))
    tracker[...] = xp.where(found | grow, 0, clean)


class GradScaler:
    """Same as torch.amp.GradScaler (and torch.GradScaler): scale(), unscale_(), step(),
    update(), get_scale(), state_dict() with torch's keys. A 'cuda' scaler without a GPU
    warns and disables itself; then every method passes through, as in torch."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not backend.cuda_is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available. "
                          " Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # a 0-d float32 Tensor, made on the first scale()'s device
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None  # a 0-d int32 Tensor
            self._per_optimizer_states = defaultdict(_fresh_state)

    def _check_scale_growth_tracker(self, funcname):
        fix = ("This may indicate your script did not use scaler.scale(loss or outputs) "
               "earlier in the iteration.")
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _scale_on(self, t):
        """The scale as a 0-d tensor on `t`'s device (made there on first use)."""
        dev = backend.device_of(t.array)
        if self._scale is None:
            xp = backend.array_module(t.array)
            self._scale = _make(xp.full((), self._init_scale, dtype=_f32))
            self._growth_tracker = _make(xp.full((), self._init_growth_tracker,
                                                 dtype=backend.int32))
        arr = self._scale.array
        return self._scale if backend.device_of(arr) == dev else _make(
            backend.to_device(arr, dev))

    def scale(self, outputs):
        """Same as torch: outputs * scale, for a tensor or (nested) lists/tuples of them."""
        if not self._enabled:
            return outputs

        def apply(val):
            if isinstance(val, Tensor):
                return val * self._scale_on(val)
            if isinstance(val, abc.Iterable):
                scaled = map(apply, val)
                return type(val)(scaled) if isinstance(val, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        """grad *= inv_scale in place for every gradient; per device, a float32 flag that
        is 1 when a gradient held inf or nan before unscaling (no host read-back)."""
        per_device = {}  # device -> [inv_scale there, any non-finite so far]
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    g = param.grad
                    if g is None:
                        continue
                    arr = g.array
                    if not allow_fp16 and arr.dtype == _f16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    xp = backend.array_module(arr)
                    dev = backend.device_of(arr)
                    slot = per_device.get(dev)
                    if slot is None:
                        slot = per_device[dev] = [backend.to_device(inv_scale, dev), False]
                    slot[1] = slot[1] | ~xp.isfinite(arr).all()
                    arr *= slot[0]
                    g._version[0] += 1
        return {dev: _make(backend.array_module(inv).asarray(bad, dtype=_f32))
                for dev, (inv, bad) in per_device.items()}

    def unscale_(self, optimizer):
        """Same as torch: divides the optimizer's gradients by the scale, once per step."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # 1 / scale in float64, rounded to float32 (exact for the usual powers of two)
        s = self._scale.array
        inv = backend.array_module(s).asarray(1.0 / s.astype(_f64), dtype=_f32)
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Same as torch: unscale_ (unless done), then optimizer.step() only when every
        gradient is finite; returns what optimizer.step returned, or None when skipped."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        found = state["found_inf_per_device"]
        if not found:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        # the one read-back per step (torch's too): whether to step at all
        if not sum(v.item() for v in found.values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Same as torch: back off after inf/nan, grow after growth_interval clean steps
        (or set `new_scale`, a float or a 1-element tensor)."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.array.fill(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if (new_scale.device.type != self._device or new_scale.numel() != 1
                        or new_scale.requires_grad):
                    raise AssertionError(reason)
                scale.array[...] = backend.to_device(new_scale.array, scale.device).reshape(())
        else:
            found = [backend.to_device(f.array, scale.device)
                     for state in self._per_optimizer_states.values()
                     for f in state["found_inf_per_device"].values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            _update_scale_(scale.array, tracker.array, sum(found[1:], found[0]),
                           self._growth_factor, self._backoff_factor, self._growth_interval)
        scale._version[0] += 1
        self._per_optimizer_states = defaultdict(_fresh_state)

    def get_scale(self):
        """The current scale as a Python float (a read-back on the GPU, as in torch)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        t = self._growth_tracker
        return self._init_growth_tracker if t is None else int(t.item())

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """Same keys as torch: scale, growth_factor, backoff_factor, growth_interval,
        _growth_tracker ({} when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._scale is not None:
            self._scale.array.fill(self._init_scale)
            self._scale._version[0] += 1
        if self._growth_tracker is not None:
            self._growth_tracker.array.fill(self._init_growth_tracker)
            self._growth_tracker._version[0] += 1

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the "
                                     "beginning of an iteration, or at the end after "
                                     "scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = state["_growth_tracker"] = None
            state["_per_optimizer_states"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._enabled:
            self._per_optimizer_states = defaultdict(_fresh_state)


# ----------------------------------------------------------------------------- torch.cuda.amp
class _CudaAutocast(autocast):
    """torch.cuda.amp.autocast (deprecated there): autocast('cuda', ...)."""

    def __init__(self, enabled=True, dtype=_f16, cache_enabled=True):
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaGradScaler(GradScaler):
    """torch.cuda.amp.GradScaler (deprecated there): GradScaler('cuda', ...)."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


_CudaAutocast.__name__ = _CudaAutocast.__qualname__ = "autocast"
_CudaGradScaler.__name__ = _CudaGradScaler.__qualname__ = "GradScaler"

# `autograd.cuda.amp`, what torch.cuda.amp holds; registered as a module so that
# `from autograd.cuda.amp import GradScaler, autocast` works as torch's import does
cuda_amp = types.ModuleType("autograd.cuda.amp", "torch.cuda.amp: autocast and GradScaler "
                            "for 'cuda' (deprecated in torch in favour of torch.amp).")
cuda_amp.autocast, cuda_amp.GradScaler = _CudaAutocast, _CudaGradScaler
sys.modules.setdefault("autograd.cuda.amp", cuda_amp)


# ------------------------------------------------------------------ custom_fwd / custom_bwd
# torch.amp.custom_fwd / custom_bwd: decorators for a custom Function's forward and
# backward under autocast. custom_fwd(cast_inputs=dtype) runs forward with autocast off and
# its floating-point tensor arguments cast to dtype (when autocast is on for the device
# type); custom_bwd runs backward with the autocast state forward ran under.
def _cast(value, dtype):
    if isinstance(value, Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Same as torch.amp.custom_fwd (device_type is required, as PyTorch 2.4+)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        enabled = is_autocast_enabled(device_type)
        ctx._amp_fwd_enabled = enabled
        ctx._amp_fwd_dtype = get_autocast_dtype(device_type)
        if cast_inputs is None or not enabled:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Same as torch.amp.custom_bwd: backward under forward's autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=getattr(ctx, "_amp_fwd_enabled",
                                                               False),
                      dtype=getattr(ctx, "_amp_fwd_dtype", None)):
            return bwd(*args, **kwargs)
    return decorate_bwd
