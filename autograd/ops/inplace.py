"""In-place ops (`add_`, `mul_`, `x[i] = v`, `fill_`, `uniform_`, ...).

Without a graph to record they write into the array directly. When the graph is
recorded (the tensor or the other operand requires grad), the out-of-place op is run
and its result is written into the tensor's storage, whose history is then rebased onto
the new node, as PyTorch does. Every write bumps the version counter, so a backward that
needs the old values raises instead of computing with the new ones.
"""
from __future__ import annotations

from .. import backend
from ..creation import tensor, to_device
from ..function import Function, _mode
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _leaf_inplace_error, _make
from . import compare as _compare
from . import elementwise as _ew
from . import index as _index
from .reduce import sum_to

_KIND = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _check_leaf(t, op):
    if not _mode.enabled:
        return
    if t.requires_grad and t.grad_fn is None:
        raise _leaf_inplace_error(op)
    base = t._view_base
    if base is not None and base.requires_grad and base.grad_fn is None:
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being used "
                           "in an in-place operation; do it under no_grad(), or clone() first")


def _check_cast(t, result, op):
    """The one in-place dtype rule (torch.can_cast): a result of a higher dtype category
    than t (float into an integer tensor, complex into a float one, anything but bool into
    a bool one) is refused; a lower precision of the same category is written."""
    if _KIND[backend.kind(result.array.dtype)] > _KIND[backend.kind(t.array.dtype)]:
        raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the desired "
                           f"output type {t.dtype}")


def _needs_graph(t, *others):
    if not _mode.enabled:
        return False
    return t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)


def _write(t, result, op):
    """Write `result` (a Tensor) into `t`'s storage and make it `t`'s new history."""
    _check_cast(t, result, op)
    if tuple(result.shape) != tuple(t.shape):
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the "
                           f"broadcast shape {tuple(result.shape)}")
    node = result.grad_fn
    if node is not None and node.saved and any(s is t for s in node.saved):
        _snapshot_saved(node, t)
    try:
        t.array[...] = result.array
    except ValueError as e:  # a read-only broadcast view
        raise RuntimeError(f"{op}: unsupported operation: {e}") from None
    t._version[0] += 1
    node = result.grad_fn
    if node is not None:
        t.grad_fn = node
        t.requires_grad = True
        t._nr = result._nr
        if node._out is not None and node._n_out == 1:  # the saved output is now `t`
            node._out = t.array
            node._out_version = t._version
            node._out_at = t._version[0]
        if t._view_base is not None:
            _rebase_base(t._view_base, t, op)
    return t


