"""More of PyTorch's Tensor methods: the in-place products (addmm_, baddbmm_, addr_, ...),
the *_scatter family, fill_diagonal_, the legacy resize_/new/map_/apply_, the removed
methods that raise PyTorch's error (eig, symeig, lstsq, solve, reinforce), device queries
(is_mps, is_xla, ...) and small aliases (unsafe_split, narrow_copy, hsplit, ...). Each calls
one op or a function of autograd/torch_extras.py."""
from __future__ import annotations

import math
import warnings

from .. import backend
from .. import torch_extras as _tx
from .._decompositions import geqrf as _geqrf
from .._decompositions import householder_product as _householder_product
from ..backend import extras as _bx
from ..grad_mode import no_grad
from ..linalg import lu_solve as _lu_solve
from ..ops import composite as _composite
from ..ops import inplace as _inplace
from ..ops import special_more as _sm
from ..ops import split as _split
from ..ops.linalg import addbmm as _addbmm
from ..ops.linalg import addmm as _addmm
from ..ops.linalg import addmv as _addmv
from ..ops.linalg import baddbmm as _baddbmm
from ..ops.linalg import outer as _outer
from ..ops.scatter import index_put as _index_put
from ..return_types import return_type
from ..tensor_base import GRAD_DTYPE_SET as _GRAD_DTYPE_SET
from ..tensor_base import _make

_frexp = return_type("frexp", ["mantissa", "exponent"])


def _inplace_call(op, fn):
    def method(self, *args, **kwargs):
        return _inplace.math_(self, op, lambda t: fn(t, *args, **kwargs))
    method.__name__ = op
    method.__doc__ = f"Same as torch.Tensor.{op}."
    return method


def _addr(input, vec1, vec2, *, beta=1, alpha=1):
    if vec1.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(f"addr: Expected 1-D arguments, got {vec1.dim()}-D and "
                           f"{vec2.dim()}-D")
    prod = _outer(vec1, vec2)
    return (input if beta == 1 else input * beta) + (prod if alpha == 1 else prod * alpha)


def _removed(name, instead):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed."
                           f" `Tensor.{name}` is deprecated in favor of `{instead}`.")
    method.__name__ = name
    return method


def _hvd_split(op, self, sections, dim, min_dim):
    if self.dim() < min_dim:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {self.dim()} dimensions!")
    if isinstance(sections, int) and self.shape[dim] % sections:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {self.shape[dim]} is not divisible by the "
                           f"split_size {sections}!")
    return _composite.tensor_split(self, sections, dim)


