"""Tensor arrangement: tile, rot90/flipud/fliplr, select, the *stack family, atleast_nd,
meshgrid, cartesian_prod, combinations, block_diag, diag_embed/diagflat, vander and the
tril/triu index makers. Built from the differentiable shape and index ops, so gradients
(and second derivatives) come from those."""
from __future__ import annotations

import builtins
import warnings

from .. import backend
from ..creation import empty
from ..function import Function, is_grad_enabled
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import shape as _shape
from . import split as _split
from .index import getitem, index_select
from .reduce import cumprod


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


def _tensor_list(tensors, op):
    """A varargs call given either tensors or one list/tuple of them."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return [_tensor(t, op) for t in tensors]


# ----------------------------------------------------------------------------- tile, flips
def tile(input, dims):
    """Same as torch.tile: `dims` shorter than input.ndim is padded with leading ones."""
    _tensor(input, "tile")
    dims = _shape._sizes((dims,) if isinstance(dims, int) else (tuple(dims),), "tile")
    dims = (1,) * (input.ndim - len(dims)) + dims
    return _split.repeat(input, dims)


def flipud(input):
    """Same as torch.flipud: flip along dim 0."""
    if _tensor(input, "flipud").ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d.")
    return _shape.flip(input, (0,))


def fliplr(input):
    """Same as torch.fliplr: flip along dim 1."""
    if _tensor(input, "fliplr").ndim < 2:
        raise RuntimeError("fliplr: Input must be >= 2-d.")
    return _shape.flip(input, (1,))


def rot90(input, k=1, dims=(0, 1)):
    """Same as torch.rot90: rotate by k * 90 degrees from dims[0] towards dims[1]."""
    _tensor(input, "rot90")
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = "
                           f"{len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = "
                           f"{input.ndim}")
    d0, d1 = (_shape.norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    k = k % 4
    if k == 1:
        return _shape.transpose(_shape.flip(input, (d1,)), d0, d1)
    if k == 2:
        return _shape.flip(input, (d0, d1))
    if k == 3:
        return _shape.flip(_shape.transpose(input, d0, d1), (d1,))
    return _shape.clone(input)


def select(input, dim, index):
    """Same as torch.select: the slice at `index` along `dim`, a view without that dim."""
    _tensor(input, "select")
    if input.ndim == 0:
        raise IndexError("select: select() cannot be applied to a 0-dim tensor.")
    d = _shape.norm_dim(dim, input.ndim, "select")
    n = input.shape[d]
    index = index.__index__()
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return getitem(input, (slice(None),) * d + (index,))


# ----------------------------------------------------------------------------- atleast, stacks
def _atleast(tensors, n, op):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    tensors = _tensor_list(tensors, op)
    out = []
    for t in tensors:
        s = t.shape
        if t.ndim >= n:
            out.append(t)
        elif n == 3 and t.ndim == 2:
            out.append(_shape.reshape(t, tuple(s) + (1,)))
        elif n == 3 and t.ndim == 1:
            out.append(_shape.reshape(t, (1, s[0], 1)))
        else:  # 0-d everywhere, 1-d for atleast_2d: leading ones
            out.append(_shape.reshape(t, (1,) * (n - t.ndim) + tuple(s)))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Same as torch.atleast_1d: one tensor in, one out; several (or a sequence) give a
    tuple."""
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors):
    """Same as torch.atleast_2d (a 1-d (n,) becomes (1, n))."""
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors):
    """Same as torch.atleast_3d ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1))."""
    return _atleast(tensors, 3, "atleast_3d")


def _seq(tensors, op):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a sequence of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op}: expected a non-empty list of Tensors")
    return [_tensor(t, op) for t in tensors]


