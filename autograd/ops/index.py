"""Indexing: `x[...]` (basic, integer arrays, boolean masks), gather/scatter,
index_select, masked_fill, repeat_interleave, unique (sorting lives in sort.py). Backward
scatters the gradient into zeros, accumulating repeated indices."""
from __future__ import annotations

import builtins
import warnings

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import elementwise as _ew
from .shape import constant_pad, norm_dim, repeat_each, reshape


# ----------------------------------------------------------------------------- x[index]
def _index_part(i, xp, op):
    if isinstance(i, Tensor):
        arr = i.array
        if arr.ndim == 0 and arr.dtype.kind in "iu":  # an integer, as PyTorch takes it:
            return int(arr), False  # x[t] is a view, x[t] = v writes (a read-back on GPU)
    elif isinstance(i, (list, tuple)) and not (isinstance(i, tuple) and not i):
        arr = xp.asarray(i)
        if arr.size == 0:  # x[[]]: an empty int64 index, as PyTorch
            arr = arr.astype(backend.int64)
        elif backend.is_floating(arr.dtype) or (arr.dtype == object):
            raise IndexError(f"{op}: tensors used as indices must be long, int or bool, got "
                             f"a list of {arr.dtype}")
    elif backend.is_array(i):
        arr = i
    else:
        if isinstance(i, float):
            raise IndexError(f"{op}: only integers, slices, ellipsis, None, and integer or "
                             f"boolean tensors are valid indices, got a float ({i})")
        if isinstance(i, str):
            raise TypeError(f"{op}: a str ({i!r}) is not a valid index")
        if isinstance(i, slice) and i.step is not None and \
                isinstance(i.step, int) and i.step <= 0:
            raise ValueError(f"{op}: slice step must be greater than zero, got {i.step}")
        return i, False
    if arr.dtype.kind not in "biu":
        raise IndexError(f"{op}: tensors used as indices must be long, int or bool tensors, "
                         f"got {arr.dtype}")
    if arr.dtype == backend.uint8 and isinstance(i, Tensor):  # a mask, as PyTorch reads it
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                      "dtype torch.bool instead.", UserWarning, stacklevel=4)
        arr = arr.astype(backend.bool_)
    if type(arr) is not type(xp.empty(0)):
        raise RuntimeError(f"{op}: indices are on a different device than the indexed tensor")
    return arr, True


def _numpy_words(err) -> str:
    """A NumPy indexing error's text in PyTorch's words (dimension, not axis)."""
    return (str(err).replace("numpy.newaxis", "None").replace("arrays are", "tensors are")
            .replace("axis", "dimension"))


def convert_index(index, xp, op="getitem"):
    """A PyTorch-style index as a NumPy/CuPy one, and whether it is advanced."""
    if not isinstance(index, tuple):
        index = (index,)
    out, advanced = [], False
    for i in index:
        i, adv = _index_part(i, xp, op)
        advanced |= adv
        out.append(i)
    return tuple(out), advanced


class GetItem(Function):
    @staticmethod
    def forward(ctx, a, index, advanced):
        x = a.array
        ctx.args = (x.shape, x.dtype, index, advanced)
        try:
            return x[index]
        except IndexError as e:
            raise IndexError(f"getitem: {_numpy_words(e)} (tensor of shape {tuple(x.shape)})") \
                from None

    @staticmethod
    def backward(ctx, grad):
        shape, dtype, index, advanced = ctx.args
        return IndexPut.apply(grad, shape, index, advanced)


class ViewItem(GetItem):
    _view = True

    @staticmethod
    def forward(ctx, a, index, advanced):
        out = GetItem.forward(ctx, a, index, advanced)
        if not backend.is_array(out):  # x[i, j] gives a NumPy scalar (a copy): keep a view
            out = a.array[index + (Ellipsis,)]
        return out


