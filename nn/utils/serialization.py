"""`save` / `load`: nested containers of tensors in the safetensors format, no pickle.

File layout (the safetensors spec): 8-byte little-endian header length N, N bytes of JSON
header (space padded to a multiple of 8), then the raw tensor bytes. The header maps each
tensor name to {"dtype", "shape", "data_offsets": [begin, end)} and holds a
"__metadata__" dict of strings; ours records the container structure as JSON under
"ember.structure", with every tensor replaced by a reference to its name. Tensors are named
by their dotted path (`state.0.exp_avg`), so a flat model state dict keeps its own keys.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile

from autograd import backend
from autograd.tensor import Tensor, _make

_STRUCTURE_KEY = "ember.structure"
_MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit on the header size
_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
           "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "U16": "uint16",
           "U32": "uint32", "U64": "uint64", "BOOL": "bool"}
_DTYPE_NAMES = {name: code for code, name in _DTYPES.items()}


# ----------------------------------------------------------------------------- save
def save(obj, path) -> None:
    """Write `obj` (a Tensor, or dicts/lists/tuples of tensors, numbers, strings, bools and
    None, e.g. a model's or an optimiser's state dict; dict keys may be ints) to `path`.

    The write is atomic: a temporary file in the same directory is written, flushed,
    fsynced and renamed over `path`; on any failure it is removed and an existing `path`
    is left untouched.
    """
    tensors = {}
    structure = _encode(obj, [], tensors)
    header = {"__metadata__": {"format": "pt",
                               _STRUCTURE_KEY: json.dumps(structure, allow_nan=False)}}
    # largest items first, so every tensor's offset is a multiple of its item size
    order = sorted(tensors, key=lambda name: (-tensors[name].dtype.itemsize, name))
    offset = 0
    for name in order:
        arr = tensors[name]
        header[name] = {"dtype": _DTYPE_NAMES[arr.dtype.name], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    chunks = [len(blob).to_bytes(8, "little"), blob]
    chunks += [backend.array_to_bytes(tensors[name]) for name in order]
    _atomic_write(os.fspath(path), chunks)


def _encode(obj, path, tensors):
    """The JSON form of `obj`; tensors go into `tensors` under their dotted path."""
    if isinstance(obj, Tensor) or backend.is_array(obj):
        arr = obj.array if isinstance(obj, Tensor) else obj
        if arr.dtype.name not in _DTYPE_NAMES:
            raise TypeError(f"save: cannot store a tensor of dtype {arr.dtype} at "
                            f"{_dotted(path)!r}")
        name = _dotted(path) or "tensor"
        base, n = name, 0
        while name in tensors or name == "__metadata__":  # keep names unique
            n += 1
            name = f"{base}#{n}"
        tensors[name] = arr
        return {"__tensor__": name}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if backend.is_numpy_scalar(obj):
        return _encode(obj.item(), path, tensors)
    if isinstance(obj, dict):
        return {"__dict__": [[_encode_key(k, path), _encode(v, path + [k], tensors)]
                             for k, v in obj.items()]}
    if isinstance(obj, list):
        return [_encode(v, path + [i], tensors) for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, path + [i], tensors) for i, v in enumerate(obj)]}
    raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at "
                    f"{_dotted(path)!r}; expected tensors, numbers, strings, bools, None, "
                    "dicts, lists or tuples")


def _encode_key(key, path):
    if key is None or isinstance(key, (bool, str, int, float)):
        return _encode(key, path, None)
    if isinstance(key, tuple):
        return {"__tuple__": [_encode_key(k, path) for k in key]}
    raise TypeError(f"save: cannot store a dict key of type {type(key).__name__} at "
                    f"{_dotted(path)!r}")


def _dotted(path):
    return ".".join(str(p) for p in path)


def _atomic_write(path, chunks):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    try:
        with open(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------- load
def load(path, device=None):
    """Read a file written by `save` (same structure back, tensors as Tensors on `device`,
    default cpu) or any safetensors file (a dict of name -> Tensor, sorted by name).

    Raises ValueError naming the file when it is truncated, corrupt or not safetensors.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = bytearray(f.read())  # writable, so tensors can view it without copying

    def fail(why):
        return ValueError(f"load: {path!r} is not a valid safetensors file: {why}")

    if len(data) < 8:
        raise fail(f"it has {len(data)} bytes, too few for the 8-byte header length "
                   "(truncated?)")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8 or size > _MAX_HEADER:
        raise fail(f"the header length {size} exceeds the file size {len(data)} "
                   "(truncated or not safetensors)")
    try:
        header = json.loads(bytes(data[8:8 + size]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise fail(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise fail("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict):
        raise fail("__metadata__ is not a dict of strings")
    buffer = memoryview(data)[8 + size:]
    arrays = _read_tensors(header, buffer, fail)
    dev = backend.as_device(device) if device is not None else backend.CPU
    tensors = {name: _make(backend.to_device(arr, dev)) for name, arr in arrays.items()}
    if _STRUCTURE_KEY not in metadata:
        return {name: tensors[name] for name in sorted(tensors)}
    try:
        structure = json.loads(metadata[_STRUCTURE_KEY])
        return _decode(structure, tensors)
    except (ValueError, TypeError, KeyError) as e:
        raise fail(f"the stored structure is corrupt ({e})") from None


def _read_tensors(header, buffer, fail):
    spans = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise fail(f"entry {name!r} is not a tensor description")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in _DTYPES:
            raise fail(f"tensor {name!r} has an unsupported dtype {dtype!r}")
        if not (isinstance(shape, list) and all(_is_count(n) for n in shape)):
            raise fail(f"tensor {name!r} has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_count, offsets))
                and offsets[0] <= offsets[1]):
            raise fail(f"tensor {name!r} has invalid data_offsets {offsets!r}")
        numel = math.prod(shape)
        if offsets[1] - offsets[0] != numel * backend.as_dtype(_DTYPES[dtype]).itemsize:
            raise fail(f"tensor {name!r}: data_offsets {offsets} do not match shape {shape} "
                       f"and dtype {dtype}")
        spans.append((offsets[0], offsets[1], name))
    spans.sort()
    end = 0
    for begin, stop, name in spans:  # the data must be one gapless run of tensors
        if begin != end:
            raise fail(f"tensor {name!r} starts at byte {begin}, expected {end} "
                       "(overlapping or missing data)")
        end = stop
    if end != len(buffer):
        raise fail(f"the header describes {end} data bytes but the file holds {len(buffer)}"
                   + (" (truncated)" if end > len(buffer) else ""))
    arrays = {}
    for begin, stop, name in spans:
        entry = header[name]
        arrays[name] = backend.array_from_bytes(buffer[begin:stop], _DTYPES[entry["dtype"]],
                                                tuple(entry["shape"]))
    return arrays


def _is_count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _decode(obj, tensors):
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__dict__" in obj:
        return {_decode_key(k): _decode(v, tensors) for k, v in obj["__dict__"]}
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors) for v in obj["__tuple__"])
    if "__float__" in obj:
        return float(obj["__float__"])
    raise ValueError(f"unknown structure node {sorted(obj)}")


def _decode_key(key):
    if isinstance(key, dict):
        if "__tuple__" in key:
            return tuple(_decode_key(k) for k in key["__tuple__"])
        if "__float__" in key:
            return float(key["__float__"])
        raise ValueError(f"unknown dict key node {sorted(key)}")
    return key