def hstack(tensors):
    """Same as torch.hstack: 0-d inputs count as 1-d; 1-d inputs join along dim 0, others
    along dim 1."""
    tensors = list(atleast_1d(_seq(tensors, "hstack")))
    return _split.cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Same as torch.vstack: inputs made at least 2-d, joined along dim 0."""
    return _split.cat(list(atleast_2d(_seq(tensors, "vstack"))), 0)


row_stack = vstack


def dstack(tensors):
    """Same as torch.dstack: inputs made at least 3-d, joined along dim 2."""
    return _split.cat(list(atleast_3d(_seq(tensors, "dstack"))), 2)


def column_stack(tensors):
    """Same as torch.column_stack: 0-d and 1-d inputs become columns (n, 1), then join
    along dim 1."""
    cols = [_shape.reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t
            for t in _seq(tensors, "column_stack")]
    return _split.cat(cols, 1)


# ----------------------------------------------------------------------------- grids
def meshgrid(*tensors, indexing=None):
    """Same as torch.meshgrid: 0-d or 1-d inputs expanded (views) to one grid each;
    indexing 'ij' (the default, with PyTorch's warning when omitted) or 'xy'."""
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f'received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a tensor of shape {tuple(t.shape)}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(range(len(tensors)))
    if swap:  # 'xy': the first two inputs trade places in the grid's dims
        order[0], order[1] = 1, 0
    sizes = [t.numel() for t in tensors]
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[order.index(i)] = sizes[i]
        out.append(_shape.expand(_shape.reshape(t, tuple(view)), shape))
    return tuple(out)


def cartesian_prod(*tensors):
    """Same as torch.cartesian_prod: the rows of all combinations of the 1-d inputs; one
    input is returned as it is."""
    tensors = _tensor_list(tensors, "cartesian_prod")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _split.stack([_shape.flatten(g) for g in grids], 1)


def _combination_indices(n, r, with_replacement):
    """(count, r) int64 host indices of the r-combinations of range(n), in
    itertools order: the r-dim index grid filtered by i0 < i1 < ... (or <=)."""
    np = backend.module_for(backend.CPU)
    grids = np.indices((n,) * r).reshape(r, -1)
    keep = np.ones(grids.shape[1], dtype=bool)
    for a, b in zip(grids[:-1], grids[1:]):
        keep &= (a <= b) if with_replacement else (a < b)
    return grids[:, keep].T.astype(backend.int64)


def combinations(input, r=2, with_replacement=False):
    """Same as torch.combinations: the rows of the r-combinations of a 1-d tensor's
    entries (the order of itertools.combinations / combinations_with_replacement)."""
    _tensor(input, "combinations")
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _shape.reshape(getitem(input, slice(0, 0)), (0,))
    idx = _combination_indices(input.shape[0], r, with_replacement)
    idx = backend.to_device(idx, backend.device_of(input.array))
    rows = index_select(input, 0, _make(idx.reshape(-1)))
    return _shape.reshape(rows, tuple(idx.shape))


# ----------------------------------------------------------------------------- diagonals
def block_diag(*tensors):
    """Same as torch.block_diag: 0-d, 1-d (a row) and 2-d blocks along the diagonal of a
    zero matrix, with dtype promotion."""
    tensors = [_tensor(t, "block_diag") for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    if not tensors:
        return empty(1, 0)
    blocks = [_shape.reshape(t, (1, t.numel()) if t.ndim < 2 else tuple(t.shape))
              for t in tensors]
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:  # each block padded with zeros to the full width (left, right)
        rows.append(_split.pad(b, (left, width - left - b.shape[1])))
        left += b.shape[1]
    return _split.cat(rows, 0)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Same as torch.diag_embed: the last dim of `input` on the `offset` diagonal of the
    2-d planes (dim1, dim2) of a new tensor with one dim more."""
    _tensor(input, "diag_embed")
    nd = input.ndim + 1
    d1, d2 = _shape.norm_dim(dim1, nd, "diag_embed"), _shape.norm_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, "
                           f"{dim2}")
    n = (input.shape[-1] if input.ndim else 1) + builtins.abs(offset)
    rest = list(input.shape[:-1])
    for d in sorted((d1, d2)):
        rest.insert(d, n)
    x = input if input.ndim else _shape.reshape(input, (1,))
    return _shape.DiagonalBackward.apply(x, tuple(rest), offset, d1, d2)


def diagflat(input, offset=0):
    """Same as torch.diagflat: the flattened input on the `offset` diagonal of a matrix."""
    return diag_embed(_shape.flatten(_tensor(input, "diagflat")), offset, 0, 1)


def vander(x, N=None, increasing=False):
    """Same as torch.vander: columns x^(N-1) ... x^0 (x^0 ... x^(N-1) if increasing),
    made by a cumulative product so that gradients at x = 0 are finite."""
    _tensor(x, "vander")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype.kind == "b" or x.dtype.kind in "iu":
        x = x.to(backend.int64)
    col = _shape.reshape(x, (x.shape[0], 1))
    ones = _make(backend.array_module(x.array).ones((x.shape[0], 1), dtype=x.array.dtype))
    if n == 0:
        out = getitem(ones, (slice(None), slice(0, 0)))
    elif n == 1:
        out = ones
    else:
        powers = cumprod(_shape.expand(col, (x.shape[0], n - 1)), 1)
        out = _split.cat([ones, powers], 1)
    return out if increasing else _shape.flip(out, (1,))


# ----------------------------------------------------------------------------- index makers
def _triangle_indices(upper, row, col, offset, dtype, device, op):
    if row < 0 or col < 0:
        raise RuntimeError(f"{op}: row and col must be non-negative, got row={row}, col={col}")
    if dtype is not None and backend.as_dtype(dtype).kind not in "iu":
        raise NotImplementedError(f'"{op}" not implemented for \'{dtype}\'')
    np = backend.module_for(backend.CPU)  # a few host ints, then one transfer
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    out = np.stack([rows, cols]).astype(backend.as_dtype(dtype or backend.int64))
    return _make(backend.asarray(out, dev=backend.as_device(device)))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Same as torch.tril_indices: a (2, N) tensor of the lower triangle's coordinates,
    row by row."""
    return _triangle_indices(False, row, col, offset, dtype, device, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Same as torch.triu_indices: a (2, N) tensor of the upper triangle's coordinates,
    row by row."""
    return _triangle_indices(True, row, col, offset, dtype, device, "triu_indices")


# ----------------------------------------------------------------------------- unbind
class _Unbind0(Function):
    """Views x[0], x[1], ... in one node; the backward stacks their gradients (a loop of
    x[t] would instead add one full-size zero tensor per step)."""

    @staticmethod
    def forward(ctx, x):
        return tuple(x.array[t] for t in range(x.array.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        return _split.stack(grads, 0)


def unbind0(x):
    """x[0], x[1], ... along dim 0 as one node (the RNN layers' time steps)."""
    if not x.requires_grad or not is_grad_enabled():
        return [_make(x.array[t]) for t in range(x.array.shape[0])]
    return _Unbind0.apply(x)
