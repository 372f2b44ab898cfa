"""Module backward hooks (Module.register_full_backward_hook / _pre_hook), as PyTorch does
them: one identity Function wrapped around the tensor inputs of a module call and one
around its tensor outputs see the gradients of both ends and hand them to the hooks."""
from __future__ import annotations

import warnings

from .function import Function, is_grad_enabled
from .tensor_base import TensorBase as Tensor

_NO_INPUT_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module "
    "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
    "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
    "details.")


class BackwardHookFunction(Function):
    """Identity on the tensors it is given; its backward passes the gradients through
    `state` (a BackwardHook), which runs the user's hooks on them."""

    _custom = True  # forward gets the Tensors and returns them as its (aliased) outputs

    @staticmethod
    def forward(ctx, state, on_output, *tensors):
        ctx.state, ctx.on_output = state, on_output
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        if on_output:  # an output nobody used shows as None in grad_output, as in torch
            ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        grads = state.output_grads(grads) if ctx.on_output else state.input_grads(grads)
        return (None, None) + tuple(grads)


def _pack(index, values, size):
    """`values` placed at positions `index` of a tuple of `size` Nones."""
    out = [None] * size
    for i, v in zip(index, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """The hooks of one module call (same as torch.utils.hooks.BackwardHook). The output
    side runs first in backward: it keeps grad_output (after the pre-hooks) until the
    input side calls the full hooks with grad_input; if no input needs a gradient the
    output side calls them, with grad_input all None."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    def _wrap(self, on_output, args):
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (is_grad_enabled() and any(args[i].requires_grad for i in index)):
            return args, None
        new = BackwardHookFunction.apply(self, on_output, *[args[i] for i in index])
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return (tuple(out) if type(args) is tuple else type(args)(*out)), index

    def setup_input_hook(self, args):
        args, self.input_index = self._wrap(False, args)
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        result, self.output_index = self._wrap(True, result if is_tuple else (result,))
        self.n_outputs = len(result)
        return result if is_tuple else result[0]

    def output_grads(self, grads):
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            out = hook(self.module, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(out)}, but expected "
                                   f"{len(self.grad_outputs)}")
            self.grad_outputs = out
        grad_outputs = self.grad_outputs
        if self.input_index is None:
            warnings.warn(_NO_INPUT_GRAD, stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                out = hook(self.module, grad_inputs, grad_outputs)
                if out is not None and not (isinstance(out, tuple)
                                            and all(g is None for g in out)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)

    def input_grads(self, grads):
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing through the outputs
            return grads
        grad_inputs = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, grad_inputs, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(grad_inputs):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(grad_inputs)}")
            grad_inputs = out
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in self.input_index)


def warn_non_full(args, output):
    """The FutureWarnings PyTorch gives for register_backward_hook (the deprecated form)
    on a module whose inputs or outputs are not all Tensors."""
    outs = output if isinstance(output, tuple) else (output,)
    if not all(isinstance(o, Tensor) for o in outs):
        warnings.warn(
            "Using non-full backward hooks on a Module that does not return a single Tensor "
            "or a tuple of Tensors is deprecated and will be removed in future versions. This "
            "hook will be missing some of the grad_output. Please use "
            "register_full_backward_hook to get the documented behavior.", FutureWarning,
            stacklevel=3)
    elif not all(isinstance(a, Tensor) for a in args):
        warnings.warn(
            "Using non-full backward hooks on a Module that does not take as input a single "
            "Tensor or a tuple of Tensors is deprecated and will be removed in future "
            "versions. This hook will be missing some of the grad_input. Please use "
            "register_full_backward_hook to get the documented behavior.", FutureWarning,
            stacklevel=3)
