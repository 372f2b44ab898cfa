"""The rest of PyTorch's indexing/scatter family: take, take_along_dim, masked_select,
masked_scatter, index_fill, index_copy, index_put, put, scatter with `reduce`,
scatter_reduce, and their in-place forms. Built on index.py's gather/scatter machinery."""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import elementwise as _ew
from . import index as _index
from . import inplace as _inplace
from .shape import broadcast_to, norm_dim, reshape


# ----------------------------------------------------------------------------- helpers
def _require_long(index, op, exc=RuntimeError):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: expected index to be a Tensor, got {type(index).__name__}")
    if index.array.dtype != backend.int64:
        raise exc(f"{op}: expected a long tensor for index, got {index.dtype}")


def _in_range(arr, n, make_error):
    """`arr` checked against [-n, n): at once on the host, at the next synchronisation on
    the GPU (clipped into range meanwhile). make_error(bad) gets the first bad index."""
    return backend.check_index(arr, -n, n, lambda low, high: make_error(
        backend.first_outside(arr, -n, n)))


def _same_dtype(a, b, op):
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(f"{op}: expected self and source to have the same dtype, got "
                           f"{a.dtype} and {b.dtype}")


def _inplace_result(t, op, result, *others):
    """Write `result` into `t` by Ember's in-place rules (leaf check, history, version)."""
    if _inplace._needs_graph(t, *others):
        return _inplace._write(t, result, op)
    if tuple(result.shape) != tuple(t.shape):
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the "
                           f"broadcast shape {tuple(result.shape)}")
    t.array[...] = result.array
    t._version[0] += 1
    return t


# ----------------------------------------------------------------------------- take
def take(input, index):
    """Same as torch.take: input read as 1-d at `index`; the output has index's shape."""
    _require_long(index, "take")
    n = input.array.size
    arr = _in_range(index.array, n, lambda bad: IndexError(
        f"take: out of range: tried to access index {bad} on a tensor of {n} elements"))
    return _index.getitem_converted(reshape(input, (-1,)), (arr,), True)


def take_along_dim(input, indices, dim=None, *, _low=None):
    """Same as torch.take_along_dim: gather after broadcasting input and indices in every
    dim but `dim` (without dim: both flattened). As in PyTorch, negative indices count
    from the end along a given dim, but not in the flattened case."""
    op = "take_along_dim"
    _require_long(indices, op)
    if dim is None:
        return take_along_dim(reshape(input, (-1,)), reshape(indices, (-1,)), 0, _low=0)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"{op}: input and indices should have the same number of "
                           f"dimensions, got {input.ndim} and {indices.ndim}")
    d = norm_dim(dim, input.ndim, op)
    in_shape, idx_shape = list(input.shape), list(indices.shape)
    in_shape[d] = idx_shape[d] = 1
    try:
        shape = list(backend.broadcast_shapes(tuple(in_shape), tuple(idx_shape)))
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(input.shape)} and {tuple(indices.shape)} "
                           f"cannot broadcast outside dim {d}") from None
    xp = backend.array_module(indices.array)
    n = input.shape[d] if input.ndim else 1
    arr, lo = indices.array, -n if _low is None else _low
    arr = backend.check_index(arr, lo, n, lambda low, high: RuntimeError(
        f"{op}: index {backend.first_outside(arr, lo, n)} is out of bounds for dimension "
        f"{d} with size {n}"))
    if lo < 0:
        arr = xp.where(arr < 0, arr + n, arr)
    src = broadcast_to(input, tuple(shape[:d] + [n] + shape[d + 1:])) if input.ndim else input
    idx_full = tuple(shape[:d] + [indices.shape[d] if indices.ndim else 1] + shape[d + 1:])
    arr = xp.broadcast_to(arr, idx_full) if input.ndim else arr.reshape(-1)
    if not input.ndim:
        return reshape(_index.Gather.apply(reshape(src, (1,)), 0, _make(arr)), ())
    return _index.Gather.apply(src, d, _make(arr))


