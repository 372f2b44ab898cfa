"""autograd.load on checkpoints written by the installed torch (zip and legacy formats):
every layer's state dict, dtypes, shared/strided storages, optimiser state, nested
checkpoints; and malicious pickles refused without running anything."""
import collections
import io
import os
import pickle
import subprocess
import tracemalloc
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import backend
from autograd.serialization import CheckpointError
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
FORMATS = [pytest.param(True, id="zip"), pytest.param(False, id="legacy")]


def _save(obj, path, zip_format=True):
    torch.save(obj, path, _use_new_zipfile_serialization=zip_format)
    return path


def _same(ours, theirs, what=""):
    """Exact equality: dtype, shape, strides and every value."""
    assert isinstance(ours, ag.Tensor), what
    assert ours.shape == tuple(theirs.shape), what
    ours, theirs = ours.detach().numpy(), theirs.detach()
    assert ours.dtype == theirs.numpy().dtype, what
    assert tuple(s // ours.itemsize for s in ours.strides) == theirs.stride(), what
    np.testing.assert_array_equal(ours, theirs.numpy(), err_msg=what)


# ----------------------------------------------------------------------------- layers
LAYERS = {
    "Linear": lambda m: m.Linear(4, 3), "Linear_nobias": lambda m: m.Linear(4, 3, bias=False),
    "Bilinear": lambda m: m.Bilinear(3, 4, 2), "Conv1d": lambda m: m.Conv1d(2, 3, 3),
    "Conv2d": lambda m: m.Conv2d(2, 4, 3, groups=2), "Conv3d": lambda m: m.Conv3d(1, 2, 2),
    "ConvTranspose1d": lambda m: m.ConvTranspose1d(2, 3, 3),
    "ConvTranspose2d": lambda m: m.ConvTranspose2d(2, 3, 3, stride=2),
    "BatchNorm1d": lambda m: m.BatchNorm1d(3), "BatchNorm2d": lambda m: m.BatchNorm2d(3),
    "BatchNorm3d": lambda m: m.BatchNorm3d(3), "LayerNorm": lambda m: m.LayerNorm((3, 4)),
    "GroupNorm": lambda m: m.GroupNorm(2, 4),
    "InstanceNorm1d": lambda m: m.InstanceNorm1d(3, affine=True, track_running_stats=True),
    "InstanceNorm2d": lambda m: m.InstanceNorm2d(3, affine=True),
    "RMSNorm": lambda m: m.RMSNorm(4), "PReLU": lambda m: m.PReLU(3),
    "Embedding": lambda m: m.Embedding(5, 3, padding_idx=0),
    "EmbeddingBag": lambda m: m.EmbeddingBag(5, 3),
    "RNN": lambda m: m.RNN(3, 4, num_layers=2), "GRU": lambda m: m.GRU(3, 4, batch_first=True),
    "LSTM": lambda m: m.LSTM(3, 4, bidirectional=True),
    "RNNCell": lambda m: m.RNNCell(3, 4), "LSTMCell": lambda m: m.LSTMCell(3, 4),
    "GRUCell": lambda m: m.GRUCell(3, 4),
    "MultiheadAttention": lambda m: m.MultiheadAttention(8, 2),
    "MultiheadAttention_kv": lambda m: m.MultiheadAttention(8, 2, kdim=3, vdim=5),
    "TransformerEncoder": lambda m: m.TransformerEncoder(
        m.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2),
    "TransformerDecoderLayer": lambda m: m.TransformerDecoderLayer(8, 2, 16),
    "Transformer": lambda m: m.Transformer(8, 2, 1, 1, 16),
    "Sequential": lambda m: m.Sequential(m.Linear(4, 5), m.ReLU(), m.BatchNorm1d(5)),
    "ParameterList": lambda m: m.ParameterList([m.Parameter(torch.ones(2) if m is torch.nn
                                                            else ag.ones(2))]),
    "ModuleDict": lambda m: m.ModuleDict({"enc": m.Linear(2, 3), "norm": m.LayerNorm(3)}),
    "ParameterDict": lambda m: m.ParameterDict({"scale": m.Parameter(
        torch.ones(3) if m is torch.nn else ag.ones(3))}),
    "CrossEntropyLoss_weight": lambda m: m.CrossEntropyLoss(
        weight=torch.ones(3) if m is torch.nn else ag.ones(3)),
}


@pytest.mark.parametrize("zip_format", FORMATS)
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_state_dict_from_torch_loads_into_the_ember_twin(name, zip_format, tmp_path):
    theirs = LAYERS[name](torch.nn)
    with torch.no_grad():  # every value distinct from the initialisation
        for key, t in theirs.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.randn_like(t))
            elif key.endswith("num_batches_tracked"):
                t.fill_(7)
    sd = theirs.state_dict()
    loaded = ag.load(_save(sd, tmp_path / "m.pt", zip_format))
    assert isinstance(loaded, collections.OrderedDict)
    assert list(loaded) == list(sd)
    for key in sd:
        _same(loaded[key], sd[key], key)
        assert not loaded[key].requires_grad, key
    ours = LAYERS[name](nn)
    ours.load_state_dict(loaded, strict=True)
    back = ours.state_dict()
    assert list(back) == list(sd)
    for key in sd:
        np.testing.assert_array_equal(back[key].numpy(), sd[key].numpy(), err_msg=key)


