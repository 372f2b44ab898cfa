"""`Tensor`: one backend array plus its place in the graph. No maths here: every method
is a one-line call into an op in `autograd/ops/`."""
from __future__ import annotations

from . import backend

_new = object.__new__


def _make(arr, requires_grad=False):
    """Wrap a backend array without copying (internal fast constructor)."""
    if type(arr) is not backend.ndarray and not backend.is_array(arr):
        arr = backend.array_module(arr).asarray(arr)
    t = _new(Tensor)
    t.array = arr
    t.requires_grad = requires_grad
    t.grad_fn = None
    t._grad = None
    t._version = [0]
    return t


def _leaf_inplace_error(op):
    return RuntimeError(
        f"{op}: a leaf Variable that requires grad is being used in an in-place operation; "
        "wrap it in `with autograd.no_grad():` (e.g. for a manual SGD step) or use the "
        "out-of-place op")


class Tensor:
    """Same as torch.Tensor. `array` is the backend ndarray (NumPy or CuPy), not a copy."""

    __slots__ = ("array", "requires_grad", "grad_fn", "_grad", "_version", "__dict__",
                 "__weakref__")
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator
    _nr = 0                    # output number in a multi-output grad_fn
    _hooks_list = None         # hooks of a leaf
    _post_acc_hooks = None     # post-accumulate-grad hooks of a leaf
    name = None                # optional label shown in graph drawings
    _is_param = False
    _is_tensor = True          # as a graph edge: a leaf (see engine.py)
    _view_base = None          # the tensor a view op was taken of (grad mode only)

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """The legacy constructor, as torch.Tensor: `Tensor(2, 3)` is a (2, 3) tensor
        (zero-filled here), `Tensor(data)` converts data to the default dtype. Prefer
        `autograd.tensor(data)`, which infers the dtype."""
        from .creation import _legacy_array
        self.array = _legacy_array(args, dtype, device)
        self.requires_grad = False
        self.grad_fn = None
        self._grad = None
        self._version = [0]
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def grad(self):
        """The accumulated gradient (a Tensor) or None; assignable, checked like PyTorch."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value.array.shape != self.array.shape:
                raise RuntimeError(f"grad: assigned grad has data of a different size: "
                                   f"{tuple(value.shape)} for a tensor of shape "
                                   f"{tuple(self.shape)}")
            if value.array.dtype != self.array.dtype:
                raise RuntimeError(f"grad: assigned grad has data of a different type: "
                                   f"{value.dtype} for a tensor of dtype {self.dtype}")
            if type(value.array) is not type(self.array) or value.device != self.device:
                raise RuntimeError(f"grad: assigned grad has data located on a different "
                                   f"device: {value.device} for a tensor on {self.device}")
        self._grad = value

    @property
    def shape(self):
        return Size(self.array.shape)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    ndimension = dim

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def device(self) -> backend.device:
        return backend.device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def data(self) -> "Tensor":
        """A detached tensor sharing storage (so `p.data -= lr * p.grad` updates p)."""
        t = _make(self.array)
        t._version = self._version
        return t

    @data.setter
    def data(self, value):
        self.array = value.array if isinstance(value, Tensor) else value
        self._version[0] += 1

    @property
    def T(self) -> "Tensor":
        return _shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> "Tensor":
        return _shape.transpose(self, -2, -1)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self.array.shape[_shape.norm_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> int:
        return self.array.itemsize

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        return self.array.nbytes

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self.array.flags.c_contiguous)

    def stride(self, dim=None):
        st = tuple(s // self.array.itemsize for s in self.array.strides)
        return st if dim is None else st[dim]

    def data_ptr(self) -> int:
        return backend.data_ptr(self.array)

    @property
    def _base(self):
        return self._view_base

    @property
    def _version_count(self) -> int:
        return self._version[0]

    # ------------------------------------------------------------------ conversion
    def numpy(self, force: bool = False):
        if not force:
            if self.requires_grad:
                raise RuntimeError(
                    "numpy: can't call numpy() on a Tensor that requires grad; use "
                    "tensor.detach().numpy() instead")
            if self.device.type != "cpu":
                raise TypeError(
                    f"numpy: can't convert a {self.device} tensor to numpy; use "
                    "tensor.cpu() to copy it to host memory first")
        return backend.to_host(self.array)

    def __array__(self, dtype=None, copy=None):
        if self.device.type != "cpu":
            raise TypeError(
                f"__array__: can't convert a {self.device} tensor to numpy; call .cpu() first")
        arr = self.array
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def item(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self.array.size} elements cannot be converted to a "
                "Python scalar")
        if type(self.array) is not backend.ndarray:
            backend.flush_checks()  # a GPU read: deferred checks raise here
        return self.array.reshape(()).item()

    def tolist(self):
        return backend.to_host(self.array).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a Tensor with {self.array.size} elements is "
                "ambiguous")
        return bool(self.item())

    def __index__(self):
        if self.array.ndim != 0 or self.array.dtype.kind not in "iub":
            raise TypeError(
                "__index__: only 0-d integer tensors can be converted to an index, got "
                f"shape {tuple(self.shape)} and dtype {self.dtype}")
        return int(self.item())

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from .printing import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self.array.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __dlpack__(self, *args, **kwargs):
        return self.array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()

    def __reduce_ex__(self, protocol):
        raise TypeError("Tensor: pickling is not supported; use nn.utils.save (safetensors)")

    def __deepcopy__(self, memo):
        """Same as torch: leaves (parameters included) copy their data, grad and flags."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "deepcopy: only Tensors created explicitly by the user (graph leaves) support "
                "the deepcopy protocol; call detach() first")
        if id(self) in memo:
            return memo[id(self)]
        import copy
        new = _new(type(self))
        new.array = self.array.copy()
        new.requires_grad = self.requires_grad
        new.grad_fn = None
        new._version = [0]
        memo[id(self)] = new
        new.grad = copy.deepcopy(self.grad, memo)
        for k, v in getattr(self, "__dict__", {}).items():
            setattr(new, k, copy.deepcopy(v, memo))
        return new

    # ------------------------------------------------------------------ graph
    def detach(self) -> "Tensor":
        t = _make(self.array)
        t._version = self._version
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "requires_grad_: you can only change requires_grad flags of leaf "
                    "variables; use detach() to get a tensor that does not require grad")
            return self
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(
                f"requires_grad_: only Tensors of floating point dtype can require "
                f"gradients, got {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("retain_grad: can't retain_grad on a Tensor that has "
                                   "requires_grad=False")
            return
        import weakref
        node = self.grad_fn
        if node._retained is None:
            node._retained = {}
            node._plain = False
        node._retained[self._nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        return node is not None and node._retained is not None and self._nr in node._retained

    def register_hook(self, fn):
        """Same as torch.Tensor.register_hook: fn(grad) may return a replacement."""
        from .function import _RemovableHandle
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks_list is None:
                self._hooks_list = []
            self._hooks_list.append(fn)
            return _RemovableHandle(self._hooks_list, fn)
        node = self.grad_fn
        if node._hooks is None:
            node._hooks = {}
            node._plain = False
        hooks = node._hooks.setdefault(self._nr, [])
        hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    def register_post_accumulate_grad_hook(self, fn):
        """Same as torch: fn(tensor) runs after the leaf's .grad was accumulated."""
        from .function import _RemovableHandle
        if self.grad_fn is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only leaf tensors can "
                               "have post-accumulate-grad hooks")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(fn)
        return _RemovableHandle(self._post_acc_hooks, fn)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Same as torch.Tensor.backward."""
        from .grad import backward
        backward((self,), None if gradient is None else (gradient,), retain_graph,
                 create_graph, inputs)

    def draw(self, **kw):
        """Shortcut for autograd.viz.draw(self, **kw)."""
        from . import viz
        return viz.draw(self, **kw)

    # ------------------------------------------------------------------ devices, dtypes
    def to(self, *args, **kwargs):
        """Same as torch.Tensor.to(device), .to(dtype), .to(device, dtype), .to(other), with
        the keywords device, dtype, non_blocking, copy and memory_format."""
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)  # host copies are synchronous
        kwargs.pop("memory_format", None)  # arrays are always contiguous here
        unknown = set(kwargs) - {"device", "dtype", "other"}
        if unknown:
            raise TypeError(f"to: got an unexpected keyword argument {sorted(unknown)[0]!r}")
        dev, dtype = None, None
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, Tensor):
                dev, dtype = a.device, a.dtype
            elif isinstance(a, bool):  # .to(device, dtype, non_blocking, copy) positionally
                continue
            elif isinstance(a, (str, backend.device)) and not (
                    isinstance(a, str) and a in backend.DTYPES):
                dev = backend.as_device(a)
            elif isinstance(a, int):
                dev = backend.as_device(a)
            elif a is not None:
                dtype = backend.as_dtype(a)
        out = self
        if dev is not None and dev != self.device:
            out = _creation.to_device(out, dev)
        elif copy:
            out = out.clone()
        if dtype is not None and dtype != out.dtype:
            out = _elementwise.cast(out, dtype)
        return out

    def cpu(self, memory_format=None) -> "Tensor":
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None) -> "Tensor":
        return self.to(backend.as_device("cuda" if device is None else device)
                       if not isinstance(device, int) else backend.device("cuda", device))

    def type(self, dtype=None):
        if dtype is None:
            return f"autograd.{self.dtype}"
        return self.to(dtype)

    def _new_kw(self, dtype, device):
        return dict(dtype=self.dtype if dtype is None else dtype,
                    device=self.device if device is None else device)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        """Same as torch.Tensor.new_zeros: this tensor's dtype and device by default."""
        return _creation.zeros(*size, requires_grad=requires_grad,
                               **self._new_kw(dtype, device))

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return _creation.ones(*size, requires_grad=requires_grad, **self._new_kw(dtype, device))

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return _creation.empty(*size, requires_grad=requires_grad,
                               **self._new_kw(dtype, device))

    def new_full(self, size, fill_value, dtype=None, device=None,
                 requires_grad=False) -> "Tensor":
        return _creation.full(size, fill_value, requires_grad=requires_grad,
                              **self._new_kw(dtype, device))

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> "Tensor":
        return _creation.tensor(data, requires_grad=requires_grad,
                                **self._new_kw(dtype, device))

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(backend.float32)

    def double(self) -> "Tensor":
        return self.to(backend.float64)

    def half(self) -> "Tensor":
        return self.to(backend.float16)

    def long(self) -> "Tensor":
        return self.to(backend.int64)

    def int(self) -> "Tensor":
        return self.to(backend.int32)

    def bool(self) -> "Tensor":
        return self.to(backend.bool_)

    # ------------------------------------------------------------------ arithmetic
    # the hottest operators call their op's class directly (one call less per op)
    def __add__(self, other):
        return _add_op(self, other)

    def __radd__(self, other):
        return _add_op(other, self)

    def __sub__(self, other):
        return _sub_op(self, other)

    def __rsub__(self, other):
        return _sub_op(other, self)

    def __mul__(self, other):
        return _mul_op(self, other)

    def __rmul__(self, other):
        return _mul_op(other, self)

    def __truediv__(self, other):
        return _div_op(self, other)

    def __rtruediv__(self, other):
        return _div_op(other, self)

    def __floordiv__(self, other):
        return _elementwise.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _elementwise.floor_divide(other, self)

    def __mod__(self, other):
        return _elementwise.remainder(self, other)

    def __rmod__(self, other):
        return _elementwise.remainder(other, self)

    def __pow__(self, other):
        return _elementwise.pow(self, other)

    def __rpow__(self, other):
        return _elementwise.pow(other, self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _neg_op(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary.abs(self)

    def __invert__(self):
        return _compare.logical_not(self) if self.dtype.kind == "b" else \
            _compare.bitwise_not(self)

    # bitwise on integers, logical on bools (as PyTorch's & | ^ << >>)
    def __and__(self, other):
        return _special.bitwise_and(self, other)

    def __rand__(self, other):
        return _special.bitwise_and(other, self)

    def __or__(self, other):
        return _special.bitwise_or(self, other)

    def __ror__(self, other):
        return _special.bitwise_or(other, self)

    def __xor__(self, other):
        return _special.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _special.bitwise_xor(other, self)

    def __lshift__(self, other):
        return _special.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return _special.bitwise_left_shift(other, self)

    def __rshift__(self, other):
        return _special.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return _special.bitwise_right_shift(other, self)

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    # comparisons: bool tensors, no gradient
    def __eq__(self, other):
        return _compare.eq(self, other)

    def __ne__(self, other):
        return _compare.ne(self, other)

    def __lt__(self, other):
        return _compare.lt(self, other)

    def __le__(self, other):
        return _compare.le(self, other)

    def __gt__(self, other):
        return _compare.gt(self, other)

    def __ge__(self, other):
        return _compare.ge(self, other)

    # in-place (see ops/inplace.py)
    def __iadd__(self, other):
        return _inplace.add_(self, other)

    def __isub__(self, other):
        return _inplace.sub_(self, other)

    def __imul__(self, other):
        return _inplace.mul_(self, other)

    def __itruediv__(self, other):
        return _inplace.div_(self, other)

    def __ipow__(self, other):
        return _inplace.pow_(self, other)

    def add_(self, other, alpha=1):
        return _inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, alpha=1):
        return _inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return _inplace.mul_(self, other)

    def div_(self, other):
        return _inplace.div_(self, other)

    def pow_(self, other):
        return _inplace.pow_(self, other)

    def zero_(self):
        return _inplace.zero_(self)

    def fill_(self, value):
        return _inplace.fill_(self, value)

    def copy_(self, src):
        return _inplace.copy_(self, src)

    def clamp_(self, min=None, max=None):
        return _inplace.clamp_(self, min, max)

    clip_ = clamp_

    def neg_(self):
        return _inplace.mul_(self, -1)

    def exp_(self):
        return _inplace.unary_(self, _unary.exp, "exp_")

    def sqrt_(self):
        return _inplace.unary_(self, _unary.sqrt, "sqrt_")

    def relu_(self):
        return _inplace.unary_(self, _unary.relu, "relu_")

    def sigmoid_(self):
        return _inplace.unary_(self, _unary.sigmoid, "sigmoid_")

    def tanh_(self):
        return _inplace.unary_(self, _unary.tanh, "tanh_")

    def abs_(self):
        return _inplace.unary_(self, _unary.abs, "abs_")

    def addcmul_(self, t1, t2, value=1):
        return _inplace.add_(self, t1 * t2, alpha=value)

    def addcdiv_(self, t1, t2, value=1):
        return _inplace.add_(self, t1 / t2, alpha=value)

    def lerp_(self, end, weight):
        return _inplace.add_(self, (end - self) * weight)

    def masked_fill_(self, mask, value):
        return _inplace.masked_fill_(self, mask, value)

    def index_add_(self, dim, index, source, alpha=1):
        return _inplace.index_add_(self, dim, index, source, alpha)

    def scatter_add_(self, dim, index, src):
        return _inplace.scatter_add_(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        return _inplace.index_add(self, dim, index, source, alpha=alpha)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return _inplace.uniform_(self, a, b, generator)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return _inplace.normal_(self, mean, std, generator)

    def bernoulli_(self, p=0.5, generator=None):
        return _inplace.bernoulli_(self, p, generator)

    def __setitem__(self, index, value):
        _inplace.setitem(self, index, value)

    # ------------------------------------------------------------------ elementwise
    def add(self, other, alpha=1):
        return _elementwise.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return _elementwise.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _elementwise.mul(self, other)

    multiply = mul

    def div(self, other, rounding_mode=None):
        return _elementwise.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def pow(self, exponent):
        return _elementwise.pow(self, exponent)

    def neg(self):
        return _elementwise.neg(self)

    negative = neg

    def abs(self):
        return _unary.abs(self)

    def exp(self):
        return _exp_op(self)

    def exp2(self):
        return _unary.exp2(self)

    def log(self):
        return _unary.log(self)

    def log2(self):
        return _unary.log2(self)

    def log10(self):
        return _unary.log10(self)

    def log1p(self):
        return _unary.log1p(self)

    def expm1(self):
        return _unary.expm1(self)

    def sqrt(self):
        return _unary.sqrt(self)

    def rsqrt(self):
        return _unary.rsqrt(self)

    def square(self):
        return _unary.square(self)

    def sin(self):
        return _unary.sin(self)

    def cos(self):
        return _unary.cos(self)

    def tan(self):
        return _unary.tan(self)

    def tanh(self):
        return _tanh_op(self)

    def sinh(self):
        return _unary.sinh(self)

    def cosh(self):
        return _unary.cosh(self)

    def asin(self):
        return _unary.asin(self)

    def acos(self):
        return _unary.acos(self)

    def atan(self):
        return _unary.atan(self)

    def sigmoid(self):
        return _sigmoid_op(self)

    def relu(self):
        return _relu_op(self)

    def erf(self):
        return _unary.erf(self)

    # ---------------------------------------------------------------- special maths
    # (their in-place `_` forms are generated below the class, through special.inplace)
    def asinh(self):
        return _special.asinh(self)

    def acosh(self):
        return _special.acosh(self)

    def atanh(self):
        return _special.atanh(self)

    def erfc(self):
        return _special.erfc(self)

    def erfinv(self):
        return _special.erfinv(self)

    def lgamma(self):
        return _special.lgamma(self)

    def digamma(self):
        return _special.digamma(self)

    def polygamma(self, n):
        return _special.polygamma(n, self)

    def sinc(self):
        return _special.sinc(self)

    def logit(self, eps=None):
        return _special.logit(self, eps)

    def frac(self):
        return _special.frac(self)

    def deg2rad(self):
        return _special.deg2rad(self)

    def rad2deg(self):
        return _special.rad2deg(self)

    def i0(self):
        return _special.i0(self)

    def signbit(self):
        return _special.signbit(self)

    def isposinf(self):
        return _special.isposinf(self)

    def isneginf(self):
        return _special.isneginf(self)

    def atan2(self, other):
        return _special.atan2(self, other)

    def hypot(self, other):
        return _special.hypot(self, other)

    def logaddexp(self, other):
        return _special.logaddexp(self, other)

    def logaddexp2(self, other):
        return _special.logaddexp2(self, other)

    def xlogy(self, other):
        return _special.xlogy(self, other)

    def copysign(self, other):
        return _special.copysign(self, other)

    def heaviside(self, values):
        return _special.heaviside(self, values)

    def float_power(self, exponent):
        return _special.float_power(self, exponent)

    def fmax(self, other):
        return _special.fmax(self, other)

    def fmin(self, other):
        return _special.fmin(self, other)

    def bitwise_and(self, other):
        return _special.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _special.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _special.bitwise_xor(self, other)

    def bitwise_not(self):
        return _special.bitwise_not(self)

    def bitwise_left_shift(self, other):
        return _special.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other):
        return _special.bitwise_right_shift(self, other)

    def gcd(self, other):
        return _special.gcd(self, other)

    def lcm(self, other):
        return _special.lcm(self, other)

    arcsinh, arccosh, arctanh, arctan2 = asinh, acosh, atanh, atan2

    def clamp(self, min=None, max=None):
        return _compare.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return _compare.clamp(self, min, None)

    def clamp_max(self, max):
        return _compare.clamp(self, None, max)

    def maximum(self, other):
        return _compare.maximum(self, other)

    def minimum(self, other):
        return _compare.minimum(self, other)

    def where(self, condition, other):
        return _compare.where(condition, self, other)

    def sign(self):
        return _unary.sign(self)

    def reciprocal(self):
        return _unary.reciprocal(self)

    def floor(self):
        return _unary.floor(self)

    def ceil(self):
        return _unary.ceil(self)

    def round(self, decimals=0):
        return _unary.round(self, decimals=decimals)

    def trunc(self):
        return _unary.trunc(self)


    def lerp(self, end, weight):
        return _elementwise.lerp(self, end, weight)

    def addcmul(self, t1, t2, value=1):
        return self + value * t1 * t2

    def addcdiv(self, t1, t2, value=1):
        return self + value * t1 / t2

    def fmod(self, other):
        return _elementwise.fmod(self, other)

    def remainder(self, other):
        return _elementwise.remainder(self, other)

    def eq(self, other):
        return _compare.eq(self, other)

    def ne(self, other):
        return _compare.ne(self, other)

    def lt(self, other):
        return _compare.lt(self, other)

    def le(self, other):
        return _compare.le(self, other)

    def gt(self, other):
        return _compare.gt(self, other)

    def ge(self, other):
        return _compare.ge(self, other)

    def equal(self, other) -> bool:
        return _compare.equal(self, other)

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return _compare.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return _compare.isclose(self, other, rtol, atol, equal_nan)

    def isnan(self):
        return _compare.isnan(self)

    def isinf(self):
        return _compare.isinf(self)

    def isfinite(self):
        return _compare.isfinite(self)

    def logical_not(self):
        return _compare.logical_not(self)

    def logical_and(self, other):
        return _compare.logical_and(self, other)

    def logical_or(self, other):
        return _compare.logical_or(self, other)

    def masked_fill(self, mask, value):
        return _index.masked_fill(self, mask, value)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _compare.nan_to_num(self, nan, posinf, neginf)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        return _reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return _reduce.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, dtype=None):
        return _reduce.prod(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def amax(self, dim=(), keepdim=False):
        return _reduce.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _reduce.amin(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        return _reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _reduce.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _reduce.argmin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return _reduce.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _reduce.norm(self, p, dim, keepdim, dtype=dtype)

    def cumsum(self, dim, dtype=None):
        return _reduce.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, dtype=None):
        return _reduce.cumprod(self, dim, dtype=dtype)

    def softmax(self, dim, dtype=None):
        return _reduce.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _reduce.log_softmax(self, dim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return _reduce.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _reduce.any(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return _reduce.count_nonzero(self, dim)

    def sort(self, dim=-1, descending=False, stable=False):
        return _index.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _index.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _index.topk(self, k, dim, largest, sorted)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)) and \
                not hasattr(shape[0], "__index__"):
            return self.to(shape[0])  # view(dtype) is not a reinterpretation here
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

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def movedim(self, source, destination):
        return _shape.movedim(self, source, destination)

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, tuple(other.shape))

    def broadcast_to(self, shape):
        return _shape.broadcast_to(self, shape)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def flip(self, dims):
        return _shape.flip(self, dims)

    def roll(self, shifts, dims=None):
        return _shape.roll(self, shifts, dims)

    def split(self, split_size_or_sections, dim=0):
        return _shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _shape.unbind(self, dim)

    def tril(self, diagonal=0):
        return _shape.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _shape.triu(self, diagonal)

    def contiguous(self):
        return _shape.contiguous(self)

    def clone(self):
        return _shape.clone(self)

    def narrow(self, dim, start, length):
        return _shape.narrow(self, dim, start, length)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _shape.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal=0):
        return _linalg.diag(self, diagonal)

    def trace(self):
        return _linalg.trace(self)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _linalg.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def pin_memory(self, device=None):
        """Host tensors need no pinning here (CuPy copies from pageable memory): self."""
        return self

    def is_pinned(self, device=None) -> bool:
        return False

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

    def kron(self, other):
        return _products.kron(self, other)

    def inner(self, other):
        return _products.inner(self, other)

    def cross(self, other, dim=None):
        return _products.cross(self, other, dim)

    def det(self):
        return _la.det(self)

    def logdet(self):
        return _la.logdet(self)

    def slogdet(self):
        return _la.slogdet(self)

    def inverse(self):
        return _la.inv(self)

    def matrix_power(self, n):
        return _la.matrix_power(self, n)

    def median(self, dim=None, keepdim=False):
        return _order.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _order.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _order.mode(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _order.kthvalue(self, k, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _order.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _order.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _order.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _order.nanmean(self, dim, keepdim, dtype=dtype)

    def cummax(self, dim):
        return _order.cummax(self, dim)

    def cummin(self, dim):
        return _order.cummin(self, dim)

    def logcumsumexp(self, dim):
        return _order.logcumsumexp(self, dim)

    def histc(self, bins=100, min=0, max=0):
        return _order.histc(self, bins, min, max)

    def bincount(self, weights=None, minlength=0):
        return _order.bincount(self, weights, minlength)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _index.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _index.unique(self, sorted, return_inverse, return_counts, dim)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from .sampling import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        from .sampling import bernoulli
        return bernoulli(self, p, generator=generator)

    def unfold(self, dimension, size, step):
        return _shape.unfold(self, dimension, size, step)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index):
        return _index.getitem(self, index)

    def gather(self, dim, index):
        return _index.gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return _index.scatter_add(self, dim, index, src)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter_(self, dim, index, src, value, reduce=reduce)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce_(self, dim, index, src, reduce,
                                        include_self=include_self)

    def take(self, index):
        return _scatter.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _scatter.take_along_dim(self, indices, dim)

    def masked_select(self, mask):
        return _scatter.masked_select(self, mask)

    def masked_scatter(self, mask, source):
        return _scatter.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _scatter.masked_scatter_(self, mask, source)

    def index_fill(self, dim, index, value):
        return _scatter.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _scatter.index_fill_(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _scatter.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _scatter.index_copy_(self, dim, index, source)

    def index_put(self, indices, values, accumulate=False):
        return _scatter.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False):
        return _scatter.index_put_(self, indices, values, accumulate)

    def put(self, index, source, accumulate=False):
        return _scatter.put(self, index, source, accumulate)

    def put_(self, index, source, accumulate=False):
        return _scatter.put_(self, index, source, accumulate)

    def index_select(self, dim, index):
        return _index.index_select(self, dim, index)

    def nonzero(self, as_tuple=False):
        return _index.nonzero(self, as_tuple)

    # ------------------------------------------------------------------ linear algebra
    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, other):
        return _linalg.mm(self, other)

    def bmm(self, other):
        return _linalg.bmm(self, other)

    def dot(self, other):
        return _linalg.dot(self, other)

    def outer(self, other):
        return _linalg.outer(self, other)

    def mv(self, other):
        return _linalg.mv(self, other)


