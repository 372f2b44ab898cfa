"""ONNX translations of shape, indexing and layer ops (linear, convolution, pooling,
embedding, the RNN's per-step split, interpolation, losses), keyed by the Ember op
class's `__name__`."""
from __future__ import annotations

import math

from .. import backend
from .graph import Sym
from .ops_math import STATIC, _scalar, op, reduce
from .trace import Key
from .trace import plain as _plain

np = backend.np
_BIG = 2 ** 62


def _geo_static(at, extra=()):
    """The window of a conv/pool geometry (not the sizes, which follow the input)."""
    def static(args):
        geo = args[at]
        return [geo.k, geo.stride, geo.pad, geo.dilation, geo.groups] + \
            [_plain(args[i]) for i in extra]
    return static


# sizes read from the outputs (Reshape, ...) or compared by the translation (GetItem)
for _name in ("Reshape", "View", "BroadcastTo", "SumTo", "GetItem", "ViewItem", "_Unbind0"):
    STATIC[_name] = lambda args: []
STATIC["Conv2dFn"] = _geo_static(3)
STATIC["_ConvInputGrad"] = _geo_static(2)
STATIC["MaxPool2dFn"] = _geo_static(1)
STATIC["AvgPool2dFn"] = _geo_static(1, extra=(2,))
STATIC["_AxisResample"] = lambda args: [_plain(getattr(args[1], f)) for f in
                                        ("axis", "i0", "i1", "w0", "w1")]


# ----------------------------------------------------------------------------- shape
@op("Reshape", "View")
def _reshape(n):
    return n.g.op("Reshape", [n.x(0), n.g.shape_value(n.out_dims(), reshape=True)])


@op("Permute")
def _permute(n):
    nd = n.ndim(0)
    return n.g.op("Transpose", [n.x(0)], perm=[d % nd for d in n.args[1]])


@op("BroadcastTo")
def _broadcast_to(n):
    return n.g.op("Expand", [n.x(0), n.g.shape_value(n.out_dims())])


@op("Cat")
def _cat(n):
    nd = len(n.out_shape())
    dim = n.args[0] % nd
    parts = [n.x(i, n.out_dtype) for i in range(1, len(n.args))
             if not (n.ndim(i) == 1 and n.shape(i)[0] == 0)]  # torch's legacy empty (0,)
    return n.g.op("Concat", parts, axis=dim)


@op("ConstantPad")
def _constant_pad(n):
    widths = list(n.args[1])
    pads = [lo for lo, _ in widths] + [hi for _, hi in widths]
    value = n.g.const(np.asarray(n.args[2], dtype=n.out_dtype), "pad_value")
    return n.g.op("Pad", [n.x(0), n.g.i64(pads), value], mode="constant")


@op("Flip")
def _flip(n):
    dims = [d % n.ndim(0) for d in n.args[1]]
    k = len(dims)
    return n.g.op("Slice", [n.x(0), n.g.i64([-1] * k), n.g.i64([-_BIG] * k), n.g.i64(dims),
                            n.g.i64([-1] * k)])


@op("Repeat")
def _repeat(n):
    reps = list(n.args[1])
    x = n.x(0)
    extra = len(reps) - n.ndim(0)
    if extra > 0:
        x = n.g.op("Unsqueeze", [x, n.g.i64(list(range(extra)))])
    return n.g.op("Tile", [x, n.g.i64(reps)])


@op("Tril", "Triu")
def _triangle(n):
    k = n.g.const(np.asarray(int(n.args[1]), np.int64))
    return n.g.op("Trilu", [n.x(0), k], upper=int(n.rec.cls.__name__ == "Triu"))


@op("_Unbind0")
def _unbind0(n):
    return [n.g.op("Gather", [n.x(0), n.g.const(np.asarray(t, np.int64))], axis=0)
            for t in range(len(n.rec.outs))]


# ----------------------------------------------------------------------------- indexing
def _is_array(v):
    return hasattr(v, "dtype") and hasattr(v, "shape")


