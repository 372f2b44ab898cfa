"""Training on "cuda" against the same computation on the CPU backend: every optimiser,
optimiser state and its state dicts across devices, model.to("cuda") mid-training, lr
schedulers, gradient clipping, the data loader, checkpoints, seeded randomness and the
errors for mixed devices and numpy() on a CUDA tensor.

All tests need CuPy and a GPU (marked `cuda`, skipped otherwise). Float64 throughout, so
the two backends agree to rounding (1e-10)."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import requires_cuda

pytestmark = [pytest.mark.cuda, requires_cuda]

TOL = dict(rtol=1e-10, atol=1e-10)
RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 4))
Y = RNG.integers(0, 3, 16)

OPTIMISERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                     weight_decay=0.1)),
]
OPT_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in OPTIMISERS]


def _host(t):
    return t.detach().cpu().numpy()


def _mlp(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8, dtype=ag.float64), nn.Tanh(),
                         nn.Linear(8, 3, dtype=ag.float64))


def _twins(seed=0):
    """The same MLP twice: one on the CPU, one moved to CUDA."""
    cpu, gpu = _mlp(seed), _mlp(seed + 1)
    gpu.load_state_dict(cpu.state_dict())
    gpu.to("cuda")
    return cpu, gpu


def _data(device):
    return ag.tensor(X, device=device), ag.tensor(Y, device=device)


def _step(model, opt, x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss


def _train(model, opt, device, steps):
    x, y = _data(device)
    return [_step(model, opt, x, y) for _ in range(steps)]


def _assert_same_params(cpu, gpu, what=""):
    e_cpu, e_gpu = dict(cpu.named_parameters()), dict(gpu.named_parameters())
    assert list(e_cpu) == list(e_gpu)
    for name, p in e_cpu.items():
        q = e_gpu[name]
        assert q.device.type == "cuda", f"{what} {name} is on {q.device}"
        assert p.device.type == "cpu", f"{what} {name} is on {p.device}"
        np.testing.assert_allclose(_host(q), _host(p), err_msg=f"{what} {name}", **TOL)


def _state_arrays(opt):
    """(name, key, Tensor) for every tensor in the optimiser's state."""
    out = []
    for i, (p, state) in enumerate(opt.state.items()):
        for key, value in state.items():
            if isinstance(value, ag.Tensor):
                out.append((i, key, value))
    return out


def _assert_state_on(opt, device):
    """Every state tensor lives on `device`, except `step`, which PyTorch keeps on the host
    (it is read as a Python number every step)."""
    entries = _state_arrays(opt)
    for i, key, value in entries:
        want = "cpu" if key == "step" else device
        assert value.device.type == want, f"state[{i}][{key!r}] is on {value.device}"
    return entries


def _assert_same_state(opt_cpu, opt_gpu):
    a, b = _state_arrays(opt_cpu), _state_arrays(opt_gpu)
    assert [(i, k) for i, k, _ in a] == [(i, k) for i, k, _ in b]
    for (i, key, va), (_, _, vb) in zip(a, b):
        np.testing.assert_allclose(_host(vb), _host(va), err_msg=f"state[{i}][{key!r}]", **TOL)


# ----------------------------------------------------------------------------- basics
def test_cuda_module_reports_a_device():
    assert ag.cuda.is_available()
    assert ag.cuda.device_count() >= 1
    t = ag.ones(3, device="cuda")
    ag.cuda.synchronize()
    assert t.is_cuda and t.device.type == "cuda" and t.device == ag.device("cuda:0")


def test_numpy_of_a_cuda_tensor_says_to_call_cpu_first():
    t = ag.ones(2, 3, device="cuda")
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        t.numpy()
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(t)
    np.testing.assert_array_equal(t.cpu().numpy(), np.ones((2, 3), np.float32))
    assert t.tolist() == [[1.0] * 3] * 2 and ag.ones((), device="cuda").item() == 1.0


