"""Shape ops: reshape, permute, expand, cat/stack/split, flip, roll, repeat, pad, tril.
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


def reshape(a, *shape):
    """Same as torch.reshape."""
    if not isinstance(a, Tensor):
        raise TypeError(f"reshape: expected a Tensor, got {type(a).__name__}")
    shape = _sizes(shape, "reshape")
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
        from .reduce import sum_to
        return sum_to(grad, ctx.in_shape)


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
    shape = backend.broadcast_shapes(*(t.array.shape for t in tensors))
    return tuple(broadcast_to(t, shape) for t in tensors)


class Repeat(Function):
    @staticmethod
    def forward(ctx, a, reps):
        x = a.array
        if len(reps) < x.ndim:
            raise RuntimeError(f"repeat: number of repeat dims ({len(reps)}) can not be smaller "
                               f"than number of tensor dims ({x.ndim})")
        shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.args = (x.shape, shape, reps)
        return backend.array_module(x).tile(x.reshape(shape), reps)

    @staticmethod
    def backward(ctx, grad):
        in_shape, shape, reps = ctx.args
        # out[(r, s)] = x[s]: view the gradient as (r0, s0, r1, s1, ...) and sum the r axes
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        from .reduce import sum as _sum
        g = _sum(reshape(grad, tuple(split)), tuple(range(0, 2 * len(reps), 2)))
        return reshape(g, in_shape)


def repeat(a, *sizes):
    """Same as torch.Tensor.repeat (tiles the tensor)."""
    return Repeat.apply(a, _sizes(sizes, "repeat"))


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
    return Flip.apply(a, tuple(norm_dim(d, a.array.ndim, "flip") for d in dims))


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


# ----------------------------------------------------------------------------- cat, stack, split
class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        arrays = [t.array for t in tensors]
        xp = backend.array_module(arrays[0])
        dt = arrays[0].dtype
        for arr in arrays[1:]:
            if arr.dtype is not dt:
                dt = backend.promote_types(dt, arr.dtype)
        arrays = [arr if arr.dtype == dt else arr.astype(dt) for arr in arrays]
        ctx.args = (dim, [arr.shape[dim] for arr in arrays],
                    [(arr.shape, arr.dtype) if t.requires_grad else None
                     for arr, t in zip(arrays, tensors)], [t.array.dtype for t in tensors])
        return xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim, sizes, metas, dtypes = ctx.args
        out, start = [None], 0
        for size, meta, dt in zip(sizes, metas, dtypes):
            if meta is not None:
                g = narrow(grad, dim, start, size)
                out.append(g if g.dtype == dt else g.to(dt))
            else:
                out.append(None)
            start += size
        return tuple(out)


def cat(tensors, dim=0):
    """Same as torch.cat."""
    tensors = [t for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: expected a sequence of Tensors, got {type(t).__name__}")
    # legacy behaviour kept by PyTorch: 1-d empty tensors are skipped
    nonempty = [t for t in tensors if not (t.array.ndim == 1 and t.array.size == 0)]
    if not nonempty:
        return tensors[0].clone()
    tensors = nonempty
    nd = tensors[0].array.ndim
    if nd == 0:
        raise RuntimeError("cat: zero-dimensional tensor cannot be concatenated")
    d = norm_dim(dim, nd, "cat")
    ref = tensors[0].array.shape
    for i, t in enumerate(tensors[1:], 1):
        s = t.array.shape
        if len(s) != nd or builtins.any(a != b for k, (a, b) in enumerate(zip(s, ref))
                                        if k != d):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; got {tuple(ref)} "
                f"for tensor 0 and {tuple(s)} for tensor {i}")
    if len(tensors) == 1:
        return tensors[0].clone() if not tensors[0].requires_grad else Cat.apply(d, tensors[0])
    return Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Same as torch.stack."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of Tensors")
    shape = tensors[0].array.shape
    for i, t in enumerate(tensors):
        if t.array.shape != shape:
            raise RuntimeError(f"stack: expects each tensor to be equal size, but got "
                               f"{tuple(shape)} at entry 0 and {tuple(t.array.shape)} at "
                               f"entry {i}")
    d = norm_dim(dim, len(shape) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


def narrow(a, dim, start, length):
    """Same as torch.narrow: a view of `length` entries of `dim` from `start`."""
    from .index import getitem
    if a.array.ndim == 0:
        raise RuntimeError("narrow: cannot be applied to a 0-dim tensor")
    d = norm_dim(dim, a.array.ndim, "narrow")
    n = a.array.shape[d]
    start = int(start.item()) if isinstance(start, Tensor) else start
    if not -n <= start <= n:
        raise IndexError(f"narrow: start out of range (expected to be in range of [{-n}, "
                         f"{n}], but got {start})")
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                           f"size ({n}) of dim {d} of a tensor of shape {tuple(a.shape)}")
    return getitem(a, (slice(None),) * d + (slice(start, start + length),))


def split(a, split_size_or_sections, dim=0):
    """Same as torch.split: views of equal chunks, or of the given section sizes."""
    d = norm_dim(dim, a.array.ndim, "split")
    n = a.array.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(f"split: split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split: split_with_sizes expects split_sizes to sum exactly to "
                               f"{n} (input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(a, d, start, s))
        start += s
    return tuple(out)


def chunk(a, chunks, dim=0):
    """Same as torch.chunk."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    d = norm_dim(dim, a.array.ndim, "chunk")
    n = a.array.shape[d]
    size = -(-n // chunks) if n else 1
    return split(a, size, d)


def unbind(a, dim=0):
    """Same as torch.unbind."""
    from .index import getitem
    d = norm_dim(dim, a.array.ndim, "unbind")
    return tuple(getitem(a, (slice(None),) * d + (i,)) for i in range(a.array.shape[d]))


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
    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        x = a.array
        ctx.args = (x.shape, offset, dim1, dim2)
        return backend.array_module(x).diagonal(x, offset, dim1, dim2).copy()

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
        view = _writable_diagonal(xp, out, offset, d1, d2)
        view[...] = g.array
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, d1, d2 = ctx.args
        return diagonal(grad, offset, d1, d2)


def _writable_diagonal(xp, out, offset, d1, d2):
    moved = xp.moveaxis(out, (d1, d2), (-2, -1))
    n, m = moved.shape[-2], moved.shape[-1]
    rows = xp.arange(builtins.max(0, -offset), builtins.min(n, m - offset))
    return _DiagSetter(moved, rows, rows + offset)


class _DiagSetter:
    def __init__(self, moved, rows, cols):
        self.moved, self.rows, self.cols = moved, rows, cols

    def __setitem__(self, key, value):
        self.moved[..., self.rows, self.cols] = value


def diagonal(a, offset=0, dim1=0, dim2=1):
    """Same as torch.diagonal (returns a copy here, not a view)."""
    nd = a.array.ndim
    return Diagonal.apply(a, offset, norm_dim(dim1, nd, "diagonal"), norm_dim(dim2, nd, "diagonal"))


# ----------------------------------------------------------------------------- pad
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


def pad(a, pad, mode="constant", value=None):
    """Same as torch.nn.functional.pad: `pad` lists (left, right) widths from the last dim
    backwards; modes 'constant', 'reflect', 'replicate', 'circular'."""
    pad = list(pad)
    nd = a.array.ndim
    if len(pad) % 2 or len(pad) // 2 > nd:
        raise RuntimeError(f"pad: padding length must be even and at most 2 * ndim "
                           f"({2 * nd}), got {len(pad)}")
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return ConstantPad.apply(a, widths, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unknown padding mode {mode!r}")
    from .index import index_select
    xp = backend.array_module(a.array)
    out = a
    for d, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        n = a.array.shape[d]
        pos = xp.arange(-lo, n + hi)
        if mode == "reflect":
            if lo >= n or hi >= n:
                raise RuntimeError(f"pad: padding size should be less than the corresponding "
                                   f"input dimension, but got padding ({lo}, {hi}) at "
                                   f"dimension {d} of size {n}")
            period = 2 * (n - 1) if n > 1 else 1
            pos = xp.abs(pos) % period
            pos = xp.where(pos >= n, period - pos, pos)
        elif mode == "replicate":
            pos = xp.clip(pos, 0, n - 1)
        else:
            pos = pos % n
        out = index_select(out, d, _make(pos.astype(backend.int64)))
    return out


# ----------------------------------------------------------------------------- unfold
def unfold(a, dimension, size, step):
    """Same as torch.Tensor.unfold: windows of `size` along `dimension`, as a new last dim."""
    from .index import getitem
    d = norm_dim(dimension, a.array.ndim, "unfold")
    n = a.array.shape[d]
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {n} but "
                           f"size is {size}")
    count = (n - size) // step + 1
    xp = backend.array_module(a.array)
    idx = (xp.arange(count)[:, None] * step + xp.arange(size)[None, :])
    pre = (slice(None),) * d
    out = getitem(a, pre + (_make(idx.astype(backend.int64)),))
    # out has the window dims (count, size) at d, d+1: move `size` to the end
    return movedim(out, d + 1, -1)