@op("GetItem", "ViewItem")
def _getitem(n):
    index = n.args[1]
    # the bounds, in order, as ints or sizes following the dynamic axes (x[:, :t])
    bounds = iter(n.dims(lambda args: _bounds(args[1]), "an index bound"))
    if not isinstance(index, tuple):
        index = (index,)
    nd = n.ndim(0)
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    if any(i is Ellipsis for i in index):  # spell the Ellipsis out as full slices
        at = next(j for j, i in enumerate(index) if i is Ellipsis)
        index = index[:at] + (slice(None),) * (nd - n_real) + index[at + 1:]
    arrays = [j for j, i in enumerate(index) if _is_array(i)]
    x = n.x(0)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim = 0   # position in the input
    out = 0   # position in the result (after squeezes and new axes)
    gather = None
    for item in index:
        if item is None:
            unsqueeze.append(out)
            out += 1
            continue
        if _is_array(item):
            gather = (dim, item)
            dim += 1
            out += 1
            continue
        if isinstance(item, slice):
            if item != slice(None):
                start, end, step = (None if v is None else next(bounds)
                                    for v in (item.start, item.stop, item.step))
                step = 1 if step is None else step
                start = start if start is not None else (0 if step > 0 else -1)
                end = end if end is not None else (_BIG if step > 0 else -_BIG)
                starts.append(start)
                ends.append(end)
                axes.append(dim)
                steps.append(step)
            dim += 1
            out += 1
            continue
        i = next(bounds)  # an integer: a one-wide slice, squeezed after
        starts.append(i)
        ends.append(_BIG if i == -1 else i + 1 if isinstance(i, int) else
                    _fail_dynamic(n, "an integer index"))
        axes.append(dim)
        steps.append(1)
        squeeze.append(dim)
        dim += 1
    if len(arrays) > 1:
        n.fail("indexing with more than one index tensor")
    if starts:
        x = n.g.op("Slice", [x, n.g.shape_value(starts), n.g.shape_value(ends), n.g.i64(axes),
                             n.g.shape_value(steps)])
    if gather is not None:
        gdim, idx = gather
        if idx.dtype.kind == "b":
            n.fail("indexing with a bool mask (its result's size depends on the values)")
        at = next(j for j, i in enumerate(n.args[1] if isinstance(n.args[1], tuple)
                                          else (n.args[1],)) if _is_array(i))
        for run in n.ex.runs()[1:]:  # an index tensor is written as a constant
            other = run.records[n.k].args[1]
            other = other[at] if isinstance(other, tuple) else other
            if not np.array_equal(backend.to_host(other), backend.to_host(idx)):
                n.fail("an index tensor that changes with the input (use index_select or "
                       "gather to index with a computed tensor)")
        idx = backend.to_host(idx)
        if idx.dtype.kind == "b":
            n.fail("indexing with a bool mask (its result's size depends on the values)")
        kept = sum(1 for s in squeeze if s < gdim)
        x = n.g.op("Gather", [x, n.g.const(idx.astype(np.int64), "index")], axis=gdim - kept)
        if squeeze and any(s > gdim for s in squeeze):
            squeeze = [s - 1 + idx.ndim if s > gdim else s for s in squeeze]
    if squeeze:
        x = n.g.op("Squeeze", [x, n.g.i64(squeeze)])
    if unsqueeze:
        x = n.g.op("Unsqueeze", [x, n.g.i64(unsqueeze)])
    return x


