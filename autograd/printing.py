"""Printing tensors as PyTorch does: `tensor([1.0000, 2.5000], dtype=torch.float64)`.

The rules are PyTorch's (torch/_tensor_str.py behaviour, options as torch.set_printoptions):
  * floats: all-integer values print as `1.`; otherwise `precision` (4) decimals;
    scientific notation (`1.0000e-05`) when the nonzero finite magnitudes span more than
    1000x, exceed 1e8 or (non-integer values) go below 1e-4. Every element is padded to
    the widest nonzero finite one; nan / inf do not widen it.
  * more than `threshold` (1000) elements: only `edgeitems` (3) rows / values at each end
    of every dimension, with `...` between; widths come from the shown values only.
  * a row wraps at `linewidth` (80) characters; suffixes (dtype=, grad_fn=) that do not
    fit on the last line go to a new one.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

from . import backend
from .op_names import backward_name

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


OPTS = _Options()


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Same as torch.set_printoptions (process-wide, as in PyTorch): `profile` is
    'default', 'short' or 'full'; `sci_mode` True/False forces scientific notation on or
    off, None (the default, reset by every call) picks it per tensor."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: expected profile 'default', 'short' or "
                             f"'full', got {profile!r}")
        for k, v in _PROFILES[profile].items():
            setattr(OPTS, k, v)
    for k, v in (("precision", precision), ("threshold", threshold),
                 ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if v is not None:
            setattr(OPTS, k, v)
    OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Same as torch._tensor_str.get_printoptions: the current options as a dict."""
    return {k: getattr(OPTS, k) for k in ("precision", "threshold", "edgeitems",
                                          "linewidth", "sci_mode")}


@contextmanager
def printoptions(**kwargs):
    """Same as torch._tensor_str.printoptions: set_printoptions inside a `with` block."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def dtype_name(dtype) -> str:
    """PyTorch's name of a dtype: 'torch.float32' (Ember's torch namespace is autograd)."""
    return f"torch.{backend.as_dtype(dtype).name.replace('bool_', 'bool')}"


# ----------------------------------------------------------------------------- values
class _Formatter:
    """Formats the elements of one tensor (given its shown values, as a flat array)."""

    def __init__(self, flat):
        np = backend.np
        self.floating = flat.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = OPTS.precision
        if not self.floating:
            self.width = max((len(str(v)) for v in flat.tolist()), default=1)
            return
        vals = flat.astype(np.float64)
        vals = vals[np.isfinite(vals) & (vals != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if self.int_mode:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if OPTS.sci_mode is not None:
            self.sci_mode = OPTS.sci_mode
        # the widest element is an extreme or its negation: format only those
        probes = [float(vals.min()), float(vals.max()), lo, hi]
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in probes)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in probes)
        else:
            self.width = max(len(f"{v:.{p}f}") for v in probes)

    def __call__(self, value) -> str:
        if self.floating:
            p = OPTS.precision
            if self.sci_mode:
                text = f"{value:{self.width}.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{p}f}"
        else:
            text = str(value)
        return text.rjust(self.width)


def _summarised(arr):
    """The values a summarised print shows, for the formatter's widths."""
    np = backend.np
    e = OPTS.edgeitems
    for axis in range(arr.ndim):
        if arr.shape[axis] > 2 * e:
            idx = list(range(e)) + list(range(arr.shape[axis] - e, arr.shape[axis]))
            arr = np.take(arr, idx, axis=axis)
    return arr


def _vector(arr, indent, summarize, fmt):
    per_line = max(1, int(math.floor((OPTS.linewidth - indent) / (fmt.width + 2))))
    e = OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = ([fmt(v) for v in arr[:e].tolist()] + [" ..."]
                + [fmt(v) for v in arr[-e:].tolist()])
    else:
        data = [fmt(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr, indent, summarize, fmt):
    if arr.ndim == 0:
        return fmt(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    e, n = OPTS.edgeitems, arr.shape[0]
    if summarize and n > 2 * e:
        rows = ([_nested(arr[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                + [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        rows = [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def array_str(arr, indent: int) -> str:
    """The bracketed values of a host array, as PyTorch prints them after `indent`."""
    if arr.size == 0:
        return "[]"
    np = backend.np
    if backend.is_floating(arr.dtype) and arr.dtype.itemsize < 4:  # half, bfloat16: as float
        arr = arr.astype(np.float32)
    summarize = arr.size > OPTS.threshold
    shown = _summarised(arr) if summarize else arr
    return _nested(arr, indent, summarize, _Formatter(shown.reshape(-1)))


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > OPTS.linewidth:
            parts.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            parts.append(", " + s)
            last += len(s) + 2
    return "".join(parts) + ")"


def tensor_repr(t) -> str:
    """repr(t) as PyTorch prints it (torch's dtype names: dtype=torch.float64)."""
    arr = backend.to_host(t.array)
    prefix = "tensor("
    suffixes = []
    dev, default_dev = t.device, backend.get_default_device()
    if dev.type != default_dev.type or (dev.type == "cuda" and dev.index not in (
            None, backend.cuda_current_device())):
        suffixes.append(f"device='{t.device}'")
    default = backend.get_default_dtype()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype != default:
            suffixes.append(f"dtype={dtype_name(arr.dtype)}")
        body = "[]"
    else:
        if arr.dtype not in (default, backend.int64, backend.bool_):
            suffixes.append(f"dtype={dtype_name(arr.dtype)}")
        body = array_str(arr, len(prefix))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{backward_name(t.grad_fn)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))
