"""autograd.onnx.export: trace, then write each recorded op as ONNX nodes."""
from __future__ import annotations

import io
import os

import onnx
from onnx import helper

from .. import backend
from ..tensor import Tensor
from . import ops_nn  # noqa: F401  (registers its translations in the table)
from .graph import Graph, Sym, elem_type, sym_size
from .ops_math import STATIC, TABLE
from .trace import ExportError, Key, param_keys, resized, trace
from .trace import plain as _plain

np = backend.np


class Node:
    """One recorded op, as its translation sees it: argument names, host values, dtypes and
    sizes (ints, or Syms following the dynamic axes)."""

    def __init__(self, ex, k, rec):
        self.ex, self.g, self.k, self.rec = ex, ex.g, k, rec
        self.args, self.kwargs = rec.args, rec.kwargs
        self.opset = ex.g.opset

    def is_tensor(self, i) -> bool:
        return isinstance(self.args[i], Key)

    def arr(self, i):
        """The host value of tensor argument i in the export run."""
        return backend.to_host(self.ex.base.arrays[self.args[i]])

    def dtype(self, i):
        a = self.args[i]
        return self.ex.base.arrays[a].dtype if isinstance(a, Key) else np.asarray(a).dtype

    def shape(self, i) -> tuple:
        return tuple(self.ex.base.arrays[self.args[i]].shape)

    def ndim(self, i) -> int:
        return len(self.shape(i))

    @property
    def out_dtype(self):
        return self.ex.base.arrays[self.rec.outs[0]].dtype

    def out_shape(self, j: int = 0) -> tuple:
        return tuple(self.ex.base.arrays[self.rec.outs[j]].shape)

    def x(self, i, dtype=None) -> str:
        """The ONNX name of argument i: a tensor (cast to `dtype` if given and different),
        or a Python number written as a scalar of `dtype` (default: the output's)."""
        a = self.args[i]
        if a is None:
            return ""
        if isinstance(a, Key):
            name = self.ex.name_of(a)
            have = self.ex.base.arrays[a].dtype
            if dtype is not None and np.dtype(dtype) != have:
                name = self.g.op("Cast", [name], to=elem_type(dtype))
            return name
        return self.ex.scalar(self.k, i, a, np.dtype(dtype or self.out_dtype))

    def bound(self) -> dict:
        """The call's arguments by parameter name (for ops recorded as function calls)."""
        b = self.rec.cls.signature.bind(*self.args, **self.kwargs)
        b.apply_defaults()
        return dict(b.arguments)

    def value(self, v, dtype=None) -> str:
        """The ONNX name of a tensor argument given by key (as in `bound()`)."""
        name = self.ex.name_of(v)
        if dtype is not None and np.dtype(dtype) != self.ex.base.arrays[v].dtype:
            name = self.cast(name, dtype)
        return name

    def cast(self, name, dtype) -> str:
        return self.g.op("Cast", [name], to=elem_type(dtype))

    def dims(self, get, what: str) -> list:
        """Sizes read from the op's arguments by `get(args)` (a sequence of ints), as ints
        or Syms: compared with the same op's arguments in each longer run."""
        base = [int(v) for v in get(self.args)]
        if self.ex.data_run is not None:
            if [int(v) for v in get(self.ex.data_run.records[self.k].args)] != base:
                self.fail(f"{what} changes with the input values")
        alts = []
        for name, (run, s1, s2) in self.ex.variants.items():
            v = [int(e) for e in get(run.records[self.k].args)]
            if len(v) != len(base):
                raise ExportError(f"onnx.export: {what} of {self.rec.cls.__name__} changes "
                                  f"length with dynamic axis '{name}'")
            alts.append((name, s1, s2, v))
        return [sym_size(b, [(n, s1, s2, v[i]) for n, s1, s2, v in alts], what)
                for i, b in enumerate(base)]

    def key_dims(self, key) -> list:
        return self.ex.key_dims(key)

    def in_dims(self, i) -> list:
        return self.ex.key_dims(self.args[i])

    def out_dims(self, j: int = 0) -> list:
        return self.ex.key_dims(self.rec.outs[j])

    def fail(self, why: str):
        raise self.ex.unsupported(self.rec, why)


