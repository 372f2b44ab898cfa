"""torch's top-level long tail: the functional in-place forms (torch.acosh_(x), ...),
as_strided and the *_scatter family, asarray, broadcast_shapes, the window functions,
gradient, histogram(dd), index_reduce, nonzero_static, unique_consecutive, renorm,
poisson / binomial, the layout and memory-format constants, the deprecated torch.range /
set_default_tensor_type, and the functions PyTorch removed (torch.solve, torch.lstsq, ...)
that now raise its error. Compositions of Tensor ops: gradients come from those ops."""
from __future__ import annotations

import builtins
import math
import warnings

from . import backend
from . import creation as _cr
from .backend import extras as _bx
from .grad_mode import no_grad
from .linalg import matrix_norm, vector_norm
from .ops import compare as _compare
from .ops import index as _index
from .ops import scatter as _scatter
from .ops import special_more as _sm
from .ops.inplace import _replaced
from .ops.split import cat
from .tensor_base import TensorBase as Tensor
from .tensor_base import _make
from .torch_extras_aten import TopLevel, method_form


# ----------------------------------------------------------------------------- constants
class _Named:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


class layout(_Named):
    """torch.layout: Ember's tensors are all `torch.strided` (dense)."""


class memory_format(_Named):
    """torch.memory_format: row-major (`contiguous_format`, `preserve_format`) or
    channels-innermost (`channels_last`, `channels_last_3d`), which `contiguous`, `to`,
    `clone`, `empty` and the *_like creators lay out."""


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
legacy_contiguous_format = memory_format("legacy_contiguous_format")
default_generator = backend.default_generator


# torch.conv2d & co.: nn.functional's (the engine imports nn lazily, in autograd.__getattr__)
def _torch_batch_norm(F):
    def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                   cudnn_enabled=True):
        """Same as torch.batch_norm (aten's argument order)."""
        return F.batch_norm(input, running_mean, running_var, weight, bias, training,
                            momentum, eps)
    return batch_norm


# and, through TopLevel, the aten-level long tail of autograd.torch_extras_aten
NN_TOP_LEVEL = TopLevel({"conv1d": lambda F: F.conv1d, "conv2d": lambda F: F.conv2d,
                         "conv3d": lambda F: F.conv3d, "rms_norm": lambda F: F.rms_norm,
                         "batch_norm": _torch_batch_norm})


# ----------------------------------------------------------------------------- removed
def _removed(name, instead):
    def fn(*args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed."
                           f" `torch.{name}` is deprecated in favor of `{instead}`.")
    fn.__name__ = name
    return fn


solve = _removed("solve", "torch.linalg.solve")
lstsq = _removed("lstsq", "torch.linalg.lstsq")
matrix_rank = _removed("matrix_rank", "torch.linalg.matrix_rank")
eig = _removed("eig", "torch.linalg.eig")
symeig = _removed("symeig", "torch.linalg.eigh")


# ----------------------------------------------------------------------------- in-place forms
# (the same rule torch_extras_aten's TopLevel applies to torch's whole list of them)
acosh_, asinh_, atanh_, erfc_ = (method_form(n) for n in ("acosh_", "asinh_", "atanh_",
                                                          "erfc_"))
gcd_, lcm_, i0_, logit_, sinc_, detach_ = (method_form(n) for n in (
    "gcd_", "lcm_", "i0_", "logit_", "sinc_", "detach_"))
resize_as_ = method_form("resize_as_")


# ----------------------------------------------------------------------------- small ones
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """Same as torch.asarray: shares `obj`'s data when it can (a Tensor of the asked dtype
    and device, with copy not True), else a new tensor. From a Tensor, an unspecified
    requires_grad keeps obj's history (the copy or conversion is differentiable, as
    PyTorch 2.13); requires_grad=False detaches."""
    if isinstance(obj, Tensor):
        out = obj
        if (dtype is not None and dtype != obj.dtype) or \
                (device is not None and backend.as_device(device) != obj.device):
            if copy is False:
                raise ValueError("asarray: copy=False, but a copy is needed for the dtype or "
                                 "device asked for")
            out = obj.to(device=device, dtype=dtype)
        elif copy:
            out = obj.clone()
        if requires_grad is False and out.requires_grad:
            out = out.detach()
        elif requires_grad and not out.requires_grad:
            out = out.detach().requires_grad_(True)
        return out
    out = _cr.tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        out.requires_grad_(True)
    return out


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    """Same as torch.empty_strided (Ember's result is row-major)."""
    return _cr.empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, device=None, requires_grad=False,
                   layout=None, pin_memory=False):
    """Same as torch.empty_permuted (Ember's result is row-major)."""
    if sorted(physical_layout) != list(range(len(size))):
        raise RuntimeError(f"empty_permuted: physical_layout {physical_layout} is not a "
                           f"permutation of range({len(size)})")
    return _cr.empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def fill(input, value):
    """Same as torch.fill: a new tensor like input filled with value."""
    return _replaced(input, value)


