"""Checkpoints: `save` writes safetensors (no pickle); `load` reads safetensors files and
PyTorch's torch.save files (zip and legacy formats) without torch and without running
code. Every unreadable file raises `CheckpointError` naming the file and the problem.

    safetensors.py   Ember's format: writer, hardened reader
    torch_format.py  PyTorch's formats: zip and legacy readers, stubs -> Tensors
    _unpickler.py    the restricted unpickler (allowed globals, tensor rebuild stubs)
    _files.py        CheckpointError, atomic writes, clean-up of killed saves' temp files
"""
from __future__ import annotations

import os

from autograd import backend

from . import safetensors, torch_format
from ._files import CheckpointError, atomic_write, describe, remove_stale_temps

__all__ = ["CheckpointError", "load", "save"]


def save(obj, f) -> None:
    """torch.save for what Ember can store safely: a Tensor, or dicts/lists/tuples of
    tensors, numbers, strings, bools and None (a model's or an optimiser's state dict;
    dict keys may be ints), written in the safetensors format, never pickled.

    `f` is a path or a binary file object. A path is written atomically: a temporary file
    in the same directory is written, fsynced and renamed over `f`; a failed or killed
    save never damages an existing checkpoint, and its temporary file is removed by the
    next save or load of that path.
    """
    chunks = safetensors.encode(obj)
    if hasattr(f, "write"):
        for chunk in chunks:
            f.write(chunk)
        return
    atomic_write(f, chunks)


def load(f, map_location=None, pickle_module=None, *, weights_only: bool = True,
         mmap=None, **pickle_load_args):
    """torch.load, weights only: reads Ember's files, any safetensors file (a dict of
    name -> Tensor sorted by name) and PyTorch checkpoints (`torch.save`'s zip format and
    its pre-1.6 legacy format) into the saved structure of Tensors. Nothing in the file is
    ever executed: a pickle global outside what a state dict holds raises CheckpointError
    naming it, as torch.load(weights_only=True) does. `weights_only=False` changes
    nothing.

    `map_location`: None (PyTorch files: each tensor's saved device, as torch; safetensors:
    cpu), a device or its string, a dict from saved location to device, or a function
    `(storage, location) -> storage` as PyTorch takes one (returning the storage, or
    storage.cpu(), .cuda(i), .to(device)). Tensors that
    share a storage in a PyTorch file share memory here (on the CPU).

    `pickle_module`, `mmap` and pickle's load arguments (`encoding`) are accepted and
    change nothing: Ember's own reader reads the whole file, and never unpickles with
    another module.

    Raises CheckpointError (a ValueError and a pickle.UnpicklingError) when the file is
    truncated, corrupt, neither format, or holds more than weights.
    """
    if hasattr(f, "read"):
        return _load_file(f, describe(f), map_location)
    remove_stale_temps(f)
    with open(os.fspath(f), "rb") as file:
        return _load_file(file, describe(f), map_location)


def _load_file(f, name, map_location):
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    head = f.read(512)
    f.seek(0)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return torch_format.read_zip(f, name, size, map_location)
    if head[:1] == b"\x80" and torch_format.MAGIC_BYTES in head[:32]:
        return torch_format.read_legacy(f, name, size, map_location)
    if len(head) >= 262 and head[257:262] == b"ustar":
        raise CheckpointError(f"load: {name} is a tar archive (PyTorch's format before 0.4?),"
                              " which Ember does not read; re-save it with a newer torch")
    device = map_location.get("cpu", "cpu") if isinstance(map_location, dict) else \
        torch_format.mapped_by_function(map_location, "cpu", name) \
        if callable(map_location) and not isinstance(map_location, backend.device) \
        else map_location
    try:
        return safetensors.read(f, size, name, device)
    except CheckpointError as e:
        length = int.from_bytes(head[:8], "little") if len(head) >= 8 else -1
        if 0 <= length <= min(size - 8, safetensors.MAX_HEADER) and head[8:9] == b"{":
            raise  # a damaged safetensors file: its own message says what is wrong
        why = str(e).split(" is not a valid safetensors file: ", 1)[-1]
        raise CheckpointError(
            f"load: {name} is neither a safetensors file ({why}) nor a PyTorch checkpoint "
            "(no zip archive, no legacy pickle magic number)") from None