def test_mixing_cuda_and_cpu_tensors_in_an_op_names_both_devices():
    a = ag.ones(3, device="cuda", requires_grad=True)
    b = ag.ones(3)
    for fn in (lambda: a + b, lambda: b * a, lambda: ag.matmul(a, b)):
        with pytest.raises(RuntimeError, match=r"cuda.*cpu|cpu.*cuda"):
            fn()


def test_mixing_devices_is_an_error_without_grad_too():
    """PyTorch checks devices in every op, graph or not."""
    a, b = ag.ones(3, device="cuda"), ag.ones(3)
    with ag.no_grad():
        with pytest.raises(RuntimeError, match=r"cuda.*cpu|cpu.*cuda"):
            a + b
    with pytest.raises(RuntimeError, match=r"cuda.*cpu|cpu.*cuda"):
        a + b  # no input requires grad


def test_linear_layer_with_input_on_another_device_names_both_devices():
    cpu_layer = nn.Linear(4, 3, dtype=ag.float64)
    with pytest.raises(RuntimeError, match=r"cuda.*cpu|cpu.*cuda"):
        cpu_layer(ag.tensor(X, device="cuda"))
    gpu_layer = nn.Linear(4, 3, dtype=ag.float64).to("cuda")
    with pytest.raises(RuntimeError, match=r"cuda.*cpu|cpu.*cuda"):
        gpu_layer(ag.tensor(X))


def test_module_to_cuda_moves_parameters_and_buffers_keeping_identity():
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    model.to("cuda")
    assert model[0].weight is weight and weight.is_cuda
    assert all(p.is_cuda for p in model.parameters())
    assert all(b.is_cuda for b in model.buffers())
    model.cpu()
    assert not any(t.is_cuda for t in list(model.parameters()) + list(model.buffers()))


# ----------------------------------------------------------------------------- training
def test_training_step_on_cuda_equals_the_cpu_step():
    """Linear-ReLU-Linear, cross_entropy, backward, SGD: loss, every gradient and the
    updated parameters agree."""
    def make():
        ag.manual_seed(3)
        return nn.Sequential(nn.Linear(4, 16, dtype=ag.float64), nn.ReLU(),
                             nn.Linear(16, 3, dtype=ag.float64))
    cpu, gpu = make(), make()
    gpu.to("cuda")
    opt_cpu = nn.optim.SGD(cpu.parameters(), lr=0.1)
    opt_gpu = nn.optim.SGD(gpu.parameters(), lr=0.1)
    results = {}
    for model, opt, device in ((cpu, opt_cpu, "cpu"), (gpu, opt_gpu, "cuda")):
        x, y = _data(device)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        assert loss.device.type == device
        results[device] = (loss, {n: p.grad for n, p in model.named_parameters()})
        opt.step()
    (l_cpu, g_cpu), (l_gpu, g_gpu) = results["cpu"], results["cuda"]
    np.testing.assert_allclose(_host(l_gpu), _host(l_cpu), **TOL)
    for name in g_cpu:
        assert g_gpu[name].device.type == "cuda"
        np.testing.assert_allclose(_host(g_gpu[name]), _host(g_cpu[name]), err_msg=name,
                                   **TOL)
    _assert_same_params(cpu, gpu, "after the step:")


@pytest.mark.parametrize("name,options", OPTIMISERS, ids=OPT_IDS)
def test_optimiser_on_cuda_matches_cpu_and_keeps_state_on_cuda(name, options):
    cpu, gpu = _twins()
    cls = getattr(nn.optim, name)
    opt_cpu, opt_gpu = cls(cpu.parameters(), **options), cls(gpu.parameters(), **options)
    losses_cpu = _train(cpu, opt_cpu, "cpu", 10)
    losses_gpu = _train(gpu, opt_gpu, "cuda", 10)
    np.testing.assert_allclose([_host(v) for v in losses_gpu], [_host(v) for v in losses_cpu],
                               **TOL)
    _assert_same_params(cpu, gpu, f"{name}:")
    entries = _assert_state_on(opt_gpu, "cuda")
    if name != "SGD" or options.get("momentum"):
        assert any(key != "step" for _, key, _ in entries), "no state tensors were kept"
    _assert_same_state(opt_cpu, opt_gpu)