def test_loaded_linear_computes_what_torch_computes(tmp_path):
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    ours = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    ours.load_state_dict(ag.load(_save(theirs.state_dict(), tmp_path / "m.pt")))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- tensors
@pytest.mark.parametrize("zip_format", FORMATS)
def test_every_dtype_loads_with_its_values(zip_format, tmp_path):
    g = torch.Generator().manual_seed(0)
    tensors = {
        "f16": torch.randn(3, 4, generator=g).half(), "f32": torch.randn(5, generator=g),
        "f64": torch.randn(2, 3, generator=g, dtype=torch.float64),
        "i64": torch.randint(-2**40, 2**40, (6,), generator=g), "i32": torch.arange(-3, 3).int(),
        "i16": torch.arange(4).short() - 2, "i8": torch.arange(-4, 4).to(torch.int8),
        "u8": torch.arange(250, 256).to(torch.uint8), "bool": torch.tensor([True, False, True]),
        "c64": torch.randn(3, generator=g, dtype=torch.complex64),
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
        "u16": torch.zeros(2, dtype=torch.uint16),
    }
    loaded = ag.load(_save(tensors, tmp_path / "t.pt", zip_format))
    assert list(loaded) == list(tensors)
    for key, t in tensors.items():
        _same(loaded[key], t, key)


@pytest.mark.parametrize("zip_format", FORMATS)
def test_bfloat16_loads_or_names_the_missing_dtype(zip_format, tmp_path):
    path = _save({"w": torch.randn(3).bfloat16()}, tmp_path / "bf.pt", zip_format)
    if isinstance(backend.bfloat16, backend.MissingDtype):  # no ml_dtypes
        with pytest.raises(CheckpointError, match=r"bf\.pt.* at 'w'.*bfloat16.*ml_dtypes"):
            ag.load(path)
    else:
        w = ag.load(path)["w"]
        assert w.dtype == backend.bfloat16
        ref = torch.load(path)["w"].float().numpy()
        np.testing.assert_array_equal(w.numpy().astype(np.float32), ref)


