"""Small PyTorch programs, written once against `torch`'s API and run on both libraries
(Ember as `torch=autograd, nn=nn, optim=nn.optim, data=nn.data`); their observable
results must agree. Weights move between the two by name, through NumPy or safetensors."""
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest

import autograd
import nn
import nn.utils
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
safetensors_torch = pytest.importorskip("safetensors.torch")


def _libs():
    ember = SimpleNamespace(torch=autograd, nn=nn, optim=nn.optim, data=nn.data,
                            save=nn.utils.save, load=nn.utils.load, name="ember")
    pt = SimpleNamespace(torch=torch, nn=torch.nn, optim=torch.optim, data=torch.utils.data,
                         save=torch.save, load=torch.load, name="torch")
    return ember, pt


def _numpy_state(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _load_numpy(L, module, arrays):
    return module.load_state_dict({k: L.torch.tensor(v) for k, v in arrays.items()})


def _compare(ours, theirs, rtol=1e-5, atol=1e-6):
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a, float) or isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"result {i}")
        else:
            assert a == b, f"result {i}: ember {a!r} != torch {b!r}"


# ----------------------------------------------------------------------------- 1
def _mlp_classifier_program(L, init, path):
    torch, nn, optim, data = L.torch, L.nn, L.optim, L.data
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.normal(size=(64, 8)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 3, 64))
    loader = data.DataLoader(data.TensorDataset(X, y), batch_size=16, shuffle=False)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 16)
            self.act = nn.ReLU(inplace=True)
            self.drop = nn.Dropout(0.0)
            self.fc2 = nn.Linear(16, 3)

        def forward(self, x):
            return self.fc2(self.drop(self.act(self.fc1(x))))

    model = Net()
    _load_numpy(L, model, init)
    opt = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
    out = []
    for _epoch in range(4):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            out.append(float(norm))
            opt.step()
            total += loss.item() * xb.size(0)
        sched.step()
        out.append(total / len(loader.dataset))
    out.append(sched.get_last_lr())
    model.eval()
    with torch.no_grad():
        logits = model(X)
        out.append((logits.argmax(dim=1) == y).float().mean().item())
    L.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(), "epoch": 4}, path)
    ckpt = L.load(path)
    out.append(ckpt["epoch"])
    model2 = Net()
    out.append(tuple(model2.load_state_dict(ckpt["model"])))
    opt2 = optim.Adam(model2.parameters(), lr=1.0)
    opt2.load_state_dict(ckpt["optimizer"])
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    sched2.load_state_dict(ckpt["scheduler"])
    out.append([g["lr"] for g in opt2.param_groups] + sched2.get_last_lr())
    model2.eval()
    with torch.no_grad():
        out.append(bool((model2(X) == logits).all()))
    # one more step from the reloaded state equals one more step of the original
    for m, o in ((model, opt), (model2, opt2)):
        m.train()
        o.zero_grad()
        criterion(m(X), y).backward()
        o.step()
    out.append(np.array_equal(model.fc1.weight.detach().numpy(),
                              model2.fc1.weight.detach().numpy()))
    return out


def test_mlp_classifier_with_loader_adam_steplr_clipping_and_checkpoint(tmp_path):
    ember, pt = _libs()
    ref = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Linear(16, 3))
    init = {"fc" + str(int(k[0]) + 1) + k[1:]: v for k, v in _numpy_state(ref).items()}
    ours = _mlp_classifier_program(ember, init, tmp_path / "ember.safetensors")
    theirs = _mlp_classifier_program(pt, init, tmp_path / "torch.pt")
    _compare(ours, theirs)
    assert ours[-2] and ours[-1]