class IndexPut(Function):
    """The adjoint of x[index]: the gradient placed into zeros of x's shape."""

    @staticmethod
    def forward(ctx, g, shape, index, advanced):
        xp = backend.array_module(g.array)
        out = xp.zeros(shape, dtype=g.array.dtype)
        ctx.args = (index, advanced)
        if advanced and _may_repeat(index):
            backend.index_add_at(out, index, g.array)
        else:
            out[index] = g.array
        return out

    @staticmethod
    def backward(ctx, grad):
        index, advanced = ctx.args
        return getitem_converted(grad, index, advanced)


def gpu_checked_index(shape, index, op):
    """On the GPU, integer index arrays in a converted `index` for an array of `shape`,
    checked against their dims' sizes at the next synchronisation (NumPy checks them at the
    indexing, CuPy would wrap silently) and clipped into range meanwhile. The error is
    NumPy's IndexError text in getitem's/setitem's words."""
    parts = [i for i in index if i is not None and i is not Ellipsis]
    taken = sum(i.ndim if hasattr(i, "dtype") and i.dtype.kind == "b" else 1 for i in parts)
    out, k = [], 0
    for i in index:
        if i is None:
            out.append(i)
            continue
        if i is Ellipsis:
            k += len(shape) - taken
            out.append(i)
            continue
        if hasattr(i, "dtype") and i.dtype.kind == "b":
            k += i.ndim
        elif hasattr(i, "dtype") and k < len(shape):
            n, axis = shape[k], k
            i = backend.check_index(i, -n, n, lambda low, high, i=i, n=n, axis=axis: IndexError(
                f"{op}: index {backend.first_outside(i, -n, n)} is out of bounds for dimension "
                f"{axis} with size {n} (tensor of shape {tuple(shape)})"))
            k += 1
        else:
            k += 1
        out.append(i)
    return tuple(out)


def _may_repeat(index):
    return any(hasattr(i, "dtype") and i.dtype.kind != "b" for i in index)


def getitem_converted(a, index, advanced):
    return (GetItem if advanced else ViewItem).apply(a, index, advanced)


def getitem(a, index):
    """x[index] as PyTorch indexes: basic indexing gives views; integer arrays and boolean
    masks copy; the gradient accumulates over repeated indices."""
    if type(index) is int and a.array.ndim:  # fast path: x[i]
        n = a.array.shape[0]
        if not -n <= index < n:
            raise IndexError(f"getitem: index {index} is out of bounds for dimension 0 with "
                             f"size {n}")
        return ViewItem.apply(a, (index,), False)
    xp = backend.array_module(a.array)
    index, advanced = convert_index(index, xp)
    if advanced and backend.defers_checks(a.array):
        index = gpu_checked_index(a.array.shape, index, "getitem")
    if advanced and any(_is_int_index(i) for i in index):
        # PyTorch applies integer indices first (as selects), then the tensor indices;
        # NumPy would broadcast the integers with the arrays and move the result dims
        # to the front whenever an integer and an array are separated by a slice.
        first, rest = _split_int_indices(index)
        a = getitem_converted(a, first, any(hasattr(i, "dtype") for i in first))
        index, advanced = rest, any(hasattr(i, "dtype") for i in rest)
    return getitem_converted(a, index, advanced)


def _is_int_index(i):
    if hasattr(i, "dtype"):
        return i.ndim == 0 and i.dtype.kind in "iu"
    return hasattr(i, "__index__") and not isinstance(i, bool)


def _split_int_indices(index):
    """(integer selects, the rest of the index for the selected tensor)."""
    first, rest = [], []
    for i in index:
        if _is_int_index(i):
            first.append(i)
        elif i is None:
            rest.append(i)
        elif i is Ellipsis:
            first.append(i)
            rest.append(i)
        else:  # a slice consumes one dim, a boolean mask one per mask dim
            n = i.ndim if hasattr(i, "dtype") and i.dtype.kind == "b" else 1
            first.extend([slice(None)] * n)
            rest.append(i)
    return tuple(first), tuple(rest)