@pytest.mark.parametrize("zip_format", FORMATS)
def test_shared_storages_views_and_strides_stay_consistent(zip_format, tmp_path):
    a = torch.arange(20.0).reshape(4, 5)
    obj = {"a": a, "row": a[1], "col": a[:, 2], "t": a.t(), "strided": a[::2, 1::2],
           "tied": a, "expanded": torch.arange(3.0).reshape(3, 1).expand(3, 4),
           "narrow": torch.arange(100, dtype=torch.int64)[90:95]}
    loaded = ag.load(_save(obj, tmp_path / "s.pt", zip_format))
    for key, t in obj.items():
        _same(loaded[key], t, key)
    assert loaded["tied"] is loaded["a"]  # one object in the file, one Tensor here
    assert not loaded["t"].is_contiguous() and loaded["strided"].stride() == (10, 2)
    # the views share memory, as in torch: a write through one shows in the others
    loaded["a"].array[1, 2] = -1.0
    assert loaded["row"].tolist()[2] == -1.0 and loaded["col"].tolist()[1] == -1.0
    assert loaded["t"].tolist()[2][1] == -1.0


def test_tied_weights_share_one_storage(tmp_path):
    emb, head = torch.nn.Embedding(6, 4), torch.nn.Linear(4, 6, bias=False)
    head.weight = emb.weight
    sd = {**{"emb." + k: v for k, v in emb.state_dict().items()},
          **{"head." + k: v for k, v in head.state_dict().items()}}
    loaded = ag.load(_save(sd, tmp_path / "tied.pt"))
    _same(loaded["head.weight"], sd["head.weight"])
    loaded["emb.weight"].array[0, 0] = 42.0
    assert loaded["head.weight"].tolist()[0][0] == 42.0


def test_parameters_and_requires_grad_come_back(tmp_path):
    p = torch.nn.Parameter(torch.randn(2, 2))
    frozen = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    leaf = torch.randn(3, requires_grad=True)
    loaded = ag.load(_save({"p": p, "frozen": frozen, "leaf": leaf}, tmp_path / "p.pt"))
    assert isinstance(loaded["p"], ag.Parameter) and loaded["p"].requires_grad
    assert isinstance(loaded["frozen"], ag.Parameter) and not loaded["frozen"].requires_grad
    assert not isinstance(loaded["leaf"], ag.Parameter) and loaded["leaf"].requires_grad
    _same(loaded["p"], p.detach())


# ----------------------------------------------------------------------------- optimiser
@pytest.mark.parametrize("zip_format", FORMATS)
def test_adam_state_resumes_in_ember_like_torch(zip_format, tmp_path):
    theirs = torch.nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2).double()
    ours.load_state_dict(ag.load(_save(theirs.state_dict(), tmp_path / "m0.pt")))
    opt_t = torch.optim.Adam(theirs.parameters(), lr=0.1, betas=(0.8, 0.99))
    x = torch.randn(5, 3, dtype=torch.float64)
    for _ in range(3):
        opt_t.zero_grad()
        theirs(x).pow(2).sum().backward()
        opt_t.step()
    ckpt = {"model": theirs.state_dict(), "optimizer": opt_t.state_dict(), "epoch": 3,
            "best": 0.25, "config": {"layers": [3, 2], "name": "lin", "flags": (True, None)}}
    loaded = ag.load(_save(ckpt, tmp_path / "ckpt.pt", zip_format))
    assert loaded["epoch"] == 3 and loaded["best"] == 0.25
    assert loaded["config"] == {"layers": [3, 2], "name": "lin", "flags": (True, None)}
    state, groups = loaded["optimizer"]["state"], loaded["optimizer"]["param_groups"]
    assert list(state) == [0, 1] and groups == opt_t.state_dict()["param_groups"]
    for i in (0, 1):
        for key, t in opt_t.state_dict()["state"][i].items():
            _same(state[i][key], t, f"state.{i}.{key}")
    ours.load_state_dict(loaded["model"])
    opt_e = nn.optim.Adam(ours.parameters(), lr=0.5)
    opt_e.load_state_dict(loaded["optimizer"])
    for opt, model, inp in ((opt_t, theirs, x), (opt_e, ours, ag.tensor(x.numpy()))):
        opt.zero_grad()
        model(inp).pow(2).sum().backward()
        opt.step()
    # float64, four Adam steps of a 2x3 layer: rounding stays near machine epsilon
    for (key, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=key)