@pytest.mark.parametrize("name,options", [OPTIMISERS[1], OPTIMISERS[5], OPTIMISERS[9],
                                          OPTIMISERS[11]],
                         ids=[OPT_IDS[1], OPT_IDS[5], OPT_IDS[9], OPT_IDS[11]])
@pytest.mark.parametrize("direction", ["cuda_to_cpu", "cpu_to_cuda"])
def test_optimiser_state_dict_moves_between_devices(name, options, direction):
    """Five steps on one device, state dicts (model and optimiser) loaded on the other,
    five more steps there: the same as ten steps on the CPU."""
    src_dev, dst_dev = direction.split("_to_")
    ref = _mlp()
    opt_ref = getattr(nn.optim, name)(ref.parameters(), **options)
    _train(ref, opt_ref, "cpu", 10)

    src = _mlp().to(src_dev)
    opt_src = getattr(nn.optim, name)(src.parameters(), **options)
    _train(src, opt_src, src_dev, 5)
    dst = _mlp(7).to(dst_dev)
    opt_dst = getattr(nn.optim, name)(dst.parameters(), **options)
    dst.load_state_dict(src.state_dict())
    opt_dst.load_state_dict(opt_src.state_dict())
    assert all(p.device.type == dst_dev for p in dst.parameters())
    for _, key, value in _state_arrays(opt_dst):
        if key != "step":
            assert value.device.type == dst_dev, f"{key} is on {value.device}"
    _train(dst, opt_dst, dst_dev, 5)
    for (n, p), (_, q) in zip(ref.named_parameters(), dst.named_parameters()):
        assert q.device.type == dst_dev, n
        np.testing.assert_allclose(_host(q), _host(p), err_msg=f"{direction}: {n}", **TOL)
    _assert_same_state(opt_ref, opt_dst)
    # the loaded state is a copy: the source optimiser's state is not aliased
    for (_, key, a), (_, _, b) in zip(_state_arrays(opt_src), _state_arrays(opt_dst)):
        assert a.array is not b.array, key


def test_loaded_step_counter_stays_on_the_host_like_torch():
    """PyTorch's load_state_dict keeps `step` where it was saved (on the CPU for the
    default, non-capturable optimisers): reading it every step then costs no GPU sync."""
    src = _mlp()
    opt_src = nn.optim.Adam(src.parameters(), lr=0.05)
    _train(src, opt_src, "cpu", 2)
    gpu = _mlp().to("cuda")
    opt_gpu = nn.optim.Adam(gpu.parameters(), lr=0.05)
    gpu.load_state_dict(src.state_dict())
    opt_gpu.load_state_dict(opt_src.state_dict())
    for i, key, value in _state_arrays(opt_gpu):
        want = "cpu" if key == "step" else "cuda"
        assert value.device.type == want, f"state[{i}][{key!r}] is on {value.device}"


def test_checkpoint_of_a_cuda_optimiser_round_trips_through_save_and_load(tmp_path):
    gpu = _mlp().to("cuda")
    opt = nn.optim.Adam(gpu.parameters(), lr=0.05, amsgrad=True)
    _train(gpu, opt, "cuda", 3)
    nn.utils.save({"model": gpu.state_dict(), "optimizer": opt.state_dict()},
                  tmp_path / "ckpt")
    ckpt = nn.utils.load(tmp_path / "ckpt")
    assert all(t.device.type == "cpu" for t in ckpt["model"].values())
    gpu2 = _mlp(5).to("cuda")
    opt2 = nn.optim.Adam(gpu2.parameters(), lr=0.05, amsgrad=True)
    gpu2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    assert all(p.is_cuda for p in gpu2.parameters())
    _assert_same_state(opt, opt2)
    _train(gpu, opt, "cuda", 2)
    _train(gpu2, opt2, "cuda", 2)
    for (n, p), (_, q) in zip(gpu.named_parameters(), gpu2.named_parameters()):
        np.testing.assert_allclose(_host(q), _host(p), err_msg=n, **TOL)