@op("SetItem")
def _setitem(n):
    """x[index] = value: for an index of ints and slices on fixed-size axes, the value is
    spread to x's shape (Expand, Gather) and chosen by a mask (Where); for flat indices
    into a 1-d tensor (how an in-place op on a view reaches its base), ScatterElements."""
    index, dt = n.args[1], n.out_dtype
    x, shape, dims = n.x(0), n.shape(0), n.in_dims(0)
    for run in n.ex.runs()[1:]:
        if _plain(run.records[n.k].args[1]) != _plain(index):
            n.fail("an assignment index that changes with the input")
    if n.args[2]:
        if not (isinstance(index, tuple) and len(index) == 1 and len(shape) == 1
                and _is_array(index[0]) and index[0].dtype.kind in "iu"):
            n.fail("assignment through index tensors (other than flat positions)")
        idx = n.g.const(backend.to_host(index[0]).astype(np.int64).reshape(-1), "index")
        value = n.g.op("Expand", [n.x(3, dt), n.g.op("Shape", [idx])])
        return n.g.op("ScatterElements", [x, idx, value], axis=0)
    if not isinstance(index, tuple) or any(i is None or _is_array(i) for i in index):
        n.fail("assignment with this kind of index")
    if any(i is Ellipsis for i in index):
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(shape) - len(index) + 1) + index[at + 1:]
    value = n.g.op("Expand", [n.x(3, dt), n.g.op("Shape", [_getitem(n)])])
    ints = [d for d, i in enumerate(index) if not isinstance(i, slice)]
    if ints:
        value = n.g.op("Unsqueeze", [value, n.g.i64(ints)])
    mask = None
    for d, item in enumerate(index):
        if item == slice(None):
            continue
        if isinstance(dims[d], Sym):
            n.fail("assignment along a dynamic axis")
        pos = np.arange(shape[d])[item if isinstance(item, slice) else [int(item)]]
        where = np.zeros(shape[d], bool)
        where[pos] = True
        back = np.zeros(shape[d], np.int64)
        back[pos] = np.arange(len(pos))
        value = n.g.op("Gather", [value, n.g.const(back, "index")], axis=d)
        m = n.g.const(where.reshape([-1 if e == d else 1 for e in range(len(shape))]), "mask")
        mask = m if mask is None else n.g.op("And", [mask, m])
    if mask is None:  # x[:] = value
        return n.g.op("Expand", [value, n.g.op("Shape", [x])])
    return n.g.op("Where", [mask, value, x])


STATIC["SetItem"] = lambda args: []  # the index is compared by the translation


def _bounds(index):
    """The ints of a basic index (slice bounds and integer indices), in order."""
    out = []
    for item in index if isinstance(index, tuple) else (index,):
        if isinstance(item, slice):
            out += [v for v in (item.start, item.stop, item.step) if v is not None]
        elif item is not None and item is not Ellipsis and not _is_array(item):
            out.append(int(item))
    return out


def _fail_dynamic(n, what):
    n.fail(f"{what} that follows a dynamic axis")


@op("Gather")
def _gather(n):
    axis = n.args[1] % n.ndim(0)
    return n.g.op("GatherElements", [n.x(0), n.x(2, np.int64)], axis=axis)


@op("IndexSelect")
def _index_select(n):
    axis = n.args[1] % max(n.ndim(0), 1)
    return n.g.op("Gather", [n.x(0), n.x(2, np.int64)], axis=axis)


@op("Scatter", "ScatterAdd")
def _scatter(n):
    axis = n.args[1] % n.ndim(0)
    idx = n.x(2, np.int64)
    src = n.x(3, n.out_dtype)
    if not n.is_tensor(3):
        src = n.g.op("Expand", [src, n.g.op("Shape", [idx])])
    attrs = {"reduction": "add"} if n.rec.cls.__name__ == "ScatterAdd" else {}
    if attrs and n.opset < 16:
        n.fail("scatter_add needs opset 16")
    return n.g.op("ScatterElements", [n.x(0, n.out_dtype), idx, src], axis=axis, **attrs)


@op("EmbeddingFn")
def _embedding(n):
    return n.g.op("Gather", [n.x(0), n.x(1, np.int64)], axis=0)


# ----------------------------------------------------------------------------- linear
@op("Linear")
def _linear(n):
    x, w = n.x(0), n.x(1)
    b = n.x(2) if n.args[2] is not None else ""
    if n.ndim(0) == 2:
        return n.g.op("Gemm", [x, w] + ([b] if b else []), transB=1)
    y = n.g.op("MatMul", [x, n.g.op("Transpose", [w], perm=[1, 0])])
    return n.g.op("Add", [y, b]) if b else y


@op("MatMul")
def _matmul(n):
    return n.g.op("MatMul", [n.x(0, n.out_dtype), n.x(1, n.out_dtype)])


@op("Einsum")
def _einsum(n):
    eq = ",".join(n.args[0]) + "->" + n.args[1]
    return n.g.op("Einsum", [n.x(i, n.out_dtype) for i in range(2, len(n.args))], equation=eq)