def test_file_objects_and_nn_utils_load(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    buf.seek(0)
    assert ag.load(buf)["w"].tolist() == [1.0, 1.0]
    path = _save({"w": torch.ones(2)}, tmp_path / "w.pt")
    assert nn.utils.load(path)["w"].tolist() == [1.0, 1.0]
    assert nn.utils.load(path, device="cpu")["w"].device == ag.device("cpu")


# ----------------------------------------------------------------------------- crafted files
class _Call:
    """Pickles as `func(*args)` (+ BUILD with `state`), whatever func is."""

    def __init__(self, func, args, state=None):
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        return (self.func, self.args) if self.state is None else (self.func, self.args, self.state)


class _StorageRef:
    def __init__(self, key, kind="FloatStorage", location="cpu", numel=4):
        self.pid = ("storage", getattr(torch, kind), key, location, numel)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _StorageRef) else None


def _craft_zip(path, obj, storages=None, byteorder="little"):
    """A torch zip checkpoint around our own pickle of `obj` (storages: key -> bytes), or
    around `obj` itself when it is bytes (a hand-written pickle)."""
    buf = io.BytesIO(obj if isinstance(obj, bytes) else None)
    if not isinstance(obj, bytes):
        _Pickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", byteorder)
        for key, data in (storages or {}).items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")
    return path


def _tensor(ref, size=(4,), stride=(1,), offset=0, state=None):
    return _Call(torch._utils._rebuild_tensor_v2,
                 (ref, offset, size, stride, False, collections.OrderedDict()), state)


def test_crafted_zip_of_plain_tensor_loads(tmp_path):
    data = np.arange(4, dtype="<f4").tobytes()
    path = _craft_zip(tmp_path / "ok.pt", {"w": _tensor(_StorageRef("0"))}, {"0": data})
    assert ag.load(path)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_big_endian_checkpoint_is_swapped(tmp_path):
    values = np.array([1.5, -2.25, 1e30, 3.0], dtype=">f4")
    i64 = np.array([1, -2, 2**40], dtype=">i8")
    obj = {"w": _tensor(_StorageRef("0")), "n": _tensor(_StorageRef("1", "LongStorage", numel=3),
                                                        size=(3,))}
    path = _craft_zip(tmp_path / "be.pt", obj, {"0": values.tobytes(), "1": i64.tobytes()},
                      byteorder="big")
    loaded = ag.load(path)
    assert loaded["w"].tolist() == values.astype("<f4").tolist()
    assert loaded["n"].tolist() == [1, -2, 2**40]


@pytest.mark.parametrize("size,stride,offset", [((5,), (1,), 0), ((2,), (4,), 0),
                                                ((4,), (1,), 1), ((2, 2), (2**40, 1), 0)])
def test_views_past_the_storage_are_refused(size, stride, offset, tmp_path):
    path = _craft_zip(tmp_path / "oob.pt", {"w": _tensor(_StorageRef("0"), size, stride, offset)},
                      {"0": bytes(16)})
    with pytest.raises(CheckpointError, match=r"oob\.pt.*'w'.*past its storage"):
        ag.load(path)


def test_storage_size_mismatch_and_missing_storage_are_refused(tmp_path):
    path = _craft_zip(tmp_path / "short.pt", {"w": _tensor(_StorageRef("0"))}, {"0": bytes(12)})
    with pytest.raises(CheckpointError, match=r"short\.pt.*holds 12 bytes, expected 4 x 4"):
        ag.load(path)
    path = _craft_zip(tmp_path / "missing.pt", {"w": _tensor(_StorageRef("7"))}, {})
    with pytest.raises(CheckpointError, match=r"missing\.pt.*data/7.*missing"):
        ag.load(path)


