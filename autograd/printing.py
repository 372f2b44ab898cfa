"""repr of tensors, close to PyTorch's: tensor([1., 2.], requires_grad=True)."""
from __future__ import annotations

from . import backend


def tensor_repr(t) -> str:
    arr = backend.to_host(t.array)
    np = backend.np
    kw = {}
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and (np.abs(finite).max() >= 1e8 or
                            (np.abs(finite[finite != 0]).min(initial=1) < 1e-4)):
            kw["formatter"] = {"float_kind": lambda v: f"{v:.4e}"}
        elif finite.size and np.all(finite == np.round(finite)):
            kw["formatter"] = {"float_kind": lambda v: f"{v:.0f}."}
        else:
            kw["precision"] = 4
            kw["floatmode"] = "maxprec_equal"
    body = np.array2string(arr, separator=", ", prefix="tensor(", threshold=1000,
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