# ----------------------------------------------------------------------------- masks
def _bool_mask(mask, op):
    if not isinstance(mask, Tensor) or mask.array.dtype.kind != "b":
        raise RuntimeError(f"{op}: expected a bool mask, got "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")


def _broadcast_shape(a, b, op):
    try:
        return tuple(backend.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot "
                           f"broadcast") from None


def masked_select(input, mask):
    """Same as torch.masked_select: the elements where the broadcast mask is True, as a 1-d
    tensor (its length is data: on the GPU the boolean indexing waits for it)."""
    _bool_mask(mask, "masked_select")
    shape = _broadcast_shape(input, mask, "masked_select")
    xp = backend.array_module(input.array)
    m = xp.broadcast_to(mask.array, shape)
    return _index.getitem_converted(broadcast_to(input, shape), (m,), True)


def masked_scatter(input, mask, source):
    """Same as torch.masked_scatter: input (broadcast with mask) with the True positions
    filled, in order, by source's leading elements. No host read-back: the k-th True takes
    source.flatten()[k], k from a cumulative sum of the mask."""
    op = "masked_scatter"
    _bool_mask(mask, op)
    _same_dtype(input, source, op)
    shape = _broadcast_shape(input, mask, op)
    xp = backend.array_module(input.array)
    m = xp.broadcast_to(mask.array, shape).reshape(-1)
    k = xp.cumsum(m, dtype=backend.int64) - 1  # the source element each True takes
    n = source.array.size
    count = k[-1] + 1 if k.size else xp.asarray(0)
    backend.check(count > n, lambda: RuntimeError(
        f"{op}: expected source to have at least as many elements as ones in mask, got "
        f"{n} elements"))
    mask_t = _make(m.reshape(shape))
    if n == 0:  # nothing to take: only an all-False mask is valid
        return _compare.where(mask_t, _ew.mul(broadcast_to(input, shape), 0), input)
    picked = _index.IndexSelect.apply(reshape(source, (-1,)), 0, _make(xp.clip(k, 0, n - 1)))
    return _compare.where(mask_t, reshape(picked, shape), input)


def masked_scatter_(t, mask, source):
    """Same as torch.Tensor.masked_scatter_ (the mask broadcasts to t's shape)."""
    _inplace._check_leaf(t, "masked_scatter_")
    _bool_mask(mask, "masked_scatter_")
    if _broadcast_shape(t, mask, "masked_scatter_") != tuple(t.shape):
        raise RuntimeError(f"masked_scatter_: mask of shape {tuple(mask.shape)} cannot "
                           f"broadcast to the tensor's shape {tuple(t.shape)}")
    return _inplace_result(t, "masked_scatter_", masked_scatter(t, mask, source), source)


# ----------------------------------------------------------------------------- index_*
def _dim_index(input, dim, index, op, low=None):
    """(dim, index array checked against [low, size), size) for the index_* ops; low
    -size by default (index_fill wraps negative indices, index_copy does not)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: expected index to be a Tensor, got {type(index).__name__}")
    if index.array.dtype != backend.int64:
        raise (IndexError if op.startswith("index_fill") else RuntimeError)(
            f"{op}: expected a long tensor for index, got {index.dtype}")
    if index.array.ndim > 1:
        raise (RuntimeError if op.startswith("index_fill") else IndexError)(
            f"{op}: expected index to be a vector or a scalar, got shape "
            f"{tuple(index.shape)}")
    d = norm_dim(dim, input.ndim, op)
    n = input.shape[d] if input.ndim else 1
    lo = -n if low is None else low
    arr = index.array
    arr = backend.check_index(arr, lo, n, lambda low, high: IndexError(
        f"{op}: index {backend.first_outside(arr, lo, n)} is out of bounds for dimension "
        f"{d} with size {n}"))
    return d, arr.reshape(-1), n


def _dim_mask(xp, arr, d, n, ndim):
    """A bool array, True at positions `arr` of dim d, shaped to broadcast over ndim dims."""
    mask = xp.zeros(n, dtype=bool)
    mask[arr] = True
    return mask.reshape((n,) + (1,) * (ndim - d - 1)) if ndim else mask.reshape(())


def index_fill(input, dim, index, value):
    """Same as torch.index_fill; value a number or a 0-d tensor (differentiable)."""
    op = "index_fill"
    d, arr, n = _dim_index(input, dim, index, op)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"{op}: only supports a 0-dimensional value tensor, got one "
                           f"with {value.ndim} dimension(s)")
    mask = _dim_mask(backend.array_module(input.array), arr, d, n, input.ndim)
    return _index.masked_fill(input, _make(mask), value)


def index_fill_(t, dim, index, value):
    """Same as torch.Tensor.index_fill_."""
    _inplace._check_leaf(t, "index_fill_")
    return _inplace_result(t, "index_fill_", index_fill(t, dim, index, value), value)


class IndexCopy(Function):
    """out = a with out.select(dim, index[i]) = source.select(dim, i)."""

    @staticmethod
    def forward(ctx, a, dim, index, source):
        out = a.array.copy()
        out[(slice(None),) * dim + (index.array,)] = source.array
        ctx.args = (dim, index)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index = ctx.args
        n = grad.shape[dim]
        mask = _dim_mask(backend.array_module(grad.array), index.array, dim, n, grad.ndim)
        return (_index.masked_fill(grad, _make(mask), 0), None, None,
                _index.IndexSelect.apply(grad, dim, index))


def index_copy(input, dim, index, source):
    """Same as torch.index_copy (with repeated indices the last copy wins here; PyTorch
    leaves that unspecified)."""
    op = "index_copy"
    d, arr, _ = _dim_index(input, dim, index, op, low=0)
    _same_dtype(input, source, op)
    if input.ndim == 0 or source.ndim == 0:
        return reshape(index_copy(reshape(input, (-1,)), 0, index, reshape(source, (-1,))),
                       tuple(input.shape))
    k = source.shape[d] if source.ndim > d else 1
    if arr.shape[0] != k:
        raise IndexError(f"{op}: number of indices ({arr.shape[0]}) should be equal to "
                         f"source.size(dim) ({k})")
    want = tuple(input.shape[:d]) + (k,) + tuple(input.shape[d + 1:])
    if tuple(source.shape) != want:
        raise RuntimeError(f"{op}: expected source of shape {want}, got "
                           f"{tuple(source.shape)}")
    return IndexCopy.apply(input, d, _make(arr), source)


def index_copy_(t, dim, index, source):
    """Same as torch.Tensor.index_copy_."""
    _inplace._check_leaf(t, "index_copy_")
    return _inplace_result(t, "index_copy_", index_copy(t, dim, index, source), source)


def _put_index(input, indices, values, op):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}: expected indices to be a tuple of Tensors, got "
                        f"{type(indices).__name__}")
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"{op}: expected a Tensor as element {k} of indices, got "
                            f"{type(i).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"{op}: expected values to be a Tensor, got {type(values).__name__}")
    if values.array.dtype != input.array.dtype:
        raise RuntimeError(f"{op}: expected values of the tensor's dtype {input.dtype}, got "
                           f"{values.dtype}")
    xp = backend.array_module(input.array)
    idx, _ = _index.convert_index(tuple(indices), xp, op)
    try:
        idx = _index.gpu_checked_index(tuple(input.shape), idx, op)
        target = xp.broadcast_to(xp.zeros((), dtype=bool), tuple(input.shape))[idx].shape
    except IndexError as e:
        msg = str(e)
        raise IndexError(msg if msg.startswith(op) else f"{op}: {msg}") from None
    try:
        backend.broadcast_shapes(tuple(values.shape), target)
        if len(values.shape) > len(target) or backend.broadcast_shapes(
                tuple(values.shape), target) != tuple(target):
            raise ValueError
    except ValueError:
        raise RuntimeError(f"{op}: shape mismatch: value tensor of shape "
                           f"{tuple(values.shape)} cannot be broadcast to indexing result "
                           f"of shape {tuple(target)}") from None
    return idx, tuple(target)


def index_put(input, indices, values, accumulate=False):
    """Same as torch.index_put: input with input[indices] = values (or += with
    accumulate, repeated indices adding up)."""
    idx, target = _put_index(input, indices, values, "index_put")
    if accumulate:
        placed = _index.IndexPut.apply(broadcast_to(values, target), tuple(input.shape), idx,
                                       True)
        return _ew.add(input, placed)
    return _inplace.SetItem.apply(input, idx, True, values)


def index_put_(t, indices, values, accumulate=False):
    """Same as torch.Tensor.index_put_."""
    _inplace._check_leaf(t, "index_put_")
    return _inplace_result(t, "index_put_", index_put(t, indices, values, accumulate), values)


def put(input, index, source, accumulate=False):
    """Same as torch.put: index_put on the input read as 1-d."""
    op = "put"
    _require_long(index, op)
    if index.array.size != source.array.size:
        raise IndexError(f"{op}: expected source and index to have the same number of "
                         f"elements, got source.numel() = {source.array.size}, "
                         f"index.numel() = {index.array.size}")
    n = input.array.size
    arr = _in_range(index.array, n, lambda bad: IndexError(
        f"{op}: out of range: tried to access index {bad} on a tensor of {n} elements"))
    flat = index_put(reshape(input, (-1,)), (_make(arr.reshape(-1)),),
                     reshape(source, (-1,)), accumulate)
    return reshape(flat, tuple(input.shape))


def put_(t, index, source, accumulate=False):
    """Same as torch.Tensor.put_."""
    _inplace._check_leaf(t, "put_")
    return _inplace_result(t, "put_", put(t, index, source, accumulate), source)


# ----------------------------------------------------------------------------- scatter
def _scatter_args(input, dim, index, src, op):
    """dim and the index (checked, on the GPU clipped) for scatter-like ops."""
    d = _index._check_gather(input, dim, index, op)
    if isinstance(src, Tensor):
        if src.array.dtype != input.array.dtype:
            raise RuntimeError(f"{op}: expected self.dtype to be equal to src.dtype, got "
                               f"{input.dtype} and {src.dtype}")
        if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
            raise RuntimeError(f"{op}: expected index {tuple(index.shape)} to be no larger "
                               f"than src {tuple(src.shape)} in every dimension")
    return d, _index._checked_index(input, d, index, op)


def _leading(src, index):
    """src cut down to index's shape (a differentiable view; src itself when equal)."""
    if tuple(src.shape) == tuple(index.shape):
        return src
    return _index.getitem(src, tuple(slice(0, n) for n in index.shape))


class ScatterWithReduce(Function):
    """scatter(..., reduce='add'|'multiply'): forward only, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce):
        xp = backend.array_module(a.array)
        out = a.array.copy()
        s = src.array if isinstance(src, Tensor) else xp.full(index.array.shape, src,
                                                               dtype=out.dtype)
        try:
            backend.reduce_at("add" if reduce == "add" else "multiply", out,
                              _index._full_index(index.array, dim, xp), s)
        except IndexError as e:
            raise RuntimeError(f"scatter: index out of range: {e}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("scatter: the derivative of scatter with reduce is not "
                           "implemented; use scatter_reduce")


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Same as torch.scatter: src a tensor or value a number (also given positionally),
    reduce None, 'add' or 'multiply' (not differentiable, as in PyTorch)."""
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter: expected src (a Tensor) or value (a number)")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"scatter: reduce argument must be either add or multiply, got "
                           f"{reduce!r}")
    flat = _index.flat_0d(input, dim, index, src, "scatter")
    if flat is not None:
        return reshape(scatter(flat[0], 0, flat[1], flat[2], value, reduce=reduce),
                       tuple(input.shape))
    d, index = _scatter_args(input, dim, index, src, "scatter")
    if reduce is None:
        return _index.Scatter.apply(input, d, index, src if src is not None else value)
    src = _leading(src, index) if src is not None else value
    return ScatterWithReduce.apply(input, d, index, src, reduce)


