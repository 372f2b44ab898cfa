"""gradcheck / gradgradcheck: analytical gradients against central finite differences."""
from __future__ import annotations

from . import backend
from .grad import grad as _grad
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a gradient is wrong."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn, inputs):
    out = _as_tuple(fn(*inputs))
    return [o for o in out if isinstance(o, Tensor) and o.requires_grad
            and o.dtype.kind == "f"]


def _numerical(fn, inputs, i, outputs, eps):
    """d(outputs)/d(inputs[i]) by central differences, one column per input element."""
    x = inputs[i]
    arr = x.array
    flat = arr.reshape(-1)  # a view for contiguous inputs; written in place below
    if not arr.flags.c_contiguous:
        raise GradcheckError(f"gradcheck: input {i} must be contiguous")
    xp = backend.array_module(arr)
    cols = []
    for k in range(flat.size):
        orig = flat[k].item()
        # grad mode stays on: for gradgradcheck, fn itself differentiates
        flat[k] = orig + eps
        plus = [o.array.astype(backend.float64).reshape(-1) for o in
                _as_tuple_t(fn(*inputs), outputs)]
        flat[k] = orig - eps
        minus = [o.array.astype(backend.float64).reshape(-1) for o in
                 _as_tuple_t(fn(*inputs), outputs)]
        flat[k] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    # jac[o] has shape (out_numel, in_numel)
    return [xp.stack([c[o] for c in cols], axis=1) if cols else
            xp.zeros((outputs[o].array.size, 0)) for o in range(len(outputs))]


def _as_tuple_t(out, like):
    out = [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    return out[:len(like)]


def _analytical(inputs, diff_idx, outputs):
    """Rows of the Jacobian by one vector-Jacobian product per output element."""
    jac = {(o, i): [] for o in range(len(outputs)) for i in diff_idx}
    for o, out in enumerate(outputs):
        xp = backend.array_module(out.array)
        n = out.array.size
        for k in range(n):
            g = xp.zeros(n, dtype=out.array.dtype)
            g[k] = 1
            grads = _grad([out], [inputs[i] for i in diff_idx],
                          [_make(g.reshape(out.array.shape))], retain_graph=True,
                          allow_unused=True)
            for i, gi in zip(diff_idx, grads):
                row = xp.zeros(inputs[i].array.size) if gi is None else \
                    gi.array.astype(backend.float64).reshape(-1)
                if gi is not None and tuple(gi.shape) != tuple(inputs[i].shape):
                    raise GradcheckError(
                        f"gradcheck: gradient for input {i} has shape {tuple(gi.shape)}, "
                        f"expected {tuple(inputs[i].shape)}")
                jac[(o, i)].append(row)
    return {key: (backend.array_module(rows[0]).stack(rows) if rows else None)
            for key, rows in jac.items()}


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **_ignored):
    """Same as torch.autograd.gradcheck: compares the gradients of `func` at `inputs`
    (float64 tensors that require grad) with central differences. Raises GradcheckError
    naming the input, the element and both values, or returns False if
    raise_exception=False."""
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in diff_idx:
        if inputs[i].dtype != backend.float64:
            import warnings
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64; the check "
                          "is likely to fail from rounding", stacklevel=2)
    outputs = _outputs(func, inputs)
    if not outputs:
        raise GradcheckError("gradcheck: func returned no output that requires grad")
    analytical = _analytical(inputs, diff_idx, outputs)
    for i in diff_idx:
        numerical = _numerical(func, inputs, i, outputs, eps)
        for o in range(len(outputs)):
            a = analytical[(o, i)]
            n = numerical[o]
            if a is None:
                continue
            xp = backend.array_module(a)
            bad = ~(xp.abs(a - n) <= atol + rtol * xp.abs(n))
            if bool(bad.any()):
                r, c = (int(v) for v in xp.argwhere(bad)[0])
                msg = (f"gradcheck: Jacobian mismatch for output {o} with respect to input "
                       f"{i} (shape {tuple(inputs[i].shape)}): at input element {c} "
                       f"(output element {r}) numerical = {float(n[r, c])!r}, analytical = "
                       f"{float(a[r, c])!r}")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **_ignored):
    """Same as torch.autograd.gradgradcheck: gradcheck of the vector-Jacobian product
    of `func`, i.e. of second derivatives (create_graph=True)."""
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = backend.np.random.default_rng(0)
        grad_outputs = [
            _make(backend.to_device(rng.standard_normal(o.array.shape), o.device)
                  .astype(o.array.dtype)).requires_grad_(True) for o in outputs]
    grad_outputs = list(_as_tuple(grad_outputs))
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    n_in = len(inputs)

    def vjp(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _outputs(func, ins)
        grads = _grad(outs, [ins[i] for i in diff_idx], list(gos), create_graph=True,
                      allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