# ----------------------------------------------------------------------------- gather, scatter
def _full_index(index, dim, xp):
    """Index arrays that address, for every element of `index`, position index[...] along
    `dim` and its own position along the other dims."""
    idx = []
    nd = index.ndim
    for k in range(nd):
        if k == dim:
            idx.append(index)
        else:
            shape = [1] * nd
            shape[k] = index.shape[k]
            idx.append(xp.arange(index.shape[k]).reshape(shape))
    return tuple(idx)


def _check_gather(a, dim, index, op):
    if not isinstance(index, Tensor) or index.array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected index to be an integer tensor, got "
                           f"{getattr(index, 'dtype', type(index).__name__)}")
    nd = a.array.ndim
    d = norm_dim(dim, nd, op)
    if index.array.ndim != nd and not (nd == 0 and index.array.ndim <= 1):
        raise RuntimeError(f"{op}: index tensor must have the same number of dimensions as "
                           f"input tensor ({nd}), got {index.array.ndim}")
    for k, (si, sx) in enumerate(zip(index.array.shape, a.array.shape)):
        if k != d and si > sx:
            raise RuntimeError(f"{op}: size of index {tuple(index.shape)} must not exceed "
                               f"the input's {tuple(a.shape)} in dimension {k}")
    return d


class Gather(Function):
    @staticmethod
    def forward(ctx, a, dim, index):
        x = a.array
        xp = backend.array_module(x)
        idx = _full_index(index.array, dim, xp)
        ctx.args = (x.shape, dim, index)
        try:
            return x[idx]
        except IndexError as e:
            raise RuntimeError(f"gather: index out of range: {e}") from None

    @staticmethod
    def backward(ctx, grad):
        shape, dim, index = ctx.args
        xp = backend.array_module(grad.array)
        zeros = _make(xp.zeros(shape, dtype=grad.array.dtype))
        return scatter_add(zeros, dim, index, grad), None, None


def _checked_index(a, d, index, op):
    """`index` checked against [0, size of dim d) as PyTorch checks gather/scatter indices
    (no wrap-around of negative ones): at once on the host, at the next synchronisation on
    the GPU, where it is clipped into range meanwhile (CuPy would wrap silently)."""
    arr = index.array
    n = a.array.shape[d] if a.array.ndim else 1
    out = backend.check_index(arr, 0, n, lambda low, high: RuntimeError(
        f"{op}: index {backend.first_outside(arr, 0, n)} is out of bounds for dimension "
        f"{d} with size {n}"))
    return index if out is arr else _make(out)


def flat_0d(a, dim, index, src, op):
    """PyTorch's gather and scatters read a 0-d self, index or src as 1-d of one element:
    when their ranks differ but none is above 1, the three reshaped to 1-d (dim checked
    against one dim); None otherwise."""
    nds = {t.array.ndim for t in (a, index, src) if isinstance(t, Tensor)}
    if len(nds) < 2 or builtins.max(nds) > 1 or not isinstance(index, Tensor):
        return None
    norm_dim(dim, 1, op)
    return tuple(reshape(t, (-1,)) if isinstance(t, Tensor) and t.array.ndim == 0 else t
                 for t in (a, index, src))


