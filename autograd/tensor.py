"""`Tensor`: one backend array plus its place in the graph. This module holds the core
(storage, device, dtype, grad, version counter, hooks, backward, printing, conversions,
`to`); the method families are mixins in `autograd/_methods/` (one file per family:
arithmetic, compare, math, reduce, shape, index, inplace, linalg, convert). No maths here
or there: every method is a one-line call into an op in `autograd/ops/`.

The layers: backend <- function/engine <- ops <- tensor methods <- everything else. The
layers under this module know tensors through `tensor_base` (`TensorBase`, `_make`), where
this module binds the class once (`tensor_base.bind(Tensor)` below)."""
from __future__ import annotations

import copy as _copy
import weakref

from . import backend, printing, tensor_base, viz
from . import creation as _creation
from . import function as _function
from ._methods.arithmetic import ArithmeticMixin
from ._methods.compare import CompareMixin
from ._methods.convert import ConvertMixin
from ._methods.decomp import DecompMixin
from ._methods.extras import ExtrasMixin
from ._methods.index import IndexMixin
from ._methods.inplace import InplaceMixin
from ._methods.linalg import LinalgMixin
from ._methods.math import MathMixin
from ._methods.more import MoreMixin
from ._methods.reduce import ReduceMixin
from ._methods.shape import ShapeMixin
from .explain import note_cut
from .function import _RemovableHandle
from .grad import backward as _backward
from .ops import elementwise as _elementwise
from .ops import shape as _shape
from .tensor_base import TensorBase, _leaf_inplace_error, _make

__all__ = ["Parameter", "Size", "Tensor", "_leaf_inplace_error", "_make"]
_new = object.__new__
_TORCH_DTYPES = backend.TORCH_DTYPES


