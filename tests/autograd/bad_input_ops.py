"""Rows of the op bad-input table (see bad_input.py): (id, fn(lib)). Generated where
possible: op names x kinds of bad input.

Left out on purpose: PyTorch quirks that are not answers to copy (x[[0.5]] truncating a
float list, x[..., ...] accepted, take_along_dim reading past the end without a check),
dtype names given as strings (Ember accepts "float32" where torch wants torch.float32, an
extension) and complex inputs to real-only ops (Ember's complex support is NumPy's)."""
from tests.autograd.bad_input import ints, t


def F(L):
    return L.nn.functional


ROWS = []


def row(rid, fn):
    ROWS.append((rid, fn))


# ---- unary elementwise ops x inputs ---------------------------------------------------
UNARY = ["exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg", "sqrt",
         "rsqrt", "floor", "ceil", "round", "trunc", "sign", "reciprocal", "erf", "log1p",
         "expm1", "square", "exp2", "log2", "log10", "asin", "atan", "sinh", "frac",
         "logical_not", "isnan", "isfinite", "signbit", "erfinv", "lgamma", "digamma"]
UNARY_INPUTS = {
    "0d": lambda L: t(L),
    "int": lambda L: ints(L, 3, 2),
    "bool": lambda L: ints(L, 4) > 0,
    "f64": lambda L: t(L, 2, 3, dtype=L.float64),
    "list": lambda L: [1.0, 2.0],
    "str": lambda L: "abc",
    "none": lambda L: None,
    "scalar": lambda L: 2.0,
}
for op in UNARY:
    for kind, make in UNARY_INPUTS.items():
        row(f"{op}-{kind}", lambda L, op=op, make=make: getattr(L, op)(make(L)))

# ---- binary ops x bad operands --------------------------------------------------------
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "fmod",
          "remainder", "eq", "lt", "ge", "ne", "logical_and", "logical_or", "hypot",
          "copysign", "fmax", "fmin", "floor_divide", "true_divide", "xlogy"]
BINARY_INPUTS = {
    "shape": lambda L: (t(L, 3, 4), t(L, 5)),
    "shape-2d": lambda L: (t(L, 3, 4), t(L, 4, 3)),
    "str": lambda L: (t(L, 3), "a"),
    "none": lambda L: (t(L, 3), None),
    "list": lambda L: (t(L, 3), [1.0, 2.0]),
    "int-float": lambda L: (ints(L, 3) + 1, t(L, 3)),
    "f64-f32": lambda L: (t(L, 3, dtype=L.float64), t(L, 3)),
    "0d-2d": lambda L: (t(L), t(L, 2, 3)),
    "int-int": lambda L: (ints(L, 2, 3) + 1, ints(L, 3) + 1),
    "bool-bool": lambda L: (ints(L, 3) > 0, ints(L, 3) > 1),
    "broadcast": lambda L: (t(L, 3, 1), t(L, 1, 4)),
}
for op in BINARY:
    for kind, make in BINARY_INPUTS.items():
        row(f"{op}-{kind}", lambda L, op=op, make=make: getattr(L, op)(*make(L)))
for op in ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "gcd", "lcm"]:
    row(f"{op}-float", lambda L, op=op: getattr(L, op)(t(L, 3), t(L, 3)))
    row(f"{op}-shape", lambda L, op=op: getattr(L, op)(ints(L, 3), ints(L, 4)))
    row(f"{op}-int", lambda L, op=op: getattr(L, op)(ints(L, 3) + 1, ints(L, 3) + 2))
for op in ["add_", "sub_", "mul_", "div_", "clamp_", "pow_"]:
    arg = (lambda L: 0.5) if op != "clamp_" else (lambda L: 0.0)
    row(f"{op}-int-self", lambda L, op=op, arg=arg: getattr(ints(L, 3), op)(arg(L)))
    row(f"{op}-broadcast-self", lambda L, op=op: getattr(t(L, 3), op)(t(L, 2, 3)))
    row(f"{op}-leaf", lambda L, op=op: getattr(t(L, 3, grad=True), op)(t(L, 3)))