# ----------------------------------------------------------------------------- 2
def _containers_and_buffers_program(L):
    torch, nn = L.torch, L.nn

    class Head(nn.Module):
        def __init__(self, d, k):
            super().__init__()
            self.proj = nn.Linear(d, k, bias=False)
            self.register_buffer("scale", torch.ones(k))
            self.register_buffer("tmp", torch.zeros(2), persistent=False)

        def forward(self, x):
            return self.proj(x) * self.scale

    class Multi(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.ModuleList([nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6)])
            self.heads = nn.ModuleDict({"a": Head(6, 2), "b": Head(6, 3)})
            self.temp = nn.Parameter(torch.tensor(1.5))
            self.register_buffer("steps", torch.tensor(0))

        def forward(self, x, which):
            for layer in self.trunk:
                x = layer(x)
            self.steps += 1
            return self.heads[which](x) / self.temp

    m = Multi()
    out = [list(m.state_dict()), [tuple(v.shape) for v in m.state_dict().values()],
           [n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
           [n for n, _ in m.named_modules()], [n for n, _ in m.named_children()],
           sum(p.numel() for p in m.parameters() if p.requires_grad), repr(m),
           len(m.trunk), list(m.heads.keys()), "a" in m.heads]
    m.heads["c"] = Head(6, 1)
    m.trunk.append(nn.ReLU())
    m.trunk.extend([nn.Identity()])
    m.trunk.insert(0, nn.Identity())
    out.append(repr(m))
    m(torch.ones(5, 4), "a").sum().backward()
    out.append(int(m.steps))
    out.append([n for n, p in m.named_parameters() if p.grad is not None])
    m.double()
    out.append([str(t.dtype).rsplit(".")[-1] for t in (m.temp, m.steps, m.heads.a.scale)])
    m.float()
    m.heads.requires_grad_(False)
    out.append([n for n, p in m.named_parameters() if p.requires_grad])
    m.zero_grad()
    out.append([p.grad is None for p in m.parameters()])
    sd = m.state_dict()
    del sd["heads.b.scale"]
    sd["extra"] = torch.zeros(1)
    result = m.load_state_dict(sd, strict=False)
    out.append((list(result.missing_keys), list(result.unexpected_keys)))
    out.append(type(m.get_parameter("trunk.1.weight")).__name__)
    out.append(tuple(m.get_buffer("heads.a.scale").shape))
    md = nn.ModuleDict([("x", nn.ReLU()), ("y", nn.Tanh())])
    md.update({"z": nn.Sigmoid()})
    out.append([(k, type(v).__name__) for k, v in md.items()])
    out.append((type(md.pop("x")).__name__, len(md)))
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    out.append((list(s.state_dict()), type(s.fc).__name__, repr(s[0:1]), repr(s)))
    s.add_module("out", nn.Linear(3, 1))
    out.append((repr(s), repr(s[-1]), len(list(m.modules()))))
    m.eval()
    out.append([mm.training for mm in m.modules()])
    m.train()
    out.append(all(mm.training for mm in m.modules()))
    return out


def test_module_dict_module_list_and_buffers_behave_like_torch():
    ember, pt = _libs()
    _compare(_containers_and_buffers_program(ember), _containers_and_buffers_program(pt))


# ----------------------------------------------------------------------------- 3
def _param_groups_program(L, init):
    torch, nn, optim = L.torch, L.nn, L.optim
    backbone = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8))
    head = nn.Linear(8, 2)
    _load_numpy(L, backbone, init["backbone"])
    _load_numpy(L, head, init["head"])
    opt = optim.SGD([{"params": backbone[0].parameters(), "lr": 1e-3},
                     {"params": backbone[2].parameters()}], lr=1e-2, momentum=0.9,
                    nesterov=True)
    out = [[(g["lr"], g["momentum"], g["nesterov"], len(g["params"]))
            for g in opt.param_groups]]
    x = torch.tensor(np.linspace(-1, 1, 20, dtype=np.float32).reshape(5, 4))
    for step in range(6):
        if step == 3:
            opt.add_param_group({"params": head.parameters(), "lr": 0.1, "momentum": 0.0})
            out.append([(g["lr"], g["momentum"], g["weight_decay"], g["dampening"])
                        for g in opt.param_groups])
        opt.zero_grad(set_to_none=True)
        loss = (head(backbone(x)) ** 2).mean()
        loss.backward()
        opt.step()
        out.append(loss.item())
    for g in opt.param_groups:
        g["lr"] *= 0.5
    out.append([g["lr"] for g in opt.param_groups])
    sd = opt.state_dict()
    out.append([g["params"] for g in sd["param_groups"]])
    out.append((sorted(sd["state"]), sorted(sd["state"][0])))
    out.append(head.weight.detach().numpy().copy())
    with pytest.raises(ValueError):
        opt.add_param_group({"params": head.parameters()})  # already in a group
    adam = optim.Adam([{"params": [head.weight]},
                       {"params": [head.bias], "weight_decay": 0.1, "betas": (0.8, 0.9)}],
                      lr=0.01, amsgrad=True)
    for _ in range(3):
        adam.zero_grad()
        (head(backbone(x)) ** 2).mean().backward()
        adam.step()
    out.append((sorted(adam.state_dict()["state"][0]), float(adam.state[head.bias]["step"])))
    out.append(head.bias.detach().numpy().copy())
    sched = optim.lr_scheduler.MultiStepLR(adam, milestones=[1, 2], gamma=0.1)
    for _ in range(2):
        adam.step()
        sched.step()
    out.append(sched.get_last_lr())
    return out


