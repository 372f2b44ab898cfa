"""The graph: `Function` (an op's node and its ctx) and `Function.apply`.

Every op is a `Function` subclass. `apply` runs `forward` on backend arrays and, when
grad mode is on and an input requires grad, makes the Function instance the output's
`grad_fn`: it keeps the edges to its inputs' nodes and what `forward` saved. `backward`
is written in Tensor ops, so running it under grad mode (`create_graph=True`) records a
graph of the backward pass itself and higher derivatives need no extra code. Whether a
graph is recorded is this thread's grad mode (grad_mode.py); engine.py runs backward.
"""
from __future__ import annotations

from . import backend, saved_hooks, tensor_base
from ._node import OutputEdge, _check_devices, _record_stack  # noqa: F401 (re-exported)
from .custom import apply_custom, unpack_saved
from .grad_mode import (  # noqa: F401 (re-exported: the modes' historical home)
    _mode,
    _tracers,
    _watching,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make

_new = object.__new__
_ndarray = backend.ndarray
_bfloat16 = backend.bfloat16  # floating, though NumPy files it under kind "V"


# ----------------------------------------------------------------------------- Function
class _NoGradCtx:
    """Stands in for ctx when no graph is recorded: saving is a no-op, and attributes
    set on it are dropped (nothing is kept alive by an op that recorded no node). Hot
    ops test `ctx.recording` to skip that work altogether."""

    recording = False
    needs_input_grad = (False,) * 64
    next = (None,) * 64

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


_NO_CTX = _NoGradCtx()
_Tensor = None  # the assembled Tensor class, set by tensor_base.bind (apply makes them)


def _bind_tensor(cls):
    global _Tensor
    _Tensor = cls


tensor_base._on_bind.append(_bind_tensor)
if tensor_base.Tensor is not None:
    _bind_tensor(tensor_base.Tensor)
_HOOKS_EVER = saved_hooks.EVER
_FREED = object()


class Function:
    """Same as torch.autograd.Function: subclass it with static `forward(ctx, ...)` and
    `backward(ctx, *grads)`, and call `YourFunction.apply(...)`.

    As in PyTorch, the ctx handed to forward/backward IS the graph node that the outputs
    point to as `grad_fn` (one object per recorded call, made only when a graph is
    recorded; unrecorded calls get the shared stand-in `_NO_CTX`). What a node holds:

    - every node (slots, set by `apply`): `next` (one edge per positional input: None,
      a leaf Tensor, a node, or an OutputEdge into a multi-output node), `saved` and
      `_versions` (what forward saved, and their versions then), `_shape`/`_dtype` (of
      the output, for checking the gradient that arrives);
    - the saved output, for ops declaring `save_output`: `_out`, `_out_version`, `_out_at`;
    - a multi-output node: `_n_out`, `_metas` [(shape, dtype) per output];
    - only when used (class defaults otherwise, so an ordinary node carries none):
      `_hooks` and `_retained` (tensor hooks / retain_grad of its outputs), `_post_hooks`
      (node hooks), `_non_diff` (mark_non_differentiable), `_materialize`
      (set_materialize_grads), `_stack` (its creation stack, under detect_anomaly);
    - whatever forward sets as ctx attributes (`ctx.dim = ...`), in `__dict__`.

    `_plain` tells the engine it may call backward inline: one output, no hooks, no
    anomaly checks. Everything it holds is freed after backward unless retain_graph.
    """

    __slots__ = ("next", "saved", "_versions", "_shape", "_dtype", "__dict__",
                 "__weakref__")

    # -- what an op declares (class attributes of the subclass)
    save_output = False     # backward reads `ctx.output` (the output, linked to the node)
    _view = False           # the output is a view of input 0: share its version counter
    _materialize = True     # unused outputs get zero gradients (False: None)
    _custom = False         # a user's subclass: forward gets Tensors (__init_subclass__)

    # -- optional per-node state: these class defaults mean "not used by this node"
    _n_out = 1              # number of outputs (set on multi-output nodes)
    _metas = None           # [(shape, dtype)] of the outputs of a multi-output node
    _out = None             # the saved output's array (save_output)
    _out_at = 0             # ... and its version when it was saved
    _hooks = None           # {output_nr: [fn]} tensor hooks of non-leaf outputs
    _retained = None        # {output_nr: weakref(Tensor)} for retain_grad()
    _post_hooks = None      # [fn(grad_inputs, grad_outputs)] from register_hook
    _non_diff = None        # ids of outputs marked non-differentiable
    _stack = None           # where the op was created (only under detect_anomaly)

    # -- tags read on hot paths
    _plain = True           # single output, no hooks: the engine's inlined fast path
    _is_tensor = False      # edges are Tensors (leaves) or nodes; this tells them apart
    recording = True        # ctx.recording: False on the stand-in ctx of unrecorded calls

    def __init_subclass__(cls, **kwargs):
        # Built-in ops (autograd.*, nn.*) compute on arrays and take the fast path of
        # `apply`; a user's Function gets Tensors and may call Tensor ops in forward.
        super().__init_subclass__(**kwargs)
        if "_custom" not in cls.__dict__:
            cls._custom = cls.__module__.split(".")[0] not in ("autograd", "nn")
        if cls._custom and "apply" not in cls.__dict__:
            cls.apply = classmethod(_apply_custom)  # the built-in ops' apply stays lean

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @staticmethod
    def setup_context(ctx, inputs, output):
        """PyTorch 2's form of a custom Function: override this, and define forward
        without ctx; apply then calls setup_context(ctx, inputs, output) after forward."""
        raise NotImplementedError("setup_context is not implemented.")

    # -- ctx API
    @property
    def needs_input_grad(self):
        """One bool per forward argument: does it need a gradient?"""
        return tuple(e is not None for e in self.next)

    def save_for_backward(self, *tensors):
        """Keep tensors (or plain values) for backward; in-place changes are detected."""
        if _HOOKS_EVER[0] and saved_hooks.current() is not None:  # saved_tensors_hooks
            self.saved = saved_hooks.pack(tensors, lambda t: isinstance(t, Tensor))
            self._versions = (None,) * len(tensors)
            return
        self.saved = tensors
        if len(tensors) == 2:  # the common case, unrolled: this runs for most ops
            a, b = tensors
            self._versions = (a._version[0] if isinstance(a, Tensor) else None,
                              b._version[0] if isinstance(b, Tensor) else None)
            return
        versions = []  # a loop, not a comprehension: cheaper on the hot path
        for t in tensors:
            versions.append(t._version[0] if isinstance(t, Tensor) else None)
        self._versions = versions

    @property
    def output(self):
        """The forward output as a Tensor linked to this node (for ops with
        save_output = True), so that backward formulas using it differentiate again."""
        if self.saved is _FREED or self._out is None:
            self.saved_tensors  # raises the freed-graph error
            raise RuntimeError(f"{self.name()}: the output was not saved for backward")
        if self._out_version[0] != self._out_at:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: the output of {self.name()} (shape "
                f"{tuple(self._out.shape)}) is at version {self._out_version[0]}, expected "
                f"version {self._out_at}; use out-of-place ops, or clone() before modifying")
        t = _new(_Tensor)
        t.array = self._out
        t._grad = None
        t._version = self._out_version
        t._requires_grad = True
        t.grad_fn = self
        return t

    def _free(self):
        self.saved = _FREED
        self._out = None

    @property
    def saved_tensors(self):
        saved = self.saved
        if saved is _FREED:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to "
                "use saved tensors after they were freed); pass retain_graph=True to the "
                "first backward() if you need to backward twice")
        if saved is None:
            return ()
        if _HOOKS_EVER[0]:
            saved = saved_hooks.unpack(saved)
        if self._custom:
            return unpack_saved(self, saved)
        i = 0
        for v in self._versions:
            if v is not None and saved[i]._version[0] != v:
                t = saved[i]
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: {self.name()} saved a tensor of shape "
                    f"{tuple(t.shape)} at version {v}, and it is now at version "
                    f"{t._version[0]}; use out-of-place ops, or clone() before modifying")
            i += 1
        return saved

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool):
        self._materialize = bool(value)

    def mark_dirty(self, *tensors):
        pass

    @classmethod
    def name(cls) -> str:
        return cls.__name__.lower()

    # alias so that node.next_functions reads like PyTorch's
    @property
    def next_functions(self):
        out = []
        for e in self.next:
            if e is None:
                out.append((None, 0))
            elif type(e) is OutputEdge:
                out.append((e.node, e.nr))
            elif isinstance(e, Tensor):
                out.append((AccumulateGrad(e), 0))
            else:
                out.append((e, 0))
        return tuple(out)

    def register_hook(self, fn):
        """Hook called as fn(grad_inputs, grad_outputs) after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
            self._plain = False
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def __repr__(self):
        return f"<{type(self).__name__}Backward>"

    # -- building the graph
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward; when grad mode is on and an input requires grad, record this op
        as the output's grad_fn. This is the hot path of every op: keep it lean."""
        if _watching[0] and _mode.watched:  # a capture (compile, ONNX) or anomaly mode
            return _watched_apply(cls, args, kwargs)
        if _mode.enabled:
            edges = []
            requires = False
            on_gpu = False  # all-NumPy inputs share the one CPU device: nothing to check
            for a in args:
                if isinstance(a, Tensor):
                    if type(a.array) is not _ndarray:
                        on_gpu = True
                    if a._requires_grad:
                        requires = True
                        fn = a.grad_fn  # the edge: a leaf Tensor, a node or an OutputEdge
                        edges.append(a if fn is None else fn if fn._n_out == 1 else
                                     OutputEdge(fn, a._nr))
                        continue
                edges.append(None)
            if on_gpu:
                _check_devices(cls, args)
            if requires:  # record the node (inlined: this runs for every op)
                node = _new(cls)
                node.saved = None
                node.next = edges  # a list: no tuple copy on the hot path
                try:
                    # one and two positional arguments spelled out: a call with fixed
                    # arguments is much cheaper in CPython than one through *args
                    n = len(args)
                    out = (cls.forward(node, args[0], args[1]) if n == 2 and not kwargs else
                           cls.forward(node, args[0]) if n == 1 and not kwargs else
                           cls.forward(node, *args, **kwargs))
                except AttributeError as e:
                    raise _argument_error(cls, args, e) from e
                if type(out) is not _ndarray:
                    if type(out) is tuple:
                        return _record_outputs(node, out)
                    if isinstance(out, Tensor):  # a custom forward returned a Tensor
                        out = out.array
                    elif not backend.is_array(out):
                        out = backend.array_module(out).asarray(out)
                if cls._view:
                    t = _view_of(out, args[0])
                else:
                    t = _new(_Tensor)
                    t.array = out
                    t._grad = None
                    t._version = [0]
                dtype = out.dtype
                if dtype.kind in "fc" or dtype is _bfloat16:
                    t._requires_grad = True
                    t.grad_fn = node
                    node._shape = out.shape
                    node._dtype = dtype
                    if cls.save_output:  # kept as an array: a Tensor here would be a cycle
                        node._out = out
                        node._out_version = t._version
                        if node.saved is None:
                            node.saved = ()
                else:  # integer and bool results carry no gradient
                    t._requires_grad = False
                    t.grad_fn = None
                return t
            if cls._view:
                return _view_of(cls.forward(_NO_CTX, *args, **kwargs), args[0])
        try:
            n = len(args)
            out = (cls.forward(_NO_CTX, args[0], args[1]) if n == 2 and not kwargs else
                   cls.forward(_NO_CTX, args[0]) if n == 1 and not kwargs else
                   cls.forward(_NO_CTX, *args, **kwargs))
        except AttributeError as e:  # zero-cost unless raised: a list where a Tensor belongs
            raise _argument_error(cls, args, e) from e
        except (TypeError, ValueError):  # NumPy meeting CuPy fails in its own words
            _check_devices(cls, args)
            raise
        if type(out) is not _ndarray:
            if type(out) is tuple:
                return tuple(_make(o.array if isinstance(o, Tensor) else o) for o in out)
            if isinstance(out, Tensor):
                out = out.array
            elif not backend.is_array(out):
                out = backend.array_module(out).asarray(out)
        t = _new(_Tensor)
        t.array = out
        t._requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._version = args[0]._version if cls._view else [0]
        return t


