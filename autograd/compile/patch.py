"""What a capture wraps, for its duration only, so that the eager hot paths carry no
hook: work outside `Function.apply` becomes replayable units (in-place tensor methods,
creation and random draws, dropout masks, class-index targets, optimiser `step` and
`zero_grad`, `Module.zero_grad`, gradient clipping), the engine's accumulation into
`.grad` is recorded, every Function's `backward` is recorded (op by op when written in
Tensor ops on known values, else as one call on its forward's ctx), and host reads
(`.item()`, `bool()`, printing, ...) are graph breaks. Targets a refactor moved away are
skipped: the two-recording check (verify.py) still refuses to replay what they would have
computed.
"""
from __future__ import annotations

import sys
import threading
import types

from .. import function as _function
from ..tensor import Tensor
from .capture import _local, active


def _unit(orig):
    """A wrapper that records `orig` as one replayable unit (ops inside are not
    recorded separately) when this thread is capturing."""
    def wrapper(*args, **kwargs):
        rec = active()
        if rec is None:
            return orig(*args, **kwargs)
        args = tuple(list(a) if isinstance(a, (types.GeneratorType, map, filter)) else a
                     for a in args)
        tracers = _function._tracers
        saved = tracers[:]
        tracers.clear()
        _local.rec = None
        try:
            out = orig(*args, **kwargs)
        finally:
            _local.rec = rec
            tracers[:] = saved
        rec.record_unit(orig, args, kwargs, out)
        return out
    wrapper.__wrapped__ = orig
    return wrapper


def _nograd_unit(orig):
    """A function that works on raw arrays when nothing needs a gradient (the RNN
    layers' unbind0) and runs an op otherwise: a unit in the first case."""
    unit = _unit(orig)

    def wrapper(x, *args, **kwargs):
        if active() is not None and not (x.requires_grad and _function._mode.enabled):
            return unit(x, *args, **kwargs)
        return orig(x, *args, **kwargs)
    wrapper.__wrapped__ = orig
    return wrapper


def _inplace(orig):
    """An in-place tensor method. Without a graph to record it is a unit; with one (the
    tensor or the operand requires grad: `relu_`, `inplace=True` layers) the out-of-place
    op it runs is recorded as an op, followed by a write of its result into the tensor."""
    unit = _unit(orig)

    def wrapper(t, *args, **kwargs):
        rec = active()
        if rec is None or not _function._mode.enabled or not isinstance(t, Tensor) or not (
                t.requires_grad or any(isinstance(a, Tensor) and a.requires_grad
                                       for a in args)):
            return unit(t, *args, **kwargs)
        if t._view_base is not None:
            rec.unsupported.append("an in-place op that requires grad on a view")
            return orig(t, *args, **kwargs)
        before = len(rec.events)
        out = orig(t, *args, **kwargs)
        node = t.grad_fn
        k = rec.node_event.get(id(node))
        saved = node.saved if node is not None and type(node.saved) is tuple else ()
        if k is None or k < before or any(isinstance(x, Tensor) and id(x) not in
                                          rec.by_tensor for x in saved):
            rec.unsupported.append(f"{orig.__name__} on a tensor that requires grad")
            return out
        rec.record_write(t, k)
        return out
    wrapper.__wrapped__ = orig
    return wrapper


def _host(orig, what):
    def wrapper(self, *args, **kwargs):
        rec = active()
        if rec is not None:
            rec.host_read(what)
        return orig(self, *args, **kwargs)
    wrapper.__wrapped__ = orig
    return wrapper


def _accumulate(orig):
    def wrapper(leaf, g, create_graph, fresh):
        rec = active()
        if rec is None:
            return orig(leaf, g, create_graph, fresh)
        if leaf._hooks_list is not None or leaf._post_acc_hooks is not None:
            rec.unsupported.append("a hook on a leaf tensor")
        if create_graph:
            rec.unsupported.append("backward(create_graph=True)")
        was_none = leaf._grad is None
        tracers = _function._tracers
        saved = tracers[:]
        tracers.clear()
        try:
            orig(leaf, g, create_graph, fresh)
        finally:
            tracers[:] = saved
        rec.record_acc(leaf, g, was_none and leaf._grad is not None
                       and leaf._grad.array is g.array)
    wrapper.__wrapped__ = orig
    return wrapper


def _root_grads(orig):
    """The engine's seed gradients: the ones it makes for a scalar output are
    constants of the recording (remade from the shape at every call)."""
    def wrapper(outputs, grad_outputs, *args, **kwargs):
        roots = orig(outputs, grad_outputs, *args, **kwargs)
        rec = active()
        if rec is not None:
            given = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else \
                [grad_outputs] * len(roots)
            for i, (_, g) in enumerate(roots):
                if i >= len(given) or given[i] is None:
                    rec.constant(g)
        return roots
    wrapper.__wrapped__ = orig
    return wrapper


def _zeros_for(orig):
    """The engine's zero gradient for an unused output: a constant of the recording."""
    def wrapper(*args):
        z = orig(*args)
        rec = active()
        if rec is not None:
            rec.constant(z)
        return z
    wrapper.__wrapped__ = orig
    return wrapper