class Exporter:
    def __init__(self, model, base, variants, opset, fold, sym_sources, data_run=None):
        self.model, self.base, self.variants = model, base, variants
        self.data_run = data_run  # same sizes, other input values
        self.fold = fold
        self.g = Graph(opset, sym_sources)
        self.names: dict = {}
        self.folded: set = set()
        self.modules = dict(model.named_modules()) if hasattr(model, "named_modules") else {}

    # -- values
    def runs(self):
        extra = [self.data_run] if self.data_run is not None else []
        return [self.base] + [run for run, _, _ in self.variants.values()] + extra

    def key_dims(self, key) -> list:
        base = self.base.arrays[key].shape
        alts = [(name, s1, s2, run.arrays[key].shape)
                for name, (run, s1, s2) in self.variants.items()]
        return [sym_size(b, [(n, s1, s2, v[i]) for n, s1, s2, v in alts], f"dim {i} of a tensor")
                for i, b in enumerate(base)]

    def _same_everywhere(self, key) -> bool:
        """Has `key` the same value in every run (NaNs equal to NaNs)?"""
        a = backend.to_host(self.base.arrays[key])
        nan = a.dtype.kind in "fc"
        for run in self.runs()[1:]:
            b = backend.to_host(run.arrays[key])
            if b.shape != a.shape or not np.array_equal(a, b, equal_nan=nan):
                return False
        return True

    def name_of(self, key) -> str:
        name = self.names.get(key)
        if name is not None:
            return name
        if key[0] not in ("const", "out"):
            raise ExportError(f"onnx.export: internal error, no value for {key}")
        arr = self.base.arrays[key]
        if self._same_everywhere(key):
            name = self.g.const(backend.to_host(arr), "const")
        else:
            name = self._dynamic_const(key)
        self.names[key] = name
        return name

    def _dynamic_const(self, key) -> str:
        """A tensor made outside the traced ops whose size follows a dynamic axis:
        writable when all its entries are equal (zeros(batch, hidden), say)."""
        arrs = [backend.to_host(run.arrays[key]) for run in self.runs()]
        first = arrs[0].reshape(-1)[:1]
        same_size = all(a.shape == arrs[0].shape for a in arrs)
        if not same_size and arrs[0].size and all(a.size and bool((a == first[0]).all())
                                                  for a in arrs):
            value = onnx.numpy_helper.from_array(first.astype(arrs[0].dtype), "value")
            shape = self.g.shape_value(self.key_dims(key))
            return self.g.op("ConstantOfShape", [shape], value=value, hint="filled")
        if not same_size and all(a.ndim == 1 for a in arrs):
            ramp = self._range(key, arrs)
            if ramp is not None:
                return ramp
        if not same_size and all(a.ndim == 2 for a in arrs) and all(
                np.array_equal(a, np.tril(np.ones(a.shape, a.dtype))) for a in arrs):
            # a causal mask: ones on and below the diagonal, at the run's size
            ones = onnx.numpy_helper.from_array(np.ones(1, arrs[0].dtype), "value")
            full = self.g.op("ConstantOfShape", [self.g.shape_value(self.key_dims(key))],
                             value=ones)
            return self.g.op("Trilu", [full], upper=0)
        k = key[1]
        rec = self.base.records[k] if k < len(self.base.records) else None
        where = self.where(rec.scope) if rec is not None else "the model's output"
        raise ExportError(
            f"onnx.export: a tensor made outside the traced ops (shape {tuple(arrs[0].shape)}, "
            f"used by {rec.cls.__name__ if rec else 'the output'} in {where}) changes with "
            f"the input {'sizes' if not same_size else 'values'}; the exported graph would "
            "hold it as a constant. Compute it with tensor ops from the inputs"
            + (", or export without that dynamic axis" if not same_size else ""))

    def _range(self, key, arrs):
        """An arange(start, start + n * step, step) whose length n follows a dynamic axis
        (positions 0..T-1, say), as ONNX Range; None if `arrs` are not such ramps."""
        a = arrs[0]
        if a.size < 2:
            return None
        start, step = a[0], a[1] - a[0]
        for r in arrs:
            if not np.array_equal(r, start + step * np.arange(r.size, dtype=a.dtype)):
                return None
        n = self.g.op("Squeeze", [self.g.shape_value(self.key_dims(key)), self.g.i64([0])])
        n = self.g.op("Cast", [n], to=elem_type(a.dtype))
        scalar = lambda v: self.g.const(np.asarray(v, dtype=a.dtype), "scalar")  # noqa: E731
        length = n if step == 1 else self.g.op("Mul", [n, scalar(step)])
        limit = self.g.op("Add", [length, scalar(start)]) if start != 0 else length
        return self.g.op("Range", [scalar(start), limit, scalar(step)])

    def _check_static(self, k, rec, get) -> None:
        """The op's non-tensor arguments (a Python number computed from x.shape, say) are
        the same in every run, or the graph would freeze them at the export's values."""
        def part(args):
            args = [a for a in list(args) + list(rec.kwargs.values())
                    if not isinstance(a, Key)] if get is None else get(args)
            return [_plain(a) for a in args]
        mine = part(rec.args)
        for run in self.runs()[1:]:
            if part(run.records[k].args) != mine:
                raise self.unsupported(rec, "a non-tensor argument (a Python number or "
                                       "shape computed from a tensor, say) changes with the "
                                       "input; compute it with tensor ops to export it")

    def scalar(self, k, i, value, dtype) -> str:
        """Python number `value`, argument i of record k, as a 0-d tensor: a constant, or
        read from the dynamic axes when it follows them (x.sum() / x.shape[0], say)."""
        alts = [(name, s1, s2, run.records[k].args[i])
                for name, (run, s1, s2) in self.variants.items()]
        data = self.data_run.records[k].args[i] if self.data_run is not None else value
        if all(v == value for *_, v in alts) and data == value:
            return self.g.const(np.asarray(value, dtype=dtype), "scalar")
        rec = self.base.records[k]
        if data != value or not all(float(v).is_integer() for *_, v in alts + [(value,)]):
            raise self.unsupported(rec, f"the number {value} changes with the input")
        size = sym_size(int(value), [(n, s1, s2, int(v)) for n, s1, s2, v in alts],
                        f"a number ({value}) given to {rec.cls.__name__}")
        v = self.g.op("Squeeze", [self.g.shape_value([size]), self.g.i64([0])])
        return self.g.op("Cast", [v], to=elem_type(dtype))

    # -- errors
    def where(self, scope) -> str:
        path = scope[-1] if scope else ""
        m = self.modules.get(path)
        kind = f" ({type(m).__name__})" if m is not None else ""
        return f"module '{path or '<root>'}'{kind}"

    def unsupported(self, rec, why: str = "") -> ExportError:
        cls = rec.cls
        return ExportError(
            f"onnx.export: op {cls.__name__} ('{cls.name()}') in {self.where(rec.scope)} "
            f"cannot be exported at opset {self.g.opset}" + (f": {why}" if why else ""))

    # -- conversion
    def live(self) -> list:
        need = set(self.base.outputs)
        live = []
        for k in range(len(self.base.records) - 1, -1, -1):
            rec = self.base.records[k]
            if not any(o in need for o in rec.outs):
                continue
            live.append(k)
            for a in list(rec.args) + list(rec.kwargs.values()):
                for key in _keys(a):
                    need.add(key)
        return live[::-1]

    def foldable(self, rec) -> bool:
        for a in list(rec.args) + list(rec.kwargs.values()):
            for key in _keys(a):
                if not (key[0] == "const" or key in self.folded):
                    return False
        return all(self._same_everywhere(o) for o in rec.outs)

    def convert(self, table, static) -> None:
        for k in self.live():
            rec = self.base.records[k]
            if self.fold and self.foldable(rec):
                self.folded.update(rec.outs)
                continue
            fn = table.get(rec.cls.__name__)
            if fn is None:
                raise self.unsupported(rec, "no ONNX translation for this op")
            self._check_static(k, rec, static.get(rec.cls.__name__))
            outs = fn(Node(self, k, rec))
            outs = [outs] if isinstance(outs, str) else list(outs)
            for key, name in zip(rec.outs, outs):
                self.names[key] = name