# ----------------------------------------------------------------------------- capture
def _watched_apply(cls, args, kwargs):
    """`apply` while this thread has a capture or anomaly mode on: the op runs plainly
    (ops it calls inside are not reported separately), then under anomaly mode its node
    keeps the stack where it was created, and each recorder sees the call and its
    result."""
    mode = _mode
    tracers = mode.tracers
    mode.tracers = ()
    mode.watched = False  # for the inner call only: still counted in `_watching`
    try:
        out = cls.apply(*args, **kwargs)
    finally:
        mode.tracers = tracers
        mode.watched = True
        mode.rewatch()
    if mode.anomaly:
        first = out[0] if type(out) is tuple and out else out
        node = getattr(first, "grad_fn", None)
        if type(node) is cls and node._stack is None:  # the node this call recorded
            _record_stack(node, 4)
    for tracer in list(tracers):
        tracer.record(cls, args, kwargs, out)
    return out


def _apply_custom(cls, *args, **kwargs):
    """`apply` of user-defined Functions (see custom.py)."""
    return apply_custom(cls, args, kwargs, cls.setup_context is not Function.setup_context)


def _argument_error(cls, args, err):
    """The error for an op given something other than a Tensor where it needs one (the
    op's forward read `.array` of it): a TypeError naming the op, as PyTorch raises."""
    bad = [type(a).__name__ for a in args
           if isinstance(a, (list, tuple, dict, str, int, float, complex, type(None)))
           or backend.is_numpy_scalar(a)]
    if not bad:
        return err
    return TypeError(f"{cls.name()}: expected Tensor arguments, got {', '.join(bad)}; wrap "
                     "data in autograd.tensor(...) first")


