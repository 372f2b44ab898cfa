"""Shape ops: reshape, permute, expand and its adjoint sum_to, flip, roll, tril,
diagonal, constant padding. They use no other op family; joining and splitting (cat,
split, narrow, unfold, repeat, pad's other modes), built on indexing, live in ops/split.py.
Views share their input's version counter (`_view = True`), as PyTorch's views do."""
from __future__ import annotations

import builtins

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make


# ----------------------------------------------------------------------------- helpers
def norm_dim(dim, ndim, op="op"):
    """A dim in [-ndim, ndim) as a non-negative axis; IndexError otherwise (0-d: [-1, 0])."""
    try:
        d = dim.__index__()
    except AttributeError:
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}") from None
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return d + n if d < 0 else d


def _sizes(args, op):
    """Shape arguments given as ints or as one tuple/list/Size."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for s in args:
        try:
            out.append(s.__index__())
        except AttributeError:
            raise TypeError(f"{op}: expected a sequence of ints, got {args!r}") from None
    return tuple(out)


def _infer_shape(shape, size, op):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1 or builtins.any(s < -1 for s in shape):
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or size % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {size}")
        shape = shape[:neg[0]] + (size // known,) + shape[neg[0] + 1:]
    elif known != size:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {size}")
    return shape


# ----------------------------------------------------------------------------- reshape
class Reshape(Function):
    _view = True

    @staticmethod
    def forward(ctx, a, shape):
        x = a.array
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return reshape(grad, ctx.in_shape)


def reshape(a, *sizes, shape=None):
    """Same as torch.reshape (the shape as sizes or as shape=)."""
    if not isinstance(a, Tensor):
        raise TypeError(f"reshape: expected a Tensor, got {type(a).__name__}")
    shape = _sizes(sizes if shape is None else (shape,), "reshape")
    if shape == a.array.shape:
        return Reshape.apply(a, shape) if a.requires_grad else _alias(a)
    return Reshape.apply(a, _infer_shape(shape, a.array.size, "reshape"))


def _alias(a):
    t = _make(a.array)
    t._version = a._version
    return t


class View(Reshape):
    @staticmethod
    def forward(ctx, a, shape):
        x = a.array
        ctx.in_shape = x.shape
        out = backend.reshape_view(x, shape)
        if out is None:
            raise RuntimeError(
                f"view: view size is not compatible with input tensor's size and stride "
                f"(shape {tuple(x.shape)} to {shape}); use .reshape(...) instead")
        return out


def view(a, *shape):
    """Same as torch.Tensor.view: a reshape that never copies."""
    return View.apply(a, _infer_shape(_sizes(shape, "view"), a.array.size, "view"))


def view_dtype(a, dtype):
    """Same as torch.Tensor.view(dtype): a's memory read as `dtype`, no copy. A bigger
    element divides the last dim, a smaller one multiplies it (the last dim must have
    stride 1 then, and a 0-d tensor cannot change element size). Not differentiable, as in
    PyTorch: the result never requires grad; it shares a's storage and version counter."""
    try:
        dt = backend.as_dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt not in backend.TORCH_DTYPES:
        raise TypeError(f"view: expected a dtype or a shape, got {dtype!r}")
    x = a.array
    old, new = x.itemsize, dt.itemsize
    if old != new:
        what = f"to view {a.dtype} as {backend.torch_dtype(dt)} (different element sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"view: self.dim() cannot be 0 {what}")
        if x.shape[-1] != 1 and x.size and x.strides[-1] != old:
            raise RuntimeError(f"view: self.stride(-1) must be 1 {what}, but got "
                               f"{x.strides[-1] // old}")
        if new > old:
            ratio = new // old
            if x.shape[-1] % ratio:
                raise RuntimeError(f"view: self.size(-1) must be divisible by {ratio} "
                                   f"{what}, but got {x.shape[-1]}")
            if x.size and backend.data_ptr(x) % new:  # storages start aligned
                raise RuntimeError(f"view: self.storage_offset() must be divisible by "
                                   f"{ratio} {what}")
            for d in range(x.ndim - 1):
                if x.strides[d] % new:
                    raise RuntimeError(f"view: self.stride({d}) must be divisible by "
                                       f"{ratio} {what}, but got {x.strides[d] // old}")
    out = _make(backend.view_dtype(x, dt))
    out._version = a._version
    return out