def _rebase_base(base, view, op):
    """After an in-place op on `view`, give its base the history base_old with the
    view's elements replaced by the view's new values (PyTorch's CopySlices)."""
    xp = backend.array_module(base.array)
    b, v = base.array, view.array
    if not b.flags.c_contiguous:
        raise RuntimeError(f"{op}: expected the base of an in-place modified view to be "
                           f"contiguous, got strides {b.strides}; clone() the base first")
    # flat positions in `base` of the view's elements, from the view's memory layout
    pos = xp.full(v.shape, (backend.data_ptr(v) - backend.data_ptr(b)) // b.itemsize,
                  dtype=backend.int64)
    for k, (n, st) in enumerate(zip(v.shape, v.strides)):
        shape = [1] * v.ndim
        shape[k] = n
        pos = pos + xp.arange(n).reshape(shape) * (st // b.itemsize)
    idx, advanced = _index.convert_index(pos.reshape(-1), xp, op)
    with_view = SetItem.apply(base.reshape(-1), idx, advanced, view.reshape(-1))
    node = with_view.reshape(tuple(b.shape)).grad_fn
    if node is not None:  # values are already in base's storage: only the history moves
        base.grad_fn = node
        base.requires_grad = True
        base._nr = 0


def _snapshot_saved(node, t):
    """The op that computed t's new value saved t itself (y *= x needs the old y): keep
    a copy of the old values with t's old history, as PyTorch saves `original self`."""
    old = _make(t.array.copy())
    old.requires_grad, old.grad_fn, old._nr = t.requires_grad, t.grad_fn, t._nr
    node._versions = tuple(0 if s is t else v for s, v in zip(node.saved, node._versions))
    node.saved = tuple(old if s is t else s for s in node.saved)


def _binary_(t, other, op, out_of_place, direct):
    _check_leaf(t, op)
    if _needs_graph(t, other):
        return _write(t, out_of_place(t, other), op)
    x = t.array
    y = other.array if isinstance(other, Tensor) else other
    if isinstance(other, Tensor) and type(y) is not type(x):
        raise RuntimeError(f"{op}: expected both tensors on one device, got {t.device} and "
                           f"{other.device}")
    try:
        direct(x, y)
    except TypeError:  # NumPy's casting error (e.g. int64 += float)
        dt = backend.result_type(x, y)
        raise RuntimeError(f"{op}: result type {dt} can't be cast to the desired output type "
                           f"{x.dtype}") from None
    except ValueError:
        raise RuntimeError(f"{op}: output with shape {tuple(x.shape)} doesn't match the "
                           f"broadcast shape of {tuple(x.shape)} and "
                           f"{tuple(getattr(y, 'shape', ()))}") from None
    t._version[0] += 1
    return t


def _iadd(x, y):
    x += y


def _isub(x, y):
    x -= y


def _imul(x, y):
    x *= y


def _idiv(x, y):
    if x.dtype.kind in "biu":
        raise TypeError
    x /= y


def _ipow(x, y):
    x **= y


def add_(t, other, alpha=1):
    """Same as torch.Tensor.add_."""
    if alpha != 1:
        other = other * alpha
    return _binary_(t, other, "add_", _ew.add, _iadd)


def sub_(t, other, alpha=1):
    """Same as torch.Tensor.sub_."""
    if alpha != 1:
        other = other * alpha
    return _binary_(t, other, "sub_", _ew.sub, _isub)


def mul_(t, other):
    """Same as torch.Tensor.mul_."""
    return _binary_(t, other, "mul_", _ew.mul, _imul)


def div_(t, other):
    """Same as torch.Tensor.div_."""
    return _binary_(t, other, "div_", _ew.div, _idiv)


def pow_(t, other):
    """Same as torch.Tensor.pow_."""
    return _binary_(t, other, "pow_", _ew.pow, _ipow)


def unary_(t, fn, op):
    """t = fn(t) in place (exp_, relu_, ...)."""
    _check_leaf(t, op)
    result = fn(t)
    _check_cast(t, result, op)
    if tuple(result.shape) != tuple(t.shape):  # a tensor argument broadcast it bigger
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the "
                           f"broadcast shape {tuple(result.shape)}")
    if not _needs_graph(t):
        t.array[...] = result.array
        t._version[0] += 1
        return t
    return _write(t, result, op)


def math_(t, op, fn, *args):
    """t = fn(t, *args) in place, for the special maths (atan2_, lgamma_, ...; also
    `special.inplace`); like PyTorch, a result of a higher dtype category than t (float
    maths on an integer tensor) is an error."""
    result = fn(t, *args)
    return unary_(t, lambda _: result, op)


def view_(t, view, op):
    """t becomes `view` (t.squeeze(), t.t(), ... computed from t) in place: the same
    storage seen with the view's shape and strides, and the view's history, as PyTorch's
    squeeze_/t_/transpose_ (a leaf that requires grad refuses, in grad mode)."""
    _check_leaf(t, op)
    t.array = view.array
    t._version[0] += 1
    if view.grad_fn is not None:
        t.grad_fn, t._nr = view.grad_fn, view._nr
    return t


def clamp_(t, min=None, max=None):
    """Same as torch.Tensor.clamp_."""
    return unary_(t, lambda x: _compare.clamp(x, min, max), "clamp_")