def get_device(input) -> int:
    return input.get_device()


def is_distributed(input) -> bool:
    return False


def isreal(input):
    """Same as torch.isreal: True where the imaginary part is 0 (everywhere for reals)."""
    if input.is_complex():
        return input.imag == 0
    return _cr.ones_like(input, dtype=backend.bool_)


def mvlgamma(input, p):
    return _sm.multigammaln(input, p)


igamma, igammac = _sm.gammainc, _sm.gammaincc


def positive(input):
    if input.dtype == backend.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def ravel(input):
    return input.reshape(-1)


def rsub(input, other, *, alpha=1):
    """Same as torch.rsub: other - alpha * input."""
    return other - (input * alpha if alpha != 1 else input)


def sgn(input):
    return input.sgn()


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    return _cr.tensor(s, dtype=dtype or backend.get_default_dtype(), device=device,
                      requires_grad=requires_grad)


def split_with_sizes(input, split_sizes, dim=0):
    return input.split_with_sizes(split_sizes, dim)


def frobenius_norm(input, dim=(-2, -1), keepdim=False):
    return vector_norm(input, 2, dim=dim, keepdim=keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim)


def norm_except_dim(v, pow=2, dim=0):
    """Same as torch.norm_except_dim: the p-norm of v over every dim but `dim`, keeping
    v's rank (dim=-1: the norm of all of v)."""
    if dim == -1:
        return v.norm(pow)
    dims = [d for d in range(v.dim()) if d != dim]
    return v.norm(pow, dim=dims, keepdim=True)


def renorm(input, p, dim, maxnorm):
    """Same as torch.renorm: each slice along `dim` whose p-norm exceeds maxnorm is scaled
    to norm maxnorm."""
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
    dims = [d for d in range(input.dim()) if d != dim % builtins.max(input.dim(), 1)]
    norm = input.norm(p, dim=dims, keepdim=True) if dims else input.abs()
    scale = _compare.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * scale


def torch_range(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
                layout=None, pin_memory=False):
    """Same as torch.range (deprecated): [start, end] with `end` included."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    out = _cr.arange(n, dtype=backend.float64, device=device) * step + start
    return out.to(dtype or backend.get_default_dtype()).requires_grad_(requires_grad)


def set_default_tensor_type(t):
    """Same as torch.set_default_tensor_type (deprecated): the dtype of a float tensor
    type (torch.DoubleTensor or "torch.DoubleTensor")."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                  "use torch.set_default_dtype() and torch.set_default_device() as "
                  "alternatives.", UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
    name = name.split(".")[-1]
    table = {"FloatTensor": backend.float32, "DoubleTensor": backend.float64,
             "HalfTensor": backend.float16}
    if name not in table:
        raise TypeError(f"only floating-point types are supported as the default type, got "
                        f"{t}")
    backend.set_default_dtype(table[name])


def nextafter(input, other):
    """Same as torch.nextafter (no gradient)."""
    o = other.array if isinstance(other, Tensor) else other
    return _make(_bx.nextafter(input.array, o))


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """Same as torch.frombuffer: a 1-D tensor sharing the buffer's memory."""
    arr = _bx.frombuffer(buffer, dtype, count, offset)
    return _cr.from_numpy(arr).requires_grad_(requires_grad)


def to_dlpack(tensor):
    """Same as torch.to_dlpack: a DLPack capsule of the tensor's data."""
    return tensor.detach().array.__dlpack__()