class Size(tuple):
    """Same as torch.Size: a tuple of ints."""

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"autograd.Size({list(self)})"

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out


class Parameter(Tensor):
    """Same as torch.nn.Parameter: a leaf tensor that requires grad and that Modules
    register. `Parameter(t)` shares `t`'s storage."""

    __slots__ = ()
    _is_param = True

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = backend.asarray([], dtype=backend.get_default_dtype())
        arr = data.array if isinstance(data, Tensor) else backend.asarray(data) \
            if not backend.is_array(data) else data
        self.array = arr
        self.grad_fn = None
        self._grad = None
        self._version = data._version if isinstance(data, Tensor) else [0]
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


# Bottom imports: the ops modules import Tensor from this module.
from . import creation as _creation  # noqa: E402
from . import linalg as _la  # noqa: E402
from .ops import arrange as _arrange  # noqa: E402
from .ops import compare as _compare  # noqa: E402
from .ops import elementwise as _elementwise  # noqa: E402
from .ops import index as _index  # noqa: E402
from .ops import inplace as _inplace  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import order as _order  # noqa: E402
from .ops import products as _products  # noqa: E402
from .ops import reduce as _reduce  # noqa: E402
from .ops import scatter as _scatter  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops import special as _special  # noqa: E402
from .ops import unary as _unary  # noqa: E402