row("clamp_min_-int-self", lambda L: ints(L, 3).clamp_min_(0.5))
row("clamp_-int-tensor-bound", lambda L: ints(L, 3).clamp_(L.tensor(0.5)))
row("exp_-int-self", lambda L: ints(L, 3).exp_())
row("sub-bool-scalar", lambda L: (ints(L, 3) > 0) - True)
row("neg-operator-bool", lambda L: -(ints(L, 3) > 0))
row("div-int-zero", lambda L: ints(L, 3) / 0)
row("floor_divide-int-zero", lambda L: ints(L, 3) // 0)
row("remainder-int-zero", lambda L: ints(L, 3) % 0)
row("pow-int-negative", lambda L: L.pow(ints(L, 3) + 1, -1))
row("where-shape", lambda L: L.where(t(L, 3, 4) > 0, t(L, 3, 4), t(L, 5)))
row("where-cond-float", lambda L: L.where(t(L, 3), t(L, 3), t(L, 3)))
row("where-1arg", lambda L: L.where(t(L, 2, 2) > 0))
row("lerp-shape", lambda L: L.lerp(t(L, 3), t(L, 4), 0.5))
row("lerp-int", lambda L: L.lerp(ints(L, 3), ints(L, 3), 0.5))
row("addcmul-shape", lambda L: L.addcmul(t(L, 3), t(L, 4), t(L, 3)))
row("addcdiv-int", lambda L: L.addcdiv(ints(L, 3), ints(L, 3), ints(L, 3) + 1))
row("clamp-none", lambda L: t(L, 3).clamp())
row("clamp-min-gt-max", lambda L: t(L, 3).clamp(1.0, 0.0))
row("clamp-tensor-shape", lambda L: t(L, 3).clamp(t(L, 4)))
row("isclose-shape", lambda L: L.isclose(t(L, 3), t(L, 4)))
row("allclose-shape", lambda L: L.allclose(t(L, 3), t(L, 4)))
row("equal-shape", lambda L: L.equal(t(L, 3), t(L, 4)))

# ---- reductions x bad dims ------------------------------------------------------------
REDUCE = ["sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var",
          "logsumexp", "all", "any", "cumsum", "cumprod", "softmax", "log_softmax",
          "nansum", "count_nonzero", "max", "min", "median", "sort", "argsort", "cummax",
          "logcumsumexp", "norm", "unbind", "flip", "squeeze", "unsqueeze", "nanmean",
          "mode", "var_mean", "std_mean", "aminmax"]
REDUCE_DIMS = {"dim2": 2, "dim-3": -3, "dim1.5": 1.5, "dimNone-list": [0, 5]}
for op in REDUCE:
    for kind, d in REDUCE_DIMS.items():
        if op == "flip" or (kind == "dimNone-list" and op in ("cumsum", "cumprod",
                                                              "softmax", "log_softmax")):
            continue
        if op == "unsqueeze" and kind == "dim2":
            continue  # 2 is valid for unsqueeze of a 2-D tensor
        row(f"{op}-{kind}", lambda L, op=op, d=d: getattr(t(L, 2, 3), op)(d))
    row(f"{op}-0d-dim1", lambda L, op=op: getattr(t(L), op)(1) if op != "flip"
        else t(L).flip(1))
    row(f"{op}-0d-dim0", lambda L, op=op: getattr(t(L), op)(0) if op != "flip"
        else t(L).flip(0))
for op in ["sum", "mean", "amax", "prod", "std", "var", "logsumexp", "norm", "count_nonzero",
           "nansum", "any", "all"]:
    row(f"{op}-dup-dims", lambda L, op=op: getattr(t(L, 2, 3), op)((0, 0)))
    row(f"{op}-tuple-oob", lambda L, op=op: getattr(t(L, 2, 3), op)((0, 2)))
for op in ["mean", "std", "var", "logsumexp", "nanmean", "softmax", "log_softmax",
           "cumsum", "norm", "median", "prod", "sum", "var_mean"]:
    row(f"{op}-int-input", lambda L, op=op: getattr(ints(L, 2, 3), op)(0))
    row(f"{op}-bool-input", lambda L, op=op: getattr(ints(L, 2, 3) > 0, op)(0))
for op in ["topk", "kthvalue"]:
    row(f"{op}-k-too-big", lambda L, op=op: getattr(t(L, 2, 3), op)(4))
    row(f"{op}-k-negative", lambda L, op=op: getattr(t(L, 2, 3), op)(-1))
    row(f"{op}-k-zero", lambda L, op=op: getattr(t(L, 2, 3), op)(0))
    row(f"{op}-dim-oob", lambda L, op=op: getattr(t(L, 2, 3), op)(1, 2))
    row(f"{op}-k-float", lambda L, op=op: getattr(t(L, 2, 3), op)(1.5))
    row(f"{op}-0d", lambda L, op=op: getattr(t(L), op)(1))
row("std-correction-big", lambda L: t(L, 3).std(correction=5))
row("var-correction-n", lambda L: t(L, 2, 3).var(1, correction=3))
row("quantile-q-oob", lambda L: t(L, 5).quantile(1.5))
row("quantile-int", lambda L: ints(L, 5).quantile(0.5))
row("quantile-q-shape", lambda L: t(L, 5).quantile(t(L, 2, 2).abs()))
row("item-many", lambda L: t(L, 3).item())
row("histc-int", lambda L: ints(L, 5).histc())
row("bincount-float", lambda L: L.bincount(t(L, 3)))
row("bincount-negative", lambda L: L.bincount(ints(L, 3) - 5))
row("bincount-2d", lambda L: L.bincount(ints(L, 2, 2)))
row("cummax-int-0d", lambda L: ints(L).cummax(0))
row("argmax-0d", lambda L: t(L).argmax())
row("max-two-shape", lambda L: t(L, 3).max(t(L, 4)))

# ---- shape / view ops -----------------------------------------------------------------
SHAPE = {
    "reshape-numel": lambda L: t(L, 3, 4).reshape(5, 3),
    "reshape-two-minus1": lambda L: t(L, 3, 4).reshape(-1, -1),
    "reshape-minus2": lambda L: t(L, 3, 4).reshape(-2, 6),
    "reshape-float": lambda L: t(L, 3, 4).reshape(2.0, 6),
    "reshape-0-into": lambda L: t(L, 0, 4).reshape(-1, 0),
    "reshape-ok-minus1": lambda L: t(L, 3, 4).reshape(-1, 2),
    "reshape-0d-to-1": lambda L: t(L).reshape(1, 1),
    "reshape-0d-to-2": lambda L: t(L).reshape(2),
    "view-numel": lambda L: t(L, 3, 4).view(7),
    "view-noncontig": lambda L: t(L, 3, 4).t().view(12),
    "view-dtype-size": lambda L: t(L, 3).view(L.float64),
    "view-str": lambda L: t(L, 3).view("a"),
    "view-dtype-ok": lambda L: t(L, 3, 4).view(L.float64),
    "view-dtype-smaller": lambda L: t(L, 3, 4).view(L.int16),
    "view-dtype-same": lambda L: t(L, 3, 4).t().view(L.int32),
    "view-dtype-stride": lambda L: t(L, 4, 2).t().view(L.float64),
    "view-dtype-0d": lambda L: t(L).view(L.float16),
    "view-dtype-0d-same": lambda L: t(L).view(L.int32),
    "permute-short": lambda L: t(L, 2, 3, 4).permute(0, 1),
    "permute-dup": lambda L: t(L, 2, 3, 4).permute(0, 0, 1),
    "permute-oob": lambda L: t(L, 2, 3, 4).permute(0, 1, 3),
    "permute-neg-ok": lambda L: t(L, 2, 3, 4).permute(-1, 0, 1),
    "permute-0d": lambda L: t(L).permute(0),
    "permute-0d-empty": lambda L: t(L).permute(),
    "expand-bad": lambda L: t(L, 3, 4).expand(2, 5),
    "expand-fewer": lambda L: t(L, 3, 4).expand(4),
    "expand-minus1-new": lambda L: t(L, 3).expand(-1, 3),
    "expand-neg": lambda L: t(L, 1, 4).expand(-2, 4),
    "expand-ok": lambda L: t(L, 1, 4).expand(3, -1),
    "expand_as-bad": lambda L: t(L, 3, 4).expand_as(t(L, 2, 4)),
    "transpose-oob": lambda L: t(L, 3, 4).transpose(0, 2),
    "transpose-0d": lambda L: t(L).transpose(0, 1),
    "transpose-0d-ok": lambda L: t(L).transpose(0, -1),
    "t-3d": lambda L: t(L, 2, 3, 4).t(),
    "t-1d": lambda L: t(L, 3).t(),
    "mT-1d": lambda L: t(L, 3).mT,
    "squeeze-oob": lambda L: t(L, 3, 1).squeeze(2),
    "squeeze-tuple-oob": lambda L: t(L, 3, 1).squeeze((0, 3)),
    "unsqueeze-oob": lambda L: t(L, 3, 4).unsqueeze(4),
    "unsqueeze-neg-oob": lambda L: t(L, 3, 4).unsqueeze(-4),
    "flatten-bad-range": lambda L: t(L, 2, 3, 4).flatten(2, 1),
    "flatten-oob": lambda L: t(L, 2, 3, 4).flatten(0, 3),
    "flatten-0d": lambda L: t(L).flatten(),
    "unflatten-bad": lambda L: t(L, 2, 6).unflatten(1, (4, 2)),
    "unflatten-oob": lambda L: t(L, 2, 6).unflatten(2, (3, 2)),
    "movedim-oob": lambda L: t(L, 2, 3).movedim(0, 2),
    "movedim-dup": lambda L: t(L, 2, 3, 4).movedim((0, 0), (1, 2)),
    "movedim-len": lambda L: t(L, 2, 3, 4).movedim((0, 1), (1,)),
    "narrow-past-end": lambda L: t(L, 5).narrow(0, 3, 4),
    "narrow-neg-len": lambda L: t(L, 5).narrow(0, 1, -1),
    "narrow-dim-oob": lambda L: t(L, 5).narrow(1, 0, 1),
    "narrow-0d": lambda L: t(L).narrow(0, 0, 1),
    "split-zero": lambda L: t(L, 6).split(0),
    "split-sizes-sum": lambda L: t(L, 6).split([2, 3]),
    "split-neg-size": lambda L: t(L, 6).split([7, -1]),
    "split-dim-oob": lambda L: t(L, 6).split(2, 1),
    "chunk-zero": lambda L: t(L, 6).chunk(0),
    "chunk-neg": lambda L: t(L, 6).chunk(-1),
    "chunk-0d": lambda L: t(L).chunk(2),
    "tensor_split-zero": lambda L: t(L, 6).tensor_split(0),
    "repeat-few": lambda L: t(L, 2, 3).repeat(2),
    "repeat-neg": lambda L: t(L, 2, 3).repeat(2, -1),
    "repeat-ok": lambda L: t(L, 2, 3).repeat(2, 1, 2),
    "tile-neg": lambda L: t(L, 2, 3).tile(-1),
    "tile-ok": lambda L: t(L, 2, 3).tile(2),
    "flip-dup": lambda L: t(L, 2, 3).flip(0, 0),
    "flip-oob": lambda L: t(L, 2, 3).flip(2),
    "roll-dims-len": lambda L: t(L, 2, 3).roll((1, 2), (0,)),
    "roll-oob": lambda L: t(L, 2, 3).roll(1, 2),
    "roll-nodim": lambda L: t(L, 2, 3).roll(1),
    "rot90-same-dims": lambda L: t(L, 2, 3).rot90(1, (0, 0)),
    "rot90-1d": lambda L: t(L, 3).rot90(),
    "diagonal-same": lambda L: t(L, 3, 3).diagonal(0, 0, 0),
    "diagonal-1d": lambda L: t(L, 3).diagonal(),
    "diag-3d": lambda L: L.diag(t(L, 2, 2, 2)),
    "diag_embed-0d": lambda L: L.diag_embed(t(L)),
    "tril-1d": lambda L: t(L, 3).tril(),
    "triu-0d": lambda L: t(L).triu(),
    "trace-1d": lambda L: t(L, 3).trace(),
    "trace-3d": lambda L: t(L, 2, 2, 2).trace(),
    "unfold-size-big": lambda L: t(L, 5).unfold(0, 6, 1),
    "unfold-step-0": lambda L: t(L, 5).unfold(0, 2, 0),
    "unfold-neg-size": lambda L: t(L, 5).unfold(0, -1, 1),
    "swapaxes-oob": lambda L: t(L, 3, 4).swapaxes(0, 2),
    "select-oob": lambda L: t(L, 3, 4).select(0, 3),
    "select-dim-oob": lambda L: t(L, 3, 4).select(2, 0),
    "select-0d": lambda L: t(L).select(0, 0),
    "broadcast_to-bad": lambda L: L.broadcast_to(t(L, 3), (2, 4)),
    "broadcast_tensors-bad": lambda L: L.broadcast_tensors(t(L, 3), t(L, 4)),
    "broadcast_shapes-bad": lambda L: L.broadcast_shapes((3,), (4,)),
    "atleast_2d-list": lambda L: L.atleast_2d([1.0]),
    "contiguous-ok": lambda L: t(L, 3, 4).t().contiguous(),
    "as_strided-oob": lambda L: t(L, 4).as_strided((3,), (2,)),
    "reshape-list-str": lambda L: t(L, 4).reshape("a"),
    "view_as-bad": lambda L: t(L, 4).view_as(t(L, 3)),
    "resize_as-ok": lambda L: t(L, 4).reshape_as(t(L, 2, 2)),
    "reshape_as-bad": lambda L: t(L, 4).reshape_as(t(L, 3)),
}
for rid, fn in SHAPE.items():
    row(rid, fn)

# ---- indexing -------------------------------------------------------------------------
INDEX = {
    "float": lambda L: t(L, 3, 4)[1.5],
    "oob": lambda L: t(L, 3, 4)[3],
    "neg-oob": lambda L: t(L, 3, 4)[-4],
    "too-many": lambda L: t(L, 3, 4)[0, 0, 0],
    "str": lambda L: t(L, 3, 4)["a"],
    "none-oob": lambda L: t(L, 3, 4)[None, 3],
    "list-oob": lambda L: t(L, 3, 4)[[0, 3]],
    "tensor-float": lambda L: t(L, 3, 4)[L.tensor([0.5])],
    "tensor-oob": lambda L: t(L, 3, 4)[L.tensor([5])],
    "tensor-neg-ok": lambda L: t(L, 3, 4)[L.tensor([-1])],
    "mask-shape": lambda L: t(L, 3, 4)[L.ones(2, dtype=L.bool)],
    "mask-2d-shape": lambda L: t(L, 3, 4)[L.ones(4, 3, dtype=L.bool)],
    "step-zero": lambda L: t(L, 3, 4)[::0],
    "step-neg": lambda L: t(L, 3, 4)[::-1],
    "0d-int": lambda L: t(L)[0],
    "0d-none": lambda L: t(L)[None],
    "0d-ellipsis": lambda L: t(L)[...],
    "tuple-tensors-shape": lambda L: t(L, 3, 4)[L.tensor([0, 1]), L.tensor([0, 1, 2])],
    "dict": lambda L: t(L, 3, 4)[{}],
    "int-tensor-2d-oob": lambda L: t(L, 3, 4)[:, L.tensor([[4]])],
    "slice-ok-oob": lambda L: t(L, 3, 4)[5:9],
    "bool-scalar-ok": lambda L: t(L, 3, 4)[True],
    "slice-float": lambda L: t(L, 3, 4)[0.5:2],
    "ellipsis-oob": lambda L: t(L, 3, 4)[..., 4],
}
for rid, fn in INDEX.items():
    row(f"getitem-{rid}", fn)


def _set(x, key, value):
    x[key] = value
    return x


SETITEM = {
    "shape": lambda L: _set(t(L, 3, 4), 0, t(L, 5)),
    "oob": lambda L: _set(t(L, 3, 4), 3, 0.0),
    "float-key": lambda L: _set(t(L, 3, 4), 1.5, 0.0),
    "str-value": lambda L: _set(t(L, 3, 4), 0, "a"),
    "leaf-grad": lambda L: _set(t(L, 3, grad=True), 0, 1.0),
    "mask-shape": lambda L: _set(t(L, 3, 4), L.ones(2, dtype=L.bool), 0.0),
    "broadcast-ok": lambda L: _set(t(L, 3, 4), slice(None), t(L, 4)),
    "int-gets-float": lambda L: _set(ints(L, 3), 0, 1.7),
    "tensor-index-oob": lambda L: _set(t(L, 3), L.tensor([3]), 1.0),
    "value-2d": lambda L: _set(t(L, 3), L.tensor([0, 1]), t(L, 2, 2)),
}
for rid, fn in SETITEM.items():
    row(f"setitem-{rid}", fn)

# ---- gather / scatter / index_* -------------------------------------------------------
IDX = {  # kinds of bad index for dim 0 of a (3, 4) source
    "oob": lambda L: L.tensor([[3]]),
    "neg": lambda L: L.tensor([[-1]]),
    "float": lambda L: L.tensor([[0.5]]),
    "ndim": lambda L: L.tensor([0]),
    "int32": lambda L: L.tensor([[0]], dtype=L.int32),
    "big": lambda L: L.tensor([[0, 1, 2, 0, 1]]),
}
for kind, make in IDX.items():
    row(f"gather-{kind}", lambda L, make=make: t(L, 3, 4).gather(0, make(L)))
    row(f"scatter-{kind}", lambda L, make=make: t(L, 3, 4).scatter(0, make(L), 1.0))
    row(f"scatter-src-{kind}",
        lambda L, make=make: t(L, 3, 4).scatter(0, make(L), t(L, 1, 5)))
    row(f"scatter_add-{kind}",
        lambda L, make=make: t(L, 3, 4).scatter_add(0, make(L), t(L, 1, 5)))
    row(f"scatter_reduce-{kind}", lambda L, make=make: t(L, 3, 4).scatter_reduce(
        0, make(L), t(L, 1, 5), "amax"))
    if kind != "oob":  # PyTorch 2.13 reads out of bounds there instead of raising
        row(f"take_along_dim-{kind}",
            lambda L, make=make: t(L, 3, 4).take_along_dim(make(L), 0))
row("gather-dim-oob", lambda L: t(L, 3, 4).gather(2, ints(L, 1, 1)))
row("gather-0d", lambda L: t(L).gather(0, ints(L)))
row("gather-0d-index-1d", lambda L: t(L).gather(0, ints(L, 1, high=1)))
row("gather-0d-index-2d", lambda L: t(L).gather(0, ints(L, 1, 1, high=1)))
row("gather-1d-index-0d", lambda L: t(L, 3).gather(0, L.tensor(2)))
row("scatter-0d-self-1d-index", lambda L: t(L).scatter(0, ints(L, 1, high=1), t(L, 1)))
row("scatter_add-0d-self-1d-index", lambda L: t(L).scatter_add(0, ints(L, 1, high=1),
                                                               t(L, 1)))
row("index_add-0d-self-1d-source", lambda L: t(L).index_add(0, ints(L, 1, high=1), t(L, 1)))
row("scatter-reduce-bad", lambda L: t(L, 3, 4).scatter_reduce(0, ints(L, 1, 1), t(L, 1, 1),
                                                             "median"))
row("scatter-src-dtype", lambda L: t(L, 3, 4).scatter(0, ints(L, 1, 1), ints(L, 1, 1)))
row("scatter_add-src-small", lambda L: t(L, 3, 4).scatter_add(0, ints(L, 2, 2), t(L, 1, 1)))
IDX1 = {
    "oob": lambda L: L.tensor([3]),
    "neg": lambda L: L.tensor([-1]),
    "float": lambda L: L.tensor([0.5]),
    "2d": lambda L: L.tensor([[0]]),
    "int32": lambda L: L.tensor([0], dtype=L.int32),
    "0d": lambda L: L.tensor(1),
    "list": lambda L: [0, 1],
}
for kind, make in IDX1.items():
    row(f"index_select-{kind}", lambda L, make=make: t(L, 3, 4).index_select(0, make(L)))
    row(f"index_add-{kind}",
        lambda L, make=make: t(L, 3, 4).index_add(0, make(L), t(L, 1, 4)))
    row(f"index_copy-{kind}",
        lambda L, make=make: t(L, 3, 4).index_copy(0, make(L), t(L, 1, 4)))
    row(f"index_fill-{kind}", lambda L, make=make: t(L, 3, 4).index_fill(0, make(L), 2.0))
    row(f"take-{kind}", lambda L, make=make: L.take(t(L, 3), make(L)))
row("index_select-dim-oob", lambda L: t(L, 3, 4).index_select(2, ints(L, 1)))
row("index_select-0d-src", lambda L: t(L).index_select(0, L.tensor([0])))
row("index_select-0d-src-two", lambda L: t(L).index_select(0, L.tensor([0, 0])))
row("index_add-src-shape", lambda L: t(L, 3, 4).index_add(0, ints(L, 1), t(L, 1, 5)))
row("index_add-count", lambda L: t(L, 3, 4).index_add(0, ints(L, 2), t(L, 1, 4)))
row("index_add-dtype", lambda L: t(L, 3, 4).index_add(0, ints(L, 1), ints(L, 1, 4)))
row("masked_fill-float-mask", lambda L: t(L, 3).masked_fill(t(L, 3), 0.0))
row("masked_fill-shape", lambda L: t(L, 3).masked_fill(t(L, 4) > 0, 0.0))
row("masked_fill-value-1d", lambda L: t(L, 3).masked_fill(t(L, 3) > 0, t(L, 2)))
row("masked_select-float", lambda L: t(L, 3).masked_select(t(L, 3)))
row("masked_select-shape", lambda L: t(L, 3).masked_select(t(L, 4) > 0))
row("masked_scatter-small", lambda L: t(L, 3).masked_scatter(t(L, 3) > -2, t(L, 1)))
row("put-oob", lambda L: t(L, 3).put(L.tensor([3]), t(L, 1)))
row("put-shape", lambda L: t(L, 3).put(L.tensor([0, 1]), t(L, 3)))
row("nonzero-0d", lambda L: L.nonzero(t(L)))
row("nonzero-0d-zero", lambda L: L.nonzero(t(L) * 0))
row("square-bool-method", lambda L: (ints(L, 3) > 0).square())
row("searchsorted-unsorted-ok", lambda L: L.searchsorted(t(L, 4).sort().values, t(L, 2)))
row("searchsorted-dims", lambda L: L.searchsorted(t(L, 2, 4), t(L, 3, 2)))
row("bucketize-2d-boundaries", lambda L: L.bucketize(t(L, 3), t(L, 2, 2)))

# ---- products -------------------------------------------------------------------------
PRODUCTS = {
    "matmul-inner": lambda L: L.matmul(t(L, 3, 4), t(L, 5, 2)),
    "matmul-0d": lambda L: L.matmul(t(L), t(L, 3)),
    "matmul-1d-1d": lambda L: L.matmul(t(L, 3), t(L, 4)),
    "matmul-batch": lambda L: L.matmul(t(L, 2, 3, 4), t(L, 3, 4, 2)),
    "matmul-dtype": lambda L: L.matmul(t(L, 2, 2), t(L, 2, 2, dtype=L.float64)),
    "matmul-int": lambda L: L.matmul(ints(L, 2, 2), ints(L, 2, 2)),
    "matmul-int-float": lambda L: L.matmul(ints(L, 2, 2), t(L, 2, 2)),
    "matmul-bool": lambda L: L.matmul(ints(L, 2, 2) > 0, ints(L, 2, 2) > 0),
    "matmul-list": lambda L: L.matmul(t(L, 2, 2), [[1.0, 0.0], [0.0, 1.0]]),
    "mm-1d": lambda L: L.mm(t(L, 3, 4), t(L, 4)),
    "mm-3d": lambda L: L.mm(t(L, 2, 3, 4), t(L, 4, 2)),
    "mm-inner": lambda L: L.mm(t(L, 3, 4), t(L, 3, 4)),
    "mm-dtype": lambda L: L.mm(t(L, 3, 4), t(L, 4, 2, dtype=L.float64)),
    "bmm-2d": lambda L: L.bmm(t(L, 3, 4), t(L, 4, 3)),
    "bmm-batch": lambda L: L.bmm(t(L, 2, 3, 4), t(L, 3, 4, 2)),
    "bmm-inner": lambda L: L.bmm(t(L, 2, 3, 4), t(L, 2, 3, 4)),
    "bmm-dtype": lambda L: L.bmm(t(L, 2, 3, 4), t(L, 2, 4, 2, dtype=L.float64)),
    "mv-shape": lambda L: L.mv(t(L, 3, 4), t(L, 3)),
    "mv-2d": lambda L: L.mv(t(L, 3, 4), t(L, 4, 1)),
    "dot-len": lambda L: L.dot(t(L, 3), t(L, 4)),
    "dot-2d": lambda L: L.dot(t(L, 2, 2), t(L, 2, 2)),
    "dot-dtype": lambda L: L.dot(t(L, 3), t(L, 3, dtype=L.float64)),
    "dot-int-float": lambda L: L.dot(ints(L, 3), t(L, 3)),
    "vdot-len": lambda L: L.vdot(t(L, 3), t(L, 4)),
    "inner-shape": lambda L: L.inner(t(L, 2, 3), t(L, 2, 4)),
    "outer-2d": lambda L: L.outer(t(L, 2, 3), t(L, 3)),
    "addmm-shape": lambda L: L.addmm(t(L, 3, 3), t(L, 3, 4), t(L, 4, 2)),
    "addmm-inner": lambda L: L.addmm(t(L, 3, 2), t(L, 3, 4), t(L, 5, 2)),
    "addmv-shape": lambda L: L.addmv(t(L, 4), t(L, 3, 4), t(L, 4)),
    "baddbmm-shape": lambda L: L.baddbmm(t(L, 2, 3, 3), t(L, 2, 3, 4), t(L, 2, 4, 2)),
    "addbmm-batch": lambda L: L.addbmm(t(L, 3, 2), t(L, 2, 3, 4), t(L, 3, 4, 2)),
    "einsum-shape": lambda L: L.einsum("ij,jk->ik", t(L, 3, 4), t(L, 3, 4)),
    "einsum-ops": lambda L: L.einsum("ij,jk->ik", t(L, 3, 4)),
    "einsum-rank": lambda L: L.einsum("ijk->i", t(L, 3, 4)),
    "einsum-bad-out": lambda L: L.einsum("ij->k", t(L, 3, 4)),
    "tensordot-dims": lambda L: L.tensordot(t(L, 3, 4), t(L, 3, 4), dims=([1], [1])),
    "tensordot-bad": lambda L: L.tensordot(t(L, 3, 4), t(L, 3, 4), dims=([0], [1])),
    "tensordot-neg": lambda L: L.tensordot(t(L, 3, 4), t(L, 3, 4), dims=-1),
    "kron-ok": lambda L: L.kron(t(L, 2), t(L, 2, 2)),
    "cross-shape": lambda L: L.linalg.cross(t(L, 2, 3), t(L, 2, 4)),
    "cross-size": lambda L: L.linalg.cross(t(L, 2, 2), t(L, 2, 2)),
    "linalg-inv-nonsquare": lambda L: L.linalg.inv(t(L, 2, 3)),
    "linalg-inv-1d": lambda L: L.linalg.inv(t(L, 3)),
    "linalg-inv-int": lambda L: L.linalg.inv(ints(L, 2, 2)),
    "linalg-det-nonsquare": lambda L: L.linalg.det(t(L, 2, 3)),
    "linalg-solve-shape": lambda L: L.linalg.solve(t(L, 3, 3), t(L, 4)),
    "linalg-cholesky-nonsquare": lambda L: L.linalg.cholesky(t(L, 2, 3)),
    "linalg-qr-1d": lambda L: L.linalg.qr(t(L, 3)),
    "linalg-svd-1d": lambda L: L.linalg.svd(t(L, 3)),
    "linalg-eigh-nonsquare": lambda L: L.linalg.eigh(t(L, 2, 3)),
    "linalg-norm-ord": lambda L: L.linalg.norm(t(L, 3), ord="fro"),
    "linalg-vector_norm-int": lambda L: L.linalg.vector_norm(ints(L, 3)),
    "linalg-matrix_norm-1d": lambda L: L.linalg.matrix_norm(t(L, 3)),
    "linalg-pinv-1d": lambda L: L.linalg.pinv(t(L, 3)),
    "linalg-matrix_power-neg-int": lambda L: L.linalg.matrix_power(ints(L, 2, 2), -1),
    "linalg-matrix_power-nonsq": lambda L: L.linalg.matrix_power(t(L, 2, 3), 2),
    "cdist-dims": lambda L: L.cdist(t(L, 3, 4), t(L, 3, 5)),
    "cdist-1d": lambda L: L.cdist(t(L, 4), t(L, 4)),
    "cosine_similarity-shape": lambda L: F(L).cosine_similarity(t(L, 3, 4), t(L, 3, 5)),
    "pairwise_distance-shape": lambda L: F(L).pairwise_distance(t(L, 3, 4), t(L, 2, 4)),
    "bilinear-shape": lambda L: F(L).bilinear(t(L, 2, 3), t(L, 2, 4), t(L, 5, 3, 3)),
    "linear-in": lambda L: F(L).linear(t(L, 2, 3), t(L, 4, 5)),
    "linear-bias": lambda L: F(L).linear(t(L, 2, 3), t(L, 4, 3), t(L, 5)),
    "linear-0d": lambda L: F(L).linear(t(L), t(L, 4, 3)),
    "linear-dtype": lambda L: F(L).linear(t(L, 2, 3), t(L, 4, 3, dtype=L.float64)),
    "linear-int": lambda L: F(L).linear(ints(L, 2, 3), t(L, 4, 3)),
}
for rid, fn in PRODUCTS.items():
    row(rid, fn)

# ---- joining --------------------------------------------------------------------------
for op in ["cat", "stack", "hstack", "vstack", "dstack", "column_stack", "concat"]:
    row(f"{op}-empty", lambda L, op=op: getattr(L, op)([]))
    row(f"{op}-mismatch", lambda L, op=op: getattr(L, op)([t(L, 2, 3), t(L, 3, 2)]))
    row(f"{op}-not-tensor", lambda L, op=op: getattr(L, op)([t(L, 2, 3), [1.0]]))
    row(f"{op}-tensor-arg", lambda L, op=op: getattr(L, op)(t(L, 2, 3)))
    row(f"{op}-mixed-dtype", lambda L, op=op: getattr(L, op)([t(L, 2, 3), ints(L, 2, 3)]))
    row(f"{op}-0d", lambda L, op=op: getattr(L, op)([t(L), t(L)]))
    row(f"{op}-one", lambda L, op=op: getattr(L, op)([t(L, 2, 3)]))
for op in ["cat", "stack"]:
    row(f"{op}-dim-oob", lambda L, op=op: getattr(L, op)([t(L, 2, 3), t(L, 2, 3)], dim=3))
    row(f"{op}-dim-float", lambda L, op=op: getattr(L, op)([t(L, 2, 3), t(L, 2, 3)], 1.5))
    row(f"{op}-rank", lambda L, op=op: getattr(L, op)([t(L, 2, 3), t(L, 2, 3, 1)]))
    row(f"{op}-none", lambda L, op=op: getattr(L, op)(None))
row("cat-1d-empty-ok", lambda L: L.cat([t(L, 2, 3), L.zeros(0)]))

# ---- creation -------------------------------------------------------------------------
for op in ["zeros", "ones", "empty", "rand", "randn"]:
    row(f"{op}-neg", lambda L, op=op: getattr(L, op)(-1))
    row(f"{op}-neg-2d", lambda L, op=op: getattr(L, op)(2, -3))
    row(f"{op}-float", lambda L, op=op: getattr(L, op)(2.5))
    row(f"{op}-str", lambda L, op=op: getattr(L, op)("a"))
    row(f"{op}-tuple-neg", lambda L, op=op: getattr(L, op)((2, -1)))
    if op not in ("rand", "randn", "empty"):
        row(f"{op}-0d", lambda L, op=op: getattr(L, op)(()))
        row(f"{op}-zero", lambda L, op=op: getattr(L, op)(0, 3))
for op in ["rand", "randn"]:
    row(f"{op}-int-dtype", lambda L, op=op: getattr(L, op)(2, dtype=L.int64))
row("full-neg", lambda L: L.full((-1,), 2.0))
row("full-float-size", lambda L: L.full((2.5,), 2.0))
row("full-int-value", lambda L: L.full((2,), 3))
row("full-bool-value", lambda L: L.full((2,), True))
row("full-str-value", lambda L: L.full((2,), "a"))
row("full-tensor-value", lambda L: L.full((2,), t(L)))
row("full-tensor-value-1d", lambda L: L.full((2,), t(L, 2)))
row("full_like-str", lambda L: L.full_like(t(L, 2), "a"))
for op in ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]:
    row(f"{op}-list", lambda L, op=op: getattr(L, op)([1.0]))
    row(f"{op}-int-ok", lambda L, op=op: getattr(L, op)(ints(L, 2)).shape)
