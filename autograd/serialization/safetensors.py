"""Ember's checkpoint format: nested containers of tensors in safetensors, no pickle.

File layout (the safetensors spec): 8-byte little-endian header length N, N bytes of JSON
header (space padded to a multiple of 8), then the raw tensor bytes. The header maps each
tensor name to {"dtype", "shape", "data_offsets": [begin, end)} and holds a
"__metadata__" dict of strings; ours records the container structure as JSON under
"ember.structure", with every tensor replaced by a reference to its name. Tensors are named
by their dotted path (`state.0.exp_avg`), so a flat model state dict keeps its own keys.

Reading checks the header with bounded memory before touching the data: the length is
capped, the JSON nesting depth is limited before parsing, and every dtype, shape and
offset is checked against the file size; only then is the data read, once.
"""
from __future__ import annotations

import json
import math
import re

from autograd import backend
from autograd.tensor import Tensor, _make

from ._files import BF16_MISSING, CheckpointError, read_exact

_STRUCTURE_KEY = "ember.structure"
MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit on the header size
_MAX_HEADER_DEPTH = 16  # a safetensors header is 3 levels deep
_MAX_STRUCTURE_DEPTH = 64  # containers inside containers, for save and load alike
_MAX_DIMS = 32
_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
           "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8",
           "U16": "uint16", "U32": "uint32", "U64": "uint64", "BOOL": "bool"}
_DTYPE_NAMES = {name: code for code, name in _DTYPES.items()}
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


# ----------------------------------------------------------------------------- save
def encode(obj) -> list:
    """`obj` as the chunks of a safetensors file (see `save` in this package)."""
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
    return chunks + [backend.array_to_bytes(tensors[name]) for name in order]


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
    if isinstance(obj, (dict, list, tuple)) and len(path) >= _MAX_STRUCTURE_DEPTH:
        raise ValueError(f"save: containers nested deeper than {_MAX_STRUCTURE_DEPTH} "
                         f"levels at {_dotted(path[:8])!r}...")
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
    if isinstance(key, tuple) and len(path) < _MAX_STRUCTURE_DEPTH:
        return {"__tuple__": [_encode_key(k, path + [key]) for k in key]}
    raise TypeError(f"save: cannot store a dict key of type {type(key).__name__} at "
                    f"{_dotted(path)!r}")


def _dotted(path):
    return ".".join(str(p) for p in path)


# ----------------------------------------------------------------------------- load
def read(f, size: int, name: str, device=None):
    """Read a safetensors file from the binary file `f` (at offset 0, `size` bytes long):
    the saved structure for files written by Ember's `save`, else a dict of name -> Tensor
    sorted by name. Tensors land on `device` (default cpu). `name` is for messages."""
    def fail(why):
        return CheckpointError(f"load: {name} is not a valid safetensors file: {why}")

    head = f.read(8)
    if len(head) < 8:
        raise fail(f"it has {len(head)} bytes, too few for the 8-byte header length "
                   "(truncated?)")
    length = int.from_bytes(head, "little")
    if length > size - 8:
        raise fail(f"the header length {length} exceeds the file size {size} "
                   "(truncated or not safetensors)")
    if length > MAX_HEADER:
        raise fail(f"the header length {length} exceeds safetensors' limit of "
                   f"{MAX_HEADER} bytes")
    raw = f.read(length)
    if len(raw) < length:
        raise fail(f"the header is cut short after {len(raw)} of {length} bytes (truncated)")
    header = parse_json(raw, _MAX_HEADER_DEPTH, fail, "the header")
    if not isinstance(header, dict):
        raise fail("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise fail("__metadata__ is not a dict of strings")
    spans, end = _check_entries(header, size - 8 - length, fail)
    data = read_exact(f, end, "the tensor data", name)  # writable: tensors view it
    dev = backend.as_device(device) if device is not None else backend.CPU
    tensors = {}
    for begin, stop, key, dtype, shape in spans:
        arr = backend.array_from_bytes(memoryview(data)[begin:stop], dtype, shape)
        tensors[key] = _make(backend.to_device(arr, dev))
    if _STRUCTURE_KEY not in metadata:
        return {key: tensors[key] for key in sorted(tensors)}
    structure = parse_json(metadata[_STRUCTURE_KEY].encode("utf-8"),
                           3 * _MAX_STRUCTURE_DEPTH + 4, fail, "the stored structure")
    try:
        return _decode(structure, tensors)
    except (ValueError, TypeError, KeyError) as e:
        raise fail(f"the stored structure is corrupt ({e!r})") from None


def parse_json(raw: bytes, max_depth: int, fail, what: str):
    """json.loads with the nesting depth checked first, in linear time and without
    recursion: strings are blanked, then each pass deletes the innermost `[]`/`{}`
    pairs, so what is left after `max_depth` passes is too deep or unbalanced."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise fail(f"{what} is not valid JSON (not UTF-8: {e})") from None
    brackets = _JSON_STRING.sub(b"", raw).translate(None, delete=_NOT_BRACKETS)
    for _ in range(max_depth):
        if not brackets:
            break
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    if brackets:
        raise fail(f"{what} is not valid JSON: nested deeper than {max_depth} levels or "
                   "unbalanced brackets")

    def no_duplicates(pairs):
        out = dict(pairs)
        if len(out) != len(pairs):
            seen = set()
            duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise ValueError(f"duplicate key {duplicate!r}")
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except (ValueError, RecursionError) as e:
        raise fail(f"{what} is not valid JSON ({e})") from None


def _check_entries(header, data_size, fail):
    """Validate every tensor entry against the data size; returns the spans sorted by
    offset and the number of data bytes they cover."""
    spans = []
    for key, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise fail(f"entry {key!r} is not a tensor description")
        code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(code, str) or code not in _DTYPES:
            raise fail(f"tensor {key!r} has an unsupported dtype {code!r}")
        dtype = _dtype(code)
        if dtype is None:
            raise fail(f"tensor {key!r} is {code}: {BF16_MISSING}")
        if not (isinstance(shape, list) and len(shape) <= _MAX_DIMS
                and all(map(_is_count, shape))):
            raise fail(f"tensor {key!r} has an invalid shape {shape!r}")
        sized = math.prod(n for n in shape if n)
        if sized * dtype.itemsize >= 2 ** 63:
            raise fail(f"tensor {key!r} has shape {shape} whose size overflows 64 bits")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_count, offsets))
                and offsets[0] <= offsets[1]):
            raise fail(f"tensor {key!r} has invalid data_offsets {offsets!r}")
        numel = math.prod(shape)
        if offsets[1] - offsets[0] != numel * dtype.itemsize:
            raise fail(f"tensor {key!r}: data_offsets {offsets} do not match shape {shape} "
                       f"and dtype {code}")
        spans.append((offsets[0], offsets[1], key, dtype, tuple(shape)))
    spans.sort(key=lambda span: span[:2])
    end = 0
    for begin, stop, key, _, _ in spans:  # the data must be one gapless run of tensors
        if begin != end:
            raise fail(f"tensor {key!r} starts at byte {begin}, expected {end} "
                       "(overlapping or missing data)")
        end = stop
    if end != data_size:
        raise fail(f"the header describes {end} data bytes but the file holds {data_size}"
                   + (" (truncated)" if end > data_size else ""))
    return spans, end


def _dtype(code):
    name = _DTYPES[code]
    if name == "bfloat16":
        return getattr(backend, "bfloat16", None)
    return backend.as_dtype(name)


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
