"""PyTorch checkpoints (torch.save's zip format and the legacy pickle stream of torch < 1.6)
read without torch and without running code from the file.

The pickle inside goes through a restricted unpickler: `find_class` hands out only what a
state dict holds (torch's tensor rebuild functions, storage types, dtypes, torch.Size,
torch.device, OrderedDict, Counter, set, bytes, complex) and refuses every other global by
name, as torch.load(weights_only=True) does. The rebuild functions return inert stubs;
once the pickle is read, `_Resolver` checks each stub's storage, offset, size and strides
and turns it into an Ember Tensor viewing the storage's bytes. Tensors that share a
storage in the file share memory here too (NumPy views of one buffer), as in torch, on
the CPU; moving them to another device with `map_location` copies each tensor.
"""
from __future__ import annotations

import _compat_pickle
import collections
import math
import pickle
import zipfile

from autograd import backend
from autograd.tensor import Parameter, Size, _make

from ._files import BF16_MISSING, CheckpointError, read_exact

MAGIC = 0x1950A86A20F9469CFC6C  # the first pickle of a legacy file
MAGIC_BYTES = MAGIC.to_bytes(10, "little")
_LEGACY_PROTOCOL = 1001
_MAX_DEPTH = 200  # containers inside containers
_MAX_DIMS = 64

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


# the dtype objects find_class can hand out: the only dtypes a tensor or a value may have
_DTYPE_OBJECTS = [d for d in map(_numpy_dtype, set(_DTYPES.values())) if d is not None]
_DTYPE_TYPES = tuple({type(d) for d in _DTYPE_OBJECTS})


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


class _DType(_Inert):
    """A torch dtype Ember cannot hold (bfloat16 without ml_dtypes, float8, qint8...)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

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
    if func not in _REBUILDS.values() or not isinstance(new_type, _TensorClass):
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
_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("builtins", "set"): set, ("builtins", "complex"): complex,
    ("builtins", "bytearray"): _bytearray, ("_codecs", "encode"): _encode,
    ("torch", "Size"): Size, ("torch", "device"): _device,
    ("torch", "Tensor"): _TensorClass(False),
    ("torch.nn.parameter", "Parameter"): _TensorClass(True),
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    ("torch.storage", "UntypedStorage"): _StorageType("UntypedStorage", "uint8"),
    **{("torch._utils", name): f for name, f in _REBUILDS.items()},
    **{("torch", name): _StorageType(name, dtype) for name, dtype in _STORAGES.items()},
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
        if module == "torch" and name in _DTYPES:
            dtype = _numpy_dtype(_DTYPES[name])
            return _DType(name) if dtype is None else dtype
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
    except (RecursionError, MemoryError):
        raise
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


# ----------------------------------------------------------------------------- zip
def read_zip(f, name, size, map_location):
    """A checkpoint in torch.save's zip format (torch >= 1.6)."""
    try:
        archive = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CheckpointError(f"load: {name} starts like a PyTorch zip checkpoint but is "
                              f"not a readable zip archive ({e}; truncated?)") from None
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.count("/") == 1 and n.endswith("/data.pkl")]
        script = any(n.endswith("/constants.pkl") or "/code/" in n for n in names)
        if len(pickles) != 1 or script:
            what = "a TorchScript archive (torch.jit.save), which holds code" if script \
                else "a zip archive"
            raise CheckpointError(f"load: {name} is {what}, not a torch.save checkpoint "
                                  "(expected one <archive>/data.pkl)")
        prefix = pickles[0][:-len("data.pkl")]
        order = "little"
        if prefix + "byteorder" in names:
            order = archive.read(prefix + "byteorder").decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise CheckpointError(f"load: {name}: unknown byte order {order!r}")
        storages = {}

        def storage_for(pid):
            stype, key, location, numel = _storage_pid(pid, name, 5)
            if key not in storages:
                itemsize = _itemsize(stype.dtype_name)
                member = f"{prefix}data/{key}"
                try:
                    info = archive.getinfo(member)
                except KeyError:
                    raise CheckpointError(f"load: {name}: storage {member!r} is missing") \
                        from None
                if info.file_size != numel * itemsize:
                    raise CheckpointError(
                        f"load: {name}: storage {member!r} holds {info.file_size} bytes, "
                        f"expected {numel} x {itemsize} for {stype!r}")
                # the sizes come from the file: before allocating, check that the bytes
                # can be there (stored: inside the file; deflated: at most 1032:1)
                ratio = 1 if info.compress_type == zipfile.ZIP_STORED else 1032
                if (info.header_offset + info.compress_size > size
                        or info.file_size > ratio * info.compress_size + 64):
                    raise CheckpointError(
                        f"load: {name}: storage {member!r} claims {info.file_size} bytes "
                        f"from {info.compress_size} in the file (truncated or corrupt)")
                with archive.open(info) as member_file:
                    data = read_exact(member_file, info.file_size, f"storage {member!r}", name)
                if order == "big" and itemsize > 1:
                    _byteswap(data, stype.dtype_name)
                storages[key] = _Storage(key, stype.dtype_name, location, len(data), data)
            return storages[key]

        with archive.open(pickles[0]) as pkl:
            obj = _unpickle(pkl, name, storage_for)
    return _Resolver(name, map_location).resolve(obj)


