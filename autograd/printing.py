"""repr of tensors, close to PyTorch's: tensor([1., 2.], requires_grad=True).

Floats follow PyTorch's rules: all-integer values print as `1.`; otherwise 4 decimals;
scientific notation (`1.0000e-05`) when the nonzero finite magnitudes span more than
1000x, exceed 1e8 or go below 1e-4. Every element is padded to one width."""
from __future__ import annotations

from . import backend


def _float_formatter(arr):
    """A function formatting one float element the way PyTorch prints this array."""
    np = backend.np
    finite = arr[np.isfinite(arr)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    lo = nonzero.min() if nonzero.size else 0.0
    hi = nonzero.max() if nonzero.size else 0.0
    int_mode = bool(np.all(finite == np.round(finite)))
    if int_mode:
        sci = nonzero.size > 0 and (hi / lo > 1000.0 or hi > 1.0e8)
    else:
        sci = nonzero.size > 0 and (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
    if sci:
        def fmt(v):
            return f"{v:.4e}"
    elif int_mode:
        def fmt(v):
            return f"{v:.0f}."
    else:
        def fmt(v):
            return f"{v:.4f}"

    def one(v):
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return fmt(v)

    # width from the extremes (formatting every element of a big tensor would be slow)
    # nan and inf are padded to that width but do not widen it, as in PyTorch
    probes = [finite.min(), finite.max(), lo, hi] if finite.size else []
    width = max((len(one(v)) for v in probes), default=0)
    return lambda v: one(v).rjust(width)


def tensor_repr(t) -> str:
    arr = backend.to_host(t.array)
    np = backend.np
    kw = {}
    # NumPy formats bfloat16 as no float kind: its values print as the float32 they are
    shown = arr.astype(np.float32) if arr.dtype is backend.bfloat16 else arr
    if backend.is_floating(arr.dtype) and arr.size:
        kw["formatter"] = {"float_kind": _float_formatter(shown)}
    body = np.array2string(shown, separator=", ", prefix="tensor(", threshold=1000,
                           edgeitems=3, **kw)
    extras = []
    default = backend.get_default_dtype()
    if arr.dtype not in (default, backend.int64, backend.bool_) or (arr.size == 0 and
                                                                   arr.dtype != default):
        extras.append(f"dtype=autograd.{arr.dtype}")
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{type(t.grad_fn).__name__}Backward>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if arr.size == 0:
        body = "[]" if arr.ndim <= 1 else f"[], size={tuple(arr.shape)}"
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
