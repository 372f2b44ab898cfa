"""Shape and layout: reshape, view, squeeze, transpose, permute, expand, repeat, flip,
split, tril, clone, diagonal, tile, rot90, unfold. Ops in `autograd/ops/shape.py`,
`split.py` and `arrange.py`."""
from __future__ import annotations

from ..ops import arrange as _arrange
from ..ops import index as _index
from ..ops import linalg as _linalg
from ..ops import shape as _shape
from ..ops import split as _split


class ShapeMixin:
    __slots__ = ()

    # the keyword forms are PyTorch's names: x.reshape(shape=...), x.view(size=...) ...
    def reshape(self, *shape_, shape=None):
        return _shape.reshape(self, *(shape_ if shape is None else (shape,)))

    def view(self, *shape, size=None, dtype=None):
        if dtype is not None:
            return _shape.view_dtype(self, dtype)
        if size is not None:
            shape = (size,)
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and \
                not hasattr(shape[0], "__index__"):
            return _shape.view_dtype(self, shape[0])
        return _shape.view(self, *shape)

    def view_as(self, other):
        return _shape.view(self, tuple(other.shape))

    def reshape_as(self, other):
        return _shape.reshape(self, tuple(other.shape))

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        return _shape.t(self)

    def permute(self, *dims_, dims=None):
        return _shape.permute(self, *(dims_ if dims is None else (dims,)))

    def movedim(self, source, destination):
        return _shape.movedim(self, source, destination)

    def expand(self, *sizes, size=None, implicit=False):
        return _shape.expand(self, *(sizes if size is None else (size,)))

    def expand_as(self, other):
        return _shape.expand(self, tuple(other.shape))

    def broadcast_to(self, shape):
        return _shape.broadcast_to(self, shape)

    def repeat(self, *sizes, repeats=None):
        return _split.repeat(self, *(sizes if repeats is None else (repeats,)))

    def flip(self, *dims_, dims=None):
        if dims is not None:
            return _shape.flip(self, dims)
        return _shape.flip(self, dims_[0] if len(dims_) == 1 else dims_)

    def roll(self, shifts, dims=None):
        return _shape.roll(self, shifts, dims)

    def split(self, split_size_or_sections, dim=0):
        return _split.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _split.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _split.unbind(self, dim)

    def tril(self, diagonal=0):
        return _shape.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _shape.triu(self, diagonal)

    def contiguous(self, memory_format=None):
        """Same as torch.Tensor.contiguous; memory_format=torch.channels_last(_3d) lays a
        4-D (5-D) tensor out with the channels innermost (NHWC strides), as PyTorch."""
        name = getattr(memory_format, "name", None)
        nd = {"channels_last": 4, "channels_last_3d": 5}.get(name)
        if nd is None:
            return _shape.contiguous(self)
        if self.dim() != nd:
            raise RuntimeError(f"required rank {nd} tensor to use {name} format")
        if self.is_contiguous(memory_format=memory_format):
            return self
        last = tuple(range(2, nd)) + (1,)
        inverse = (0, nd - 1) + tuple(range(1, nd - 1))
        return _shape.contiguous(self.permute((0,) + last)).permute(inverse)

    def clone(self, memory_format=None):
        """Same as torch.Tensor.clone (memory_format=torch.channels_last(_3d): the copy
        has the channels-innermost layout)."""
        if getattr(memory_format, "name", None) in ("channels_last", "channels_last_3d"):
            return _shape.clone(self).contiguous(memory_format=memory_format)
        return _shape.clone(self)

    def narrow(self, dim, start, length):
        return _split.narrow(self, dim, start, length)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _shape.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal=0):
        return _linalg.diag(self, diagonal)

    def tile(self, *dims):
        return _arrange.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int)
                             else dims)

    def flipud(self):
        return _arrange.flipud(self)

    def fliplr(self):
        return _arrange.fliplr(self)

    def rot90(self, k=1, dims=(0, 1)):
        return _arrange.rot90(self, k, dims)

    def select(self, dim, index):
        return _arrange.select(self, dim, index)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _arrange.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0):
        return _arrange.diagflat(self, offset)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _index.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unfold(self, dimension, size, step):
        return _split.unfold(self, dimension, size, step)