class Tensor(TensorBase, ArithmeticMixin, CompareMixin, MathMixin, ReduceMixin, ShapeMixin,
             IndexMixin, InplaceMixin, LinalgMixin, ConvertMixin, DecompMixin,
             ExtrasMixin, MoreMixin):
    """Same as torch.Tensor. `array` is the backend ndarray (NumPy or CuPy), not a copy."""

    __slots__ = ("array", "_requires_grad", "grad_fn", "_grad", "_version", "__dict__",
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
        self.array = _creation._legacy_array(args, dtype, device)
        self._requires_grad = False
        self.grad_fn = None
        self._grad = None
        self._version = [0]
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        """Whether gradients are recorded for this tensor; assignable, checked as
        requires_grad_() (only floating point and complex tensors can require them)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.array is not None and backend.kind(self.array.dtype) not in "fc":
            raise RuntimeError(
                f"requires_grad: only Tensors of floating point and complex dtype can "
                f"require gradients, got {self.dtype}")
        if not value and getattr(self, "grad_fn", None) is not None:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad flags of leaf variables; "
                "use detach() to get a tensor that does not require grad")
        self._requires_grad = bool(value)

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
    def dtype(self) -> backend.TorchDtype:
        """torch.float32 & co.: stands for (and equals) the array's NumPy dtype, which
        Ember's own code reads as `self.array.dtype`."""
        try:
            return _TORCH_DTYPES[self.array.dtype]
        except KeyError:
            return backend.torch_dtype(self.array.dtype)

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
        """A detached tensor sharing storage (so `p.data -= lr * p.grad` updates p); unlike
        detach(), it has its own version counter, as in PyTorch: changes made through it
        are invisible to autograd's checks."""
        return _make(self.array)  # its own version counter, as PyTorch's .data

    @data.setter
    def data(self, value):
        self.array = value.array if isinstance(value, Tensor) else value
        self._version[0] += 1

    @property
    def T(self) -> "Tensor":
        return _shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> "Tensor":
        if self.ndim < 2:
            raise RuntimeError(f"mT: only supported on matrices or batches of matrices, got a "
                               f"{self.ndim}-d tensor")
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
        return backend.is_floating(self.array.dtype)

    def is_contiguous(self, memory_format=None) -> bool:
        """Row-major (or, with memory_format=channels_last(_3d), channels-innermost)."""
        name = getattr(memory_format, "name", None)
        if name in ("channels_last", "channels_last_3d"):
            nd = self.array.ndim
            if nd != (4 if name == "channels_last" else 5):
                return False
            return bool(self.array.transpose((0,) + tuple(range(2, nd)) + (1,))
                        .flags.c_contiguous)
        return bool(self.array.flags.c_contiguous)

    def stride(self, dim=None):
        st = tuple(s // self.array.itemsize for s in self.array.strides)
        return st if dim is None else st[dim]

    def data_ptr(self) -> int:
        return backend.data_ptr(self.array)

    def storage_offset(self) -> int:
        """Same as torch.Tensor.storage_offset: elements from the start of the memory
        block this tensor views to its first element."""
        root = self.array
        while backend.is_array(getattr(root, "base", None)):
            root = root.base
        return (backend.data_ptr(self.array) - backend.data_ptr(root)) // self.array.itemsize

    @property
    def _base(self):
        return self._view_base

    @property
    def _version_count(self) -> int:
        return self._version[0]

    # ------------------------------------------------------------------ conversion
    def numpy(self, force: bool = False):
        if not force:
            if self.requires_grad and _function.is_grad_enabled():  # as PyTorch: fine
                # under no_grad (a custom Function's forward, an eval loop)
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
        self._one_element("float")
        return float(self.item())

    def __int__(self):
        self._one_element("int")
        return int(self.item())

    def _one_element(self, op):
        if self.numel() != 1:
            raise ValueError(f"{op}(): only one element tensors can be converted to Python "
                             f"scalars, got shape {tuple(self.shape)}")

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
        return printing.tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        # as PyTorch: a 0-d Tensor formats as its Python number (f"{loss}" -> "2.25"),
        # a Parameter or a tensor with dimensions as its repr (a spec there: TypeError)
        if self.array.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __dlpack__(self, *args, **kwargs):
        return self.array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()

    def __reduce_ex__(self, protocol):
        raise TypeError("Tensor: pickling is not supported; use nn.utils.save (safetensors)")

    def __copy__(self):
        """Same as copy.copy on a torch Tensor: a new tensor of the same class on the
        same memory, with the same requires_grad, a leaf of its own."""
        new = _new(type(self))
        new.array = self.array
        new._requires_grad = self._requires_grad
        new.grad_fn = None
        new._grad = None
        new._version = self._version
        for k, v in getattr(self, "__dict__", {}).items():
            setattr(new, k, v)
        return new

    def __deepcopy__(self, memo):
        """Same as torch: leaves (parameters included) copy their data, grad and flags."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "deepcopy: only Tensors created explicitly by the user (graph leaves) support "
                "the deepcopy protocol; call detach() first")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new.array = self.array.copy()
        new._requires_grad = self._requires_grad
        new.grad_fn = None
        new._version = [0]
        memo[id(self)] = new
        new.grad = _copy.deepcopy(self.grad, memo)
        for k, v in getattr(self, "__dict__", {}).items():
            setattr(new, k, _copy.deepcopy(v, memo))
        return new

    # ------------------------------------------------------------------ graph
    def detach(self) -> "Tensor":
        t = _make(self.array)
        t._version = self._version
        if self.requires_grad:  # for explain_grad: where a path left the graph
            note_cut(t, "detach", self)
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "requires_grad_: you can only change requires_grad flags of leaf "
                    "variables; use detach() to get a tensor that does not require grad")
            return self
        if requires_grad and backend.kind(self.array.dtype) not in "fc":
            raise RuntimeError(
                f"requires_grad_: only Tensors of floating point and complex dtype can "
                f"require gradients, got {self.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("retain_grad: can't retain_grad on a Tensor that has "
                                   "requires_grad=False")
            return
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
        if self.grad_fn is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only leaf tensors can "
                               "have post-accumulate-grad hooks")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(fn)
        return _RemovableHandle(self._post_acc_hooks, fn)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Same as torch.Tensor.backward."""
        _backward((self,), None if gradient is None else (gradient,), retain_graph,
                 create_graph, inputs)

    def draw(self, **kw):
        """Shortcut for autograd.viz.draw(self, **kw)."""
        return viz.draw(self, **kw)

    # ------------------------------------------------------------------ devices, dtypes
    def to(self, *args, **kwargs):
        """Same as torch.Tensor.to(device), .to(dtype), .to(device, dtype), .to(other), with
        the keywords device, dtype, non_blocking, copy and memory_format."""
        fmt_obj = kwargs.get("memory_format")
        fmt = getattr(fmt_obj, "name", None)
        dev, dtype, copy = _creation.parse_to(args, kwargs)
        out = self
        if dev is not None and dev != self.device:
            out = _creation.to_device(out, dev)
        elif copy:
            out = out.clone()
        if dtype is not None and dtype != out.dtype:
            out = _elementwise.cast(out, dtype)
        if fmt in ("channels_last", "channels_last_3d"):
            out = out.contiguous(memory_format=fmt_obj)
        return out

    def cpu(self, memory_format=None) -> "Tensor":
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None) -> "Tensor":
        return self.to(backend.as_device("cuda" if device is None else device)
                       if not isinstance(device, int) else backend.device("cuda", device))

    _LEGACY_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor",
                     "float16": "HalfTensor", "int64": "LongTensor", "int32": "IntTensor",
                     "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                     "bool": "BoolTensor", "bfloat16": "BFloat16Tensor"}

    def type(self, dtype=None, non_blocking: bool = False):
        """Same as torch.Tensor.type: without an argument the legacy type name
        ('torch.FloatTensor', 'torch.cuda.LongTensor'); with a dtype or such a name, the
        tensor converted to it."""
        names = Tensor._LEGACY_TYPES
        if dtype is None:
            cuda = ".cuda" if self.device.type == "cuda" else ""
            return f"torch{cuda}.{names[self.array.dtype.name]}"
        if isinstance(dtype, str):
            legacy = {v: k for k, v in names.items()}
            kind = dtype.rsplit(".", 1)[-1]
            if kind not in legacy:
                raise ValueError(f"invalid type: {dtype!r}")
            moved = self.to("cuda") if ".cuda." in dtype and self.device.type != "cuda" \
                else self
            return moved.to(getattr(backend, legacy[kind] if kind != "BoolTensor"
                                    else "bool_"))
        if isinstance(dtype, _creation.LegacyType):  # t.type(torch.LongTensor)
            return self.to(dtype.dtype)
        return self.to(dtype)


class Size(tuple):
    """Same as torch.Size: a tuple of ints."""

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):  # PyTorch's name, as dtypes print (torch.float32)
        return f"torch.Size({list(self)})"

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):  # Size + tuple and tuple + Size stay Sizes, as in PyTorch
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))


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
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__  # print(p) too, as PyTorch


# the one late binding: the layers under this module build Tensors through tensor_base
tensor_base.bind(Tensor)
