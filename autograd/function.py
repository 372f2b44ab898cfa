"""The graph: `Function` (an op's node and its ctx), grad mode, and the backward engine.

Every op is a `Function` subclass. `apply` runs `forward` on backend arrays and, when
grad mode is on and an input requires grad, makes the Function instance the output's
`grad_fn`: it keeps the edges to its inputs' nodes and what `forward` saved. `backward`
is written in Tensor ops, so running it under grad mode (`create_graph=True`) records a
graph of the backward pass itself and higher derivatives need no extra code.
"""
from __future__ import annotations

import sys
import weakref

from . import backend

_refcount = sys.getrefcount


# ----------------------------------------------------------------------------- grad mode
class _GradMode:
    enabled = True


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


class enable_grad(_ModeContext):
    """Same as torch.enable_grad."""

    mode = True


# ----------------------------------------------------------------------------- Function
class _NoGradCtx:
    """Stands in for ctx when no graph is recorded: saving is a no-op."""

    needs_input_grad = ()

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

    # `next`: one entry per positional input: None (no grad needed), a leaf Tensor, a node,
    # or (node, output_nr) for an output of a multi-output node.
    __slots__ = ("next", "saved", "needs_input_grad", "_versions", "_n_out",
                 "_outputs", "__dict__", "__weakref__")
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
    _custom = False         # set for user subclasses (see __init_subclass__)

    def __init_subclass__(cls, **kwargs):
        # Built-in ops (autograd.*, nn.*) compute on arrays and take the fast path of
        # `apply`; a user's Function gets Tensors and may call Tensor ops in forward.
        super().__init_subclass__(**kwargs)
        if "_custom" not in cls.__dict__:
            cls._custom = cls.__module__.split(".")[0] not in ("autograd", "nn")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    # -- ctx API
    def save_for_backward(self, *tensors):
        """Keep tensors (or plain values) for backward; in-place changes are detected."""
        self.saved = tensors
        self._versions = tuple(t._version[0] if isinstance(t, Tensor) else None
                               for t in tensors)

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
        t = _make(self._out)
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
        for t, v in zip(saved, self._versions):
            if v is not None and t._version[0] != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: {self.name()} saved a tensor of shape "
                    f"{tuple(t.shape)} at version {v}, and it is now at version "
                    f"{t._version[0]}; use out-of-place ops, or clone() before modifying")
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
            elif type(e) is tuple:
                out.append(e)
            elif isinstance(e, Tensor):
                out.append((AccumulateGrad(e), 0))
            else:
                out.append((e, 0))
        return tuple(out)

    def register_hook(self, fn):
        """Hook called as fn(grad_inputs, grad_outputs) after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def __repr__(self):
        return f"<{type(self).__name__}Backward>"

    # -- building the graph
    @classmethod
    def apply(cls, *args, **kwargs):
        if cls._custom:
            from .custom import apply_custom
            return apply_custom(cls, args, kwargs)
        if not _mode.enabled:
            out = cls.forward(_NO_CTX, *args, **kwargs)
            if type(out) is tuple:
                return tuple(_make(o) for o in out)
            t = _make(out)
            if cls._view:
                t._version = args[0]._version
            return t
        # find the inputs that need grad; check devices agree
        requires = False
        arr_type = None
        for a in args:
            if isinstance(a, Tensor):
                t = type(a.array)
                if arr_type is None:
                    arr_type = t
                elif t is not arr_type or t is not backend.ndarray:
                    _check_devices(cls, args)
                if a.requires_grad:
                    requires = True
        if not requires:
            out = cls.forward(_NO_CTX, *args, **kwargs)
            if type(out) is tuple:
                return tuple(_make(o) for o in out)
            t = _make(out)
            if cls._view:
                t._view_base = args[0] if args[0]._view_base is None else args[0]._view_base
                t._version = args[0]._version
            return t
        node = cls()
        node.saved = None
        node.needs_input_grad = tuple(
            isinstance(a, Tensor) and a.requires_grad for a in args)
        node.next = tuple(_edge(a) if isinstance(a, Tensor) and a.requires_grad else None
                          for a in args)
        out = cls.forward(node, *args, **kwargs)
        if _anomaly.enabled:
            _anomaly.record(node)
        if type(out) is tuple:
            node._n_out = len(out)
            outs = []
            non_diff = node._non_diff
            for i, o in enumerate(out):
                if isinstance(o, Tensor):  # forward returned an input (custom Functions)
                    o = o.array
                t = _make(o)
                if (non_diff is None or id(o) not in non_diff) and o.dtype.kind in "fc":
                    t.requires_grad = True
                    t.grad_fn = node
                    t._nr = i
                outs.append(t)
            node._outputs = [weakref.ref(t) for t in outs]
            return tuple(outs)
        node._n_out = 1
        if isinstance(out, Tensor):
            out = out.array
        t = _make(out)
        if cls._view:
            t._view_base = args[0] if args[0]._view_base is None else args[0]._view_base
            t._version = args[0]._version
        if t.array.dtype.kind in "fc":
            t.requires_grad = True
            t.grad_fn = node
            if cls.save_output:  # kept as an array: a Tensor here would be a cycle
                node._out = t.array
                node._out_version = t._version
                if node.saved is None:
                    node.saved = ()
        return t


def _edge(t):
    node = t.grad_fn
    if node is None:
        return t  # leaf: the engine accumulates into t.grad
    if node._n_out == 1:
        return node
    return (node, t._nr)


def _check_devices(cls, args):
    devs = [a.device for a in args if isinstance(a, Tensor)]
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


_anomaly = _Anomaly


# ----------------------------------------------------------------------------- engine
def _accumulate_leaf(leaf, g, create_graph, fresh):
    """Add `g` into `leaf.grad`. `fresh` holds the leaves whose `.grad` buffer this pass
    created: within a pass, later contributions are added out of place, because the
    buffer may still be the very gradient another node is waiting to consume."""
    hooks = leaf._hooks_list
    if hooks is not None:
        for h in list(hooks):
            r = h(g)
            if r is not None:
                g = r
    if g.shape != leaf.array.shape:
        raise RuntimeError(
            f"backward: gradient of shape {tuple(g.shape)} does not match the leaf's shape "
            f"{tuple(leaf.array.shape)}")
    old = leaf.grad
    if old is None:
        if create_graph:
            leaf.grad = g
        else:
            arr = g.array
            if arr.dtype != leaf.array.dtype:
                arr = arr.astype(leaf.array.dtype)
            # take the array when nothing else holds it; copy a view or a shared buffer
            elif arr.base is not None or _refcount(arr) > 3:
                arr = arr.copy()
            leaf.grad = _make(arr)
            fresh.add(id(leaf))
    elif create_graph or old.requires_grad:
        leaf.grad = old + g
    elif id(leaf) in fresh:
        leaf.grad = _make(old.array + g.array)
    else:
        old.array += g.array
        old._version[0] += 1
    post = leaf._post_acc_hooks
    if post is not None:
        for h in list(post):
            h(leaf)


def _roots_grads(outputs, grad_outputs, op, create_graph):
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a "
                "grad_fn")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs; got "
                    f"shape {tuple(out.shape)}, so pass gradient= (a tensor of that shape)")
            g = _make(backend.array_module(out.array).ones_like(out.array))
        elif not isinstance(g, Tensor):
            g = _make(backend.asarray(g, dtype=out.array.dtype, dev=out.device))
        else:
            if tuple(g.shape) != tuple(out.shape):
                raise RuntimeError(
                    f"{op}: mismatch in shape: grad_output[{i}] has shape {tuple(g.shape)} "
                    f"and output[{i}] has shape {tuple(out.shape)}")
            if g.device != out.device:
                raise RuntimeError(
                    f"{op}: grad_output[{i}] is on {g.device} but the output is on "
                    f"{out.device}")
            if not create_graph:  # a fresh wrapper: the user's tensor never becomes a .grad
                g = _make(g.array)
        roots.append((out, g))
    return roots


def run_backward(outputs, grad_outputs, retain_graph=None, create_graph=False,
                 inputs=None, allow_unused=False, accumulate=True, op="backward"):
    """Reverse-mode pass from `outputs`. With accumulate=True (Tensor.backward) leaf
    gradients are accumulated into `.grad`; otherwise (autograd.grad) the gradients of
    `inputs` are returned and no `.grad` is touched."""
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots_grads(outputs, grad_outputs, op, create_graph)
    fresh = set()

    # Targets of autograd.grad: capture grads flowing into these tensors.
    captured = None
    if inputs is not None:
        captured = {}
        leaf_targets = {}
        node_targets = {}
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"{op}: expected Tensors as inputs, got {type(t).__name__}")
            if not t.requires_grad:
                raise RuntimeError(f"{op}: one of the differentiated Tensors does not require grad")
            if t.grad_fn is None:
                leaf_targets.setdefault(id(t), []).append(i)
            else:
                node_targets.setdefault((t.grad_fn, t._nr), []).append(i)

    # 1. count, for every node, how many edges lead into it (iterative DFS)
    deps = {}
    stack = []
    pending = {}
    for out, g in roots:
        node = out.grad_fn
        if node is None:  # backward on a leaf: its gradient is `g` itself
            if captured is not None and id(out) in leaf_targets:
                for i in leaf_targets[id(out)]:
                    captured[i] = g if i not in captured else captured[i] + g
            elif accumulate:
                _accumulate_leaf(out, g, create_graph, fresh)
            continue
        _add_pending(pending, node, out._nr, g)
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    seen = set(deps)
    while stack:
        node = stack.pop()
        for e in node.next:
            if e is None or isinstance(e, Tensor):
                continue
            p = e[0] if type(e) is tuple else e
            if p in seen:
                deps[p] += 1
            else:
                seen.add(p)
                deps[p] = 1
                stack.append(p)

    # 2. run nodes whose consumers are all done (Kahn's algorithm)
    ready = [n for n, c in deps.items() if c == 0]
    held = {}
    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = pending.pop(node, None)
            if grads is None:
                outs = None
            else:
                outs = _call_backward(node, grads, captured,
                                      node_targets if captured is not None else None)
            if not retain_graph and node.saved is not None:
                node._free()
            for i, e in enumerate(node.next):
                if e is None:
                    continue
                g = outs[i] if outs is not None and i < len(outs) else None
                if isinstance(e, Tensor):
                    if g is None:
                        continue
                    if captured is not None:
                        idx = leaf_targets.get(id(e))
                        if idx is not None:
                            for j in idx:
                                captured[j] = g if j not in captured else captured[j] + g
                        continue
                    if accumulate:
                        if e._hooks_list is not None or e._post_acc_hooks is not None:
                            # hooks see the summed gradient: accumulate after the pass
                            h = held.get(id(e))
                            held[id(e)] = (e, g) if h is None else (e, h[1] + g)
                            continue
                        _accumulate_leaf(e, g, create_graph, fresh)
                    continue
                if type(e) is tuple:
                    p, nr = e
                else:
                    p, nr = e, 0
                if g is not None:
                    _add_pending(pending, p, nr, g)
                c = deps[p] - 1
                deps[p] = c
                if c == 0:
                    ready.append(p)
        for e, g in held.values():
            _accumulate_leaf(e, g, create_graph, fresh)
    finally:
        _mode.enabled = prev_mode

    if captured is None:
        return None
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"{op}: one of the differentiated Tensors (input {i}, shape "
                f"{tuple(t.shape)}) appears to not have been used in the graph; set "
                "allow_unused=True if this is the desired behavior")
        result.append(g)
    return tuple(result)


def _add_pending(pending, node, nr, g):
    if node._n_out == 1:
        old = pending.get(node)
        pending[node] = g if old is None else old + g
    else:
        slot = pending.get(node)
        if slot is None:
            slot = pending[node] = [None] * node._n_out
        slot[nr] = g if slot[nr] is None else slot[nr] + g


def _call_backward(node, grads, captured, node_targets):
    multi = node._n_out != 1
    gl = grads if multi else [grads]
    # tensor hooks and retain_grad of this node's outputs
    if node._hooks is not None or node._retained is not None:
        gl = list(gl)
        for nr in range(len(gl)):
            g = gl[nr]
            if g is None:
                continue
            hooks = node._hooks.get(nr) if node._hooks is not None else None
            if hooks:
                for h in list(hooks):
                    r = h(g)
                    if r is not None:
                        g = r
                gl[nr] = g
            if node._retained is not None:
                ref = node._retained.get(nr)
                t = ref() if ref is not None else None
                if t is not None:
                    if t.grad is None:
                        t.grad = g if _mode.enabled else _make(g.array.copy())
                    else:
                        t.grad = t.grad + g
    if node_targets is not None:
        for nr, g in enumerate(gl):
            idx = node_targets.get((node, nr))
            if idx is not None and g is not None:
                for j in idx:
                    captured[j] = g if j not in captured else captured[j] + g
    if multi:
        if node._materialize:
            gl = list(gl)
            for nr, g in enumerate(gl):
                if g is None:
                    ref = node._outputs[nr]()
                    gl[nr] = _zeros_for(node, nr, ref)
        out = node.backward(node, *gl)
    else:
        out = node.backward(node, gl[0])
    if type(out) is not tuple:
        out = (out,) if not isinstance(out, list) else tuple(out)
    if len(out) < len(node.next):
        if any(e is not None for e in node.next[len(out):]):
            raise RuntimeError(
                f"{node.name()}: backward returned {len(out)} gradients but forward had "
                f"{len(node.next)} inputs")
    if _anomaly.enabled:
        _anomaly_check(node, out)
    if node._post_hooks is not None:
        for h in node._post_hooks:
            r = h(out, tuple(gl))
            if r is not None:
                out = tuple(r)
    return out


def _zeros_for(node, nr, ref):
    if ref is _NON_TENSOR:  # a custom forward's non-Tensor output gets None
        return None
    if ref is None:
        raise RuntimeError(f"{node.name()}: an output needed for backward was freed")
    return _make(backend.array_module(ref.array).zeros_like(ref.array))


def _anomaly_check(node, grads):
    from .anomaly import check_grads
    check_grads(node, grads)


# Bottom import: tensor.py imports the ops, which import this module.
from .tensor import Tensor, _make  # noqa: E402
