"""Anomaly mode: `detect_anomaly()` / `set_detect_anomaly()` (same as torch.autograd's).

While on, every recorded node keeps the stack where its op was created, and a backward
step whose gradients hold NaN (or Inf) raises, naming the op and the user's line. The
mode is per thread, as PyTorch's: switching it on affects only the calling thread."""
from __future__ import annotations

import os
import warnings

from . import backend
from .function import _mode
from .graph import edge_node
from .tensor_base import TensorBase as Tensor

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def is_anomaly_enabled() -> bool:
    return _mode.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return _mode.anomaly and _mode.check_nan


class set_detect_anomaly:
    """Same as torch.autograd.set_detect_anomaly: a function and a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (_mode.anomaly, _mode.check_nan)
        _mode.anomaly = bool(mode)
        _mode.check_nan = bool(check_nan)
        _mode.rewatch()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _mode.anomaly, _mode.check_nan = self.prev
        _mode.rewatch()


class detect_anomaly:
    """Same as torch.autograd.detect_anomaly: a context manager and a decorator."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self.prev = (_mode.anomaly, _mode.check_nan)
        _mode.anomaly = True
        _mode.check_nan = self.check_nan
        _mode.rewatch()
        return self

    def __exit__(self, *exc):
        _mode.anomaly, _mode.check_nan = self.prev
        _mode.rewatch()

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        wrapper.__wrapped__ = fn
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        return wrapper


def user_frame(node):
    """The innermost frame of the node's creation stack outside autograd/ (or None)."""
    stack = node._stack
    if not stack:
        return None
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR + os.sep):
            return frame
    return stack[-1]


def _where(node):
    frame = user_frame(node)
    if frame is None:
        return "the op was created outside detect_anomaly(), so its origin is unknown"
    code = f": {frame.line}" if frame.line else ""
    return f"the op was created at {frame.filename}:{frame.lineno} in {frame.name}{code}"


def check_grads(node, grads):
    """Called by the engine after each node's backward while anomaly mode is on."""
    if not _mode.check_nan:
        return
    for i, g in enumerate(grads):
        if not isinstance(g, Tensor) or g.array.dtype.kind not in "fc":
            continue
        arr = g.array
        xp = backend.array_module(arr)
        finite = xp.isfinite(arr)
        if bool(finite.all()):
            continue
        n_nan = int(xp.isnan(arr).sum())
        kind = "nan" if n_nan else "inf"
        shapes = ", ".join("None" if not isinstance(x, Tensor) else
                           f"{tuple(x.shape)} {x.dtype}" for x in grads)
        ok = arr[finite]
        lo = float(ok.min()) if ok.size else float("nan")
        hi = float(ok.max()) if ok.size else float("nan")
        raise RuntimeError(
            f"Function '{type(node).__name__}Backward' returned {kind} values in its {i}th "
            f"output; the op's inputs: [{_inputs(node)}]; "
            f"gradients for its inputs: [{shapes}]; the bad gradient (shape "
            f"{tuple(arr.shape)}, {arr.dtype}) has {n_nan} nan and "
            f"{int((~finite).sum()) - n_nan} inf of {arr.size} values, finite min {lo:g}, "
            f"max {hi:g}; {_where(node)}")


def _inputs(node):
    """Shape and dtype of each input of `node` that needed a gradient."""
    out = []
    for e in node.next:
        if e is None:
            out.append("no grad")
        elif e._is_tensor:
            out.append(f"{tuple(e.shape)} {e.dtype}")
        else:
            p = edge_node(e)
            meta = (p._shape, p._dtype) if p._n_out == 1 else p._metas[e.nr]
            out.append(f"{tuple(meta[0])} {meta[1]}")
    return ", ".join(out)