@pytest.mark.parametrize("name,options", [OPTIMISERS[1], OPTIMISERS[5], OPTIMISERS[9],
                                          OPTIMISERS[10]],
                         ids=[OPT_IDS[1], OPT_IDS[5], OPT_IDS[9], OPT_IDS[10]])
def test_model_to_cuda_after_cpu_steps_keeps_training(name, options):
    """As PyTorch users do: build the optimiser, train a little on the CPU, move the model
    to the GPU and keep going. The issue asks model.to("cuda") to bring the optimiser
    state along, so the run matches an all-CPU run and the state ends up on CUDA."""
    ref = _mlp()
    opt_ref = getattr(nn.optim, name)(ref.parameters(), **options)
    _train(ref, opt_ref, "cpu", 6)
    model = _mlp()
    opt = getattr(nn.optim, name)(model.parameters(), **options)
    _train(model, opt, "cpu", 3)
    model.to("cuda")
    _train(model, opt, "cuda", 3)
    _assert_same_params(ref, model, f"{name} moved mid-training:")
    _assert_state_on(opt, "cuda")


def test_lr_schedulers_drive_a_cuda_optimiser_like_a_cpu_one():
    cpu, gpu = _twins()
    runs = {}
    for model, device in ((cpu, "cpu"), (gpu, "cuda")):
        opt = nn.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
        sched = nn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        plateau = nn.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
        lrs = []
        x, y = _data(device)
        for _ in range(6):
            loss = _step(model, opt, x, y)
            sched.step()
            plateau.step(loss)  # a 0-d CUDA tensor as the metric
            lrs.append(opt.param_groups[0]["lr"])
        runs[device] = lrs
        assert all(isinstance(lr, float) for lr in lrs)
    assert runs["cuda"] == pytest.approx(runs["cpu"], rel=1e-12)
    _assert_same_params(cpu, gpu, "scheduled:")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_on_cuda_grads_matches_cpu(norm_type):
    cpu, gpu = _twins()
    for model, device in ((cpu, "cpu"), (gpu, "cuda")):
        x, y = _data(device)
        (F.cross_entropy(model(x), y) * 10).backward()
    n_cpu = nn.utils.clip_grad_norm_(cpu.parameters(), 0.5, norm_type)
    n_gpu = nn.utils.clip_grad_norm_(gpu.parameters(), 0.5, norm_type)
    assert n_gpu.device.type == "cuda" and n_gpu.ndim == 0 and n_gpu.dtype == ag.float64
    np.testing.assert_allclose(_host(n_gpu), _host(n_cpu), **TOL)
    assert float(n_gpu.item()) > 0.5  # the gradients really were clipped
    for (n, p), (_, q) in zip(cpu.named_parameters(), gpu.named_parameters()):
        assert q.grad.device.type == "cuda"
        np.testing.assert_allclose(_host(q.grad), _host(p.grad), err_msg=n, **TOL)
    nn.utils.clip_grad_value_(gpu.parameters(), 0.01)
    assert all(q.grad.is_cuda and np.abs(_host(q.grad)).max() <= 0.01
               for q in gpu.parameters())


# ----------------------------------------------------------------------------- data
def _dataset(device):
    x = ag.tensor(np.arange(30, dtype=np.float64).reshape(10, 3), device=device)
    y = ag.tensor(np.arange(10), device=device)
    return nn.data.TensorDataset(x, y)


@pytest.mark.parametrize("shuffle", [False, True])
def test_dataloader_over_cuda_tensors_yields_cuda_batches_in_the_cpu_order(shuffle):
    batches = {}
    for device in ("cpu", "cuda"):
        gen = ag.Generator().manual_seed(4)
        loader = nn.data.DataLoader(_dataset(device), batch_size=3, shuffle=shuffle,
                                    generator=gen)
        batches[device] = list(loader)
    assert len(batches["cuda"]) == len(batches["cpu"]) == 4
    for (xc, yc), (xg, yg) in zip(batches["cpu"], batches["cuda"]):
        assert xg.is_cuda and yg.is_cuda and yg.dtype == ag.int64
        np.testing.assert_array_equal(_host(xg), _host(xc))
        np.testing.assert_array_equal(_host(yg), _host(yc))
    order = np.concatenate([_host(y) for _, y in batches["cuda"]])
    assert sorted(order.tolist()) == list(range(10))
    assert (order.tolist() != list(range(10))) == shuffle