def _view_of(arr, base):
    """A Tensor for the view `arr` of `base`: shares its version counter and remembers
    its root tensor, so that in-place ops on the view can update the base's history."""
    t = _make(arr)
    t._version = base._version
    t._view_base = base if base._view_base is None else base._view_base
    return t


def _record_outputs(node, out):
    """Outputs of a node whose forward returned a tuple: each remembers its number.

    A tuple of one (an op whose number of outputs follows a shape, such as unbind0 of a
    leading dim of size 1) makes an ordinary one-output node: the engine and the edges
    into it treat every node with `_n_out == 1` so, and read its `_shape`/`_dtype`."""
    n = node._n_out = len(out)
    if n != 1:
        node._plain = False
    outs = []
    metas = []
    non_diff = node._non_diff
    for i, o in enumerate(out):
        arr = o.array if isinstance(o, Tensor) else o
        t = _make(arr)
        if (non_diff is None or id(o) not in non_diff) and backend.kind(arr.dtype) in "fc":
            t._requires_grad = True
            t.grad_fn = node
            t._nr = i
        metas.append((arr.shape, arr.dtype))
        outs.append(t)
    node._metas = metas
    if n == 1:
        node._shape, node._dtype = metas[0]
    return tuple(outs)


class AccumulateGrad:
    """What PyTorch shows as the node of a leaf in `next_functions`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "accumulategrad"

    next_functions = ()

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return "<AccumulateGrad>"


class _RemovableHandle:
    """Same as torch.utils.hooks.RemovableHandle."""

    def __init__(self, container, item, key=None):
        self._container, self._item, self._key = container, item, key

    def remove(self):
        c = self._container
        if isinstance(c, dict):
            c.pop(self._key, None)
        elif self._item in c:
            c.remove(self._item)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