def zero_(t):
    """Same as torch.Tensor.zero_."""
    return fill_(t, 0)


def fill_(t, value):
    """Same as torch.Tensor.fill_."""
    _check_leaf(t, "fill_")
    if _needs_graph(t, value):  # t's old history gets a zero gradient, as in PyTorch
        return _write(t, _replaced(t, value), "fill_")
    t.array[...] = value.array if isinstance(value, Tensor) else value
    t._version[0] += 1
    return t


def _replaced(t, value):
    """`value` broadcast to t's shape and dtype, recorded as a function of t (gradient
    zero) and of value."""
    if isinstance(value, Tensor):
        value = _ew.cast(value, t.dtype)
    never = _make(backend.array_module(t.array).zeros(t.array.shape, dtype=bool))
    return _compare.where(never, t, value)


def copy_(t, src):
    """Same as torch.Tensor.copy_: broadcasts `src`, converts its dtype and device."""
    _check_leaf(t, "copy_")
    if not isinstance(src, Tensor):
        src = tensor(src)
    if src.device != t.device:
        src = to_device(src, t.device)
    if _needs_graph(t, src):
        return _write(t, _replaced(t, src), "copy_")
    try:
        t.array[...] = src.array
    except ValueError:
        raise RuntimeError(f"copy_: the source of shape {tuple(src.shape)} cannot broadcast "
                           f"to the destination's shape {tuple(t.shape)}") from None
    t._version[0] += 1
    return t


def masked_fill_(t, mask, value):
    """Same as torch.Tensor.masked_fill_."""
    _check_leaf(t, "masked_fill_")
    if _needs_graph(t, value):
        return _write(t, _index.masked_fill(t, mask, value), "masked_fill_")
    out = _index.masked_fill(t, mask, value)
    t.array[...] = out.array
    t._version[0] += 1
    return t


def index_add_(t, dim, index, source, alpha=1):
    """Same as torch.Tensor.index_add_."""
    _check_leaf(t, "index_add_")
    d, index = _index.index_add_args(t, dim, index, source, "index_add_")
    return add_(t, _index_added(t, d, index, source, alpha))


def index_add(t, dim, index, source, *, alpha=1):
    """Same as torch.index_add: t with alpha * source added at `index` along `dim`."""
    d, index = _index.index_add_args(t, dim, index, source, "index_add")
    return t + _index_added(t, d, index, source, alpha)


def _index_added(t, d, index, source, alpha):
    """What index_add adds to t (a 0-d t takes a 0-d source at index 0, as PyTorch)."""
    src = _ew.cast(source * alpha if alpha != 1 else source, t.dtype)
    return src if t.ndim == 0 else _index.IndexAddInto.apply(src, tuple(t.shape), d, index)


def scatter_add_(t, dim, index, src):
    """Same as torch.Tensor.scatter_add_."""
    _check_leaf(t, "scatter_add_")
    result = _index.scatter_add(t, dim, index, src)
    if _needs_graph(t, src):
        return _write(t, result, "scatter_add_")
    t.array[...] = result.array
    t._version[0] += 1
    return t