def gather(a, dim, index):
    """Same as torch.gather (a 0-d input or index next to a 1-d other reads as one element
    long, as in PyTorch; the result has the index's shape)."""
    flat = flat_0d(a, dim, index, None, "gather")
    if flat is not None:
        return reshape(gather(flat[0], 0, flat[1]), tuple(index.shape))
    d = _check_gather(a, dim, index, "gather")
    return Gather.apply(a, d, _checked_index(a, d, index, "gather"))


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        x = a.array
        xp = backend.array_module(x)
        idx = _full_index(index.array, dim, xp)
        ctx.args = (dim, index, src.array.shape)
        out = x.copy()
        s = src.array[tuple(slice(0, n) for n in index.array.shape)]
        try:
            backend.index_add_at(out, idx, s.astype(out.dtype, copy=False))
        except IndexError as e:
            raise RuntimeError(f"scatter_add: index out of range: {e}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, src_shape = ctx.args
        g_src = gather(grad, dim, index)
        if tuple(g_src.shape) != tuple(src_shape):
            g_src = pad_to(g_src, src_shape)
        return grad, None, None, g_src


def pad_to(g, shape):
    """Zero-pad `g` at the end of each dim up to `shape`."""
    widths = []
    for have, want in zip(reversed(g.shape), reversed(shape)):
        widths += [0, want - have]
    return constant_pad(g, widths)


def _check_src(index, src, op):
    if isinstance(src, Tensor) and (index.ndim != src.ndim or any(
            i > s for i, s in zip(index.shape, src.shape))):
        raise RuntimeError(f"{op}: expected index {tuple(index.shape)} to be no larger than "
                           f"src {tuple(src.shape)} in every dimension")


def scatter_add(a, dim, index, src):
    """Same as torch.scatter_add (0-d tensors as in `flat_0d`)."""
    flat = flat_0d(a, dim, index, src, "scatter_add")
    if flat is not None:
        return reshape(scatter_add(flat[0], 0, flat[1], flat[2]), tuple(a.shape))
    d = _check_gather(a, dim, index, "scatter_add")
    _check_src(index, src, "scatter_add")
    return ScatterAdd.apply(a, d, _checked_index(a, d, index, "scatter_add"), src)


class Scatter(Function):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        x = a.array
        xp = backend.array_module(x)
        idx = _full_index(index.array, dim, xp)
        out = x.copy()
        try:
            if isinstance(src, Tensor):
                out[idx] = src.array[tuple(slice(0, n) for n in index.array.shape)]
                ctx.args = (dim, index, src.array.shape, idx)
            else:
                out[idx] = src
                ctx.args = (dim, index, None, idx)
        except IndexError as e:
            raise RuntimeError(f"scatter: index out of range: {e}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, src_shape, idx = ctx.args
        mask = backend.array_module(grad.array).ones(grad.shape, dtype=bool)
        mask[idx] = False
        g_src = None
        if src_shape is not None:
            g_src = gather(grad, dim, index)
            if tuple(g_src.shape) != tuple(src_shape):
                g_src = pad_to(g_src, src_shape)
        return grad * mask, None, None, g_src


def scatter(a, dim, index, src=None, value=None):
    """Same as torch.scatter (src a tensor, or value a number)."""
    d = _check_gather(a, dim, index, "scatter")
    return Scatter.apply(a, d, _checked_index(a, d, index, "scatter"),
                         src if src is not None else value)


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, a, dim, index):
        x = a.array
        ctx.args = (x.shape, dim, index)
        return backend.array_module(x).take(x, index.array, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        shape, dim, index = ctx.args
        return IndexAddInto.apply(grad, shape, dim, index), None, None


class IndexAddInto(Function):
    """zeros(shape).index_add_(dim, index, g): the adjoint of index_select."""

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        xp = backend.array_module(g.array)
        out = xp.zeros(shape, dtype=g.array.dtype)
        ctx.args = (dim, index)
        backend.index_add_at(out, (slice(None),) * dim + (index.array,), g.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index = ctx.args
        return index_select(grad, dim, index)


def index_add_args(t, dim, index, source, op):
    """(dim, index) for index_add/index_add_, checked as PyTorch checks them: an int
    vector index within [0, size), one source slice per index, source's other dims t's."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected dtype int32/int64 for index, got "
                           f"{getattr(index, 'dtype', type(index).__name__)}")
    if index.array.ndim > 1:
        raise IndexError(f"{op}: index is supposed to be a vector, got shape "
                         f"{tuple(index.shape)}")
    if source.dtype != t.dtype:
        raise RuntimeError(f"{op}: self ({t.dtype}) and source ({source.dtype}) must have the "
                           "same dtype")
    d = norm_dim(dim, t.array.ndim, op)
    k = source.shape[d] if source.ndim else 1
    if index.array.size != k:
        raise RuntimeError(f"{op}: number of indices ({index.array.size}) should be equal "
                           f"to source.size(dim) ({k}), for dim {d}")
    if source.ndim != t.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t.shape, source.shape)) if j != d):
        raise RuntimeError(f"{op}: source tensor shape must match self tensor shape, "
                           f"excluding dim {d}: got self {tuple(t.shape)} and source "
                           f"{tuple(source.shape)}")
    return d, _checked_index(t, d, index.reshape(-1) if index.ndim == 0 else index, op)


def index_select(a, dim, index):
    """Same as torch.index_select."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select: expected index to be a Tensor, got "
                        f"{type(index).__name__}")
    if index.array.dtype.kind not in "iu":  # PyTorch: RuntimeError for the dtype
        raise RuntimeError("index_select: expected index to be a 1-d integer tensor, got "
                           f"{index.dtype} of shape {tuple(index.shape)}")
    if index.array.ndim > 1:  # and IndexError for the shape
        raise IndexError("index_select: expected index to be a 1-d integer tensor, got "
                         f"{getattr(index, 'dtype', type(index).__name__)} of shape "
                         f"{tuple(getattr(index, 'shape', ()))}")
    d = norm_dim(dim, a.array.ndim, "index_select")
    n = a.array.shape[d] if a.array.ndim else 1
    arr = index.array
    if n == 0 and arr.size:  # PyTorch: RuntimeError when selecting from an empty dim
        raise RuntimeError(f"index_select: cannot select from dimension {d} of size 0 "
                           f"(tensor of shape {tuple(a.shape)})")
    checked = backend.check_index(arr, 0, n, lambda low, high: IndexError(
        f"index_select: index {backend.first_outside(arr, 0, n)} is out of range for "
        f"dimension {d} of size {n}"))
    if checked is not arr:  # GPU: clipped into range while the check waits
        arr, index = checked, _make(checked)
    if a.array.ndim == 0:  # PyTorch: one index, a 0-d result
        if arr.size != 1:
            raise RuntimeError(f"index_select: index to a 0-d tensor can have only 1 value, "
                               f"got {arr.size} value(s)")
        return getitem(a, ())
    return IndexSelect.apply(a, d, index.reshape(-1) if arr.ndim == 0 else index)


def masked_fill(a, mask, value):
    """Same as torch.masked_fill: `mask` is a bool tensor broadcastable to `a`."""
    if not isinstance(mask, Tensor) or mask.array.dtype.kind != "b":
        raise RuntimeError(f"masked_fill: expected a bool mask, got "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    try:
        backend.broadcast_shapes(mask.array.shape, a.array.shape)
    except ValueError:
        raise RuntimeError(f"masked_fill: mask of shape {tuple(mask.shape)} cannot broadcast "
                           f"to the tensor's shape {tuple(a.shape)}") from None
    if isinstance(value, Tensor):
        if value.array.ndim != 0:
            raise RuntimeError("masked_fill: only supports a 0-dimensional value tensor, but "
                               f"got one of shape {tuple(value.shape)}")
        value = _ew.cast(value, a.dtype)
    elif a.array.dtype.kind in "iub" and isinstance(value, float):
        value = int(value) if a.array.dtype.kind != "b" else bool(value)
    out = _compare.where(mask, value, a)
    if tuple(out.shape) != tuple(a.shape):
        raise RuntimeError(f"masked_fill: mask of shape {tuple(mask.shape)} cannot broadcast "
                           f"to the tensor's shape {tuple(a.shape)}")
    return out


def where(condition, input=None, other=None):
    """Same as torch.where: where(condition, input, other) picks elementwise
    (ops.compare.where); where(condition) is nonzero(condition, as_tuple=True)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    return _compare.where(condition, input, other)


def nonzero(a, as_tuple=False):
    """Same as torch.nonzero."""
    x = a.array
    xp = backend.array_module(x)
    idx = xp.nonzero(x if x.ndim else x.reshape(1))
    if x.ndim == 0 and not as_tuple:  # PyTorch: (1, 0) or (0, 0), no coordinates
        return _make(xp.zeros((idx[0].shape[0], 0), dtype=backend.int64))
    if as_tuple:
        return tuple(_make(i.astype(backend.int64)) for i in idx)
    return _make(xp.stack(idx, axis=1).astype(backend.int64) if idx else
                 xp.zeros((0, 0), dtype=backend.int64))


# ----------------------------------------------------------------------------- repeats, unique
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Same as torch.repeat_interleave: each element (or slice along `dim`) repeated
    `repeats` times (an int, or one count per element); without `dim` the input is
    flattened first. `repeat_interleave(counts)` alone gives each index counts[i] times.
    Differentiable in the input (an index_select, whose backward sums the copies)."""
    op = "repeat_interleave"
    if repeats is None:  # the one-argument form: input holds the counts
        counts = input
        if counts.ndim != 1 or counts.array.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: repeats must be a 1-d integer tensor, got "
                               f"{counts.dtype} of shape {tuple(counts.shape)}")
        xp = backend.array_module(counts.array)
        base = _make(xp.arange(counts.shape[0], dtype=backend.int64))
        return repeat_interleave(base, counts, 0, output_size=output_size)
    if dim is None:
        input, d = reshape(input, (-1,)), 0
    else:
        d = norm_dim(dim, input.ndim, op)
    x = input.array
    xp = backend.array_module(x)
    n = x.shape[d] if x.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.array.dtype.kind not in "iu" or repeats.ndim > 1:
            raise RuntimeError(f"{op}: repeats must be a 0-d or 1-d integer tensor, got "
                               f"{repeats.dtype} of shape {tuple(repeats.shape)}")
        # the output's length is the sum of the counts: read back, as PyTorch does
        counts = backend.to_host(repeats.array).reshape(-1)
        if counts.size == 1:
            counts = counts.repeat(n)
        if counts.size != n:
            raise RuntimeError(f"{op}: repeats must have the same size as input along dim "
                               f"{d} ({counts.size} != {n})")
        if counts.size and counts.min() < 0:
            raise RuntimeError(f"{op}: repeats can not be negative")
    else:
        if isinstance(repeats, bool) or not isinstance(repeats, int):
            raise TypeError(f"{op}: repeats must be an int or a Tensor, got "
                            f"{type(repeats).__name__}")
        if repeats < 0:
            raise RuntimeError(f"{op}: repeats can not be negative")
        if output_size is not None and output_size != n * repeats:
            raise RuntimeError(f"{op}: output_size {output_size} does not match the sum of "
                               f"the repeats ({n * repeats})")
        return repeat_each(input if x.ndim else reshape(input, (1,)), repeats, d)
    idx = backend.to_device(backend.host_repeat(n, counts), backend.device_of(x))
    if output_size is not None and idx.shape[0] != output_size:
        raise RuntimeError(f"{op}: output_size {output_size} does not match the sum of the "
                           f"repeats ({idx.shape[0]})")
    if x.ndim == 0:
        input = reshape(input, (1,))
    return IndexSelect.apply(input, d, _make(idx))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Same as torch.unique: the distinct values in ascending order (of the flattened
    input, or the distinct slices along `dim`), optionally with the inverse indices and
    the counts (int64). Not differentiable, as in PyTorch."""
    x = input.array
    xp = backend.array_module(x)
    if dim is not None:
        d = norm_dim(dim, x.ndim, "unique")
        res = xp.unique(x, return_inverse=True, return_counts=True, axis=d)
    else:
        res = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True)
    values, inverse, counts = res
    if dim is None:
        inverse = inverse.reshape(x.shape)
    else:
        inverse = inverse.reshape(-1)
    out = (_make(values),)
    if return_inverse:
        out += (_make(inverse.astype(backend.int64, copy=False)),)
    if return_counts:
        out += (_make(counts.astype(backend.int64, copy=False)),)
    return out[0] if len(out) == 1 else out
