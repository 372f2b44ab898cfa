"""The graph: `Function` (an op's node and its ctx), grad mode, and the backward engine.

Every op is a `Function` subclass. `apply` runs `forward` on backend arrays and, when
grad mode is on and an input requires grad, makes the Function instance the output's
`grad_fn`: it keeps the edges to its inputs' nodes and what `forward` saved. `backward`
is written in Tensor ops, so running it under grad mode (`create_graph=True`) records a
graph of the backward pass itself and higher derivatives need no extra code.
"""
from __future__ import annotations

import weakref

from . import backend

_new = object.__new__
_ndarray = backend.ndarray
_bfloat16 = backend.bfloat16  # floating, though NumPy files it under kind "V"



# ----------------------------------------------------------------------------- grad mode
class _GradMode:
    enabled = True
    inference = False  # inside an active inference_mode


_mode = _GradMode


def is_grad_enabled() -> bool:
    return _mode.enabled


class set_grad_enabled:
    """Same as torch.set_grad_enabled: a function, a context manager and a decorator."""

    def __init__(self, mode: bool):
        self.prev = _mode.enabled
        _mode.enabled = bool(mode)
        self.mode = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev

    def __call__(self, fn):
        mode = self.mode
        _mode.enabled = self.prev  # used as a decorator: undo the switch made in __init__

        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        wrapper.__wrapped__ = fn
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


class _ModeContext:
    mode = True

    def __init__(self, fn=None):
        self.fn = fn

    def __enter__(self):
        self.prev = _mode.enabled
        _mode.enabled = self.mode

    def __exit__(self, *exc):
        _mode.enabled = self.prev

    def __call__(self, *args, **kwargs):
        if self.fn is None:  # @no_grad() form: called with the function
            return type(self)(args[0])._decorated()
        with type(self)():
            return self.fn(*args, **kwargs)

    def _decorated(self):
        fn, ctx_type = self.fn, type(self)

        def wrapper(*args, **kwargs):
            with ctx_type():
                return fn(*args, **kwargs)
        wrapper.__wrapped__ = fn
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


class no_grad(_ModeContext):
    """Same as torch.no_grad: ops inside record no graph (context manager or decorator)."""

    mode = False


class inference_mode(_ModeContext):
    """Same as torch.inference_mode: no graph is recorded inside (as no_grad; Ember has
    no separate inference tensors). `inference_mode(False)` changes nothing."""

    mode = False

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # @inference_mode without ()
            super().__init__(mode)
            self._active = True
            return
        super().__init__(None)
        self._active = bool(mode)

    def __enter__(self):
        self.prev = _mode.enabled
        self.prev_inference = _mode.inference
        if self._active:
            _mode.enabled = False
            _mode.inference = True

    def __exit__(self, *exc):
        _mode.enabled = self.prev
        _mode.inference = self.prev_inference

    def __call__(self, *args, **kwargs):
        if self.fn is None:
            fn = args[0]
            active = self._active

            def wrapper(*a, **kw):
                with inference_mode(active):
                    return fn(*a, **kw)
            wrapper.__wrapped__ = fn
            wrapper.__name__ = getattr(fn, "__name__", "wrapper")
            wrapper.__doc__ = getattr(fn, "__doc__", None)
            return wrapper
        with inference_mode(True):
            return self.fn(*args, **kwargs)


def is_inference_mode_enabled() -> bool:
    """Same as torch.is_inference_mode_enabled: True inside an active inference_mode."""
    return _mode.inference


class enable_grad(_ModeContext):
    """Same as torch.enable_grad."""

    mode = True


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
_FREED = object()
_NON_TENSOR = object()