row("rand_like-int", lambda L: L.rand_like(ints(L, 2)))
row("eye-neg", lambda L: L.eye(-1))
row("eye-neg-m", lambda L: L.eye(2, -1))
row("eye-float", lambda L: L.eye(2.5))
row("eye-zero", lambda L: L.eye(0))
ARANGE = {
    "sign": (0, -5, 1), "sign-neg": (0, 5, -1), "step0": (0, 5, 0), "ok": (0, 5, 2),
    "float-step": (0, 1, 0.25), "neg-ok": (5, 0, -2), "empty-ok": (3, 3, 1),
    "float-ends": (0.5, 2.5, 0.5), "inf": (0, float("inf"), 1), "nan": (0, float("nan"), 1),
}
for kind, args in ARANGE.items():
    row(f"arange-{kind}", lambda L, args=args: L.arange(*args))
row("arange-str", lambda L: L.arange("a"))
row("arange-neg-end", lambda L: L.arange(-3))
row("arange-bool-dtype", lambda L: L.arange(3, dtype=L.bool))
row("range-step0", lambda L: L.range(0, 5, 0))
for op in ["linspace", "logspace"]:
    row(f"{op}-neg-steps", lambda L, op=op: getattr(L, op)(0, 1, -1))
    row(f"{op}-float-steps", lambda L, op=op: getattr(L, op)(0, 1, 2.5))
    row(f"{op}-zero-steps", lambda L, op=op: getattr(L, op)(0, 1, 0))
    row(f"{op}-one-step", lambda L, op=op: getattr(L, op)(0, 1, 1))
    row(f"{op}-ok", lambda L, op=op: getattr(L, op)(0, 1, 5))