def _special_inplace(name, fn):
    def method(self, *args):
        return _special.inplace(self, name, fn, *args)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place {name[:-1]} (float maths into an integer tensor raise)."
    return method


# Tensor.<op>_ for the special maths: `inplace` writes the op's result back (and refuses a
# float result for an integer tensor, as PyTorch)
for _op in ("asinh", "acosh", "atanh", "erfc", "erfinv", "lgamma", "digamma", "sinc", "logit",
            "frac", "deg2rad", "rad2deg", "i0", "atan2", "hypot", "xlogy", "copysign",
            "heaviside", "float_power", "clamp_min", "clamp_max", "bitwise_and", "bitwise_or",
            "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "gcd",
            "lcm"):
    setattr(Tensor, _op + "_", _special_inplace(_op + "_", getattr(_special, _op)))
Tensor.arctan2_ = Tensor.atan2_
Tensor.polygamma_ = lambda self, n: _special.inplace(
    self, "polygamma_", lambda t: _special.polygamma(n, t))

# the hottest operators call their op's bound `apply` directly
_add_op = _elementwise.Add.apply
_sub_op = _elementwise.Sub.apply
_mul_op = _elementwise.Mul.apply
_div_op = _elementwise.Div.apply
_neg_op = _elementwise.Neg.apply
_exp_op = _unary.Exp.apply
_tanh_op = _unary.Tanh.apply
_sigmoid_op = _unary.Sigmoid.apply
_relu_op = _unary.Relu.apply