# ----------------------------------------------------------------------------- indexing
def as_strided(input, size, stride, storage_offset=0):
    """Same as torch.as_strided, over the tensor's elements in row-major order (its
    storage, for a contiguous tensor); differentiable (a gather)."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {size} and {stride}")
    pos = _cr.zeros((), dtype=backend.int64, device=input.device) + int(storage_offset)
    for k, (n, st) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        pos = pos + (_cr.arange(n, device=input.device) * st).reshape(shape)
    flat = input.reshape(-1)
    if pos.numel() and int(pos.max()) >= flat.numel():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)} and "
                           f"storage offset {storage_offset} need more elements than the "
                           f"{flat.numel()} the input has")
    return flat.take(pos.expand(size))


def _positions(input):
    return _cr.arange(input.numel(), device=input.device).reshape(input.shape)


def _scatter_at(op, input, pos, src):
    if tuple(pos.shape) != tuple(src.shape):
        raise RuntimeError(f"{op}: expected src to have a size equal to the slice of self: "
                           f"src size = {tuple(src.shape)}, slice size = {tuple(pos.shape)}")
    flat = _scatter.index_put(input.reshape(-1), (pos.reshape(-1),),
                              src.reshape(-1).to(input.dtype))
    return flat.reshape(input.shape)


def select_scatter(input, src, dim, index):
    """Same as torch.select_scatter: input with input.select(dim, index) replaced by src."""
    return _scatter_at("select_scatter", input, _positions(input).select(dim, index), src)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """Same as torch.slice_scatter."""
    sl = [builtins.slice(None)] * input.dim()
    sl[dim] = builtins.slice(start, end, step)
    return _scatter_at("slice_scatter", input, _positions(input)[tuple(sl)], src)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """Same as torch.diagonal_scatter."""
    pos = _positions(input).diagonal(offset, dim1, dim2)
    return _scatter_at("diagonal_scatter", input, pos, src)


def as_strided_scatter(input, src, size, stride, storage_offset=0):
    """Same as torch.as_strided_scatter (positions in row-major order, as as_strided)."""
    pos = as_strided(_positions(input), size, stride, storage_offset)
    return _scatter_at("as_strided_scatter", input, pos, src)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Same as torch.index_reduce ('prod', 'mean', 'amax', 'amin'): source's slices along
    dim reduced into input's rows `index`."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    d = dim % builtins.max(source.dim(), 1)
    shape = [1] * source.dim()
    shape[d] = -1
    idx = index.reshape(shape).expand(source.shape) if source.dim() else index
    return _scatter.scatter_reduce(input, d, idx, source, reduce, include_self=include_self)


def nonzero_static(input, *, size, fill_value=-1):
    """Same as torch.nonzero_static: nonzero's (n, ndim) rows, cut or padded to `size`."""
    nz = _index.nonzero(input)[:size]
    if nz.shape[0] < size:
        pad = _cr.full((size - nz.shape[0], input.dim()), fill_value, dtype=nz.dtype,
                       device=input.device)
        nz = cat([nz, pad])
    return nz


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Same as torch.unique_consecutive: the first of each run of equal values (slices
    along `dim`), with the inverse indices and the run lengths."""
    with no_grad():
        x = input.reshape(-1) if dim is None else input.movedim(dim, 0)
        n = x.shape[0]
        if n == 0:
            keep = _cr.zeros(0, dtype=backend.bool_, device=input.device)
        else:
            change = (x[1:] != x[:-1])
            if change.dim() > 1:
                change = change.reshape(n - 1, -1).any(1)
            first = _cr.ones(1, dtype=backend.bool_, device=input.device)
            keep = cat([first, change])
        values = x[keep]
        if dim is not None:
            values = values.movedim(0, dim)
        out = [values]
        if return_inverse:
            inv = keep.long().cumsum(0) - 1
            out.append(inv.reshape(input.shape) if dim is None else inv)
        if return_counts:
            starts = _index.nonzero(keep).reshape(-1)
            ends = cat([starts[1:], _cr.tensor([n], device=input.device)])
            out.append(ends - starts)
    return out[0] if len(out) == 1 else tuple(out)


# ----------------------------------------------------------------------------- histograms
def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """Same as torch.histogram: (hist, bin_edges); CPU only, as PyTorch's."""
    b = bins.array if isinstance(bins, Tensor) else bins
    w = weight.array if weight is not None else None
    hist, edges = _bx.histogram(input.array.reshape(-1), b, range, w, density)
    return _make(hist), _make(edges)


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """Same as torch.histogramdd: (hist, [bin_edges per dim]); CPU only."""
    b = [x.array for x in bins] if isinstance(bins, (list, tuple)) and bins and \
        isinstance(bins[0], Tensor) else bins
    w = weight.array if weight is not None else None
    hist, edges = _bx.histogramdd(input.array, b, range, w, density)
    return _make(hist), [_make(e) for e in edges]


# ----------------------------------------------------------------------------- torch.autograd
def is_tensor_like(inp) -> bool:
    """Same as torch.autograd.is_tensor_like: a Tensor (or an object that says it acts
    as one through __torch_function__)."""
    return isinstance(inp, Tensor) or hasattr(type(inp), "__torch_function__")


class enforce_grad_layout_policy:
    """Same as torch.autograd.enforce_grad_layout_policy(enable): a context manager (or a
    plain call) switching PyTorch's gradient-stride contract. Ember's accumulated
    gradients are always row-major arrays of the parameter's shape, which meets the
    contract either way, so the switch records the mode and changes nothing else."""

    enabled = True

    def __init__(self, enable: bool = True) -> None:
        self.prev = enforce_grad_layout_policy.enabled
        enforce_grad_layout_policy.enabled = bool(enable)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        enforce_grad_layout_policy.enabled = self.prev