def test_param_groups_different_lr_and_add_param_group_like_torch():
    ember, pt = _libs()
    init = {"backbone": _numpy_state(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                                         torch.nn.Linear(8, 8))),
            "head": _numpy_state(torch.nn.Linear(8, 2))}
    _compare(_param_groups_program(ember, init), _param_groups_program(pt, init))


# ----------------------------------------------------------------------------- 4
def _train_eval_program(L, init):
    torch, nn = L.torch, L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(),
                                      nn.Dropout(0.5))
            self.out = nn.Linear(6, 2)
            self.calls = []

        def forward(self, x):
            self.calls.append(self.training)
            return self.out(self.body(x))

    m = Net()
    _load_numpy(L, m, init)
    x = torch.tensor(np.linspace(-2, 3, 32, dtype=np.float32).reshape(8, 4))
    out = [m.training, m.train() is m]
    m(x)
    hidden = m.body[:3](x)
    out.append(int(m.body[1].num_batches_tracked))
    out.append(m.body[1].running_mean.numpy().copy())
    dropped = m.body[3](hidden).detach().numpy()
    h = hidden.detach().numpy()
    out.append(bool(np.all((dropped == 0) | np.isclose(dropped, 2 * h))))
    out.append(bool((dropped == 0).any() and (dropped != 0).any()))
    out.append(m.eval() is m)
    out.append([mm.training for mm in m.modules()])
    with torch.no_grad():
        y = m(x)
    out.append(y.requires_grad)
    out.append(y.numpy().copy())
    out.append(np.array_equal(m.body[3](hidden).detach().numpy(), h))  # eval dropout = id
    out.append(int(m.body[1].num_batches_tracked))
    out.append(list(m.calls))
    m.body.train()
    out.append([mm.training for mm in m.modules()])
    m.body[1].eval()
    m.train()
    out.append([mm.training for mm in m.modules()])
    bn = nn.BatchNorm1d(6, momentum=None)
    bn(hidden.detach())
    bn(hidden.detach() * 2)
    out.append(bn.running_var.numpy().copy())
    bn.reset_running_stats()
    out.append(int(bn.num_batches_tracked))
    bn2 = nn.BatchNorm1d(6, track_running_stats=False, affine=False)
    out.append(list(bn2.state_dict()))
    bn2.eval()  # no running stats: batch statistics even in eval mode
    out.append(bn2(hidden.detach()).numpy().copy())
    return out


def test_train_and_eval_semantics_like_torch():
    ember, pt = _libs()
    ref = torch.nn.Module()
    ref.body = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6))
    ref.out = torch.nn.Linear(6, 2)
    init = _numpy_state(ref)
    _compare(_train_eval_program(ember, init), _train_eval_program(pt, init), rtol=1e-5,
             atol=1e-5)


# ----------------------------------------------------------------------------- weights
def _conv_bn_lstm(L):
    torch, nn = L.torch, L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.lstm = nn.LSTM(4, 5, num_layers=2, batch_first=True)
            self.bn1 = nn.BatchNorm1d(5)
            self.fc = nn.Linear(5, 3)

        def forward(self, x, seq):
            h = self.pool(torch.relu(self.bn(self.conv(x)))).flatten(1)
            o, _ = self.lstm(seq + h.unsqueeze(1))
            return self.fc(self.bn1(o[:, -1]))
    return Net()


_RNG = np.random.default_rng(3)
_X = _RNG.normal(size=(3, 2, 5, 5)).astype(np.float32)
_SEQ = _RNG.normal(size=(3, 6, 4)).astype(np.float32)


def _trained_torch_model():
    _, pt = _libs()
    tm = _conv_bn_lstm(pt)
    for scale in (1.0, 2.0):  # non-trivial running statistics and num_batches_tracked = 2
        tm(torch.tensor(_X) * scale, torch.tensor(_SEQ))
    return tm.eval()


