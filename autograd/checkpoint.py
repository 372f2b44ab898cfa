"""Activation checkpointing: `checkpoint(fn, *args)` (same as torch.utils.checkpoint).

The graph keeps one node for the whole of `fn`, which saves only fn's inputs; backward
runs `fn` again (same RNG state) with grad mode on and differentiates the fresh graph.
"""
from __future__ import annotations

from . import backend
from .engine import run_backward
from .function import Function, enable_grad, is_grad_enabled
from .graph import reached_leaves
from .tensor_base import TensorBase as Tensor


class _Run:
    """What the node needs to recompute: fn, its non-Tensor args, the RNG state."""

    def __init__(self, function, args, kwargs, rng_state, n_tensors):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state, self.n_tensors = rng_state, n_tensors

    def call(self, tensors):
        it = iter(tensors)
        args = [next(it) if isinstance(a, Tensor) else a for a in self.args]
        gen = backend.default_generator
        if self.rng_state is None:
            return self.function(*args, **self.kwargs)
        now = gen.get_state()
        gen.set_state(self.rng_state)  # dropout inside fn draws the same masks again
        try:
            return self.function(*args, **self.kwargs)
        finally:
            gen.set_state(now)


class Checkpoint(Function):
    _materialize = False  # outputs the user dropped get no gradient, not zeros

    @staticmethod
    def forward(ctx, run, out_arrays, *inputs):
        # inputs = fn's Tensor args, then the leaves (parameters) fn used
        ctx.save_for_backward(*inputs)
        ctx.run = run
        return out_arrays

    @staticmethod
    def backward(ctx, *grads):
        run = ctx.run
        inputs = ctx.saved_tensors
        n = run.n_tensors
        create = is_grad_enabled()  # the engine turns grad mode on for create_graph
        if create:  # stay linked to the real inputs so the gradient differentiates again
            args = inputs[:n]
        else:
            args = tuple(x.detach().requires_grad_(x.requires_grad) for x in inputs[:n])
        with enable_grad():
            outs = run.call(args)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, g) for o, g in zip(outs, grads) if g is not None and o.requires_grad]
        targets = [(i, x) for i, x in enumerate(args + inputs[n:]) if x.requires_grad]
        result = [None, None] + [None] * len(inputs)
        if pairs and targets:
            got = run_backward([o for o, _ in pairs], [g for _, g in pairs],
                               retain_graph=True, create_graph=create,
                               inputs=[x for _, x in targets], allow_unused=True,
                               accumulate=False, op="checkpoint")
            for (i, _), g in zip(targets, got):
                result[2 + i] = g
        return tuple(result)


def _leaves(outputs, skip):
    """Leaf tensors that require grad reachable from `outputs` (fn's parameters)."""
    return [t for t in reached_leaves(*outputs) if t.requires_grad and id(t) not in skip]


def checkpoint(function, *args, use_reentrant=False, preserve_rng_state=True,
               context_fn=None, determinism_check="default", debug=False, **kwargs):
    """Same as torch.utils.checkpoint.checkpoint: the graph keeps only fn's inputs and
    backward recomputes fn. Gradients reach fn's Tensor args and the leaves (parameters)
    it uses; `use_reentrant` is accepted, both modes behave as the non-reentrant one.
    fn's intermediate activations live only during the forward call, one segment at a
    time, and are dropped when checkpoint returns."""
    if not is_grad_enabled():
        return function(*args, **kwargs)
    tensors = tuple(a for a in args if isinstance(a, Tensor))
    rng_state = backend.default_generator.get_state() if preserve_rng_state else None
    detached = tuple(t.detach().requires_grad_(t.requires_grad) for t in tensors)
    run = _Run(function, args, kwargs, rng_state, len(tensors))
    it = iter(detached)
    outs = function(*[next(it) if isinstance(a, Tensor) else a for a in args], **kwargs)
    is_tuple = isinstance(outs, tuple)
    outs = outs if is_tuple else (outs,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"checkpoint: expected fn to return Tensors, got "
                            f"{type(o).__name__}")
    params = _leaves(outs, {id(d) for d in detached})
    if not params and not any(t.requires_grad for t in tensors):
        return outs if is_tuple else outs[0]  # nothing to differentiate: no node
    arrays = tuple(o.array for o in outs) if is_tuple else outs[0].array
    del outs, detached  # drop fn's graph: its activations are recomputed in backward
    return Checkpoint.apply(run, arrays, *tensors, *params)