# ----------------------------------------------------------------------------- x[index] = v
class SetItem(Function):
    """out = x with out[index] = value; gradients: x's outside index, value's summed."""

    @staticmethod
    def forward(ctx, a, index, advanced, value):
        out = a.array.copy()
        v = value.array if isinstance(value, Tensor) else value
        view, idx = _target(out, index)
        view[idx] = v
        ctx.args = (index, advanced, value.array.shape if isinstance(value, Tensor) else None,
                    value.array.dtype if isinstance(value, Tensor) else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        index, advanced, vshape, vdtype = ctx.args
        xp = backend.array_module(grad.array)
        mask = xp.ones(grad.shape, dtype=bool)
        view, idx = _target(mask, index)
        view[idx] = False
        ga = grad * mask
        gv = None
        if vshape is not None:
            if isinstance(index, _TwoStep):
                g = _index.getitem_converted(grad, index.first, False)
                g = _index.getitem_converted(g, index.rest, advanced)
            else:
                g = _index.getitem_converted(grad, index, advanced)
            gv = sum_to(g, vshape)
            if gv.dtype != vdtype:
                gv = _ew.cast(gv, vdtype)
        return ga, None, None, gv


class _TwoStep:
    """An index applied in two steps: integer selects (a view), then the rest."""

    def __init__(self, first, rest):
        self.first, self.rest = first, rest


def _target(arr, index):
    """(the array to write into, the index to write at) for a plain or two-step index."""
    if isinstance(index, _TwoStep):
        return arr[index.first], index.rest
    return arr, index


def setitem(t, index, value):
    """t[index] = value (the value may be a number, an array or a Tensor)."""
    _check_leaf(t, "setitem")
    xp = backend.array_module(t.array)
    idx, advanced = _index.convert_index(index, xp, "setitem")
    if advanced and backend.defers_checks(t.array):
        idx = _index.gpu_checked_index(t.array.shape, idx, "setitem")
    if advanced and any(_index._is_int_index(i) for i in idx):
        # as in getitem: integers select first (PyTorch), so the write goes into a view
        first, rest = _index._split_int_indices(idx)
        first = tuple(int(i) if hasattr(i, "dtype") else i for i in first)
        idx = _TwoStep(first, rest)
    if isinstance(value, Tensor) and type(value.array) is not type(t.array):
        raise RuntimeError(f"setitem: value is on {value.device} but the tensor is on "
                           f"{t.device}")
    if _needs_graph(t, value):
        if isinstance(value, Tensor):
            value = _ew.cast(value, t.dtype)
        return _write(t, SetItem.apply(t, idx, advanced, value), "setitem")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"setitem: can't assign a {type(value).__name__} to a tensor of dtype "
                        f"{t.dtype}")
    v = value.array if isinstance(value, Tensor) else value
    try:
        view, idx = _target(t.array, idx)
        view[idx] = v
    except ValueError as e:
        raise RuntimeError(f"setitem: {e} (tensor of shape {tuple(t.shape)})") from None
    except IndexError as e:
        raise IndexError(f"setitem: {_index._numpy_words(e)} (tensor of shape "
                         f"{tuple(t.shape)})") from None
    t._version[0] += 1
    return t


# ----------------------------------------------------------------------------- random fills
def _random_fill(t, op, draw):
    _check_leaf(t, op)
    xp = backend.array_module(t.array)
    t.array[...] = draw(xp, t.array.shape, t.array.dtype)
    t._version[0] += 1
    return t


def uniform_(t, a=0.0, b=1.0, generator=None):
    """Same as torch.Tensor.uniform_ (draws from the default generator)."""
    def draw(xp, shape, dtype):
        r = backend.rng(xp, generator)
        return (r.random(shape, dtype=dtype if dtype.kind == "f" and dtype.itemsize >= 4
                         else backend.float64) * (b - a) + a).astype(dtype, copy=False)
    return _random_fill(t, "uniform_", draw)


def normal_(t, mean=0.0, std=1.0, generator=None):
    """Same as torch.Tensor.normal_."""
    def draw(xp, shape, dtype):
        r = backend.rng(xp, generator)
        z = r.standard_normal(shape, dtype=dtype if dtype.kind == "f" and dtype.itemsize >= 4
                              else backend.float64)
        return (z * std + mean).astype(dtype, copy=False)
    return _random_fill(t, "normal_", draw)


def bernoulli_(t, p=0.5, generator=None):
    """Same as torch.Tensor.bernoulli_."""
    def draw(xp, shape, dtype):
        r = backend.rng(xp, generator)
        prob = p.array if isinstance(p, Tensor) else p
        return (r.random(shape) < prob).astype(dtype)
    return _random_fill(t, "bernoulli_", draw)