def scatter_(t, dim, index, src=None, value=None, *, reduce=None):
    """Same as torch.Tensor.scatter_."""
    _inplace._check_leaf(t, "scatter_")
    result = scatter(t, dim, index, src, value, reduce=reduce)
    return _inplace_result(t, "scatter_", result, src)


_REDUCE = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
           "amin": "minimum", "max": "maximum", "min": "minimum"}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    big = float("inf") if backend.is_floating(dtype) else backend.iinfo(dtype).max
    return -big if reduce in ("amax", "max") else big


class ScatterReduce(Function):
    """scatter_reduce with src of index's shape; backward as PyTorch's (ties of amax/amin
    share the gradient evenly, prod's gradient exact with one zero per target)."""
    save_output = True

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce, include_self):
        x = a.array
        xp = backend.array_module(x)
        idx = _index._full_index(index.array, dim, xp)
        out = x.copy()
        if not include_self:
            out[idx] = _identity(reduce, x.dtype)
        try:
            backend.reduce_at(_REDUCE[reduce], out, idx, src.array)
        except IndexError as e:
            raise RuntimeError(f"scatter_reduce: index out of range: {e}") from None
        if reduce == "mean":
            count = xp.full(x.shape, 1 if include_self else 0, dtype=x.dtype)
            backend.index_add_at(count, idx, xp.ones(index.array.shape, dtype=x.dtype))
            count = xp.maximum(count, 1)
            out = out / count if backend.is_floating(x.dtype) else out // count
        ctx.save_for_backward(a, src)
        ctx.args = (dim, index, reduce, include_self)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, src = ctx.saved_tensors
        dim, index, reduce, include_self = ctx.args
        result = ctx.output
        xp = backend.array_module(grad.array)
        idx = _index._full_index(index.array, dim, xp)

        def gather(t):
            return _index.Gather.apply(t, dim, index)

        if reduce == "sum":
            grad_a, grad_src = grad, gather(grad)
        elif reduce == "mean":
            count = xp.full(grad.shape, 1 if include_self else 0, dtype=grad.array.dtype)
            backend.index_add_at(count, idx, xp.ones(index.array.shape, dtype=count.dtype))
            count = xp.maximum(count, 1)
            grad_a, grad_src = grad / _make(count), gather(grad) / _make(count[idx])
        elif reduce == "prod":
            grad_a, grad_src = _prod_grads(grad, a, src, result, dim, index, include_self,
                                           idx, gather)
        else:  # amax/amin: split evenly among every element equal to the result
            value = result.array[idx]
            a_is = (a.array == result.array).astype(grad.array.dtype)
            src_is = (src.array == value).astype(grad.array.dtype)
            share = a_is.copy()
            backend.index_add_at(share, idx, src_is)
            shared = grad / _make(share)
            grad_a, grad_src = shared * _make(a_is), gather(shared) * _make(src_is)
        if not include_self:
            grad_a = _index.Scatter.apply(grad_a, dim, index, 0)
        return grad_a, None, None, grad_src, None, None