def _eval_output(L, m):
    m.eval()
    with L.torch.no_grad():
        return m(L.torch.tensor(_X), L.torch.tensor(_SEQ)).numpy()


def test_torch_state_dict_as_numpy_loads_into_conv_bn_lstm_model():
    ember, pt = _libs()
    tm = _trained_torch_model()
    em = _conv_bn_lstm(ember)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    assert [tuple(v.shape) for v in esd.values()] == [tuple(v.shape) for v in tsd.values()]
    assert str(esd["bn.num_batches_tracked"].dtype) == "torch.int64"
    result = em.load_state_dict({k: v.numpy() for k, v in tsd.items()}, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(em.bn.num_batches_tracked) == 2
    np.testing.assert_allclose(_eval_output(ember, em), _eval_output(pt, tm), rtol=1e-5,
                               atol=1e-6)


def test_safetensors_checkpoints_move_both_ways_with_batchnorm(tmp_path):
    ember, pt = _libs()
    tm = _trained_torch_model()
    expected = _eval_output(pt, tm)
    # Ember -> nn.utils.save -> safetensors.torch.load_file -> torch, strict
    em = _conv_bn_lstm(ember)
    em.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    nn.utils.save(em.state_dict(), tmp_path / "ember.safetensors")
    loaded = safetensors_torch.load_file(str(tmp_path / "ember.safetensors"))
    assert loaded["bn1.num_batches_tracked"].dtype == torch.int64
    tm2 = _conv_bn_lstm(pt)
    tm2.load_state_dict(loaded, strict=True)
    assert int(tm2.bn.num_batches_tracked) == 2
    np.testing.assert_array_equal(_eval_output(pt, tm2), expected)
    # torch -> safetensors.torch.save_file -> nn.utils.load -> Ember, strict
    safetensors_torch.save_file(tm.state_dict(), str(tmp_path / "torch.safetensors"))
    em2 = _conv_bn_lstm(ember)
    em2.load_state_dict(nn.utils.load(tmp_path / "torch.safetensors"), strict=True)
    assert str(em2.bn.num_batches_tracked.dtype) == "torch.int64"
    assert int(em2.bn.num_batches_tracked) == 2
    np.testing.assert_allclose(_eval_output(ember, em2), expected, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- repr
def _typical_models(nn):
    return [
        nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(inplace=True), nn.Dropout(0.2),
                      nn.Linear(32, 10, bias=False), nn.LogSoftmax(dim=1)),
        nn.Sequential(nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.ELU(),
                      nn.ELU(alpha=0.5), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
                      nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.Softplus(beta=2, threshold=10),
                      nn.Softmax(dim=-1), nn.Softmax(), nn.LogSigmoid(), nn.Identity(),
                      nn.Unflatten(1, (2, 3)), nn.Flatten(0, 2)),
        nn.ModuleDict(OrderedDict([
            ("enc", nn.LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.1)),
            ("heads", nn.ModuleList([nn.Linear(4, 2) for _ in range(3)])),
            ("bil", nn.Bilinear(2, 3, 4)), ("empty", nn.ModuleList())])),
        nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.ReLU()),
        nn.ModuleList([nn.Sequential(nn.Linear(2, 2), nn.ReLU()) for _ in range(3)]),
        nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3)]),
        nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 8, (3, 5), stride=2, bias=False, groups=2, dilation=2),
                      nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Embedding(10, 3),
                      nn.Embedding(10, 3, padding_idx=0), nn.Dropout2d()),
        nn.CrossEntropyLoss(), nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(),
        nn.HuberLoss(delta=2.0), nn.SmoothL1Loss(beta=0.5), nn.BCEWithLogitsLoss(),
        nn.KLDivLoss(reduction="batchmean", log_target=True), nn.NLLLoss(), nn.BCELoss(),
    ]


def test_repr_of_typical_models_equals_torch():
    for ours, theirs in zip(_typical_models(nn), _typical_models(torch.nn)):
        assert repr(ours) == repr(theirs)


def test_repr_of_normalisation_layers_equals_torch():
    def models(nn):
        return [nn.BatchNorm2d(8), nn.BatchNorm1d(4, affine=False), nn.LayerNorm(4),
                nn.GroupNorm(2, 4)]
    for ours, theirs in zip(models(nn), models(torch.nn)):
        assert repr(ours) == repr(theirs)