def test_cuda_location_needs_a_device_or_map_location(tmp_path):
    obj = {"w": _tensor(_StorageRef("0", location="cuda:0"))}
    path = _craft_zip(tmp_path / "gpu.pt", obj, {"0": bytes(16)})
    if not ag.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location='cpu'"):
            ag.load(path)
    for where in ("cpu", ag.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
                  lambda storage, loc: storage.cpu(), lambda s, loc: s.to("cpu")):
        assert ag.load(path, map_location=where)["w"].device == ag.device("cpu")
    seen = []
    ag.load(path, map_location=lambda storage, loc: seen.append(loc) or storage)
    assert seen == ["cuda:0"]  # called with each storage's saved location, as PyTorch
    if not ag.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location='cpu'"):
            ag.load(path, map_location=lambda storage, loc: storage.cuda(0))
    with pytest.raises(TypeError, match="map_location function returned int"):
        ag.load(path, map_location=lambda storage, loc: 3)
    # torch.load's other arguments are accepted
    assert ag.load(path, map_location="cpu", mmap=True, weights_only=True)["w"].shape == (4,)


def test_build_on_a_tensor_and_tensor_attributes_are_refused(tmp_path):
    obj = {"w": _tensor(_StorageRef("0"), state={"evil": 1})}
    with pytest.raises(CheckpointError, match="BUILD"):
        ag.load(_craft_zip(tmp_path / "b.pt", obj, {"0": bytes(16)}))
    t = torch.ones(2)
    t.note = "attribute"
    with pytest.raises(CheckpointError, match="attributes.*note"):
        ag.load(_save({"t": t}, tmp_path / "attr.pt"))


@pytest.mark.parametrize("module,name", [("collections", "Counter"), ("collections", "OrderedDict"),
                                         ("torch", "float32"), ("torch", "Size"),
                                         ("torch._utils", "_rebuild_tensor_v2")])
def test_build_on_an_allowed_global_cannot_change_it_for_the_process(module, name, tmp_path):
    # GLOBAL module.name; BUILD with (None, {"evil": 1}) would setattr on the global itself
    raw = (b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"N}X\x04\x00\x00\x00evilK\x01s"
           b"\x86b.")
    with pytest.raises(CheckpointError, match="refused BUILD"):
        ag.load(_craft_zip(tmp_path / "build.pt", raw))
    for obj in (collections.Counter, collections.OrderedDict, ag.Size, ag.float32,
                np.dtype("float32")):
        assert not hasattr(obj, "evil")
    assert ag.load(_save({"w": torch.ones(2)}, tmp_path / "ok.pt"))["w"].tolist() == [1.0, 1.0]


MARKER = "ember_pwned_marker"


def _evil(kind, marker):
    cmd = f"touch {marker}"
    return {
        "os.system": _Call(os.system, (cmd,)),
        "eval": _Call(eval, (f"open({str(marker)!r}, 'w').close()",)),
        "exec": _Call(exec, (f"open({str(marker)!r}, 'w').close()",)),
        "subprocess.Popen": _Call(subprocess.Popen, (["touch", str(marker)],)),
        "getattr": _Call(getattr, ("text", "upper")),
        "random global": _Call(collections.namedtuple, ("X", "a b")),
        "numpy": _Call(np.frombuffer, (b"\0" * 8,)),
        "nested in a tensor": _tensor(_Call(os.system, (cmd,))),
    }[kind]


GLOBAL_NAMES = {"os.system": r"(posix|nt)\.system", "eval": r"builtins\.eval",
                "exec": r"builtins\.exec", "subprocess.Popen": r"subprocess\.Popen",
                "getattr": r"builtins\.getattr", "random global": r"collections\.namedtuple",
                "numpy": r"numpy\.\S*frombuffer", "nested in a tensor": r"(posix|nt)\.system"}