def _prod_grads(grad, a, src, result, dim, index, include_self, idx, gather):
    """d prod / d x = the product of the others: result / x where x != 0, the product
    recomputed with x replaced by 1 where x is the only zero (more zeros: 0)."""
    xp = backend.array_module(grad.array)
    a_safe = _compare.where(_make(a.array == 0), 1.0, a)
    without_a = ScatterReduce.apply(a_safe, dim, index, src, "prod", include_self)
    grad_a = grad * without_a / a_safe
    src_zero = src.array == 0
    zeros = xp.zeros(grad.shape, dtype=backend.int64)
    backend.index_add_at(zeros, idx, src_zero.astype(backend.int64))
    single = _make(src_zero & (zeros[idx] == 1))
    src_one = _compare.where(single, 1.0, src)
    without_src = ScatterReduce.apply(a, dim, index, src_one, "prod", include_self)
    grad_src = _compare.where(single, gather(grad * without_src),
                              gather(grad * result) / _compare.where(_make(src_zero), 1.0, src))
    return grad_a, grad_src


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Same as torch.scatter_reduce: reduce 'sum', 'prod', 'mean', 'amax' or 'amin' over
    the values scattered to each position (and the input's own with include_self)."""
    if reduce not in _REDUCE:
        raise RuntimeError(f"scatter_reduce: reduce argument must be either sum, prod, mean, "
                           f"amax or amin, got {reduce}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce: expected src to be a Tensor, got "
                        f"{type(src).__name__}")
    flat = _index.flat_0d(input, dim, index, src, "scatter_reduce")
    if flat is not None:
        return reshape(scatter_reduce(flat[0], 0, flat[1], flat[2], reduce,
                                      include_self=include_self), tuple(input.shape))
    d, index = _scatter_args(input, dim, index, src, "scatter_reduce")
    return ScatterReduce.apply(input, d, index, _leading(src, index), reduce,
                               bool(include_self))


def scatter_reduce_(t, dim, index, src, reduce, *, include_self=True):
    """Same as torch.Tensor.scatter_reduce_."""
    _inplace._check_leaf(t, "scatter_reduce_")
    result = scatter_reduce(t, dim, index, src, reduce, include_self=include_self)
    return _inplace_result(t, "scatter_reduce_", result, src)