# complex tensors (autograd/ops/complex.py)
from .ops import complex as _complex  # noqa: E402

Tensor.real = property(lambda self: _complex.real(self), doc="Same as torch.Tensor.real.")
Tensor.imag = property(lambda self: _complex.imag(self), doc="Same as torch.Tensor.imag.")
Tensor.conj = Tensor.conj_physical = Tensor.resolve_conj = \
    lambda self: _complex.conj(self)
Tensor.angle = lambda self: _complex.angle(self)
Tensor.is_complex = lambda self: self.array.dtype.kind == "c"
Tensor.is_conj = lambda self: False

# decompositions (autograd/_decompositions.py)
from . import _decompositions as _dec  # noqa: E402
from . import _linalg_lu as _lu  # noqa: E402

Tensor.svd = lambda self, some=True, compute_uv=True: _dec.torch_svd(self, some, compute_uv)
Tensor.qr = lambda self, some=True: _dec.torch_qr(self, some)
Tensor.cholesky = lambda self, upper=False: _dec.cholesky(self, upper=upper)
Tensor.pinverse = lambda self, rcond=1e-15: _dec.pinverse(self, rcond)
Tensor.matrix_exp = lambda self: _dec.matrix_exp(self)
Tensor.cholesky_solve = lambda self, input2, upper=False: _dec.cholesky_solve(self, input2,
                                                                              upper)
Tensor.cholesky_inverse = lambda self, upper=False: _dec.cholesky_inverse(self, upper)
Tensor.triangular_solve = lambda self, A, upper=True, transpose=False, unitriangular=False: \
    _dec.triangular_solve(self, A, upper, transpose, unitriangular)
Tensor.lu = lambda self, pivot=True, get_infos=False: _lu.torch_lu(self, pivot, get_infos)
