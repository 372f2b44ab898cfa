"""The restricted unpickler for PyTorch checkpoints: `find_class` hands out only what a
state dict holds (torch's tensor rebuild functions, storage types, dtypes, torch.Size,
torch.device, OrderedDict, Counter, set, bytes, complex) and refuses every other global by
name, as torch.load(weights_only=True) does. The rebuild functions return inert stubs that
torch_format turns into Ember tensors once the storages are checked.
"""
from __future__ import annotations

import _compat_pickle
import collections
import pickle
import zipfile
import zlib

from autograd import backend
from autograd.tensor import Size

from ._files import CheckpointError

MAGIC = 0x1950A86A20F9469CFC6C  # the first pickle of a legacy file

# torch's storage classes and dtypes -> NumPy dtype names
_STORAGES = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
             "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
             "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
             "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
             "ComplexDoubleStorage": "complex128", "UntypedStorage": "uint8"}
_DTYPES = {"float64": "float64", "double": "float64", "float32": "float32",
           "float": "float32", "float16": "float16", "half": "float16",
           "bfloat16": "bfloat16", "int64": "int64", "long": "int64", "int32": "int32",
           "int": "int32", "int16": "int16", "short": "int16", "int8": "int8",
           "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64",
           "bool": "bool", "complex64": "complex64", "cfloat": "complex64",
           "complex128": "complex128", "cdouble": "complex128"}
_REFUSED_HINT = ("; Ember reads weights only (tensors, dicts, lists, tuples, numbers, "
                 "strings), as torch.load(weights_only=True) does, and never runs code "
                 "from a file")


def _numpy_dtype(name: str):
    """The Ember dtype for a NumPy dtype name, or None (bfloat16 without ml_dtypes)."""
    if name == "bfloat16":
        return getattr(backend, "bfloat16", None)
    return backend.as_dtype(name)



# ----------------------------------------------------------------------------- stubs
class _Inert:
    """Base of the objects the unpickler builds for torch's types: no pickle opcode may
    set state on them (BUILD), and they are not callable."""

    __slots__ = ()

    def __setstate__(self, state):
        raise CheckpointError(f"refused BUILD (setting state) on {self!r}")


class _StorageType(_Inert):
    __slots__ = ("name", "dtype_name")

    def __init__(self, name, dtype_name):
        self.name, self.dtype_name = name, dtype_name

    def __repr__(self):
        return f"torch.{self.name}"


class _Global(_Inert):
    """A function or class find_class hands out: callable, but nothing can be set on it
    (a BUILD on the real OrderedDict class or a rebuild function would change it for the
    whole process)."""

    __slots__ = ("name", "fn")

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.name


class _DType(_Inert):
    """A torch dtype: `dtype` is Ember's (None where Ember has none: bfloat16 without
    ml_dtypes, float8, qint8...). Never the dtype object itself: NumPy's dtypes take
    __setstate__, and the ones Ember uses are shared by the whole process."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype=None):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f"torch.{self.name}"


class _TensorClass(_Inert):
    __slots__ = ("is_param",)

    def __init__(self, is_param):
        self.is_param = is_param

    def __repr__(self):
        return "torch.nn.Parameter" if self.is_param else "torch.Tensor"


class _Storage(_Inert):
    """A storage's bytes (`data`, filled once read) or a legacy view into a root storage."""

    __slots__ = ("key", "dtype_name", "location", "nbytes", "data", "root", "offset")

    def __init__(self, key, dtype_name, location, nbytes, data=None, root=None, offset=0):
        self.key, self.dtype_name, self.location, self.nbytes = key, dtype_name, location, nbytes
        self.data, self.root, self.offset = data, root, offset

    def buffer(self):
        if self.root is None:
            return self.data
        return memoryview(self.root.buffer())[self.offset:self.offset + self.nbytes]

    def __repr__(self):
        return f"<storage {self.key!r}>"


class _TensorStub(_Inert):
    __slots__ = ("storage", "offset", "size", "stride", "requires_grad", "dtype", "param")

    def __init__(self, storage, offset, size, stride, requires_grad, dtype=None):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.requires_grad, self.dtype, self.param = requires_grad, dtype, False

    def __repr__(self):
        return "<tensor>"


