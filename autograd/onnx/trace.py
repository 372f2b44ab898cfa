"""Running a model under the capture hook: one run at the export sizes, and one more
per dynamic axis name with that axis one longer, so that every size the graph depends
on can be written in terms of the dynamic axes.

Each run is a list of `Record`s (one per `Function.apply`, in call order) and a map from
the tensors it met to *keys*: ("input", i), ("out", k, j) for output j of record k,
("param", name) for a parameter or buffer, ("const", k, i) for a tensor made outside
the traced ops (by `autograd.zeros`, say) met as argument i of record k. Keys are the
same in every run, so a key's shape in each run tells which of its dims follow which
dynamic axis.
"""
from __future__ import annotations

from .. import backend
from .. import function as _function
from ..function import enable_grad
from ..tensor import Tensor, _make
from .untraced import reported


class Record:
    """One op call: its class, its arguments (tensors replaced by keys), its output keys,
    and the path of the module whose forward made it."""

    __slots__ = ("cls", "args", "kwargs", "outs", "scope")

    def __init__(self, cls, args, kwargs, outs, scope):
        self.cls, self.args, self.kwargs, self.outs, self.scope = cls, args, kwargs, outs, scope


class Key(tuple):
    """A value of the traced graph (see the module docstring)."""

    __slots__ = ()


class Run:
    """One traced forward: records, and each key's array and shape."""

    def __init__(self):
        self.records: list[Record] = []
        self.arrays: dict = {}      # key -> backend array (its value in this run)
        self.outputs: list = []     # keys of the model's outputs, flattened


class _Recorder:
    """The object appended to `function._tracers`: told of every op call."""

    def __init__(self, run, params, scope):
        self.run, self.scope = run, scope
        self.by_id: dict = {}       # id(Tensor) -> key
        self.by_node: dict = {}     # (id(grad_fn), output number) -> key
        self.by_array: dict = {}    # id(array) -> key
        self.keep: list = []        # tensors kept alive so that ids stay unique
        self.params = params        # id(Tensor) or id(array) -> ("param", name)

    def add(self, t, key):
        self.by_id[id(t)] = key
        self.by_array[id(t.array)] = key
        if t.grad_fn is not None:
            self.by_node[(id(t.grad_fn), t._nr)] = key
        self.run.arrays[key] = t.array
        self.keep.append(t)

    def key_of(self, t, k, i):
        """The key of tensor `t`, met as argument i of record k."""
        fn = t.grad_fn
        if fn is not None:  # its history says which op made it (in-place ops included)
            key = self.by_node.get((id(fn), t._nr))
            if key is None:
                raise _unseen_op(type(fn).__name__, self.scope)
            return key
        key = self.by_id.get(id(t))
        if key is None:
            key = self.params.get(id(t)) or self.params.get(id(t.array))
            if key is not None:
                self.run.arrays[key] = t.array
                return key
            key = self.by_array.get(id(t.array))
        if key is None:
            key = Key(("const", k, i))
            self.add(t, key)
        return key

    def convert(self, v, k, i):
        if isinstance(v, Tensor):
            return self.key_of(v, k, i)
        if isinstance(v, (list, tuple)) and any(isinstance(e, Tensor) for e in v):
            return type(v)(self.convert(e, k, (i, j)) for j, e in enumerate(v))
        return v

    def record(self, cls, args, kwargs, out):
        k = len(self.run.records)
        args = tuple(self.convert(a, k, i) for i, a in enumerate(args))
        kwargs = {n: self.convert(v, k, n) for n, v in kwargs.items()}
        outs = out if isinstance(out, tuple) else (out,)
        keys = []
        for j, o in enumerate(outs):
            key = Key(("out", k, j))
            self.add(o, key)
            keys.append(key)
        self.run.records.append(Record(cls, args, kwargs, tuple(keys), tuple(self.scope)))


class ExportError(RuntimeError):
    """An op or a construct that cannot be written as ONNX."""


def _unseen_op(name, scope):
    where = scope[-1] if scope else "<model>"
    return ExportError(
        f"onnx.export: a tensor was made by {name}, which the exporter does not see (a "
        f"custom autograd.Function, or an op outside Function.apply), in module "
        f"'{where or '<model>'}'; write it with built-in ops to export it")


def flatten(obj) -> list:
    """The tensors of a (nested) output, in order."""
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in flatten(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in flatten(o)]
    if obj is None:  # (output, None): torch leaves it out too
        return []
    raise ExportError(f"onnx.export: the model returned a {type(obj).__name__}; expected "
                      "tensors, or tuples, lists or dicts of them")


def param_keys(model) -> dict:
    """id(tensor) and id(array) of every parameter and buffer -> ("param", state-dict
    name); a tensor shared under two names keeps the first."""
    out = {}
    named = list(model.named_parameters(remove_duplicate=False)) + \
        list(model.named_buffers(remove_duplicate=False))
    for name, t in named:
        if t is None or id(t) in out:
            continue
        key = Key(("param", name))
        out[id(t)] = key
        out.setdefault(id(t.array), key)
    return out


def trace(model, inputs, params, template=None, kwargs=None) -> Run:
    """Run the model once with every op recorded; `inputs` are backend arrays, passed in
    order where `template` (the positional arguments) holds None, its other entries (and
    `kwargs`) as they are."""
    run = Run()
    scope = [""]
    hooks = []
    def leave(mod, a, o):
        scope.pop()

    if hasattr(model, "named_modules"):
        for name, m in model.named_modules():
            hooks.append(m.register_forward_pre_hook(
                lambda mod, a, _n=name: scope.append(_n)))
            hooks.append(m.register_forward_hook(leave))
    rec = _Recorder(run, params, scope)
    args = []
    for i, arr in enumerate(inputs):
        t = _make(arr)
        if arr.dtype.kind in "fc":
            # inputs with a history keep every value derived from them on the recorded
            # path (ops take untraced shortcuts for tensors without one), and may be
            # modified in place by the model (a leaf that requires grad may not)
            t.requires_grad = True
            with enable_grad():
                t = t.clone()
        rec.add(t, Key(("input", i)))
        args.append(t)
    if template is not None:
        given = iter(args)
        args = [next(given) if a is None else a for a in template]
    tracers = _function._tracers
    tracers.append(rec)
    try:
        with enable_grad(), reported():
            out = model(*args, **(kwargs or {}))
    finally:
        tracers.remove(rec)
        for h in hooks:
            h.remove()
    for i, t in enumerate(flatten(out)):
        run.outputs.append(rec.key_of(t, len(run.records), ("output", i)))
    return run


def plain(v):
    """A comparable form of an op argument: arrays by shape, dtype and bytes; slices,
    tuples and lists element by element."""
    if hasattr(v, "dtype") and hasattr(v, "shape") and not isinstance(v, Key):
        return (tuple(v.shape), str(v.dtype), backend.to_host(v).tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(plain(e) for e in v)
    if isinstance(v, slice):
        return ("slice", plain(v.start), plain(v.stop), plain(v.step))
    return v


def resized(arr, axis: int, size: int):
    """`arr` with `axis` made `size` long by repeating its entries cyclically (valid
    indices stay valid, so integer inputs such as token ids keep working)."""
    xp = backend.array_module(arr)
    idx = xp.arange(size) % arr.shape[axis]
    return xp.take(arr, idx, axis=axis)