row("randint-low-high", lambda L: L.randint(5, 2, (3,)))
row("randint-equal", lambda L: L.randint(3, 3, (3,)))
row("randint-neg-size", lambda L: L.randint(0, 3, (-1,)))
row("randint-no-size", lambda L: L.randint(0, 3))
row("randperm-neg", lambda L: L.randperm(-1))
row("randperm-float", lambda L: L.randperm(2.5))
row("multinomial-neg", lambda L: L.multinomial(L.tensor([0.5, -0.1]), 1))
row("multinomial-too-many", lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3))
row("multinomial-zero", lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1))
row("multinomial-3d", lambda L: L.multinomial(t(L, 2, 2, 2).abs(), 1))
row("bernoulli-p-oob", lambda L: L.bernoulli(L.tensor([1.5])))
row("normal-neg-std", lambda L: L.normal(0.0, -1.0, (2,)))
row("tensor-ragged", lambda L: L.tensor([[1, 2], [3]]))
row("tensor-str", lambda L: L.tensor("abc"))
row("tensor-none", lambda L: L.tensor(None))
row("tensor-dict", lambda L: L.tensor({}))
row("tensor-mixed-ok", lambda L: L.tensor([1, 2.5, True]))
row("tensor-empty-ok", lambda L: L.tensor([]))
row("tensor-nested-empty", lambda L: L.tensor([[], []]))
row("tensor-grad-int", lambda L: L.tensor([1, 2], requires_grad=True))
row("tensor-grad-bool", lambda L: L.tensor([True], requires_grad=True))
row("as_tensor-str", lambda L: L.as_tensor("a"))
row("tril_indices-neg", lambda L: L.tril_indices(-1, 3))
row("triu_indices-ok", lambda L: L.triu_indices(3, 3))
row("meshgrid-2d", lambda L: L.meshgrid(t(L, 2, 2), t(L, 2), indexing="ij"))
row("meshgrid-bad-indexing", lambda L: L.meshgrid(t(L, 2), t(L, 2), indexing="ab"))
row("complex-int", lambda L: L.complex(ints(L, 2), ints(L, 2)))
row("polar-shape", lambda L: L.polar(t(L, 2), t(L, 3)))