class Function:
    """Same as torch.autograd.Function: subclass it with static `forward(ctx, ...)` and
    `backward(ctx, *grads)`, and call `YourFunction.apply(...)`.

    The instance is both the ctx handed to forward/backward and the graph node that the
    outputs point to as `grad_fn`.
    """

    # `next`: a list (or tuple) with one entry per positional input: None (no grad
    # needed), a leaf Tensor, a node, or (node, output_nr) for an output of a multi-output
    # node.
    __slots__ = ("next", "saved", "_versions", "_shape", "_dtype", "__dict__",
                 "__weakref__")
    _n_out = 1              # number of outputs (set on multi-output nodes)
    _hooks = None           # {output_nr: [fn]} tensor hooks of non-leaf outputs
    _retained = None        # {output_nr: weakref(Tensor)} for retain_grad()
    _post_hooks = None
    _non_diff = None
    _materialize = True
    _stack = None           # where the op was created (only under detect_anomaly)
    _view = False           # output is a view of input 0: share its version counter
    save_output = False     # backward reads `ctx.output`
    _out = None
    _out_at = 0             # version of the saved output when it was saved
    recording = True        # ctx.recording: False on the stand-in ctx of unrecorded calls
    _plain = True           # single output, no hooks: the engine's inlined fast path
    _is_tensor = False      # edges are Tensors (leaves) or nodes; this tells them apart
    _metas = None           # [(shape, dtype)] of the outputs of a multi-output node
    _outputs = None         # weak references to the outputs of a multi-output node
    _custom = False         # set for user subclasses (see __init_subclass__)

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

    # -- ctx API
    @property
    def needs_input_grad(self):
        """One bool per forward argument: does it need a gradient?"""
        return tuple(e is not None for e in self.next)

    def save_for_backward(self, *tensors):
        """Keep tensors (or plain values) for backward; in-place changes are detected."""
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
        t = _new(Tensor)
        t.array = self._out
        t._grad = None
        t._version = self._out_version
        t.requires_grad = True
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
        if self._custom:
            from .custom import unpack_saved
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
        if _tracers:  # a capture (compile, ONNX export) is recording this thread's ops
            return _traced_apply(cls, args, kwargs)
        if _mode.enabled:
            edges = []
            requires = False
            on_gpu = False  # all-NumPy inputs share the one CPU device: nothing to check
            for a in args:
                if isinstance(a, Tensor):
                    if type(a.array) is not _ndarray:
                        on_gpu = True
                    if a.requires_grad:
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
                if _anomaly.enabled:
                    _anomaly.record(node)
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
                    t = _new(Tensor)
                    t.array = out
                    t._grad = None
                    t._version = [0]
                dtype = out.dtype
                if dtype.kind in "fc" or dtype is _bfloat16:
                    t.requires_grad = True
                    t.grad_fn = node
                    node._shape = out.shape
                    node._dtype = dtype
                    if cls.save_output:  # kept as an array: a Tensor here would be a cycle
                        node._out = out
                        node._out_version = t._version
                        if node.saved is None:
                            node.saved = ()
                else:  # integer and bool results carry no gradient
                    t.requires_grad = False
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
        t = _new(Tensor)
        t.array = out
        t.requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._version = args[0]._version if cls._view else [0]
        return t


# ----------------------------------------------------------------------------- capture
# Recorders that see every op call (autograd.compile, autograd.onnx): each has
# `record(cls, args, kwargs, out)`, called after the op ran. Empty on the hot path.
_tracers: list = []


def _traced_apply(cls, args, kwargs):
    """`apply` with the recorders told: the op runs untraced (ops it calls inside are
    not reported separately), then each recorder sees the call and its result."""
    tracers = _tracers[:]
    _tracers.clear()
    try:
        out = cls.apply(*args, **kwargs)
    finally:
        _tracers[:] = tracers
    for tracer in tracers:
        tracer.record(cls, args, kwargs, out)
    return out


def _apply_custom(cls, *args, **kwargs):
    """`apply` of user-defined Functions (see custom.py)."""
    from .custom import apply_custom
    return apply_custom(cls, args, kwargs)


def _argument_error(cls, args, err):
    """The error for an op given something other than a Tensor where it needs one (the
    op's forward read `.array` of it): a TypeError naming the op, as PyTorch raises."""
    bad = [type(a).__name__ for a in args
           if isinstance(a, (list, tuple, dict, str)) or backend.is_numpy_scalar(a)]
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
    """Outputs of a multi-output node (custom Functions): each remembers its number."""
    node._n_out = len(out)
    node._plain = False
    outs = []
    metas = []
    non_diff = node._non_diff
    for i, o in enumerate(out):
        arr = o.array if isinstance(o, Tensor) else o
        t = _make(arr)
        if (non_diff is None or id(o) not in non_diff) and backend.kind(arr.dtype) in "fc":
            t.requires_grad = True
            t.grad_fn = node
            t._nr = i
        metas.append((arr.shape, arr.dtype))
        outs.append(t)
    node._metas = metas
    node._outputs = [weakref.ref(t) for t in outs]
    return tuple(outs)


class OutputEdge:
    """An edge into output `nr` of a multi-output node."""

    __slots__ = ("node", "nr")
    _is_tensor = False

    def __init__(self, node, nr):
        self.node, self.nr = node, nr


def _check_devices(cls, args):
    devs = [a.device for a in args if isinstance(a, Tensor)]
    if len(devs) < 2:
        return
    first = devs[0]
    for d in devs[1:]:
        if d.type != first.type or (d.index or 0) != (first.index or 0):
            raise RuntimeError(
                f"{cls.name()}: expected all tensors on one device, got {first} and {d}; "
                f"move one with .to({str(first)!r})")


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


# ----------------------------------------------------------------------------- anomaly mode
class _Anomaly:
    enabled = False

    @staticmethod
    def record(node):
        import traceback
        node._stack = traceback.extract_stack()[:-3]
        node._plain = False  # the engine then checks its gradients


_anomaly = _Anomaly


# Bottom import: tensor.py imports the ops, which import this module.
from .tensor import Tensor, _make  # noqa: E402
