"""`autograd.testing`: torch.testing's assert_close and make_tensor.

assert_close compares tensors, Python numbers, and sequences / mappings of them (element
by element) with PyTorch's default tolerances per dtype, and raises AssertionError with
PyTorch's messages (mismatched elements, greatest absolute and relative differences and
where they occur, the item of a nested input that failed)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from . import backend
from . import creation as _cr
from .ops import compare as _cmp
from .tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# dtype -> (rtol, atol), as torch.testing.assert_close's defaults
_TOLERANCES = {backend.float16: (1e-3, 1e-5), backend.bfloat16: (1.6e-2, 1e-5),
               backend.float32: (1.3e-6, 1e-5), backend.float64: (1e-7, 1e-7)}


def _default_tol(dtype):
    if backend.kind(dtype) == "c":
        return _TOLERANCES[backend.float64 if dtype.itemsize >= 16 else backend.float32]
    return _TOLERANCES.get(dtype, (0, 0))


def _fail(message, path, msg):
    if path:
        message += f"\n\nThe failure occurred for item {path}"
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    raise AssertionError(message)


def _attr_mismatch(name, a, b, path, msg):
    _fail(f"The values for attribute '{name}' do not match: {a} != {b}.", path, msg)


def _dtype_name(dtype) -> str:
    return str(backend.torch_dtype(dtype))  # torch.float32, for NumPy and Tensor dtypes


def _compare_tensors(a, e, rtol, atol, equal_nan, check_device, check_dtype, path, msg):
    if tuple(a.shape) != tuple(e.shape):
        _attr_mismatch("shape", a.shape, e.shape, path, msg)
    if check_device and a.device != e.device:
        _attr_mismatch("device", a.device, e.device, path, msg)
    if check_dtype and a.dtype != e.dtype:
        _attr_mismatch("dtype", _dtype_name(a.dtype), _dtype_name(e.dtype), path, msg)
    a, e = a.detach(), e.detach().to(a.device)
    dtype = a.dtype if a.dtype == e.dtype else backend.promote_types(a.dtype, e.dtype)
    if rtol is None:
        rtol, atol = _default_tol(dtype)
    if backend.kind(dtype) == "b":
        a, e = a.long(), e.long()
    wide = backend.complex128 if backend.kind(dtype) == "c" else backend.float64
    x, y = a.to(wide), e.to(wide)
    diff = (x - y).abs()
    close = (diff <= atol + rtol * y.abs()) | (x == y)
    if equal_nan:
        close = close | (_cmp.isnan(x) & _cmp.isnan(y))
    n = close.numel()
    bad = n - int(close.sum())
    if bad == 0:
        return
    diff = _cmp.where(close, 0.0, diff)  # a NaN difference stays NaN, and is reported
    rel = _cmp.where(close, 0.0, diff / y.abs())

    def where_max(t):
        flat = int(t.reshape(-1).argmax())
        idx = []
        for size in reversed(tuple(t.shape)):
            idx.append(flat % size)
            flat //= size
        return float(t.reshape(-1)[int(t.reshape(-1).argmax())]), tuple(reversed(idx))
    if a.dim() == 0:
        _fail(f"Scalars are not close!\n\nExpected {e.reshape(-1)[0].item()} but got "
              f"{a.reshape(-1)[0].item()}.\nAbsolute difference: {float(diff.max())} (up to "
              f"{atol} allowed)\nRelative difference: {float(rel.max())} (up to {rtol} "
              f"allowed)", path, msg)
    d, di = where_max(diff)
    r, ri = where_max(rel)
    if backend.kind(dtype) in "biu" and rtol == 0 and atol == 0:
        _fail(f"Tensor-likes are not equal!\n\nMismatched elements: {bad} / {n} "
              f"({100 * bad / n:.1f}%)\nGreatest absolute difference: {int(d)} at index {di}"
              f"\nGreatest relative difference: {r} at index {ri}", path, msg)
    _fail(f"Tensor-likes are not close!\n\nMismatched elements: {bad} / {n} "
          f"({100 * bad / n:.1f}%)\nGreatest absolute difference: {d} at index {di} (up to "
          f"{atol} allowed)\nGreatest relative difference: {r} at index {ri} (up to {rtol} "
          f"allowed)", path, msg)


_NUMBER = (bool, int, float, complex)


def _compare_numbers(a, e, rtol, atol, equal_nan, path, msg):
    exact = not isinstance(a, (float, complex)) and not isinstance(e, (float, complex))
    if exact:
        if a != e:
            _fail(f"Scalars are not equal!\n\nExpected {e} but got {a}.\nAbsolute difference: "
                  f"{abs(a - e)}\nRelative difference: {abs(a - e) / abs(e) if e else math.inf}",
                  path, msg)
        return
    if rtol is None:
        rtol, atol = _TOLERANCES[backend.float64]
    if a == e or (equal_nan and a != a and e != e):
        return
    d = abs(a - e)
    if d <= atol + rtol * abs(e):
        return
    _fail(f"Scalars are not close!\n\nExpected {e} but got {a}.\nAbsolute difference: {d} (up "
          f"to {atol} allowed)\nRelative difference: {d / abs(e) if e else math.inf} (up to "
          f"{rtol} allowed)", path, msg)


def _compare(a, e, path, opts):
    rtol, atol, equal_nan, check_device, check_dtype, msg = opts
    if isinstance(a, Tensor) and isinstance(e, Tensor):
        return _compare_tensors(a, e, rtol, atol, equal_nan, check_device, check_dtype, path,
                                msg)
    if isinstance(a, _NUMBER) and isinstance(e, _NUMBER):
        return _compare_numbers(a, e, rtol, atol, equal_nan, path, msg)
    if isinstance(a, Mapping) and isinstance(e, Mapping):
        if set(a) != set(e):
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual "
                  f"mapping: {sorted(map(repr, set(e) - set(a)))}\nAdditional keys in the "
                  f"actual mapping: {sorted(map(repr, set(a) - set(e)))}", path, msg)
        for k in e:
            _compare(a[k], e[k], f"{path}[{k!r}]", opts)
        return
    if isinstance(a, Sequence) and isinstance(e, Sequence) and not isinstance(a, str) \
            and not isinstance(e, str):
        if len(a) != len(e):
            _fail(f"The length of the sequences mismatch: {len(a)} != {len(e)}", path, msg)
        for i, (x, y) in enumerate(zip(a, e)):
            _compare(x, y, f"{path}[{i}]", opts)
        return
    if a is None and e is None:
        return
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(a)} and "
                    f"{type(e)}.")


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Same as torch.testing.assert_close: |actual - expected| <= atol + rtol * |expected|
    elementwise (defaults by dtype), with equal shapes, devices and dtypes."""
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but "
                         f"got no {missing}.")
    _compare(actual, expected, "", (rtol, atol, equal_nan, check_device, check_dtype, msg))


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """Same as torch.testing.make_tensor: values uniform in [low, high) (default [-9, 9)
    for floats, [-9, 10) for signed integers, [0, 10) for uint8), random bools."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    k = backend.kind(dtype)
    if k == "b":
        out = _cr.randint(0, 2, shape, device=device).to(dtype)
    elif k in "iu":
        lo = (0 if k == "u" else -9) if low is None else math.ceil(low)
        hi = 10 if high is None else math.ceil(high)
        if lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        out = _cr.randint(lo, hi, shape, device=device).to(dtype)
    else:
        lo, hi = -9.0 if low is None else low, 9.0 if high is None else high
        if lo > hi:
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        out = (_cr.rand(*shape, dtype=backend.float64, device=device) * (hi - lo) + lo)
        out = out.to(dtype)
    if exclude_zero:
        one = 1 if k in "biu" else backend.finfo(dtype).tiny
        out = _cmp.where(out == 0, _cr.full_like(out, one), out)
    if requires_grad:
        out.requires_grad_(True)
    return out
