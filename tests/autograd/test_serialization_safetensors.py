"""Hardened safetensors loading (issue 19): the header is checked with bounded memory
before any data is read, every bad file raises CheckpointError naming the file and the
problem, and killed saves leave no temporary file behind on the next save or load."""
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
from autograd import backend
from autograd.serialization import CheckpointError

ROOT = Path(__file__).resolve().parents[2]


def _file(path, header, data=b"", length=None):
    """A safetensors file with `header` (a dict, or raw bytes) and `data`."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    size = len(raw) if length is None else length
    path.write_bytes(size.to_bytes(8, "little") + raw + data)
    return path


def _refused(path, pattern):
    with pytest.raises(CheckpointError, match=pattern) as info:
        ag.load(path)
    message = str(info.value)
    assert path.name in message, message
    assert isinstance(info.value, ValueError) and isinstance(info.value, pickle.UnpicklingError)
    return message


def _peak(fn):
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError) as info:
            fn()
        return tracemalloc.get_traced_memory()[1], str(info.value)
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------------------- header size
def test_huge_header_length_is_refused_before_reading(tmp_path):
    path = tmp_path / "claims.safetensors"
    with open(path, "wb") as f:  # 1 GiB, sparse: claims a 2**60-byte header
        f.write((2 ** 60).to_bytes(8, "little") + b"{}")
        f.truncate(1 << 30)
    peak, message = _peak(lambda: ag.load(path))
    assert "exceeds the file size" in message and path.name in message
    assert peak < 1 << 20, peak


def test_header_over_safetensors_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big_header.safetensors"
    with open(path, "wb") as f:  # a 150 MB header inside a 200 MB sparse file
        f.write((150 * 1024 * 1024).to_bytes(8, "little") + b"{")
        f.truncate(200 * 1024 * 1024)
    peak, message = _peak(lambda: ag.load(path))
    assert "limit of 104857600 bytes" in message
    assert peak < 1 << 20, peak


# ----------------------------------------------------------------------------- JSON
@pytest.mark.parametrize("depth", [17, 100_000])
def test_deeply_nested_header_is_refused_without_recursion_error(depth, tmp_path):
    raw = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    _refused(_file(tmp_path / "deep.safetensors", raw), "not valid JSON: nested deeper")


def test_brackets_inside_names_do_not_count_as_nesting(tmp_path):
    name = "[" * 500 + '"{\\"'
    data = np.arange(3, dtype="<f4").tobytes()
    path = _file(tmp_path / "names.safetensors",
                 {name: {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}}, data)
    assert ag.load(path)[name].tolist() == [0.0, 1.0, 2.0]


def test_deeply_nested_stored_structure_is_refused(tmp_path):
    structure = '{"__dict__": [["x", ' + "[" * 5000 + "]" * 5000 + "]]}"
    path = _file(tmp_path / "structure.safetensors",
                 {"__metadata__": {"ember.structure": structure}})
    _refused(path, "stored structure is not valid JSON: nested deeper")


def test_containers_nested_too_deep_refused_at_save_and_fine_below(tmp_path):
    obj = ag.ones(2)
    for _ in range(30):  # 60 containers deep
        obj = {"k": [obj]}
    ag.save(obj, tmp_path / "ok.safetensors")
    back = ag.load(tmp_path / "ok.safetensors")
    for _ in range(30):  # 60 containers deep
        back = back["k"][0]
    assert back.tolist() == [1.0, 1.0]
    deep = ag.ones(2)
    for _ in range(70):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper than 64"):
        ag.save(deep, tmp_path / "deep.safetensors")
    assert not (tmp_path / "deep.safetensors").exists()


@pytest.mark.parametrize("raw,pattern", [
    (b'{"a": [1, 2', "not valid JSON"),
    (b'{"w": 1, "w": 2}', "duplicate key 'w'"),
    (b'{"w": "\xff\xfe"}', "not UTF-8"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"__metadata__": {"a": 1}}', "__metadata__ is not a dict of strings"),
    (b'{"w": [0, 1]}', "'w' is not a tensor description"),
    (b'{"w": {"dtype": "F32", "shape": [1]}}', "'w' is not a tensor description"),
])
def test_malformed_headers_are_refused(raw, pattern, tmp_path):
    _refused(_file(tmp_path / "bad.safetensors", raw), pattern)


# ----------------------------------------------------------------------------- entries
def _entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"w": {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
                  "data_offsets": list(offsets) if isinstance(offsets, tuple) else offsets}}


@pytest.mark.parametrize("entry,data,pattern", [
    (_entry(shape=(2 ** 32, 2 ** 32, 0), offsets=(0, 0)), b"", "size overflows 64 bits"),
    (_entry(shape=(2 ** 64,), offsets=(0, 0)), b"", "size overflows 64 bits"),
    (_entry(shape=(2 ** 40, 2 ** 40), offsets=(0, 0)), b"", "size overflows 64 bits"),
    (_entry(shape=(-1,)), bytes(8), "invalid shape"),
    (_entry(shape=(1.5,)), bytes(8), "invalid shape"),
    (_entry(shape=("2",)), bytes(8), "invalid shape"),
    (_entry(shape=(True, True)), bytes(8), "invalid shape"),
    (_entry(shape=(1,) * 40, offsets=(0, 4)), bytes(4), "invalid shape"),
    (_entry(shape="2"), bytes(8), "invalid shape"),
    (_entry(dtype="F8_E4M3"), bytes(8), "unsupported dtype 'F8_E4M3'"),
    (_entry(dtype=5), bytes(8), "unsupported dtype 5"),
    (_entry(offsets=(0, 2 ** 62)), bytes(8), "do not match shape"),
    (_entry(offsets=(8, 0)), bytes(8), "invalid data_offsets"),
    (_entry(offsets=(-8, 0)), bytes(8), "invalid data_offsets"),
    (_entry(offsets=(0, 8, 16)), bytes(8), "invalid data_offsets"),
    (_entry(offsets=(8, 16)), bytes(16), "starts at byte 8, expected 0"),
    (_entry(), bytes(4), r"describes 8 data bytes but the file holds 4 \(truncated\)"),
    (_entry(), bytes(12), "describes 8 data bytes but the file holds 12"),
])
def test_bad_entries_are_refused_before_reading_data(entry, data, pattern, tmp_path):
    _refused(_file(tmp_path / "entry.safetensors", entry, data), pattern)


def test_overlapping_tensors_are_refused(tmp_path):
    header = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
    _refused(_file(tmp_path / "overlap.safetensors", header, bytes(12)), "overlapping")


def test_empty_tensor_with_huge_dims_loads_like_safetensors(tmp_path):
    path = _file(tmp_path / "empty.safetensors", _entry(shape=(2 ** 20, 0), offsets=(0, 0)))
    assert ag.load(path)["w"].shape == (2 ** 20, 0)


def test_bfloat16_from_safetensors_loads_or_names_the_missing_dtype(tmp_path):
    data = np.array([0x3F80, 0xC000], dtype="<u2").tobytes()  # 1.0, -2.0 in bfloat16
    path = _file(tmp_path / "bf.safetensors", _entry(dtype="BF16", offsets=(0, 4)), data)
    if getattr(backend, "bfloat16", None) is None:
        _refused(path, "'w' is BF16: .*ml_dtypes")
    else:
        assert ag.load(path)["w"].float().tolist() == [1.0, -2.0]


def test_big_file_is_read_once(tmp_path):
    n = 4 * 1024 * 1024
    ag.save({"w": ag.ones(n)}, tmp_path / "big.safetensors")
    tracemalloc.start()
    try:
        w = ag.load(tmp_path / "big.safetensors")["w"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert float(w.sum()) == n
    assert peak < 4 * n + (1 << 20), peak


def test_file_objects_and_map_location(tmp_path):
    buf = io.BytesIO()
    ag.save({"w": ag.tensor([1.0, 2.0])}, buf)
    buf.seek(0)
    assert ag.load(buf)["w"].tolist() == [1.0, 2.0]
    ag.save({"w": ag.tensor([1.0, 2.0])}, tmp_path / "m.safetensors")
    for where in ("cpu", ag.device("cpu"), {"cpu": "cpu"}):
        assert ag.load(tmp_path / "m.safetensors", map_location=where)["w"].device.type == "cpu"


# ----------------------------------------------------------------------------- temp files
_KILLED_SAVE = """
import os, signal, sys
import autograd as ag
os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)  # die before the rename
ag.save({"w": ag.ones(1000)}, sys.argv[1])
"""


def _killed_save(path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    temps = [p for p in os.listdir(path.parent) if p.startswith(f".{path.name}.tmp-")]
    assert len(temps) == 1, os.listdir(path.parent)
    return temps[0]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pid checks are POSIX")
@pytest.mark.parametrize("then", ["load", "save"])
def test_killed_save_leaves_no_temp_file_after_the_next_save_or_load(then, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    ag.save({"w": ag.tensor([1.0, 2.0])}, path)
    _killed_save(path)
    if then == "load":
        assert ag.load(path)["w"].tolist() == [1.0, 2.0]  # the previous checkpoint is intact
    else:
        ag.save({"w": ag.tensor([3.0])}, path)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]
    assert ag.load(path)["w"].tolist() == ([1.0, 2.0] if then == "load" else [3.0])


@pytest.mark.skipif(os.name != "posix", reason="pid checks are POSIX")
def test_temp_files_of_live_processes_and_other_paths_are_kept(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    live = tmp_path / f".ckpt.safetensors.tmp-{os.getppid()}-1"  # our parent is alive
    mine = tmp_path / f".ckpt.safetensors.tmp-{os.getpid()}-7"  # another thread of ours
    other = tmp_path / ".other.safetensors.tmp-999999999-1"  # not a save of this path
    for p in (live, mine, other):
        p.write_bytes(b"partial")
    ag.save({"w": ag.ones(2)}, path)
    ag.load(path)
    assert live.exists() and mine.exists() and other.exists()