# ----------------------------------------------------------------------------- conv, pool
def _window_attrs(geo):
    return dict(strides=list(geo.stride), dilations=list(geo.dilation),
                pads=[lo for lo, _ in geo.pad] + [hi for _, hi in geo.pad])


@op("Conv2dFn")
def _conv(n):
    geo = n.args[3]
    inputs = [n.x(0), n.x(1)] + ([n.x(2)] if n.args[2] is not None else [])
    return n.g.op("Conv", inputs, group=geo.groups, kernel_shape=list(geo.k),
                  **_window_attrs(geo))


@op("_ConvInputGrad")
def _conv_transpose(n):
    """conv_transpose: the adjoint of the convolution from x_shape back to gy."""
    geo, x_shape = n.args[2], n.args[3]
    in_hw = n.shape(0)[2:]
    out_pad = [t - ((h - 1) * s - lo - hi + d * (k - 1) + 1)
               for t, h, s, (lo, hi), d, k in zip(x_shape[2:], in_hw, geo.stride, geo.pad,
                                                  geo.dilation, geo.k)]
    return n.g.op("ConvTranspose", [n.x(0), n.x(1)], group=geo.groups,
                  kernel_shape=list(geo.k), output_padding=out_pad, **_window_attrs(geo))


def _batched(n, fn):
    """Run `fn` on the input seen as (N, C, *spatial), however many lead dims it has."""
    geo = n.args[1]
    nd = len(geo.k)
    lead = n.ndim(0) - nd
    x = n.x(0)
    if lead == 2:
        return fn(x)
    if lead == 1:
        return n.g.op("Squeeze", [fn(n.g.op("Unsqueeze", [x, n.g.i64([0])])), n.g.i64([0])])
    in_dims, out_dims = n.in_dims(0), n.out_dims()
    x = n.g.op("Reshape", [x, n.g.shape_value([-1] + [in_dims[lead - 1]] + in_dims[lead:],
                                              reshape=False)
                           if any(isinstance(d, Sym) for d in in_dims[lead - 1:])
                           else n.g.i64([-1] + list(n.shape(0)[lead - 1:]))])
    return n.g.op("Reshape", [fn(x), n.g.shape_value(out_dims, reshape=True)])


@op("MaxPool2dFn")
def _max_pool(n):
    geo = n.args[1]
    return _batched(n, lambda x: n.g.op("MaxPool", [x], kernel_shape=list(geo.k),
                                        **_window_attrs(geo)))


@op("AdaptiveMaxPool2d")
def _adaptive_max_pool(n):
    """Max over each adaptive bin, one spatial axis at a time (a max over a rectangle is
    the max over its rows of the max over its columns): Slice + ReduceMax + Concat."""
    if (n.args[2] if len(n.args) > 2 else n.kwargs.get("return_indices", False)):
        n.fail("adaptive max pooling with return_indices=True")
    nd, x = n.ndim(0), n.x(0)
    dims = n.in_dims(0)
    for axis, size, out in zip((nd - 2, nd - 1), n.shape(0)[-2:], n.out_shape()[-2:]):
        if isinstance(dims[axis], Sym):
            n.fail("adaptive pooling over a dynamic axis")
        parts = []
        for i in range(out):
            start, end = (i * size) // out, -((-(i + 1) * size) // out)
            part = n.g.op("Slice", [x, n.g.i64([start]), n.g.i64([end]), n.g.i64([axis])])
            parts.append(reduce(n, "ReduceMax", part, [axis], True))
        x = parts[0] if len(parts) == 1 else n.g.op("Concat", parts, axis=axis)
    return x


STATIC["AdaptiveMaxPool2d"] = lambda args: [a for a in args[1:]]


