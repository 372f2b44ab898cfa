"""Creating tensors: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, ..."""
from __future__ import annotations

import math

from . import backend
from .function import Function
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


def _to_array(data, dtype=None, device=None):
    """A fresh backend array for `data`, with PyTorch's dtype inference: Python floats
    become the default dtype, ints int64, bools bool; arrays keep their dtype."""
    dtype = backend.as_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data.array
        dev = backend.as_device(device) if device is not None else data.device
        out = backend.to_device(arr, dev, copy=True)
        return out.astype(dtype) if dtype is not None and out.dtype != dtype else out
    if backend.is_array(data) or backend.is_numpy_scalar(data):
        dev = backend.as_device(device) if device is not None else (
            backend.device_of(data) if backend.is_array(data) else backend.get_default_device())
        out = backend.to_device(backend.asarray(data) if backend.is_numpy_scalar(data)
                                else data, dev, copy=True)
        return out.astype(dtype) if dtype is not None and out.dtype != dtype else out
    given = data
    if isinstance(data, (list, tuple)):
        data = [_host(x) for x in data]
    try:
        host = backend.asarray(data, dev=backend.CPU)
    except ValueError:  # ragged nested lists
        raise ValueError("tensor: expected a rectangular nested sequence (every row of "
                         "one dimension the same length)") from None
    if host.dtype.kind == "O" or host.dtype.kind in "US":
        raise (TypeError if host.dtype.kind in "US" else RuntimeError)(
            f"tensor: could not infer a dtype for {type(data).__name__} data")
    if dtype is None:
        if _has_array(data):  # tensors or NumPy values inside: each element's own dtype
            dtype = _element_dtype(given) if isinstance(given, (list, tuple)) else None
        elif host.dtype.kind == "f":
            dtype = backend.get_default_dtype()
        elif host.dtype.kind in "iu" and host.dtype != backend.int64:
            dtype = backend.int64
        elif host.dtype.kind == "c":  # the default complex dtype: complex64 by default
            dtype = _default_complex()
    if dtype is not None and host.dtype != dtype:
        host = host.astype(dtype)
    return backend.to_device(host, backend.as_device(device))


def _default_complex():
    return backend.complex64 if backend.get_default_dtype() == backend.float32 else \
        backend.complex128


def _element_dtype(data):
    """PyTorch's dtype for a sequence holding tensors or NumPy values: every element's
    dtype (a Python float: the default dtype, an int: int64) promoted by PyTorch's rules,
    so [tensor(1), 2.5] is float32 and [np.float64(1), 2.5] float64."""
    out = None
    for x in data:
        if isinstance(x, (list, tuple)):
            dt = _element_dtype(x) if x else None
        elif isinstance(x, Tensor):
            dt = x.array.dtype
        elif backend.is_array(x) or backend.is_numpy_scalar(x):
            dt = x.dtype
        elif isinstance(x, bool):
            dt = backend.bool_
        elif isinstance(x, int):
            dt = backend.int64
        elif isinstance(x, float):
            dt = backend.get_default_dtype()
        elif isinstance(x, complex):
            dt = _default_complex()
        else:
            dt = None
        if dt is not None:
            out = dt if out is None else backend.promote_types(out, dt)
    return out


def _host(x):
    if isinstance(x, Tensor):
        return backend.to_host(x.array)
    if isinstance(x, (list, tuple)):
        return [_host(v) for v in x]
    return x


def _has_array(data):
    if backend.is_array(data) or backend.is_numpy_scalar(data):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _has_array(data[0])
    return False