# ----------------------------------------------------------------------------- rebuilds
def _no_hooks(hooks):
    if hooks:  # only data reaches here, but a non-empty hook dict is not a state dict
        raise CheckpointError("refused a tensor with backward hooks")


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _TensorStub(storage, storage_offset, size, stride, False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    _no_hooks(backward_hooks)
    if metadata:
        raise CheckpointError(f"refused tensor metadata {metadata!r} (conjugate/negative "
                              "bits are not supported)")
    return _TensorStub(storage, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    stub = _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                              backward_hooks, metadata)
    stub.dtype = dtype
    return stub


def _rebuild_parameter(data, requires_grad, backward_hooks):
    _no_hooks(backward_hooks)
    if not isinstance(data, _TensorStub):
        raise CheckpointError(f"_rebuild_parameter expects a tensor, got {type(data).__name__}")
    data.requires_grad, data.param = bool(requires_grad), True
    return data


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    if state:
        raise CheckpointError(f"refused Python attributes {sorted(state)!r} on a Parameter")
    return _rebuild_parameter(data, requires_grad, backward_hooks)


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: a tensor with Python attributes or a subclass;
    Ember takes plain tensors and Parameters without attributes."""
    if not (isinstance(func, _Global) and func.fn in _REBUILDS.values()
            and isinstance(new_type, _TensorClass)):
        raise CheckpointError(f"refused _rebuild_from_type_v2 with {func!r} and {new_type!r}")
    if state:
        raise CheckpointError(f"refused Python attributes {sorted(state)!r} on a tensor")
    stub = func(*args)
    if new_type.is_param and not stub.param:
        stub.param = True
    return stub


def _encode(text, encoding="latin1"):
    """_codecs.encode as protocol-2 pickles use it for bytes: str -> latin-1 bytes."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise CheckpointError(f"refused _codecs.encode({type(text).__name__}, {encoding!r})")
    return text.encode("latin1")


def _bytearray(data=b"", *encoding):
    if isinstance(data, str):
        return bytearray(_encode(data, *encoding))
    if not isinstance(data, (bytes, list)):  # never bytearray(n): n bytes from a number
        raise CheckpointError(f"refused bytearray({type(data).__name__})")
    return bytearray(data)


def _device(spec="cpu", index=None):
    if isinstance(spec, str) and spec.partition(":")[0] in ("cpu", "cuda"):
        return backend.device(spec, index)
    return f"{spec}" if index is None else f"{spec}:{index}"  # kept as its name


_REBUILDS = {f.__name__: f for f in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3,
                                     _rebuild_parameter, _rebuild_parameter_with_state)}
_CALLABLES = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("builtins", "set"): set, ("builtins", "complex"): complex,
    ("builtins", "bytearray"): _bytearray, ("_codecs", "encode"): _encode,
    ("torch", "Size"): Size, ("torch", "device"): _device,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    **{("torch._utils", name): f for name, f in _REBUILDS.items()},
}
_GLOBALS = {
    **{key: _Global(".".join(key), fn) for key, fn in _CALLABLES.items()},
    ("torch", "Tensor"): _TensorClass(False),
    ("torch.nn.parameter", "Parameter"): _TensorClass(True),
    ("torch.storage", "UntypedStorage"): _StorageType("UntypedStorage", "uint8"),
    **{("torch", name): _StorageType(name, dtype) for name, dtype in _STORAGES.items()},
    **{("torch", name): _DType(name, _numpy_dtype(dtype)) for name, dtype in _DTYPES.items()},
}


class _Unpickler(pickle.Unpickler):
    """pickle.Unpickler that resolves only `_GLOBALS` and torch dtypes; persistent ids
    (storages) go to `storage_for`."""

    def __init__(self, file, name, storage_for=None):
        super().__init__(file)
        self.name, self.storage_for = name, storage_for

    def find_class(self, module, name):
        # protocol-2 pickles name some globals by their Python 2 names (__builtin__.eval,
        # commands.Popen): name them as Python 3 does
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        if module == "torch" and (name.startswith(("float8", "qint", "quint", "complex32"))
                                  or name in ("chalf", "bits8", "bits16")):
            return _DType(name)
        hint = ("; torch.save(model) pickles the model's class: save model.state_dict() "
                "instead" if module.startswith("torch.nn.modules") or module == "__main__"
                else "")
        raise CheckpointError(
            f"load: {self.name}: Unsupported global: GLOBAL {module}.{name} was not an "
            f"allowed global{_REFUSED_HINT}{hint}")

    def persistent_load(self, pid):
        if self.storage_for is None:
            raise CheckpointError(f"load: {self.name}: unexpected persistent id {pid!r}")
        return self.storage_for(pid)


def _unpickle(file, name, storage_for=None):
    try:
        return _Unpickler(file, name, storage_for).load()
    except CheckpointError as e:
        if str(e).startswith("load: "):
            raise
        raise CheckpointError(f"load: {name}: {e}") from None
    except (MemoryError, zipfile.BadZipFile, zlib.error):
        raise  # out of memory, or a damaged zip member: torch_format says which
    except Exception as e:  # noqa: BLE001 - any failure inside a corrupt pickle
        raise CheckpointError(f"load: {name}: the pickle is corrupt or not a state dict "
                              f"({type(e).__name__}: {e})") from None


def _storage_pid(pid, name, n_fields):
    """Check a persistent id ('storage', type, key, location, numel[, view])."""
    if not (isinstance(pid, tuple) and len(pid) == n_fields and pid[0] == "storage"
            and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
            and isinstance(pid[3], str) and _is_count(pid[4])):
        raise CheckpointError(f"load: {name}: invalid storage reference {pid!r}")
    return pid[1:5]


def _itemsize(dtype_name):
    return 2 if dtype_name == "bfloat16" else backend.as_dtype(dtype_name).itemsize


def _is_count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0