def test_dataloader_collates_cuda_samples_of_a_plain_dataset():
    class Pairs(nn.data.Dataset):
        def __init__(self):
            self.x = ag.randn(7, 2, device="cuda")

        def __len__(self):
            return 7

        def __getitem__(self, i):
            return self.x[i], {"double": self.x[i] * 2}

    ds = Pairs()
    loader = nn.data.DataLoader(ds, batch_size=4, drop_last=True)
    (x, extra), = list(loader)
    assert x.is_cuda and extra["double"].is_cuda and tuple(x.shape) == (4, 2)
    np.testing.assert_array_equal(_host(x), _host(ds.x)[:4])
    np.testing.assert_array_equal(_host(extra["double"]), 2 * _host(ds.x)[:4])


def test_random_split_and_subset_of_a_cuda_dataset():
    ds = _dataset("cuda")
    a, b = nn.data.random_split(ds, [7, 3], generator=ag.Generator().manual_seed(1))
    seen = sorted(int(a[i][1].item()) for i in range(len(a))) + \
        sorted(int(b[i][1].item()) for i in range(len(b)))
    assert sorted(seen) == list(range(10))
    (x, y), = list(nn.data.DataLoader(b, batch_size=3))
    assert x.is_cuda and y.is_cuda


# ----------------------------------------------------------------------------- checkpoints
def test_state_dict_of_a_cuda_model_round_trips_through_save_and_load(tmp_path):
    gpu = nn.Sequential(nn.Linear(4, 3, dtype=ag.float64), nn.BatchNorm1d(3, dtype=ag.float64))
    gpu.to("cuda")
    gpu(ag.tensor(X, device="cuda"))  # running statistics become non-trivial
    nn.utils.save(gpu.state_dict(), tmp_path / "model.safetensors")
    back = nn.utils.load(tmp_path / "model.safetensors")
    sd = gpu.state_dict()
    assert set(back) == set(sd)
    for name, t in sd.items():
        assert back[name].device.type == "cpu", name
        assert back[name].dtype == t.dtype, name
        np.testing.assert_array_equal(back[name].numpy(), _host(t), err_msg=name)
    fresh = nn.Sequential(nn.Linear(4, 3, dtype=ag.float64),
                          nn.BatchNorm1d(3, dtype=ag.float64)).to("cuda")
    fresh.load_state_dict(back)
    for name, t in fresh.state_dict().items():
        assert t.device.type == "cuda", name
        np.testing.assert_array_equal(_host(t), _host(sd[name]), err_msg=name)
    on_gpu = nn.utils.load(tmp_path / "model.safetensors", device="cuda")
    assert all(t.is_cuda for t in on_gpu.values())


# ----------------------------------------------------------------------------- randomness
def test_manual_seed_makes_cuda_random_numbers_reproducible():
    ag.manual_seed(5)
    a = ag.randn(4, 5, device="cuda")
    r = ag.rand(3, device="cuda", dtype=ag.float64)
    i = ag.randint(0, 10, (6,), device="cuda")
    ag.manual_seed(5)
    b = ag.randn(4, 5, device="cuda")
    assert a.is_cuda and b.is_cuda and r.is_cuda and i.is_cuda
    np.testing.assert_array_equal(_host(a), _host(b))
    np.testing.assert_array_equal(_host(r), _host(ag.rand(3, device="cuda", dtype=ag.float64)))
    np.testing.assert_array_equal(_host(i), _host(ag.randint(0, 10, (6,), device="cuda")))
    c = ag.randn(4, 5, device="cuda")  # the stream moves on
    assert not np.array_equal(_host(a), _host(c))
    assert a.dtype == ag.float32 and abs(_host(ag.randn(20000, device="cuda")).std() - 1) < 0.05
    h = _host(r)
    assert ((h >= 0) & (h < 1)).all()


