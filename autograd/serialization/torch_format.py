"""PyTorch checkpoints (torch.save's zip format and the legacy pickle stream of torch < 1.6)
read without torch and without running code from the file.

The pickle inside goes through the restricted unpickler of `_unpickler`, whose tensor
rebuild functions return inert stubs; once the pickle is read, `_Resolver` checks each
stub's storage, offset, size and strides and turns it into an Ember Tensor viewing the
storage's bytes. Tensors that share a storage in the file share memory here too (views of
one buffer), as in torch, on the CPU; `map_location` to another device copies each tensor.
"""
from __future__ import annotations

import math
import zipfile
import zlib

from autograd import backend
from autograd.tensor import Parameter, Size, _make

from ._files import BF16_MISSING, CheckpointError, read_exact
from ._unpickler import (
    _REFUSED_HINT,
    MAGIC,
    _DType,
    _is_count,
    _itemsize,
    _numpy_dtype,
    _Storage,
    _storage_pid,
    _TensorStub,
    _unpickle,
)

MAGIC_BYTES = MAGIC.to_bytes(10, "little")
_LEGACY_PROTOCOL = 1001
_MAX_DEPTH = 200  # containers inside containers
_MAX_DIMS = 64


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

        try:
            with archive.open(pickles[0]) as pkl:
                obj = _unpickle(pkl, name, storage_for)
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            raise CheckpointError(f"load: {name}: a corrupt zip member ({e})") from None
    return _Resolver(name, map_location).resolve(obj)


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

    _PLAIN = (str, bytes, bytearray, int, float, complex, type(None))

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
            if obj.dtype is None:
                raise self.fail(path, f"dtype {obj!r} is not supported by Ember")
            out = obj.dtype
        elif isinstance(obj, backend.device):  # checked again: BUILD may have changed it
            try:
                out = backend.device(str(obj))
            except (RuntimeError, TypeError, ValueError):
                raise self.fail(path, "invalid device") from None
        else:
            raise self.fail(path, f"refused {obj!r}: not tensor data")
        self.memo[id(obj)] = out
        return out

    def key(self, key, path):
        if not isinstance(key, self._PLAIN + (tuple,)) or (
                isinstance(key, tuple) and not all(isinstance(k, self._PLAIN) for k in key)):
            raise self.fail(path, f"refused dict key or set item {key!r}: not plain data")

    def tensor(self, stub, path):
        storage, marker = stub.storage, stub.dtype
        if not isinstance(storage, _Storage):
            raise self.fail(path, f"a tensor's storage is {type(storage).__name__}")
        if marker is None:  # the storage's type gives the dtype
            name, dtype = storage.dtype_name, _numpy_dtype(storage.dtype_name)
        elif isinstance(marker, _DType):
            name, dtype = marker.name, marker.dtype
        else:
            raise self.fail(path, f"invalid tensor dtype {marker!r}")
        if dtype is None:
            raise self.fail(path, f"dtype bfloat16: {BF16_MISSING}" if name == "bfloat16"
                            else f"dtype torch.{name} is not supported by Ember")
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
            elif callable(target) and not isinstance(target, backend.device):
                target = mapped_by_function(target, location, self.name)
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


class _StorageStandIn:
    """What a map_location function gets in place of a storage (PyTorch calls it with each
    storage, read on the CPU, and its saved location): it notes where the function moves
    it. Returned as is, or through .cpu(), .cuda(i) or .to(device)."""

    def __init__(self, device="cpu"):
        self.device = device

    def cpu(self):
        return _StorageStandIn("cpu")

    def cuda(self, device=None, non_blocking=False):
        if isinstance(device, int):
            device = f"cuda:{device}"
        return _StorageStandIn(device or "cuda")

    def to(self, device, *args, **kwargs):
        return _StorageStandIn(device)


def mapped_by_function(fn, location, name):
    """The device a map_location function (lambda storage, loc: storage, ...) sends
    storages saved at `location` to."""
    out = fn(_StorageStandIn(), location)
    if not isinstance(out, _StorageStandIn):
        raise TypeError(f"load: {name}: map_location function returned "
                        f"{type(out).__name__}; Ember follows functions that return the "
                        "storage, storage.cpu(), storage.cuda(i) or storage.to(device)")
    return out.device


_IN_PROGRESS = object()