def _backward(orig):
    """The recording wrapper of a Function's backward (a staticmethod or classmethod)."""
    is_cls = isinstance(orig, classmethod)
    fn = orig.__func__ if isinstance(orig, (staticmethod, classmethod)) else orig

    def backward(*a):
        rec = active()
        if rec is None:
            return fn(*a)
        ctx, grads = (a[1], a[2:]) if is_cls else (a[0], a[1:])
        if id(ctx) in rec.node_event:
            # first try recording the formula's own Tensor ops (array-level replay)
            mark = rec.mark()
            rec.in_backward += 1
            try:
                out = fn(*a)
            finally:
                rec.in_backward -= 1
            if not rec.inlinable(mark, out):
                rec.rollback(mark)  # the call as a whole, on its forward's ctx
                rec.record_backward(ctx, grads, out)
            return out
        tracers = _function._tracers
        saved = tracers[:]
        tracers.clear()
        _local.rec = None
        try:
            out = fn(*a)
        finally:
            _local.rec = rec
            tracers[:] = saved
        rec.record_backward(ctx, grads, out)
        return out
    backward.__wrapped__ = fn
    return classmethod(backward) if is_cls else staticmethod(backward)


def _functions():
    return _subclasses(_function.Function)


def _subclasses(base):
    out, stack = [], list(base.__subclasses__())
    while stack:
        c = stack.pop()
        if c not in out:
            out.append(c)
            stack.extend(c.__subclasses__())
    return out


_HOST = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__",
         "__repr__", "__str__", "__format__", "__array__")
_INPLACE = ("add_", "sub_", "mul_", "div_", "pow_", "unary_", "math_", "fill_", "copy_",
            "masked_fill_", "scatter_add_", "setitem", "_random_fill", "index_add_")


def _targets():
    """(owner, name, wrapper factory) for everything wrapped during a capture. Missing
    ones (moved by a refactor) are skipped: the two-recording check in plan.py still
    refuses to replay what they would have computed."""
    import importlib
    out = []

    def mod(name):
        try:
            return importlib.import_module(name)
        except ImportError:
            return None
    for name in _HOST:
        owner = next((c for c in Tensor.__mro__ if name in c.__dict__), object)
        if owner is not object:
            out.append((owner, name, lambda f, n=name: _host(f, n.strip("_") + "()")))
    inplace = mod("autograd.ops.inplace")
    for name in _INPLACE:
        if inplace is not None and hasattr(inplace, name):
            out.append((inplace, name, _inplace))
    for modname, names in (("autograd.creation", ("_new",)),
                           ("nn.functional.dropout", ("_keep_mask",)),
                           ("nn.functional.loss", ("_class_target",)),
                           ("autograd.ops.loss", ("_class_target",)),
                           ("nn.utils.clip_grad", ("clip_grad_norm_", "clip_grad_value_"))):
        m = mod(modname)
        for name in names:
            if m is not None and hasattr(m, name):
                out.append((m, name, _unit))
    arrange = mod("autograd.ops.arrange")
    if arrange is not None and hasattr(arrange, "unbind0"):
        out.append((arrange, "unbind0", _nograd_unit))
    for cls in _functions():
        if "backward" in cls.__dict__:
            out.append((cls, "backward", _backward))
    engine = mod("autograd.engine")
    out.append((engine, "_accumulate_leaf", _accumulate))
    for name, factory in (("_root_grads", _root_grads), ("_zeros_for", _zeros_for)):
        if hasattr(engine, name):
            out.append((engine, name, factory))
    optim = mod("nn.optim.optimizer")
    sched = mod("nn.optim.lr_scheduler")
    mod("nn.optim")  # every optimiser and scheduler class defined
    for base in ((optim.Optimizer,) if optim is not None else ()) + (
            (sched.LRScheduler,) if sched is not None and hasattr(sched, "LRScheduler")
            else ()):
        for cls in [base] + _subclasses(base):  # overrides (LBFGS, ReduceLROnPlateau...)
            for name in ("step", "zero_grad"):
                if name in cls.__dict__:
                    out.append((cls, name, _unit))
    module = mod("nn.module")
    if module is not None:
        out.append((module.Module, "zero_grad", _unit))
    return out


_patch_lock = threading.Lock()
_patch_depth = [0]
_undo: list = []


class patched:
    """While active, the targets above are wrapped, in their home and wherever a module
    imported them by name (found by identity in sys.modules)."""

    def __enter__(self):
        with _patch_lock:
            _patch_depth[0] += 1
            if _patch_depth[0] == 1:
                _apply()
        return self

    def __exit__(self, *exc):
        with _patch_lock:
            _patch_depth[0] -= 1
            if _patch_depth[0] == 0:
                for owner, name, old in reversed(_undo):
                    setattr(owner, name, old)
                _undo.clear()


def _apply():
    wrapped = {}
    for owner, name, factory in _targets():
        orig = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        new = factory(orig)
        _undo.append((owner, name, orig))
        setattr(owner, name, new)
        if isinstance(orig, (staticmethod, classmethod)):
            continue
        wrapped[id(orig)] = (orig, new)
    # names imported elsewhere (`from nn.utils import clip_grad_norm_`)
    for m in list(sys.modules.values()):
        d = getattr(m, "__dict__", None)
        if not isinstance(d, dict) or m is None:
            continue
        for key, v in list(d.items()):
            if callable(v) and id(v) in wrapped and wrapped[id(v)][0] is v:
                _undo.append((m, key, v))
                setattr(m, key, wrapped[id(v)][1])


class capturing:
    """Context: `rec` records this thread's ops, units and host reads."""

    def __init__(self, rec):
        self.rec = rec

    def __enter__(self):
        self.patch = patched().__enter__()
        self.prev = active()
        _local.rec = self.rec
        _function._tracers.append(self.rec)
        return self.rec

    def __exit__(self, *exc):
        try:
            _function._tracers.remove(self.rec)
        except ValueError:
            pass
        _local.rec = self.prev
        self.patch.__exit__(*exc)