class MoreMixin:
    __slots__ = ()

    addmm_ = _inplace_call("addmm_", _addmm)
    addbmm_ = _inplace_call("addbmm_", _addbmm)
    addmv_ = _inplace_call("addmv_", _addmv)
    baddbmm_ = _inplace_call("baddbmm_", _baddbmm)
    addr_ = _inplace_call("addr_", _addr)
    igamma_ = _inplace_call("igamma_", _sm.gammainc)
    igammac_ = _inplace_call("igammac_", _sm.gammaincc)
    mvlgamma_ = _inplace_call("mvlgamma_", _sm.multigammaln)
    nextafter_ = _inplace_call("nextafter_", _tx.nextafter)
    renorm_ = _inplace_call("renorm_", _tx.renorm)
    index_reduce_ = _inplace_call("index_reduce_", _tx.index_reduce)
    ldexp_ = _inplace_call("ldexp_", lambda t, other: t.ldexp(other))

    eig = _removed("eig", "torch.linalg.eig")
    symeig = _removed("symeig", "torch.linalg.eigh")
    lstsq = _removed("lstsq", "torch.linalg.lstsq")
    solve = _removed("solve", "torch.linalg.solve")

    def reinforce(self, reward):
        raise RuntimeError("reinforce() was removed.\nUse torch.distributions instead.")

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def igamma(self, other):
        return _sm.gammainc(self, other)

    def igammac(self, other):
        return _sm.gammaincc(self, other)

    def mvlgamma(self, p):
        return _sm.multigammaln(self, p)

    def nextafter(self, other):
        return _tx.nextafter(self, other)

    def renorm(self, p, dim, maxnorm):
        return _tx.renorm(self, p, dim, maxnorm)

    def index_reduce(self, dim, index, source, reduce, *, include_self=True):
        return _tx.index_reduce(self, dim, index, source, reduce, include_self=include_self)

    def isreal(self):
        return _tx.isreal(self)

    def nonzero_static(self, *, size, fill_value=-1):
        return _tx.nonzero_static(self, size=size, fill_value=fill_value)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return _tx.unique_consecutive(self, return_inverse, return_counts, dim)

    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        return _tx.histogram(self, bins, range=range, weight=weight, density=density)

    def as_strided(self, size, stride, storage_offset=0):
        return _tx.as_strided(self, size, stride, storage_offset)

    def as_strided_scatter(self, src, size, stride, storage_offset=0):
        return _tx.as_strided_scatter(self, src, size, stride, storage_offset)

    def select_scatter(self, src, dim, index):
        return _tx.select_scatter(self, src, dim, index)

    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return _tx.slice_scatter(self, src, dim, start, end, step)

    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return _tx.diagonal_scatter(self, src, offset, dim1, dim2)

    def ldexp(self, other):
        """Same as torch.Tensor.ldexp: self * 2 ** other."""
        two = self.new_tensor(2.0) if self.is_floating_point() else 2.0
        return self * (two ** other)

    def frexp(self):
        """Same as torch.Tensor.frexp: (mantissa, exponent) with self = m * 2 ** e."""
        m, e = _bx.frexp(self.array)
        e = _make(e)
        if not self.requires_grad:
            return _frexp(_make(m), e)
        # differentiable: self * 2 ** -e (exact, a power of two; its gradient 2 ** -e)
        wide = backend.float64 if self.dtype == backend.torch_dtype(backend.float64) \
            else backend.float32
        scale = self.new_tensor(2.0, dtype=backend.torch_dtype(wide)) ** (-e)
        return _frexp((self * scale).to(self.dtype), e)

    def hardshrink(self, lambd=0.5):
        """Same as torch.Tensor.hardshrink: x where |x| > lambd, else 0."""
        return self * (self.abs() > lambd).to(self.dtype)

    def prelu(self, weight):
        """Same as torch.Tensor.prelu: max(0, x) + weight * min(0, x), weight along dim 1."""
        w = weight
        if weight.numel() > 1 and self.dim() > 1:
            w = weight.reshape([1, -1] + [1] * (self.dim() - 2))
        return self.clamp(min=0) + w * self.clamp(max=0)

    def fill_diagonal_(self, fill_value, wrap=False):
        """Same as torch.Tensor.fill_diagonal_ (all dims equal beyond 2-D; `wrap` restarts
        the diagonal of a tall matrix every ncols + 1 rows)."""
        if self.dim() < 2:
            raise RuntimeError("dimensions must larger than 1")
        n = self.shape[0]
        if self.dim() > 2 and any(s != n for s in self.shape):
            raise RuntimeError("all dimensions of input must be of equal length")
        # flat (row-major) positions of the diagonal: a step of sum_k prod(shape[k+1:])
        step = sum(math.prod(self.shape[k + 1:]) for k in range(self.dim()))
        if self.dim() == 2 and not wrap:
            limit = min(self.shape[0], self.shape[1]) * self.shape[1]
        else:
            limit = self.numel()
        pos = self.new_tensor(list(range(0, limit, step)), dtype=backend.int64)
        value = self.new_tensor(fill_value)

        def fill(t):
            return _index_put(t.reshape(-1), (pos,), value.expand(pos.shape)).reshape(t.shape)
        return _inplace.math_(self, "fill_diagonal_", fill)

    def orgqr(self, input2):
        """Same as torch.Tensor.orgqr (torch.linalg.householder_product)."""
        return _householder_product(self, input2)

    def ormqr(self, input2, input3, left=True, transpose=False):
        """Same as torch.Tensor.ormqr: the full Q of the Householder reflectors (self, tau)
        times input3 (Q^T with transpose; from the right with left=False)."""
        m, n = self.shape[-2], self.shape[-1]
        a = self
        if n < m:
            a = _split.cat([self, self.new_zeros(tuple(self.shape[:-1]) + (m - n,))], -1)
        tau = input2
        if tau.shape[-1] < m:
            tau = _split.cat([tau, tau.new_zeros(tuple(tau.shape[:-1]) +
                                                 (m - tau.shape[-1],))], -1)
        q = _householder_product(a[..., :m], tau)
        q = q.mT if transpose else q
        return q @ input3 if left else input3 @ q

    def geqrf(self):
        return _geqrf(self)

    def lu_solve(self, LU_data, LU_pivots):
        """Same as torch.Tensor.lu_solve: solves A X = self from A's LU factorisation."""
        return _lu_solve(LU_data, LU_pivots, self)

    # ----------------------------------------------------------------- splits and copies
    def unsafe_chunk(self, chunks, dim=0):
        return self.chunk(chunks, dim)

    def unsafe_split(self, split_size, dim=0):
        return self.split(split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes, dim=0):
        return self.split_with_sizes(split_sizes, dim)

    def narrow_copy(self, dim, start, length):
        return _split.narrow(self, dim, start, length).clone()

    def hsplit(self, sections):
        return _hvd_split("hsplit", self, sections, 1 if self.dim() > 1 else 0, 1)

    def vsplit(self, sections):
        return _hvd_split("vsplit", self, sections, 0, 2)

    def dsplit(self, sections):
        return _hvd_split("dsplit", self, sections, 2, 3)

    # ----------------------------------------------------------------- legacy and queries
    def new(self, *args, **kwargs):
        """Same as torch.Tensor.new (legacy): new(sizes...) an uninitialised tensor, new(data)
        a tensor of the data, both in self's dtype and device."""
        is_size = len(args) == 1 and type(args[0]).__name__ == "Size"
        if len(args) == 1 and not isinstance(args[0], int) and not is_size:
            return self.new_tensor(args[0], **kwargs)
        if is_size:
            args = tuple(args[0])
        return self.new_empty(args if args else (0,), **kwargs)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None,
                          requires_grad=False, layout=None, pin_memory=False):
        return self.new_empty(tuple(size), dtype=dtype, device=device,
                              requires_grad=requires_grad)

    def resize_(self, *sizes, memory_format=None):
        """Same as torch.Tensor.resize_: self takes the shape `sizes`, keeping its first
        elements in row-major order (new ones uninitialised; here zero)."""
        if len(sizes) == 1 and not isinstance(sizes[0], int):
            sizes = tuple(sizes[0])
        if self.requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        flat = self.array.reshape(-1)
        n = math.prod(sizes)
        xp = backend.array_module(flat)
        out = xp.zeros(n, dtype=flat.dtype)
        k = min(n, flat.size)
        out[:k] = flat[:k]
        self.array = out.reshape(sizes)
        self._version[0] += 1
        return self

    def resize_as_(self, the_template, memory_format=None):
        return self.resize_(tuple(the_template.shape))

    def resize(self, *sizes):
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        with no_grad():
            return self.detach().clone().resize_(*sizes)

    def resize_as(self, tensor):
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        return self.resize(tuple(tensor.shape))

    def apply_(self, callable):
        """Same as torch.Tensor.apply_: callable applied to each element, in place (CPU
        only and slow, as PyTorch's)."""
        return self._map_values("apply_", lambda vals: [callable(v) for v in vals])

    def map_(self, tensor, callable):
        other = tensor.expand(self.shape).reshape(-1).tolist()
        return self._map_values("map_", lambda vals: [callable(a, b)
                                                      for a, b in zip(vals, other)])

    def map2_(self, x, y, callable):
        xs = x.expand(self.shape).reshape(-1).tolist()
        ys = y.expand(self.shape).reshape(-1).tolist()
        return self._map_values("map2_", lambda vals: [callable(a, b, c)
                                                       for a, b, c in zip(vals, xs, ys)])

    def _map_values(self, op, fn):
        if self.device.type != "cpu":
            raise TypeError(f"{op} is only implemented on CPU tensors")
        if self.requires_grad:
            raise RuntimeError(f"{op} is not differentiable: call it on a tensor that does "
                               "not require grad")
        vals = fn(self.reshape(-1).tolist())
        with no_grad():
            self.copy_(self.new_tensor(vals).reshape(self.shape))
        return self

    def as_subclass(self, cls):
        """Same as torch.Tensor.as_subclass: a tensor of type `cls` sharing self's data."""
        out = self.detach()
        out.__class__ = cls
        return out

    def module_load(self, other, assign=False):
        """Same as torch.Tensor.module_load: what load_state_dict puts in place of self."""
        if assign:
            return other.detach()
        with no_grad():
            return self.copy_(other).detach()

    def dim_order(self, *, ambiguity_check=False):
        """Same as torch.Tensor.dim_order: the dims from outermost to innermost in memory."""
        st = self.stride()
        return tuple(sorted(range(self.dim()), key=lambda d: -st[d]))

    def is_distributed(self) -> bool:
        return False

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn this tensor is (0 for a leaf)."""
        return self._nr if self.grad_fn is not None else 0

    @property
    def grad_dtype(self):
        """Same as torch.Tensor.grad_dtype: the dtype the engine casts this leaf's incoming
        gradients to (default: the leaf's dtype; None: any dtype is kept)."""
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        return self.__dict__.get("_grad_dtype", self.dtype)

    @grad_dtype.setter
    def grad_dtype(self, value):
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        _GRAD_DTYPE_SET[0] = True
        self.__dict__["_grad_dtype"] = value

    @property
    def layout(self):
        return _tx.strided

    @property
    def volatile(self) -> bool:
        warnings.warn("volatile was removed (Variable.volatile is always False)",
                      UserWarning, stacklevel=2)
        return False

    is_mps = is_xla = is_ipu = is_maia = is_vulkan = property(lambda self: False)