# ---- dtype misuse / autograd ----------------------------------------------------------
row("requires_grad-int-attr", lambda L: setattr(ints(L, 2), "requires_grad", True))
row("requires_grad_-int", lambda L: ints(L, 2).requires_grad_())
row("backward-nonscalar", lambda L: (t(L, 3, grad=True) * 2).backward())
row("backward-no-grad", lambda L: t(L, 3).sum().backward())
row("backward-grad-shape", lambda L: (t(L, 3, grad=True) * 2).backward(t(L, 4)))
row("grad-assign-shape", lambda L: setattr(t(L, 3, grad=True), "grad", t(L, 4)))
row("grad-assign-dtype", lambda L: setattr(t(L, 3, grad=True), "grad",
                                           t(L, 3, dtype=L.float64)))
row("numpy-requires-grad", lambda L: t(L, 3, grad=True).numpy())
row("item-empty", lambda L: L.zeros(0).item())
row("tolist-ok", lambda L: t(L, 2, 2).tolist())
row("float-many", lambda L: float(t(L, 3)))
row("int-many", lambda L: int(t(L, 2)))
row("bool-many", lambda L: bool(t(L, 2)))
row("len-0d", lambda L: len(t(L)))
row("iter-0d", lambda L: list(t(L)))
row("to-bad-device", lambda L: t(L, 2).to("tpu"))
row("type-str", lambda L: t(L, 2).type(L.int64))
row("autograd-grad-unused", lambda L: L.autograd.grad(t(L, 2, grad=True).sum(),
                                                      t(L, 2, grad=True)))
row("autograd-grad-int", lambda L: L.autograd.grad(t(L, 2).sum(), t(L, 2)))
row("leaf-inplace", lambda L: t(L, 3, grad=True).add_(1.0))
row("cumsum-int-dtype", lambda L: ints(L, 3).cumsum(0))
row("sort-bool", lambda L: (t(L, 3) > 0).sort())
row("round-decimals-int", lambda L: ints(L, 3).round(decimals=1))
row("bitwise_not-float", lambda L: L.bitwise_not(t(L, 3)))
row("clone-memory_format", lambda L: t(L, 3).clone(memory_format=L.channels_last))
row("diff-0d", lambda L: L.diff(t(L)))
row("diff-n-neg", lambda L: L.diff(t(L, 3), n=-1))
row("cumsum-0d-ok", lambda L: t(L).cumsum(0))
row("outer-int-float", lambda L: L.outer(ints(L, 2), t(L, 2)))