@pytest.mark.parametrize("zip_format", FORMATS)
@pytest.mark.parametrize("kind", sorted(GLOBAL_NAMES))
def test_malicious_pickles_are_refused_without_running(kind, zip_format, tmp_path):
    marker = tmp_path / MARKER
    obj = {"weight": _evil(kind, marker)}
    path = tmp_path / "evil.pt"
    if zip_format:
        _craft_zip(path, obj, {"0": bytes(16)})
    else:  # the legacy stream: magic, protocol, sys info, then the object
        with open(path, "wb") as f:
            for head in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
                pickle.dump(head, f, protocol=2)
            _Pickler(f, protocol=2).dump(obj)
            pickle.dump([], f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=rf"evil\.pt.*GLOBAL {GLOBAL_NAMES[kind]} "
                                                     "was not an allowed global") as info:
        ag.load(path)
    assert isinstance(info.value, CheckpointError)
    assert not marker.exists()
    # torch agrees that these files are not weights
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    assert not marker.exists()


def test_whole_model_pickle_is_refused_with_a_hint(tmp_path):
    path = _save(torch.nn.Linear(2, 2), tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match=r"torch\.nn\.modules\.linear\.Linear.*"
                                              r"save model\.state_dict\(\)"):
        ag.load(path)


def test_torchscript_truncated_and_foreign_files_say_what_they_are_not(tmp_path):
    script = torch.jit.script(torch.nn.Linear(2, 2))
    torch.jit.save(script, str(tmp_path / "ts.pt"))
    with pytest.raises(CheckpointError, match=r"ts\.pt' is a TorchScript archive"):
        ag.load(tmp_path / "ts.pt")
    data = _save({"w": torch.ones(100)}, tmp_path / "full.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match=r"cut\.pt.*not a readable zip archive"):
        ag.load(tmp_path / "cut.pt")
    legacy = _save({"w": torch.ones(100)}, tmp_path / "legacy.pt", False).read_bytes()
    (tmp_path / "cutlegacy.pt").write_bytes(legacy[:-100])
    with pytest.raises(CheckpointError, match=r"cutlegacy\.pt.*truncated"):
        ag.load(tmp_path / "cutlegacy.pt")
    (tmp_path / "notes.txt").write_text("just some text, not a checkpoint at all\n")
    with pytest.raises(CheckpointError, match=r"notes\.txt' is neither a safetensors file.*"
                                              r"nor a PyTorch checkpoint"):
        ag.load(tmp_path / "notes.txt")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(CheckpointError, match=r"other\.zip' is a zip archive, not a torch\.save"):
        ag.load(tmp_path / "other.zip")


def test_big_checkpoint_is_read_once(tmp_path):
    n = 4 * 1024 * 1024  # 16 MiB of float32
    path = _save({"w": torch.ones(n)}, tmp_path / "big.pt")
    tracemalloc.start()
    try:
        w = ag.load(path)["w"]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert w.shape == (n,) and float(w.sum()) == n
    assert peak < 4 * n + (2 << 20), peak  # the storage once, plus 1 MiB read steps


def test_storage_sizes_claimed_beyond_the_file_are_refused_before_allocating(tmp_path):
    numel = 2 ** 28  # 1 GiB of float32 claimed by a 200-byte file
    path = _craft_zip(tmp_path / "claims.pt", {"w": _tensor(_StorageRef("0", numel=numel),
                                                            size=(numel,))}, {"0": bytes(16)})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's entries
    while not data[entry + 46:].startswith(b"archive/data/0"):
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = (4 * numel).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=r"claims 1073741824 bytes from 16"):
            ag.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak


def test_damaged_storage_bytes_fail_the_zip_crc(tmp_path):
    path = _save({"w": torch.arange(64.0)}, tmp_path / "crc.pt")
    data = bytearray(path.read_bytes())
    at = data.index(np.arange(64.0, dtype="<f4").tobytes())
    data[at + 10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"crc\.pt.*corrupt zip member.*CRC"):
        ag.load(path)
