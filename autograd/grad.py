"""autograd.grad and autograd.backward: the functional entry points of the engine."""
from __future__ import annotations

from .creation import zeros_like
from .engine import _accumulate_leaf, run_backward
from .tensor_base import TensorBase as Tensor


def _seq(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """Same as torch.autograd.grad: the gradients of `outputs` with respect to `inputs`,
    returned (not accumulated into .grad); PyTorch's argument order. `only_inputs` is
    accepted (PyTorch ignores it too); `is_grads_batched` is not supported."""
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True (vmap over grad_outputs) is "
                                  "not supported; call grad once per grad_outputs row")
    allow_unused = bool(allow_unused)
    outputs = _seq(outputs)
    inputs_t = _seq(inputs)
    grad_outputs = _seq(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} "
                           "outputs")
    result = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs_t,
                          allow_unused=allow_unused or materialize_grads, accumulate=False,
                          op="grad")
    if materialize_grads:
        result = tuple(zeros_like(t) if g is None else g for t, g in zip(inputs_t, result))
    return result


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Same as torch.autograd.backward."""
    tensors = _seq(tensors)
    grad_tensors = _seq(grad_tensors) or (None,) * len(tensors)
    if inputs is not None:
        inputs = _seq(inputs)
        grads = run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs,
                             allow_unused=True, accumulate=False, op="backward")
        fresh = set()
        for t, g in zip(inputs, grads):
            if g is not None:
                if t.grad_fn is None:
                    _accumulate_leaf(t, g, create_graph, fresh)
                else:
                    t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(tensors, grad_tensors, retain_graph, create_graph)