def flatten(a, start_dim=0, end_dim=-1):
    """Same as torch.flatten."""
    nd = a.array.ndim
    if nd == 0:
        return reshape(a, (1,))
    s = norm_dim(start_dim, nd, "flatten")
    e = norm_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten: start_dim cannot come after end_dim")
    shape = a.array.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(a, shape[:s] + (n,) + shape[e + 1:])


def unflatten(a, dim, sizes):
    """Same as torch.unflatten."""
    d = norm_dim(dim, a.array.ndim, "unflatten")
    shape = a.array.shape
    sizes = _infer_shape(tuple(sizes), shape[d], "unflatten")
    return reshape(a, shape[:d] + sizes + shape[d + 1:])


def squeeze(a, dim=None):
    """Same as torch.squeeze (dim: None, an int or a tuple)."""
    shape = a.array.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {norm_dim(d, len(shape), "squeeze") for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return reshape(a, new)


def unsqueeze(a, dim):
    """Same as torch.unsqueeze."""
    shape = a.array.shape
    d = norm_dim(dim, len(shape) + 1, "unsqueeze")
    return reshape(a, shape[:d] + (1,) + shape[d:])


# ----------------------------------------------------------------------------- permute
class Permute(Function):
    _view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.array.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return permute(grad, tuple(inverse))


def permute(a, *dims, **kwargs):
    """Same as torch.permute (dims as ints, one tuple, or the keyword `dims`)."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"permute: got an unexpected keyword argument {next(iter(kwargs))!r}")
    if not dims:
        raise TypeError("permute() missing 1 required positional argument: 'dims'")
    dims = _sizes(dims, "permute")
    nd = a.array.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute: number of dims don't match: the tensor has {nd} dims "
                           f"but got {len(dims)} ({dims})")
    dims = tuple(norm_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError(f"permute: repeated dim in {dims}")
    return Permute.apply(a, dims)


def transpose(a, dim0, dim1):
    """Same as torch.transpose."""
    nd = a.array.ndim
    if nd == 0:  # dims -1 and 0 name the one "dim" of a scalar, as in PyTorch
        norm_dim(dim0, 1, "transpose"), norm_dim(dim1, 1, "transpose")
        return _alias(a) if not a.requires_grad else Permute.apply(a, ())
    d0, d1 = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(a, tuple(dims))


swapaxes = swapdims = transpose


def t(a):
    """Same as torch.t (tensors of at most 2 dims)."""
    if a.array.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got "
                           f"{a.array.ndim}D; use transpose() or .mT")
    return transpose(a, 0, 1) if a.array.ndim == 2 else transpose(a, 0, 0)


def movedim(a, source, destination):
    """Same as torch.movedim."""
    nd = a.array.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [norm_dim(d, nd, "movedim") for d in src]
    dst = [norm_dim(d, nd, "movedim") for d in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(a, tuple(order))


moveaxis = movedim


# ----------------------------------------------------------------------------- expand
class BroadcastTo(Function):
    _view = True

    @staticmethod
    def forward(ctx, a, shape):
        x = a.array
        ctx.in_shape = x.shape
        try:
            return backend.array_module(x).broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(f"expand: the shape {tuple(x.shape)} cannot be expanded to "
                               f"{tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.in_shape)


class SumTo(Function):
    """Sum a broadcast gradient back to `shape` (the adjoint of broadcast_to)."""

    @staticmethod
    def forward(ctx, a, shape):
        x = a.array
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        out = x.sum(axis=axes, keepdims=True) if axes else x
        if lead:
            out = out.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        return broadcast_to(grad, ctx.in_shape)


def sum_to(a, shape):
    """Sum `a` down to `shape` (which `a`'s shape broadcasts from)."""
    shape = tuple(shape)
    if a.array.shape == shape:
        return a
    return SumTo.apply(a, shape)


def broadcast_to(a, shape):
    """Same as torch.broadcast_to."""
    shape = tuple(shape)
    if a.array.shape == shape:
        return a
    return BroadcastTo.apply(a, shape)


def expand(a, *sizes):
    """Same as torch.Tensor.expand (-1 keeps a size)."""
    sizes = _sizes(sizes, "expand")
    shape = a.array.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                           f"greater or equal to the number of dimensions ({len(shape)})")
    full = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return broadcast_to(a, full)


def broadcast_tensors(*tensors):
    """Same as torch.broadcast_tensors."""
    try:
        shape = backend.broadcast_shapes(*(t.array.shape for t in tensors))
    except ValueError:
        raise RuntimeError(f"broadcast_tensors: shapes {[tuple(t.shape) for t in tensors]} "
                           "cannot broadcast") from None
    return tuple(broadcast_to(t, shape) for t in tensors)


def repeat_each(a, repeats: int, d: int):
    """Each slice of `a` along dim d repeated `repeats` times in place (an expand and a
    reshape: no index array); repeat_interleave's path for an int count."""
    shape = a.array.shape
    x = unsqueeze(a, d + 1)
    x = expand(x, shape[:d + 1] + (repeats,) + shape[d + 1:])
    return reshape(x, shape[:d] + (shape[d] * repeats,) + shape[d + 1:])


# ----------------------------------------------------------------------------- flip, roll
class Flip(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return backend.array_module(a.array).flip(a.array, dims) if dims else a.array.copy()

    @staticmethod
    def backward(ctx, grad):
        return flip(grad, ctx.dims)


def flip(a, dims):
    """Same as torch.flip."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    nd = a.array.ndim
    dims = tuple(norm_dim(d, max(nd, 1), "flip") for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"flip: dim {dims} appears multiple times in the list of dims")
    return Flip.apply(a, dims if nd else ())


class Roll(Function):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.args = (shifts, dims)
        return backend.array_module(a.array).roll(a.array, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        shifts, dims = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return Roll.apply(grad, neg, dims)


def roll(a, shifts, dims=None):
    """Same as torch.roll."""
    if dims is None:
        return reshape(Roll.apply(flatten(a), shifts, 0), a.array.shape)
    if isinstance(dims, int):
        dims = norm_dim(dims, a.array.ndim, "roll")
    else:
        dims = tuple(norm_dim(d, a.array.ndim, "roll") for d in dims)
        shifts = tuple(shifts)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts ({len(shifts)}) and dims ({len(dims)}) must "
                               "have the same length")
    return Roll.apply(a, shifts, dims)


# ----------------------------------------------------------------------------- triangles
class _Triangle(Function):
    @classmethod
    def forward(cls, ctx, a, diagonal):
        if a.array.ndim < 2:
            raise RuntimeError(f"{cls.name()}: input tensor must have at least 2 dimensions")
        ctx.diagonal = diagonal
        return cls.f(backend.array_module(a.array), a.array, diagonal)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.apply(grad, ctx.diagonal)


class Tril(_Triangle):
    f = staticmethod(lambda xp, x, k: xp.tril(x, k))


class Triu(_Triangle):
    f = staticmethod(lambda xp, x, k: xp.triu(x, k))


def tril(a, diagonal=0):
    """Same as torch.tril."""
    return Tril.apply(a, diagonal)


def triu(a, diagonal=0):
    """Same as torch.triu."""
    return Triu.apply(a, diagonal)


# ----------------------------------------------------------------------------- copies
class Clone(Function):
    @staticmethod
    def forward(ctx, a, contiguous_only=False):
        x = a.array
        if contiguous_only:
            return backend.array_module(x).ascontiguousarray(x)
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(a):
    """Same as torch.clone."""
    return Clone.apply(a)


def contiguous(a):
    """Same as torch.Tensor.contiguous: the tensor itself when already contiguous."""
    if a.array.flags.c_contiguous:
        return a
    return Clone.apply(a, True)


class Diagonal(Function):
    _view = True  # a view, as in PyTorch: writes through it reach the base

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        x = a.array
        ctx.args = (x.shape, offset, dim1, dim2)
        return _diagonal_view(backend.array_module(x), x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        shape, offset, d1, d2 = ctx.args
        return DiagonalBackward.apply(grad, shape, offset, d1, d2)


class DiagonalBackward(Function):
    """Place a diagonal back into a zero matrix (the adjoint of diagonal)."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        xp = backend.array_module(g.array)
        out = xp.zeros(shape, dtype=g.array.dtype)
        _diagonal_view(xp, out, offset, d1, d2)[...] = g.array
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, d1, d2 = ctx.args
        return diagonal(grad, offset, d1, d2)


def _diagonal_view(xp, x, offset, d1, d2):
    """x's diagonal (offset, between dims d1 and d2, last in the result) as a strided view
    of x's memory, writable when x is (NumPy's own diagonal view is read-only)."""
    moved = xp.moveaxis(x, (d1, d2), (-2, -1))
    n, m = moved.shape[-2], moved.shape[-1]
    length = builtins.max(0, builtins.min(n, m - offset) if offset >= 0 else
                          builtins.min(n + offset, m))
    start = moved[..., builtins.max(0, -offset):, builtins.max(0, offset):] if length else \
        moved[..., :0, :0]
    s1, s2 = moved.strides[-2], moved.strides[-1]
    return xp.lib.stride_tricks.as_strided(start, moved.shape[:-2] + (length,),
                                           moved.strides[:-2] + (s1 + s2,))


def diagonal(a, offset=0, dim1=0, dim2=1):
    """Same as torch.diagonal: a view of a's memory."""
    nd = a.array.ndim
    d1, d2 = norm_dim(dim1, nd, "diagonal"), norm_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical ({dim1}, {dim2})")
    return Diagonal.apply(a, offset, d1, d2)


# ----------------------------------------------------------------------------- pad
def pad_widths(pad, nd):
    """torch's `pad` list ((left, right) from the last dim backwards) as per-dim widths."""
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > nd:
        raise RuntimeError(f"pad: padding length must be even and at most 2 * ndim "
                           f"({2 * nd}), got {len(pad)}")
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


class ConstantPad(Function):
    @staticmethod
    def forward(ctx, a, widths, value):
        x = a.array
        xp = backend.array_module(x)
        # negative widths crop: pad the positive parts, then slice the negative ones
        pos = [(builtins.max(lo, 0), builtins.max(hi, 0)) for lo, hi in widths]
        out = xp.pad(x, pos, mode="constant", constant_values=value)
        crop = tuple(slice(-builtins.min(lo, 0), out.shape[i] + builtins.min(hi, 0))
                     for i, (lo, hi) in enumerate(widths))
        ctx.widths = widths
        return out[crop]

    @staticmethod
    def backward(ctx, grad):
        return ConstantPad.apply(grad, [(-lo, -hi) for lo, hi in ctx.widths], 0)


def constant_pad(a, pad, value=0):
    """torch.nn.functional.pad in mode 'constant' (negative widths crop)."""
    return ConstantPad.apply(a, pad_widths(pad, a.array.ndim), value)


def broadcast_batch(a, b, op, shapes=None):
    """a and b (..., m, n) with their batch dims (all but the last two) broadcast to one
    shape, as the batched matrix ops take them; a RuntimeError naming `op` and the shapes
    (`shapes`: the ones to show, where the caller reshaped its inputs) where they cannot."""
    try:
        batch = backend.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    except ValueError:
        sa, sb = shapes or (a.shape, b.shape)
        raise RuntimeError(f"{op}: batch dims of shapes {tuple(sa)} and {tuple(sb)} cannot "
                           "broadcast") from None
    if tuple(a.shape[:-2]) != batch:
        a = expand(a, batch + tuple(a.shape[-2:]))
    if tuple(b.shape[:-2]) != batch:
        b = expand(b, batch + tuple(b.shape[-2:]))
    return a, b
