"""Building the ONNX graph: names, nodes, initializers, and sizes that follow the
dynamic axes.

A size is an int, or a `Sym` (coef, ((axis name, power), ...)): coef * batch, say, found
by comparing the size in the export run with its size in the run where that dynamic
axis was one longer. `Graph.shape_value` writes a list of such sizes as an int64 tensor,
reading each dynamic axis from the graph input that carries it (Shape -> Mul -> Concat).
"""
from __future__ import annotations

import onnx
from onnx import helper, numpy_helper

from .. import backend
from .trace import ExportError

np = backend.np


class Sym(tuple):
    """coef * prod(axis ** power): a size that follows the dynamic axes."""

    __slots__ = ()

    def __str__(self):
        coef, powers = self
        parts = ([str(coef)] if coef != 1 else []) + \
            [n if p == 1 else f"{n}^{p}" for n, p in powers]
        return "*".join(parts)


def sym_size(base: int, alts, what: str):
    """The size `base` (export run) as an int or a Sym, from `alts`: (axis name, its
    size in the export run, its size in the longer run, this size in the longer run)."""
    powers = []
    div = 1
    for name, s1, s2, v in alts:
        if v == base:
            continue
        for e in (1, 2, 3):
            if v * s1 ** e == base * s2 ** e:
                powers.append((name, e))
                div *= s1 ** e
                break
        else:
            raise ExportError(f"onnx.export: {what} is {base} at the export size and {v} with "
                              f"dynamic axis '{name}' one longer; not a product of the dynamic "
                              "axes, so the graph cannot follow it")
    if not powers:
        return base
    if base % div:
        raise ExportError(f"onnx.export: {what} ({base}) is not a multiple of the dynamic "
                          f"axes {[n for n, _ in powers]}")
    return Sym((base // div, tuple(powers)))


def elem_type(dtype) -> int:
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class Graph:
    """The nodes and initializers being written, and fresh names for values."""

    def __init__(self, opset: int, sym_sources: dict):
        self.opset = opset
        self.nodes: list = []
        self.inits: list = []
        self.sym_sources = sym_sources   # axis name -> (input name, axis)
        self._used: set = set()
        self._consts: dict = {}
        self._sizes: dict = {}
        self._seen: dict = {}

    def fresh(self, hint: str) -> str:
        base = hint.replace("/", ".")
        name, i = base, 0
        while name in self._used:
            i += 1
            name = f"{base}_{i}"
        self._used.add(name)
        return name

    def reserve(self, name: str) -> None:
        if name in self._used:
            raise ValueError(f"onnx.export: the name {name!r} is used twice")
        self._used.add(name)

    def op(self, op_type: str, inputs, n_out: int = 1, hint: str | None = None, **attrs):
        """Add a node; its output name (or list of names when n_out > 1). A node equal to
        one already added (same op, inputs and attributes: the transposed weight of
        each RNN step, say) is not added again: its outputs are returned."""
        same = (op_type, tuple(inputs), n_out, repr(sorted(attrs.items())))
        if same in self._seen:
            return self._seen[same]
        outs = [self.fresh(f"{hint or op_type}_{len(self.nodes)}") for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs,
                                           name=f"{op_type}_{len(self.nodes)}", **attrs))
        self._seen[same] = outs[0] if n_out == 1 else outs
        return self._seen[same]

    def init(self, arr, name: str) -> str:
        self.inits.append(numpy_helper.from_array(np.array(arr, order="C"), name))  # keeps 0-d
        return name

    def const(self, arr, hint: str = "const") -> str:
        """An initializer holding `arr` (a host array); small ones are shared."""
        arr = np.asarray(arr)
        cache = (arr.dtype.str, arr.shape, arr.tobytes()) if arr.size <= 16 else None
        if cache is not None and cache in self._consts:
            return self._consts[cache]
        name = self.init(arr, self.fresh(hint))
        if cache is not None:
            self._consts[cache] = name
        return name

    def i64(self, values) -> str:
        return self.const(np.asarray(values, dtype=np.int64), "ints")

    def axis_size(self, name: str) -> str:
        """A 1-element int64 tensor: the length of dynamic axis `name` at run time."""
        if name not in self._sizes:
            src, axis = self.sym_sources[name]
            if self.opset >= 15:
                self._sizes[name] = self.op("Shape", [src], start=axis, end=axis + 1,
                                            hint=f"size_{name}")
            else:
                shape = self.op("Shape", [src])
                self._sizes[name] = self.op("Gather", [shape, self.i64([axis])],
                                            hint=f"size_{name}")
        return self._sizes[name]

    def shape_value(self, dims, reshape: bool = False) -> str:
        """An int64 1-D tensor holding the sizes `dims` (ints and Syms); for Reshape, one
        dynamic size is written as -1 when it is the only one."""
        syms = [i for i, d in enumerate(dims) if isinstance(d, Sym)]
        if not syms:
            return self.i64(list(dims))
        if reshape and len(syms) == 1:
            return self.i64([-1 if isinstance(d, Sym) else d for d in dims])
        parts = []
        static: list = []
        for d in dims:
            if not isinstance(d, Sym):
                static.append(d)
                continue
            if static:
                parts.append(self.i64(static))
                static = []
            coef, powers = d
            v = None
            for name, p in powers:
                for _ in range(p):
                    s = self.axis_size(name)
                    v = s if v is None else self.op("Mul", [v, s])
            if coef != 1:
                v = self.op("Mul", [v, self.i64([coef])])
            parts.append(v)
        if static:
            parts.append(self.i64(static))
        return parts[0] if len(parts) == 1 else self.op("Concat", parts, axis=0)

    def value_info(self, name: str, dtype, dims) -> onnx.ValueInfoProto:
        shape = [str(d) if isinstance(d, Sym) else d for d in dims]
        return helper.make_tensor_value_info(name, elem_type(dtype), shape)