def test_manual_seed_makes_cuda_dropout_reproducible():
    x = ag.ones(64, 32, device="cuda", requires_grad=True)
    layer = nn.Dropout(0.5)
    ag.manual_seed(11)
    y1 = layer(x)
    d1 = F.dropout2d(ag.ones(4, 8, 2, 2, device="cuda"), 0.5)
    ag.manual_seed(11)
    y2 = layer(x)
    d2 = F.dropout2d(ag.ones(4, 8, 2, 2, device="cuda"), 0.5)
    assert y1.is_cuda and d1.is_cuda
    np.testing.assert_array_equal(_host(y1), _host(y2))
    np.testing.assert_array_equal(_host(d1), _host(d2))
    kept = _host(y1) != 0
    assert 0.4 < kept.mean() < 0.6
    y1.sum().backward()
    assert x.grad.is_cuda
    np.testing.assert_array_equal(_host(x.grad), kept * 2.0)
    assert not np.array_equal(_host(layer(x)), _host(y1))


def test_randperm_on_cuda_is_a_reproducible_permutation():
    ag.manual_seed(2)
    p = ag.randperm(50, device="cuda")
    ag.manual_seed(2)
    q = ag.randperm(50, device="cuda")
    assert p.is_cuda and p.dtype == ag.int64
    assert sorted(_host(p).tolist()) == list(range(50))
    np.testing.assert_array_equal(_host(p), _host(q))


@pytest.mark.parametrize("make", [
    lambda: nn.Linear(5, 4, device="cuda"),
    lambda: nn.Bilinear(3, 2, 4, device="cuda"),
    lambda: nn.Conv2d(3, 4, 3, device="cuda"),
    lambda: nn.ConvTranspose2d(3, 4, 3, device="cuda"),
    lambda: nn.Embedding(6, 3, padding_idx=0, device="cuda"),
    lambda: nn.BatchNorm2d(3, device="cuda"),
    lambda: nn.LayerNorm(4, device="cuda"),
    lambda: nn.GroupNorm(2, 4, device="cuda"),
    lambda: nn.LSTM(3, 4, num_layers=2, device="cuda"),
    lambda: nn.GRU(3, 4, device="cuda"),
    lambda: nn.MultiheadAttention(8, 2, device="cuda"),
], ids=["linear", "bilinear", "conv2d", "conv_t2d", "embedding", "batchnorm", "layernorm",
        "groupnorm", "lstm", "gru", "mha"])
def test_layers_built_on_cuda_initialise_there(make):
    ag.manual_seed(0)
    m = make()
    tensors = list(m.parameters()) + list(m.buffers())
    assert tensors and all(t.is_cuda for t in tensors)
    for p in m.parameters():
        assert np.isfinite(_host(p)).all()
    ag.manual_seed(0)
    again = make()
    for (n, p), (_, q) in zip(m.named_parameters(), again.named_parameters()):
        np.testing.assert_array_equal(_host(p), _host(q), err_msg=n)


def test_init_functions_on_cuda_tensors():
    w = ag.empty(64, 32, device="cuda")
    nn.init.orthogonal_(w)
    h = _host(w)
    np.testing.assert_allclose(h.T @ h, np.eye(32), atol=1e-5)
    nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
    assert w.is_cuda and np.abs(_host(w)).max() <= 0.5
    for fn in (nn.init.kaiming_uniform_, nn.init.kaiming_normal_, nn.init.xavier_uniform_,
               nn.init.xavier_normal_, nn.init.normal_, nn.init.uniform_, nn.init.zeros_,
               nn.init.ones_, nn.init.eye_):
        fn(w)
        assert w.is_cuda and np.isfinite(_host(w)).all(), fn.__name__
    np.testing.assert_array_equal(_host(w), np.eye(64, 32, dtype=np.float32))