def _itemsize(dtype_name):
    return 2 if dtype_name == "bfloat16" else backend.as_dtype(dtype_name).itemsize


def _byteswap(data: bytearray, dtype_name):
    """Big-endian storage bytes to little-endian, in place: byte i of every word trades
    places with byte width-1-i (a complex number swaps each component on its own)."""
    width = _itemsize(dtype_name) // (2 if dtype_name.startswith("complex") else 1)
    for i in range(width // 2):
        j = width - 1 - i
        data[i::width], data[j::width] = data[j::width], data[i::width]


# ----------------------------------------------------------------------------- legacy
def read_legacy(f, name, size, map_location):
    """A checkpoint in torch.save's pre-1.6 format: pickles of the magic number, the
    protocol version and system info, the object (storages as persistent ids), the list of
    storage keys, then each storage's element count (int64) and little-endian bytes."""
    if _unpickle(f, name) != MAGIC:
        raise CheckpointError(f"load: {name}: invalid magic number; corrupt file?")
    if _unpickle(f, name) != _LEGACY_PROTOCOL:
        raise CheckpointError(f"load: {name}: unknown legacy protocol version")
    if not isinstance(_unpickle(f, name), dict):
        raise CheckpointError(f"load: {name}: corrupt legacy system info")
    roots, views = {}, {}

    def storage_for(pid):
        if isinstance(pid, tuple) and pid and pid[0] == "module":
            raise CheckpointError(f"load: {name} holds a pickled Module (torch.save(model))"
                                  f"{_REFUSED_HINT}; save model.state_dict() instead")
        stype, key, location, numel = _storage_pid(pid, name, 6)
        itemsize = _itemsize(stype.dtype_name)
        root = roots.setdefault(key, _Storage(key, stype.dtype_name, location,
                                              numel * itemsize))
        if pid[5] is None:
            return root
        view_key, offset, view_size = pid[5]
        if not (_is_count(offset) and _is_count(view_size)
                and (offset + view_size) * itemsize <= root.nbytes):
            raise CheckpointError(f"load: {name}: invalid storage view {pid[5]!r}")
        return views.setdefault(view_key, _Storage(view_key, stype.dtype_name, location,
                                                   view_size * itemsize, root=root,
                                                   offset=offset * itemsize))

    obj = _unpickle(f, name, storage_for)
    keys = _unpickle(f, name)
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise CheckpointError(f"load: {name}: corrupt list of storage keys")
    for key in keys:
        storage = roots.get(key)
        if storage is None or storage.data is not None:
            raise CheckpointError(f"load: {name}: unknown or repeated storage key {key!r}")
        numel = int.from_bytes(read_exact(f, 8, f"storage {key!r}", name), "little")
        itemsize = _itemsize(storage.dtype_name)
        if numel * itemsize != storage.nbytes or storage.nbytes > size - f.tell():
            raise CheckpointError(f"load: {name}: storage {key!r} claims {numel} elements "
                                  f"of {itemsize} bytes, expected {storage.nbytes} bytes"
                                  " within the file (truncated or corrupt)")
        storage.data = read_exact(f, storage.nbytes, f"storage {key!r}", name)
    missing = [key for key, storage in roots.items() if storage.data is None]
    if missing:
        raise CheckpointError(f"load: {name}: no data for storages {missing[:5]!r}")
    return _Resolver(name, map_location).resolve(obj)


# ----------------------------------------------------------------------------- resolve
class _Resolver:
    """Turns the unpickled structure into Ember objects: tensor stubs -> Tensors (checked
    against their storage), lists and dicts updated in place, tuples rebuilt; anything
    that is not data (a bare storage, class or function) is refused."""

    _PLAIN = (str, bytes, bytearray, int, float, complex, type(None), backend.device,
              *_DTYPE_TYPES)

    def __init__(self, name, map_location):
        self.name, self.map_location = name, map_location
        self.memo = {}  # id -> result, so shared objects stay shared
        self.devices = {}

    def fail(self, path, why):
        where = f" at {'.'.join(map(str, path))!r}" if path else ""
        return CheckpointError(f"load: {self.name}{where}: {why}")

    def resolve(self, obj, path=(), depth=0):
        if isinstance(obj, self._PLAIN):
            return obj
        if id(obj) in self.memo:
            done = self.memo[id(obj)]
            if done is _IN_PROGRESS:
                raise self.fail(path, "the structure refers to itself through a tuple")
            return done
        if depth > _MAX_DEPTH:
            raise self.fail(path[:8], f"containers nested deeper than {_MAX_DEPTH} levels")
        if isinstance(obj, _TensorStub):
            out = self.tensor(obj, path)
        elif isinstance(obj, dict):  # dict, OrderedDict (its _metadata kept), Counter
            self.memo[id(obj)] = obj
            for key, value in list(obj.items()):
                self.key(key, path)
                obj[key] = self.resolve(value, path + (key,), depth + 1)
            return obj
        elif isinstance(obj, list):
            self.memo[id(obj)] = obj
            for i, value in enumerate(obj):
                obj[i] = self.resolve(value, path + (i,), depth + 1)
            return obj
        elif isinstance(obj, tuple):
            self.memo[id(obj)] = _IN_PROGRESS
            items = [self.resolve(v, path + (i,), depth + 1) for i, v in enumerate(obj)]
            same = all(a is b for a, b in zip(items, obj))
            out = obj if same else Size(items) if isinstance(obj, Size) else tuple(items)
        elif isinstance(obj, (set, frozenset)):
            for key in obj:
                self.key(key, path)
            out = obj
        elif isinstance(obj, _DType):
            raise self.fail(path, f"dtype {obj!r} is not supported by Ember")
        else:
            raise self.fail(path, f"refused {obj!r}: not tensor data")
        self.memo[id(obj)] = out
        return out

    def key(self, key, path):
        if not isinstance(key, self._PLAIN + (tuple,)) or (
                isinstance(key, tuple) and not all(isinstance(k, self._PLAIN) for k in key)):
            raise self.fail(path, f"refused dict key or set item {key!r}: not plain data")

    def tensor(self, stub, path):
        storage, dtype = stub.storage, stub.dtype
        if not isinstance(storage, _Storage):
            raise self.fail(path, f"a tensor's storage is {type(storage).__name__}")
        dtype = _numpy_dtype(storage.dtype_name) if dtype is None else dtype
        if isinstance(dtype, _DType) or dtype is None:
            raise self.fail(path, f"dtype {dtype!r} is not supported by Ember" if dtype
                            else f"dtype bfloat16: {BF16_MISSING}")
        if not any(dtype is d for d in _DTYPE_OBJECTS):
            raise self.fail(path, f"invalid tensor dtype {dtype!r}")
        size, stride, offset = stub.size, stub.stride, stub.offset
        if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)
                and len(size) <= _MAX_DIMS and all(map(_is_count, size + stride))
                and _is_count(offset)):
            raise self.fail(path, f"invalid tensor geometry: size {size!r}, stride {stride!r},"
                                  f" offset {offset!r}")
        buffer = storage.buffer()
        count = len(buffer) // dtype.itemsize
        numel = math.prod(size)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if numel else offset - 1
        if last >= count or math.prod(n for n in size if n) * dtype.itemsize >= 2 ** 63:
            raise self.fail(path, f"size {size} with stride {stride} at offset {offset} "
                                  f"reaches past its storage of {count} elements")
        arr = backend.array_view_bytes(buffer, dtype, size, stride, offset)
        dev = self.device(storage.location, path)
        t = _make(arr if dev == backend.CPU else backend.to_device(arr, dev))
        if stub.param:
            return Parameter(t, requires_grad=stub.requires_grad)
        if stub.requires_grad:
            t.requires_grad_(True)
        return t

    def device(self, location, path):
        if location not in self.devices:
            target = self.map_location
            if isinstance(target, dict):
                target = target.get(location, location)
            target = location if target is None else target
            try:
                dev = backend.as_device(target)
            except (RuntimeError, TypeError):
                raise self.fail(path, f"tensors saved on {location!r} map to {target!r}, "
                                      "which Ember does not have; pass map_location='cpu'") \
                    from None
            if dev.type == "cuda" and not backend.cuda_is_available():
                raise RuntimeError(
                    f"load: {self.name}: attempting to deserialize a tensor on a CUDA device "
                    "but autograd.cuda.is_available() is False; on a CPU-only machine pass "
                    "map_location='cpu' (or autograd.device('cpu'))")
            self.devices[location] = dev
        return self.devices[location]


_IN_PROGRESS = object()


def _is_count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0