def _keys(a):
    if isinstance(a, Key):
        yield a
    elif isinstance(a, (list, tuple)):
        for e in a:
            yield from _keys(e)


# ----------------------------------------------------------------------------- export()
def _axes_spec(dynamic_axes, names) -> dict:
    """{value name: {axis: axis name}} from torch's dynamic_axes (lists get generated
    names, as torch.onnx.export does)."""
    out = {}
    for name, axes in (dynamic_axes or {}).items():
        if name not in names:
            raise ValueError(f"onnx.export: dynamic_axes names {name!r}, which is not an input "
                             f"or output name ({names})")
        if isinstance(axes, dict):
            out[name] = {int(a): str(n) for a, n in axes.items()}
        else:
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
    return out


def export_model(model, args, f, input_names, output_names, dynamic_axes, opset_version,
                 do_constant_folding, table=TABLE, static=STATIC):
    if isinstance(args, Tensor):
        args = (args,)
    if not isinstance(args, tuple):
        raise TypeError(f"onnx.export: args must be a Tensor or a tuple, got "
                        f"{type(args).__name__}")
    # as torch: a last dict holds keyword arguments; arguments other than tensors are
    # passed as they are and fixed in the graph; the tensors become its inputs
    kwargs = args[-1] if args and isinstance(args[-1], dict) else {}
    args = args[:-1] if kwargs else args
    if any(isinstance(v, Tensor) for v in kwargs.values()):
        raise TypeError("onnx.export: tensors given as keyword arguments are not supported; "
                        "pass them positionally")
    template = [None if isinstance(a, Tensor) else a for a in args]
    args = tuple(a for a in args if isinstance(a, Tensor))
    if not 14 <= int(opset_version) <= 20:
        raise ValueError(f"onnx.export: opset_version {opset_version} is not supported "
                         "(14 to 20)")
    in_names = list(input_names or [])
    if len(in_names) > len(args):
        raise ValueError(f"onnx.export: {len(in_names)} input_names for {len(args)} inputs")
    in_names += [f"input_{i}" if len(args) > 1 else "input"
                 for i in range(len(in_names), len(args))]
    arrays = [a.array for a in args]

    training = [(m, m.training) for m in model.modules()] if hasattr(model, "modules") else []
    if hasattr(model, "eval"):
        model.eval()
    try:
        params = param_keys(model) if hasattr(model, "named_parameters") else {}
        base = trace(model, arrays, params, template, kwargs)
        n_out = len(base.outputs)
        out_names = list(output_names or [])
        if len(out_names) > n_out:
            raise ValueError(f"onnx.export: {len(out_names)} output_names for {n_out} outputs")
        out_names += [f"output_{i}" if n_out > 1 else "output"
                      for i in range(len(out_names), n_out)]
        spec = _axes_spec(dynamic_axes, in_names + out_names)
        sym_sources, variants = {}, {}
        for i, name in enumerate(in_names):
            for axis, sym in spec.get(name, {}).items():
                if not -len(arrays[i].shape) <= axis < len(arrays[i].shape):
                    raise ValueError(f"onnx.export: dynamic axis {axis} of input {name!r} "
                                     f"(shape {tuple(arrays[i].shape)}) is out of range")
                sym_sources.setdefault(sym, (name, axis % len(arrays[i].shape)))
        for sym in sym_sources:
            alt = list(arrays)
            s1 = None
            for i, name in enumerate(in_names):
                for axis, s in spec.get(name, {}).items():
                    if s == sym:
                        s1 = arrays[i].shape[axis]
                        alt[i] = resized(alt[i], axis, s1 + 1)
            run = trace(model, alt, params, template, kwargs)
            _check_same_ops(base, run, sym)
            variants[sym] = (run, s1, s1 + 1)
        # same sizes, other values: a tensor computed from the input's values outside the
        # traced ops (an argmax index, say) differs here, and is refused, not frozen
        data_run = trace(model, [_other_values(a) for a in arrays], params, template,
                         kwargs)
        _check_same_ops(base, data_run, None)
    finally:
        for m, mode in training:
            m.training = mode

    ex = Exporter(model, base, variants, int(opset_version), do_constant_folding, sym_sources,
                  data_run)
    g = ex.g
    inputs = []
    for i, name in enumerate(in_names):
        g.reserve(name)
        ex.names[Key(("input", i))] = name
        axes = spec.get(name, {})
        dims = [Sym((1, ((axes[d], 1),))) if d in axes else s
                for d, s in enumerate(arrays[i].shape)]
        inputs.append(g.value_info(name, arrays[i].dtype, dims))
    used_params = {}
    for key in base.arrays:
        if key[0] == "param":
            used_params[key] = base.arrays[key]
    for key, arr in used_params.items():
        g.reserve(key[1])
        ex.names[key] = key[1]
    ex.convert(table, static)
    outputs = []
    for j, key in enumerate(base.outputs):
        name = out_names[j]
        g.reserve(name)
        g.nodes.append(helper.make_node("Identity", [ex.name_of(key)], [name],
                                        name=f"Identity_out_{j}"))
        dims = ex.key_dims(key)
        for axis, sym in spec.get(name, {}).items():
            dims[axis % len(dims)] = Sym((1, ((sym, 1),)))
        outputs.append(g.value_info(name, base.arrays[key].dtype, dims))
    used = {i for n in g.nodes for i in n.input}
    for key, arr in used_params.items():  # parameters the graph reads, by state-dict name
        if key[1] in used:
            g.init(backend.to_host(arr), key[1])
    graph = helper.make_graph(g.nodes, type(model).__name__, inputs, outputs,
                              initializer=g.inits)
    model_proto = helper.make_model(
        graph, producer_name="ember", opset_imports=[helper.make_opsetid("", g.opset)])
    model_proto.ir_version = min(model_proto.ir_version, 8 if g.opset <= 17 else 9)
    onnx.checker.check_model(model_proto)
    data = model_proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    elif isinstance(f, io.IOBase) or hasattr(f, "write"):
        f.write(data)
    elif f is not None:
        raise TypeError(f"onnx.export: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")
    return model_proto


def _other_values(arr):
    """`arr` with other values of the same kind: its entries in reverse order along every
    axis (integers stay valid indices), floats also scaled and shifted."""
    xp = backend.array_module(arr)
    out = xp.flip(arr) if arr.ndim else arr
    if arr.dtype.kind in "fc":
        out = (out * 0.75 + 0.125).astype(arr.dtype)
    return xp.ascontiguousarray(out)


def _check_same_ops(base, run, sym):
    a = [r.cls for r in base.records]
    b = [r.cls for r in run.records]
    if a != b:
        i = next((i for i, (x, y) in enumerate(zip(a, b)) if x is not y), min(len(a), len(b)))
        change = f"dynamic axis '{sym}' changes size" if sym else "the input values change"
        raise ExportError(
            f"onnx.export: the model runs different ops when {change} "
            f"(op {i}: {a[i].__name__ if i < len(a) else 'end'} vs "
            f"{b[i].__name__ if i < len(b) else 'end'}); the traced graph cannot follow it")
