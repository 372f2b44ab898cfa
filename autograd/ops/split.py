"""Joining, splitting and tiling: cat/stack, narrow/split/chunk/unbind, unfold, repeat,
and pad (its reflect/replicate/circular modes index_select each padded dim). Their
backwards slice, gather or sum, so this family sits above ops/index.py and ops/reduce.py;
ops/shape.py, below them all, uses no other family."""
from __future__ import annotations

import builtins

from .. import backend
from ..function import Function
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import shape as _shape
from .index import getitem, index_select
from .reduce import sum as _sum
from .shape import norm_dim, reshape


# ----------------------------------------------------------------------------- cat, stack
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


def _sequence_arg(tensors, op):
    if isinstance(tensors, Tensor) or tensors is None:
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")


def cat(tensors, dim=0):
    """Same as torch.cat."""
    _sequence_arg(tensors, "cat")
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
    _sequence_arg(tensors, "stack")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"stack: expected Tensor as element {i}, got {type(t).__name__}")
    shape = tensors[0].array.shape
    for i, t in enumerate(tensors):
        if t.array.shape != shape:
            raise RuntimeError(f"stack: expects each tensor to be equal size, but got "
                               f"{tuple(shape)} at entry 0 and {tuple(t.array.shape)} at "
                               f"entry {i}")
    d = norm_dim(dim, len(shape) + 1, "stack")
    return cat([_shape.unsqueeze(t, d) for t in tensors], d)


# ----------------------------------------------------------------------------- split
def narrow(a, dim, start, length):
    """Same as torch.narrow: a view of `length` entries of `dim` from `start`."""
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
    if a.array.ndim == 0:
        raise RuntimeError("chunk: expects at least a 1-dimensional tensor, got a 0-d one")
    d = norm_dim(dim, a.array.ndim, "chunk")
    n = a.array.shape[d]
    if n == 0:  # an empty dim gives `chunks` empty pieces, as PyTorch
        return tuple(getitem(a, (slice(None),) * d + (slice(0, 0),)) for _ in range(chunks))
    return split(a, -(-n // chunks), d)


def unbind(a, dim=0):
    """Same as torch.unbind."""
    d = norm_dim(dim, a.array.ndim, "unbind")
    return tuple(getitem(a, (slice(None),) * d + (i,)) for i in range(a.array.shape[d]))


# ----------------------------------------------------------------------------- tile
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
        g = _sum(reshape(grad, tuple(split)), tuple(range(0, 2 * len(reps), 2)))
        return reshape(g, in_shape)


def repeat(a, *sizes):
    """Same as torch.Tensor.repeat (tiles the tensor)."""
    sizes = _shape._sizes(sizes, "repeat")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {sizes} for a tensor "
                           f"of shape {tuple(a.shape)}")
    return Repeat.apply(a, sizes)


# ----------------------------------------------------------------------------- pad
def pad(a, pad, mode="constant", value=None):
    """Same as torch.nn.functional.pad: `pad` lists (left, right) widths from the last dim
    backwards; modes 'constant', 'reflect', 'replicate', 'circular'."""
    widths = _shape.pad_widths(pad, a.array.ndim)
    for d, (lo, hi) in enumerate(widths):  # negative widths crop: no more than there is
        if a.array.shape[d] + builtins.min(lo, 0) + builtins.min(hi, 0) < 0:
            raise RuntimeError(f"pad: negative padding ({lo}, {hi}) crops more than the "
                               f"size {a.array.shape[d]} of dimension {d}")
    if mode == "constant":
        return _shape.ConstantPad.apply(a, widths, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unknown padding mode {mode!r}")
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
    d = norm_dim(dimension, a.array.ndim, "unfold")
    n = a.array.shape[d]
    if size < 0 or step <= 0:
        raise RuntimeError(f"unfold: size must be >= 0 and step > 0, got size={size}, "
                           f"step={step} (tensor of shape {tuple(a.shape)})")
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {n} but "
                           f"size is {size}")
    count = (n - size) // step + 1
    xp = backend.array_module(a.array)
    idx = (xp.arange(count)[:, None] * step + xp.arange(size)[None, :])
    pre = (slice(None),) * d
    out = getitem(a, pre + (_make(idx.astype(backend.int64)),))
    # out has the window dims (count, size) at d, d+1: move `size` to the end
    return _shape.movedim(out, d + 1, -1)
