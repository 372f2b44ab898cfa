"""nn.utils.save / load: round trips, safetensors interop, atomic writes, bad files."""
import json
import math
import os

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch

safetensors_torch = pytest.importorskip("safetensors.torch")


def _equal(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())


def test_nested_round_trip_keeps_structure_types_and_dtypes(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        "state": {0: {"step": ag.tensor(3.0), "exp_avg": ag.tensor(rng.standard_normal((2, 3)))},
                  1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False,
                          "params": [0, 1], "name": "group.one"}],
        "ints": [ag.tensor([1, 2, 3]), ag.tensor(rng.integers(0, 9, 4).astype(np.int32))],
        "misc": {"half": ag.tensor(rng.standard_normal(3).astype(np.float16)),
                 "mask": ag.tensor([True, False]), "bytes": ag.tensor(np.arange(4, dtype=np.uint8)),
                 "empty": ag.zeros(0, 3), "inf": math.inf, "ninf": -math.inf, "big": 2 ** 70,
                 (1, "a"): "tuple key", 2.5: "float key", None: True},
    }
    path = tmp_path / "obj.safetensors"
    nn.utils.save(obj, path)
    back = nn.utils.load(path)
    assert back.keys() == obj.keys() and list(back["state"]) == [0, 1]
    assert _equal(back["state"][0]["exp_avg"], obj["state"][0]["exp_avg"])
    assert _equal(back["state"][0]["step"], obj["state"][0]["step"])
    assert back["state"][1] == {"momentum_buffer": None}
    assert back["param_groups"] == obj["param_groups"]
    assert isinstance(back["param_groups"][0]["betas"], tuple)
    for a, b in zip(back["ints"], obj["ints"]):
        assert _equal(a, b)
    misc = back["misc"]
    for key in ("half", "mask", "bytes", "empty"):
        assert _equal(misc[key], obj["misc"][key]), key
    assert misc["inf"] == math.inf and misc["ninf"] == -math.inf and misc["big"] == 2 ** 70
    assert misc[(1, "a")] == "tuple key" and misc[2.5] == "float key" and misc[None] is True


def test_nan_and_plain_tensor_round_trip(tmp_path):
    nn.utils.save({"x": math.nan}, tmp_path / "a")
    assert math.isnan(nn.utils.load(tmp_path / "a")["x"])
    t = ag.tensor([[1.0, 2.0]])
    nn.utils.save(t, tmp_path / "b")
    assert _equal(nn.utils.load(tmp_path / "b"), t)


def test_tensors_are_stored_under_dotted_paths(tmp_path):
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    opt = nn.optim.Adam([w])
    (w * w).sum().backward()
    opt.step()
    nn.utils.save({"optimizer": opt.state_dict(), "model": {"fc.weight": w}}, tmp_path / "c")
    with open(tmp_path / "c", "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    names = set(header) - {"__metadata__"}
    assert names == {"optimizer.state.0.step", "optimizer.state.0.exp_avg",
                     "optimizer.state.0.exp_avg_sq", "model.fc.weight"}
    assert all(isinstance(v, str) for v in header["__metadata__"].values())
    assert (8 + size) % 8 == 0


@requires_torch
def test_flat_state_dict_loads_in_safetensors_with_its_own_names(tmp_path):
    rng = np.random.default_rng(0)
    sd = {"fc.weight": ag.tensor(rng.standard_normal((4, 3)).astype(np.float32)),
          "fc.bias": ag.tensor(rng.standard_normal(4)),
          "bn.num_batches_tracked": ag.tensor(7), "mask": ag.tensor([True, False, True])}
    nn.utils.save(sd, tmp_path / "m.safetensors")
    loaded = safetensors_torch.load_file(str(tmp_path / "m.safetensors"))
    assert set(loaded) == set(sd)
    for name, t in sd.items():
        assert np.array_equal(loaded[name].numpy(), t.numpy())
        assert loaded[name].numpy().dtype == t.numpy().dtype


@requires_torch
def test_file_from_safetensors_loads_here(tmp_path):
    tensors = {"a.weight": torch.randn(3, 2, dtype=torch.float64),
               "b": torch.arange(5, dtype=torch.int32), "c": torch.randn(4).half(),
               "scalar": torch.tensor(2.5)}
    safetensors_torch.save_file(tensors, str(tmp_path / "t.safetensors"))
    loaded = nn.utils.load(tmp_path / "t.safetensors")
    assert list(loaded) == sorted(tensors)
    for name, t in tensors.items():
        assert np.array_equal(loaded[name].numpy(), t.numpy())
        assert loaded[name].numpy().dtype == t.numpy().dtype
    loaded["b"].array[0] = 9  # loaded arrays are ordinary writable arrays


def test_failed_rename_keeps_previous_checkpoint_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    nn.utils.save({"w": ag.tensor([1.0, 2.0])}, path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        nn.utils.save({"w": ag.tensor([3.0, 4.0, 5.0])}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]
    assert nn.utils.load(path)["w"].tolist() == [1.0, 2.0]


def test_failed_write_of_unsupported_object_leaves_nothing(tmp_path):
    with pytest.raises(TypeError, match="object"):
        nn.utils.save({"bad": {"f": object()}}, tmp_path / "x")
    assert os.listdir(tmp_path) == []


def test_truncated_file_raises_naming_the_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    nn.utils.save({"w": ag.tensor(np.arange(100.0))}, path)
    data = path.read_bytes()
    for cut in (3, 20, len(data) - 1):
        bad = tmp_path / f"cut{cut}.safetensors"
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"cut{cut}.safetensors.*(truncated|exceeds)"):
            nn.utils.load(bad)


def test_random_and_corrupt_bytes_raise_naming_the_file(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="noise.bin"):
        nn.utils.load(path)
    header = b'{"w": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}'
    bad = tmp_path / "mismatch.bin"
    bad.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    with pytest.raises(ValueError, match="mismatch.bin.*do not match"):
        nn.utils.load(bad)
    header = b'{"w": [1, 2'
    bad = tmp_path / "json.bin"
    bad.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(ValueError, match="json.bin.*JSON"):
        nn.utils.load(bad)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.bin"):
        nn.utils.load(empty)
