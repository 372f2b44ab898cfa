"""Same as torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp.

Everything is built on reverse mode (`autograd.grad`); jvp uses the double-vjp trick.
Return structures follow PyTorch: a Tensor where the user gave a Tensor, a tuple where
the user gave a tuple (tuples of tuples for jacobian/hessian of several inputs/outputs).
"""
from __future__ import annotations

from .function import enable_grad, no_grad
from .grad import grad as _grad
from .ops.split import stack
from .tensor_base import TensorBase as Tensor


def _as_tuple(x, what, fn):
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            kind = "either a Tensor or a tuple of Tensors" if is_tuple or i else "a Tensor"
            raise TypeError(f"{fn}: the {what} must be {kind}, but the value at index {i} "
                            f"has type {type(t).__name__}")
    return is_tuple, items


def _post(x, is_tuple):
    """Undo _as_tuple: x is a tuple, or a tuple of tuples when is_tuple is a pair."""
    if isinstance(is_tuple, tuple):
        if not is_tuple[0]:
            x = x[0]
            return x if is_tuple[1] else x[0]
        return x if is_tuple[1] else tuple(row[0] for row in x)
    return x if is_tuple else x[0]


def _prepare(inputs, create_graph):
    # create_graph: stay linked to the user's tensors so results differentiate again
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(True) for t in inputs)


def _finish(xs, create_graph):
    return tuple(x if create_graph or x is None else x.detach() for x in xs)


def _validate_v(v, other, fn):
    if len(v) != len(other):
        raise RuntimeError(f"{fn}: v is a tuple of invalid length: should be {len(other)} "
                           f"but got {len(v)}")
    for i, (a, b) in enumerate(zip(v, other)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{fn}: entry {i} in v has invalid size: should be "
                               f"{tuple(b.shape)} but got {tuple(a.shape)}")


def _ones_for_single_element(xs, fn, what):
    if len(xs) != 1 or xs[0].numel() != 1:
        raise RuntimeError(f"{fn}: the vector v can only be None if the {what} is a single "
                           "Tensor with a single element")
    return (xs[0].detach() * 0 + 1,)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn):
    """autograd.grad over the outputs that require grad; None -> zeros (or raise)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        res = _grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                    retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(res, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: the output of the user-provided function is "
                                   f"independent of input {i}; this is not allowed in strict "
                                   "mode")
            g = x.detach() * 0
        out.append(g)
    return tuple(out)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Same as torch.autograd.functional.vjp: returns (func_output, vjp)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")
        if v is None:
            v = _ones_for_single_element(outputs, "vjp", "user-provided function returns")
        else:
            _, v = _as_tuple(v, "v", "vjp")
            _validate_v(v, outputs, "vjp")
        grads = _grads(outputs, inputs, v, create_graph, strict, "vjp")
    return (_post(_finish(outputs, create_graph), out_tuple),
            _post(_finish(grads, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Same as torch.autograd.functional.jvp: returns (func_output, jvp), by the
    double-vjp trick: J v = d/du (u^T J) v with u a dummy cotangent."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        if v is None:
            v = _ones_for_single_element(inputs, "jvp", "input")
        else:
            _, v = _as_tuple(v, "v", "jvp")
            _validate_v(v, inputs, "jvp")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")
        dummies = tuple((o.detach() * 0).requires_grad_(True) for o in outputs)
        pairs = [(o, u) for o, u in zip(outputs, dummies) if o.requires_grad]
        res = _grad([o for o, _ in pairs], inputs, [u for _, u in pairs], create_graph=True,
                    allow_unused=True) if pairs else (None,) * len(inputs)
        used = [(g, w) for g, w in zip(res, v) if g is not None and g.requires_grad]
        if used:
            jv = _grad([g for g, _ in used], dummies, [w for _, w in used],
                       create_graph=create_graph, allow_unused=True)
        else:
            jv = (None,) * len(outputs)
        if strict and any(g is None for g in jv):
            raise RuntimeError("jvp: an output of the user-provided function is independent "
                               "of the inputs; this is not allowed in strict mode")
        jv = tuple(o.detach() * 0 if g is None else g for g, o in zip(jv, outputs))
    return (_post(_finish(outputs, create_graph), out_tuple),
            _post(_finish(jv, create_graph), out_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """Same as torch.autograd.functional.jacobian: one vjp per output element.
    `vectorize` is accepted and changes nothing; `strategy="forward-mode"` needs
    vectorize=True (as in PyTorch) and gives the same numbers."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(f"jacobian: expected strategy 'forward-mode' or 'reverse-mode', got "
                         f"{strategy!r}")
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("jacobian: computing the Jacobian with forward-mode AD is "
                                  "only implemented for vectorize=True")
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")
        jac = []
        for o in outputs:
            rows = [[] for _ in inputs]
            n = o.numel()
            for k in range(n):
                onehot = o.detach().reshape(-1) * 0
                onehot.array[k] = 1
                gs = _grads((o,), inputs, (onehot.reshape(o.shape),), create_graph,
                            strict, "jacobian")
                for i, g in enumerate(gs):
                    rows[i].append(g)
            per_input = []
            for i, x in enumerate(inputs):
                if n:
                    j = stack(rows[i]) if create_graph else _stack_detached(rows[i])
                else:
                    j = x.detach().reshape(-1)[:0].reshape((0,) + tuple(x.shape))
                per_input.append(j.reshape(tuple(o.shape) + tuple(x.shape)))
            jac.append(tuple(per_input))
    return _post(tuple(jac), (out_tuple, in_tuple))


def _stack_detached(rows):
    with no_grad():
        return stack([r.detach() for r in rows])


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """Same as torch.autograd.functional.hessian: func must return a single-element
    Tensor; a tuple of tuples for several inputs."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar(*inp):
        out = func(*inp)
        if not isinstance(out, Tensor):
            raise RuntimeError("hessian: the function given to hessian should return a single "
                               "Tensor")
        if out.numel() != 1:
            raise RuntimeError("hessian: the Tensor returned by the function given to hessian "
                               f"should contain a single element, got shape {tuple(out.shape)}")
        return out.squeeze()

    def jac(*inp):
        return jacobian(scalar, inp, create_graph=True, strict=strict)

    res = jacobian(jac, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _post(res, (in_tuple, in_tuple))


def _second_order(func, inputs, v, create_graph, strict, fn):
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", fn)
        inputs = _prepare(inputs, create_graph)
        if v is None:
            v = _ones_for_single_element(inputs, fn, "input")
        else:
            _, v = _as_tuple(v, "v", fn)
            _validate_v(v, inputs, fn)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       fn)
        if out_tuple or outputs[0].numel() != 1:
            raise RuntimeError(f"{fn}: the function given to {fn} should return a single "
                               "Tensor with a single element")
        first = _grads(outputs, inputs, (None,), True, strict, fn)
        # v^T H (and H v, equal since the Hessian is symmetric)
        res = _grads(first, inputs, v, create_graph, strict, fn)
    return (_post(_finish(outputs, create_graph), False),
            _post(_finish(res, create_graph), in_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Same as torch.autograd.functional.vhp: returns (func_output, v^T H)."""
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Same as torch.autograd.functional.hvp: returns (func_output, H v)."""
    return _second_order(func, inputs, v, create_graph, strict, "hvp")