def _legacy_array(args, dtype=None, device=None, op="Tensor"):
    """The array of the legacy constructor `Tensor(*sizes)` / `Tensor(data)`: sizes give
    a tensor of that shape (zero-filled; PyTorch leaves it uninitialised), data is
    converted to the default dtype (or `dtype`), whatever its own; no arguments give an
    empty 1-d tensor."""
    dtype = backend.as_dtype(dtype) or backend.get_default_dtype()
    if len(args) == 1 and type(args[0]).__name__ == "Size" and isinstance(args[0], tuple):
        args = tuple(args[0])  # Tensor(x.shape): a shape, as PyTorch reads a torch.Size
    if all((isinstance(a, int) and not isinstance(a, bool)) or
           (backend.is_numpy_scalar(a) and a.dtype.kind in "iu") for a in args):
        size = _shape(args, op)  # also () -> the empty tensor below
        return zeros(size if args else (0,), dtype=dtype, device=device).array
    if len(args) != 1:
        raise TypeError(f"{op}(): expected sizes (ints) or one sequence of data, got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    data = args[0]
    if isinstance(data, (bool, float, complex)):
        raise TypeError(f"{op}(): data must be a sequence (got {type(data).__name__})")
    return _to_array(data, dtype, device)


class LegacyType(type):
    """The legacy tensor types (torch.FloatTensor, ...), as in PyTorch: calling one makes a
    tensor of its dtype (sizes or data), `isinstance(t, torch.FloatTensor)` is True for a
    float32 tensor on the host, and `t.type(torch.LongTensor)` converts."""

    def __call__(cls, *args, device=None) -> Tensor:
        return _make(_legacy_array(args, cls.dtype, device, cls.__name__))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype and \
            obj.device.type == "cpu"


def _typed(name, dtype):
    return LegacyType(name, (), {
        "dtype": dtype, "__doc__": f"Same as torch.{name}: the legacy type of {dtype} "
                                   "tensors (a constructor from sizes or data)."})


FloatTensor = _typed("FloatTensor", backend.float32)
DoubleTensor = _typed("DoubleTensor", backend.float64)
HalfTensor = _typed("HalfTensor", backend.float16)
LongTensor = _typed("LongTensor", backend.int64)
IntTensor = _typed("IntTensor", backend.int32)
ShortTensor = _typed("ShortTensor", backend.int16)
CharTensor = _typed("CharTensor", backend.int8)
ByteTensor = _typed("ByteTensor", backend.uint8)
BoolTensor = _typed("BoolTensor", backend.bool_)


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.tensor: copies `data`."""
    t = _make(_to_array(data, dtype, device))
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Same as torch.as_tensor: no copy when `data` is already a matching array/tensor."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if backend.is_array(data) and (dtype is None or data.dtype == backend.as_dtype(dtype)) \
            and (device is None or backend.device_of(data) == backend.as_device(device)):
        return _make(data)
    return tensor(data, dtype, device)


def from_numpy(arr) -> Tensor:
    """Same as torch.from_numpy: shares memory with the array."""
    if not backend.is_array(arr):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(arr).__name__}")
    return _make(arr)


def _shape(size, op="zeros"):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, float) or not hasattr(s, "__index__"):
            raise TypeError(f"{op}: expected a sequence of ints as the size, got "
                            f"{type(s).__name__} ({s!r})")
    size = tuple(s.__index__() for s in size)
    if any(s < 0 for s in size):
        raise RuntimeError(f"{op}: dimension sizes must be non-negative, got {size}")
    return size


def _new(fn, size, dtype, device, requires_grad, default=None):
    dtype = backend.as_dtype(dtype) or default or backend.get_default_dtype()
    dev = backend.as_device(device)
    dt = backend.device_type(dev.type)
    with dt.use(dev):
        arr = fn(dt.module(), size, dtype)
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _sizes(args, size, op):
    """The sizes given as *args or as size= (PyTorch takes either)."""
    if size is None:
        return args
    if args:
        raise TypeError(f"{op}() got multiple values for argument 'size'")
    return (size,)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.zeros."""
    return _new(lambda xp, s, d: xp.zeros(s, dtype=d),
                _shape(_sizes(sizes, size, "zeros"), "zeros"), dtype, device, requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.ones."""
    return _new(lambda xp, s, d: xp.ones(s, dtype=d),
                _shape(_sizes(sizes, size, "ones"), "ones"), dtype, device, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False,
          memory_format=None, layout=None, pin_memory=False) -> Tensor:
    """Same as torch.empty."""
    t = _new(lambda xp, s, d: xp.empty(s, dtype=d),
             _shape(_sizes(sizes, size, "empty"), "empty"), dtype, device, False)
    return _formatted(t, memory_format, requires_grad)


def _formatted(t, memory_format, requires_grad):
    """t laid out as memory_format asks (channels_last(_3d): channels innermost; the
    others: row-major), then made a leaf that requires grad if asked."""
    if getattr(memory_format, "name", None) in ("channels_last", "channels_last_3d"):
        t = t.contiguous(memory_format=memory_format)
    if requires_grad:
        t.requires_grad_(True)
    return t


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.full (the dtype follows fill_value when not given; a NumPy scalar
    counts as the Python number it holds, as in PyTorch)."""
    if backend.is_numpy_scalar(fill_value):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = backend.as_dtype(type(fill_value)) if isinstance(fill_value, (bool, int, float)) \
            else None
    if isinstance(fill_value, Tensor):
        if fill_value.ndim != 0:
            raise TypeError(f"full: fill_value must be a number or a 0-d Tensor, got a Tensor "
                            f"of shape {tuple(fill_value.shape)}")
        fill_value = fill_value.item()
    elif not isinstance(fill_value, (bool, int, float, complex)) and \
            not backend.is_numpy_scalar(fill_value):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__}")
    return _new(lambda xp, s, d: xp.full(s, fill_value, dtype=d), _shape((size,), "full"), dtype,
                device, requires_grad)


def _like(t, dtype, device):
    if not isinstance(t, Tensor):
        raise TypeError(f"*_like: expected a Tensor as input, got {type(t).__name__}")
    return (dtype if dtype is not None else t.dtype,
            device if device is not None else t.device)


def zeros_like(t, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None, pin_memory=False) -> Tensor:
    """Same as torch.zeros_like."""
    d, dev = _like(t, dtype, device)
    return _formatted(zeros(tuple(t.shape), dtype=d, device=dev), memory_format,
                      requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None, pin_memory=False) -> Tensor:
    """Same as torch.ones_like."""
    d, dev = _like(t, dtype, device)
    return _formatted(ones(tuple(t.shape), dtype=d, device=dev), memory_format,
                      requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None, pin_memory=False) -> Tensor:
    d, dev = _like(t, dtype, device)
    return _formatted(empty(tuple(t.shape), dtype=d, device=dev), memory_format,
                      requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None, pin_memory=False) -> Tensor:
    """Same as torch.full_like."""
    d, dev = _like(t, dtype, device)
    return _formatted(full(tuple(t.shape), fill_value, dtype=d, device=dev), memory_format,
                      requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.arange (int64 for integer arguments, else the default float dtype)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) or (isinstance(v, Tensor) and v.dtype.kind in "iu")
                   for v in (start, end, step))
        dtype = backend.int64 if ints else backend.get_default_dtype()
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if backend.as_dtype(dtype).kind == "b":
        raise NotImplementedError("arange: not implemented for dtype bool")
    if not all(isinstance(v, (int, float, Tensor)) for v in (start, end, step)):
        raise TypeError(f"arange: expected numbers, got start={start!r}, end={end!r}, "
                        f"step={step!r}")
    if not all(math.isfinite(float(v)) for v in (start, end, step)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end} (step {step})")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start {start}, end {end}, step {step})")
    return _new(lambda xp, s, d: xp.arange(start, end, step).astype(d), (), dtype, device,
                requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.linspace."""
    _steps(steps, "linspace")
    return _new(lambda xp, s, d: xp.linspace(start, end, steps).astype(d), (), dtype, device,
                requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None) -> Tensor:
    _steps(steps, "logspace")
    return _new(lambda xp, s, d: xp.logspace(start, end, steps, base=base).astype(d), (), dtype,
                device, False)


def _steps(steps, op):
    if not isinstance(steps, int) or isinstance(steps, bool):
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Same as torch.eye."""
    if not isinstance(n, int) or not isinstance(m, (int, type(None))):
        raise TypeError(f"eye: n and m must be ints, got n={n!r}, m={m!r}")
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be greater or equal to 0, got n={n}, m={m}")
    return _new(lambda xp, s, d: xp.eye(n, m, dtype=d), (), dtype, device, requires_grad)


def rand(*sizes, size=None, generator=None, dtype=None, device=None,
         requires_grad=False) -> Tensor:
    """Same as torch.rand: uniform on [0, 1) from the default (or given) generator."""
    def fn(xp, s, d):
        if d.kind not in "fc" and d is not backend.bfloat16:
            raise NotImplementedError(f"rand: not implemented for dtype {d}")
        return backend.rng(xp, generator).random(s, dtype=d if d.itemsize >= 4 else
                                                 backend.float64).astype(d, copy=False)
    return _new(fn, _shape(_sizes(sizes, size, "rand"), "rand"), dtype, device, requires_grad)


def randn(*sizes, size=None, generator=None, dtype=None, device=None,
          requires_grad=False) -> Tensor:
    """Same as torch.randn."""
    def fn(xp, s, d):
        if d.kind not in "fc" and d is not backend.bfloat16:
            raise NotImplementedError(f"randn: not implemented for dtype {d}")
        return backend.rng(xp, generator).standard_normal(
            s, dtype=d if d.itemsize >= 4 else backend.float64).astype(d, copy=False)
    return _new(fn, _shape(_sizes(sizes, size, "randn"), "randn"), dtype, device,
                requires_grad)


def randint(low=None, high=None, size=None, generator=None, dtype=None,
            device=None) -> Tensor:
    """Same as torch.randint(low=0, high, size) (also randint(high=, size=))."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low is None:
        low = 0
    if low >= high:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    return _new(lambda xp, s, d: backend.rng(xp, generator).integers(low, high, s).astype(d),
                _shape((size,), "randint"), dtype, device, False, default=backend.int64)


def randperm(n, generator=None, dtype=None, device=None) -> Tensor:
    """Same as torch.randperm."""
    if not isinstance(n, int):
        raise TypeError(f"randperm: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    return _new(lambda xp, s, d: backend.permutation(xp, n, generator).astype(d), (),
                dtype, device, False, default=backend.int64)


def rand_like(t, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None, pin_memory=False) -> Tensor:
    d, dev = _like(t, dtype, device)
    return _formatted(rand(tuple(t.shape), dtype=d, device=dev), memory_format, requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None, pin_memory=False) -> Tensor:
    d, dev = _like(t, dtype, device)
    return _formatted(randn(tuple(t.shape), dtype=d, device=dev), memory_format, requires_grad)


def randint_like(t, low=None, high=None, dtype=None, device=None) -> Tensor:
    d, dev = _like(t, dtype, device)
    if high is None:  # randint_like(t, high)
        low, high = 0, low
    elif low is None:  # randint_like(t, high=...)
        low = 0
    return randint(low, high, tuple(t.shape), dtype=d, device=dev)


class ToDevice(Function):
    @staticmethod
    def forward(ctx, a, dev):
        ctx.src = a.device
        return backend.to_device(a.array, dev)

    @staticmethod
    def backward(ctx, grad):
        return to_device(grad, ctx.src)


def to_device(a: Tensor, dev) -> Tensor:
    """`a` on device `dev` (differentiable: the gradient moves back)."""
    dev = backend.as_device(dev)
    if a.device == dev and (dev.index is None or a.device.index == dev.index):
        return a
    return ToDevice.apply(a, dev)


def parse_to(args, kwargs, op="to"):
    """(device, dtype, copy) from the arguments of Tensor.to / Module.to: a device (str,
    device or CUDA index), a dtype, both, or a Tensor (its device and dtype); the keywords
    device, dtype, non_blocking, copy and memory_format. None where not given."""
    kwargs = dict(kwargs)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)  # host copies are synchronous
    kwargs.pop("memory_format", None)  # arrays are always contiguous here
    unknown = set(kwargs) - {"device", "dtype", "other", "tensor"}
    if unknown:
        raise TypeError(f"{op}: got an unexpected keyword argument {sorted(unknown)[0]!r}")
    dev, dtype = None, None
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, Tensor):
            dev, dtype = a.device, a.dtype
        elif isinstance(a, bool):  # .to(device, dtype, non_blocking, copy) positionally
            continue
        elif isinstance(a, (str, backend.device)) and not (
                isinstance(a, str) and a in backend.DTYPES):
            dev = backend.as_device(a)
        elif isinstance(a, int):
            dev = backend.as_device(a)
        elif a is not None:
            dtype = backend.as_dtype(a)
    return dev, dtype, copy
