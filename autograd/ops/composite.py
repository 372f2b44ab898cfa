"""PyTorch functions that are compositions of other ops (their gradients come from those
ops): diff, tensor_split, aminmax, argwhere, dist, vdot, cov, corrcoef, addcmul, addcdiv,
sum_to_size; and isin (no gradient)."""
from __future__ import annotations

from .. import backend
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import _make
from . import compare as _compare
from . import complex as _complex
from . import elementwise as _ew
from . import reduce as _reduce
from . import shape as _shape
from . import split as _split

aminmax_result = return_type("aminmax", ["min", "max"])


def _as_tensor(x, like):
    if isinstance(x, Tensor):
        return x
    xp = backend.array_module(like.array)
    return _make(xp.asarray(x))


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """Same as torch.diff: the n-th forward difference along dim (!= for bool tensors),
    after prepending/appending."""
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    if input.ndim == 0:
        raise RuntimeError("diff: expected at least one dimension, got a 0-dim tensor")
    dim = _shape.norm_dim(dim, input.ndim, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    if len(parts) > 1:
        shaped = []
        for p in parts:
            p = _as_tensor(p, input)
            if p.ndim == 0:  # a scalar stretches to a size-1 slice along dim
                size = list(input.shape)
                size[dim] = 1
                p = _shape.expand(_shape.reshape(p, (1,) * input.ndim), tuple(size))
            shaped.append(p)
        input = _split.cat(shaped, dim)
    out = input
    for _ in range(n):
        length = out.shape[dim]
        if length == 0:
            break
        hi, lo = _split.narrow(out, dim, 1, length - 1), _split.narrow(out, dim, 0, length - 1)
        out = _compare.ne(hi, lo) if out.array.dtype.name == "bool" else _ew.sub(hi, lo)
    return out


def tensor_split(input, indices_or_sections, dim: int = 0):
    """Same as torch.tensor_split: n nearly equal parts (the first size % n one longer), or
    cuts at the given indices; views of input."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = _shape.norm_dim(dim, input.ndim, "tensor_split")
    size = input.shape[dim]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.array.dtype.name != "int64" or ios.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor with dtype long, "
                               f"got {ios.ndim}-dim {ios.dtype}")
        ios = int(ios.item()) if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds, start = [], 0
        for k in range(ios):
            start += q + (1 if k < r else 0)
            bounds.append(start)
        cuts = bounds[:-1]
    else:
        cuts = [int(i) for i in ios]
    out, start = [], 0
    for c in cuts + [size]:
        c = min(max(c + size if c < 0 else c, 0), size)
        stop = max(c, start)
        out.append(_split.narrow(input, dim, start, stop - start))
        start = stop
    return tuple(out)


def aminmax(input, *, dim=None, keepdim: bool = False):
    """Same as torch.aminmax: (min, max) as a named tuple."""
    dims = () if dim is None else dim
    return aminmax_result(_reduce.amin(input, dims, keepdim), _reduce.amax(input, dims, keepdim))


def argwhere(input):
    """Same as torch.argwhere: the (N, ndim) indices of the non-zero elements."""
    return input.nonzero()


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Same as torch.isin: a bool tensor, True where an element occurs in test_elements
    (either may be a Python scalar)."""
    like = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(like, Tensor):
        raise TypeError("isin: expected at least one of elements and test_elements to be a "
                        "Tensor")
    a, b = _as_tensor(elements, like), _as_tensor(test_elements, like)
    xp = backend.array_module(a.array)
    out = xp.isin(a.array, b.array, assume_unique=assume_unique, invert=invert)
    return _make(xp.asarray(out))


def dist(input, other, p=2):
    """Same as torch.dist: the p-norm of input - other (broadcast)."""
    return _reduce.norm(_ew.sub(input, other), p)


def vdot(input, other):
    """Same as torch.vdot: the dot product of two 1-D tensors, the first conjugated."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.dtype.is_complex:
        input = _complex.conj(input)
    return _reduce.sum(_ew.mul(input, other))


def cov(input, *, correction: int = 1, fweights=None, aweights=None):
    """Same as torch.cov: rows are variables, columns observations; optional integer
    frequency weights and float observation weights."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    x = _shape.reshape(input, (1, -1)) if input.ndim < 2 else input
    if not x.is_floating_point():
        x = x.float()
    n_obs = x.shape[1]
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        if wt.ndim > 1 or wt.shape[0] != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions and "
                               f"{n_obs} elements, got shape {tuple(wt.shape)}")
        w = wt if w is None else _ew.mul(w, wt)
    if w is None:
        avg = _reduce.mean(x, 1)
        norm = n_obs - correction
    else:
        w_sum = _reduce.sum(w)
        avg = _ew.div(_reduce.sum(_ew.mul(x, w), 1), w_sum)
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = _ew.sub(w_sum, correction)
        else:
            norm = _ew.sub(w_sum, _ew.div(_ew.mul(_reduce.sum(_ew.mul(w, aweights)),
                                                  correction), w_sum))
    if isinstance(norm, Tensor):
        norm = _compare.clamp(norm, 0, None)
    else:
        norm = max(norm, 0)
    xm = _ew.sub(x, _shape.unsqueeze(avg, 1))
    xw = xm if w is None else _ew.mul(xm, w)
    c = _ew.div(xw @ _shape.transpose(xm, 0, 1), norm)
    return _shape.reshape(c, ()) if input.ndim < 2 else c


def corrcoef(input):
    """Same as torch.corrcoef: Pearson correlation coefficients, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return _ew.div(c, c)
    d = _shape.diagonal(c)
    std = d.sqrt()
    c = _ew.div(_ew.div(c, _shape.unsqueeze(std, 1)), _shape.unsqueeze(std, 0))
    return _compare.clamp(c, -1, 1)


def addcmul(input, tensor1, tensor2, *, value=1):
    """Same as torch.addcmul: input + value * tensor1 * tensor2."""
    return _ew.add(input, _ew.mul(_ew.mul(tensor1, tensor2), value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """Same as torch.addcdiv: input + value * tensor1 / tensor2 (an integer division is an
    error, as in PyTorch)."""
    if not (tensor1.is_floating_point() or tensor2.is_floating_point()):
        raise RuntimeError("addcdiv: integer division of tensors using addcdiv is no longer "
                           "supported; use addcmul(input, tensor1, 1 / tensor2) or true division")
    return _ew.add(input, _ew.mul(_ew.div(tensor1, tensor2), value))


def sum_to_size(input, *size):
    """Same as torch.Tensor.sum_to_size: sums broadcast dims down to `size`."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = tuple(input.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != d for s, d in zip(size, shape[lead:])):
        raise RuntimeError(f"size {list(size)} is not expandable to size {list(shape)}")
    return _reduce.sum_to(input, size)