def test_plain_dict_without_num_batches_tracked_loads_strict_like_torch(tmp_path):
    ember, pt = _libs()
    tm = _trained_torch_model()
    arrays = {k: v.numpy() for k, v in tm.state_dict().items() if "num_batches" not in k}
    em = _conv_bn_lstm(ember)
    em.bn.num_batches_tracked.fill_(5)
    tm2 = _conv_bn_lstm(pt)
    tm2.bn.num_batches_tracked.fill_(5)
    ours = em.load_state_dict(arrays, strict=True)
    theirs = tm2.load_state_dict({k: torch.tensor(v) for k, v in arrays.items()}, strict=True)
    assert list(ours.missing_keys) == list(theirs.missing_keys) == []
    assert int(em.bn.num_batches_tracked) == int(tm2.bn.num_batches_tracked) == 5
    # any other missing key is still an error, and so is a missing running_mean
    del arrays["bn.running_mean"]
    with pytest.raises(RuntimeError, match='Missing key.*"bn.running_mean"'):
        em.load_state_dict(arrays)


def _run_script(name, *args):
    """Run tests/nn/programs/<name> under Ember ('ember') and PyTorch ('torch'); returns
    each one's stdout lines. The script picks its library from its first argument."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    script = root / "tests" / "nn" / "programs" / name
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = {}
    for lib in ("ember", "torch"):
        run = subprocess.run([sys.executable, str(script), lib, *(a.format(lib=lib) for a in args)],
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        out[lib] = run.stdout.splitlines()
    return out


def test_a_script_written_for_torch_runs_with_ember_imported_as_torch(tmp_path):
    out = _run_script("torch_style_cnn.py", str(tmp_path / "{lib}.bin"))
    # both learn the task and end with the same state-dict keys and learning-rate schedule
    acc = [float(line.split("val acc ")[1].split()[0]) for line in out["ember"]
           if "val acc" in line]
    assert acc[-1] >= 0.75, out["ember"]
    assert out["ember"][-1] == out["torch"][-1]
    lrs = [[line.split("lr ")[1] for line in out[k] if "lr " in line] for k in ("ember", "torch")]
    assert lrs[0] == lrs[1]
    sd = nn.utils.load(tmp_path / "ember.bin")
    assert "conv.weight" in sd and "bn.running_var" in sd


def test_a_packed_lstm_script_written_for_torch_runs_with_ember_imported_as_torch():
    out = _run_script("torch_style_rnn.py")
    acc = float(out["ember"][-2].split("train acc ")[1].split()[0])
    assert acc >= 0.9, out["ember"]  # the task is learnable: PyTorch reaches 0.96
    assert out["ember"][-1] == out["torch"][-1]  # the same state-dict keys
    assert out["ember"][-2].split("lr ")[1] == out["torch"][-2].split("lr ")[1]


def test_a_tiny_gpt_script_written_for_torch_runs_with_ember_imported_as_torch():
    out = _run_script("torch_style_gpt.py")
    loss = float(out["ember"][-3].split("final loss ")[1])
    assert loss < 1.5, out["ember"]  # from ln(13) = 2.6 untrained; PyTorch reaches 0.8
    assert out["ember"][-2:] == out["torch"][-2:]  # 12 tokens generated, the same keys


def _same_numbers(ours, theirs, rtol):
    """Lines equal word by word, numbers within rtol (float64 programs: the two libraries
    round differently in the last bits, and a few dozen steps amplify that mildly)."""
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        wa, wb = a.split(), b.split()
        assert len(wa) == len(wb), (a, b)
        for x, y in zip(wa, wb):
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                assert x == y, (a, b)
                continue
            assert abs(fx - fy) <= rtol * max(abs(fy), 1e-12), (a, b)


def test_a_spectral_fft_script_written_for_torch_runs_with_ember_imported_as_torch():
    out = _run_script("torch_style_spectral.py")
    final = float(out["ember"][-1].split("final loss ")[1])
    assert final < 0.1, out["ember"]  # learnt: from 12 at the start
    _same_numbers(out["ember"], out["torch"], rtol=1e-6)


def test_a_pca_whitening_script_written_for_torch_runs_with_ember_imported_as_torch():
    out = _run_script("torch_style_pca.py")
    assert out["ember"][-1] == "train acc 0.990", out["ember"]
    _same_numbers(out["ember"], out["torch"], rtol=1e-6)