@op("AvgPool2dFn")
def _avg_pool(n):
    geo, divisor = n.args[1], n.args[2]
    count = math.prod(geo.k)
    d = backend.to_host(divisor) if _is_array(divisor) else np.asarray(divisor)

    def pool(x):
        attrs = _window_attrs(geo)
        del attrs["dilations"]  # always 1 for average pooling (an attribute from opset 19)
        avg = n.g.op("AveragePool", [x], kernel_shape=list(geo.k), count_include_pad=1,
                     **attrs)
        if d.ndim == 0 and float(d) == count:
            return avg
        window_sum = n.g.op("Mul", [avg, n.g.const(np.asarray(count, n.out_dtype))])
        return n.g.op("Div", [window_sum, n.g.const(d.astype(n.out_dtype), "divisor")])
    return _batched(n, pool)


@op("_AxisResample")
def _resample(n):
    """interpolate along one axis: out = w0 * x[i0] (+ w1 * x[i1]), as the plan says."""
    plan, dt = n.args[1], n.out_dtype

    def take(i):
        return n.g.op("Gather", [n.x(0), n.g.const(backend.to_host(i).astype(np.int64),
                                                   "index")], axis=plan.axis)
    out = take(plan.i0)
    if plan.w0 is None:
        return out
    w0 = n.g.const(backend.to_host(plan.w0).astype(dt), "weight")
    w1 = n.g.const(backend.to_host(plan.w1).astype(dt), "weight")
    return n.g.op("Add", [n.g.op("Mul", [out, w0]), n.g.op("Mul", [take(plan.i1), w1])])


# ----------------------------------------------------------------------------- losses
@op("BinaryCrossEntropy")
def _bce(n):
    """(t - 1) max(log(1 - x), -100) - t max(log x, -100), per element."""
    g, x, t = n.g, n.x(0), n.x(1, n.out_dtype)
    floor = _scalar(n, -100.0)
    log_x = g.op("Max", [g.op("Log", [x]), floor])
    log_1mx = g.op("Max", [g.op("Log", [g.op("Sub", [_scalar(n, 1.0), x])]), floor])
    return g.op("Sub", [g.op("Mul", [g.op("Sub", [t, _scalar(n, 1.0)]), log_1mx]),
                        g.op("Mul", [t, log_x])])


@op("BCEWithLogits")
def _bce_logits(n):
    """(1 - t) x - (1 + (pos_weight - 1) t) log sigmoid(x), log sigmoid written stably."""
    g, x, t, one = n.g, n.x(0), n.x(1, n.out_dtype), _scalar(n, 1.0)
    soft = g.op("Log", [g.op("Add", [one, g.op("Exp", [g.op("Neg", [g.op("Abs", [x])])])])])
    log_sig = g.op("Sub", [g.op("Min", [x, _scalar(n, 0.0)]), soft])
    weight = one if n.args[2] is None else g.op(
        "Add", [one, g.op("Mul", [g.op("Sub", [n.x(2), one]), t])])
    return g.op("Sub", [g.op("Mul", [g.op("Sub", [one, t]), x]),
                        g.op("Mul", [weight, log_sig])])


@op("CrossEntropyCall", "NllLossCall")
def _class_loss(n):
    """cross_entropy / nll_loss with class-index targets: ONNX's SoftmaxCrossEntropyLoss /
    NegativeLogLikelihoodLoss (weight, ignore_index and reduction carried over)."""
    a = n.bound()
    x, target, weight = a["input"], a["target"], a["weight"]
    if a["size_average"] is not None or a["reduce"] is not None:
        n.fail("the legacy size_average/reduce arguments")
    if a.get("label_smoothing", 0.0):
        n.fail("label smoothing")
    if not isinstance(target, Key) or n.ex.base.arrays[target].dtype.kind not in "iu":
        n.fail("targets other than class indices")
    if n.ex.base.arrays[x].ndim < 2:
        n.fail("an unbatched input")
    inputs = [n.value(x), n.value(target, np.int64)]
    if weight is not None:
        inputs.append(n.value(weight, n.ex.base.arrays[x].dtype))
    onnx_op = ("SoftmaxCrossEntropyLoss" if n.rec.cls.__name__ == "CrossEntropyCall"
               else "NegativeLogLikelihoodLoss")
    return n.g.op(onnx_op, inputs, reduction=a["reduction"], ignore_index=a["ignore_index"])


STATIC["CrossEntropyCall"] = STATIC["NllLossCall"] = lambda args: [
    a for a in args if not isinstance(a, Key)]
