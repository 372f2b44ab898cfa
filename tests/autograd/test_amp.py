"""Mixed precision: GradScaler against torch.amp.GradScaler('cpu') and against the documented
algorithm (scale, unscale_, skipped steps, growth, backoff, state_dict, misuse errors), and
autocast against torch's CPU autocast with dtype=float16 (output and gradient dtypes,
values loosely), nesting, enabled=False, the decorator form and argument validation."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import amp
from autograd.amp import GradScaler, autocast
from tests.conftest import DEVICES, requires_torch, torch

HALF = dict(rtol=2e-2, atol=2e-2)  # float16 results: NumPy's and torch's kernels round apart
NO_CUDA = pytest.mark.skipif(ag.cuda.is_available(), reason="checks the CPU-only behaviour")


def _param(values, device="cpu", dtype=ag.float32):
    return nn.Parameter(ag.tensor(np.asarray(values, dtype=np.float64), dtype=dtype,
                                  device=device))


def _host(t):
    return t.detach().cpu().numpy()


# ----------------------------------------------------------------------------- GradScaler
def _reference_scales(found_infs, init, growth, backoff, interval):
    """The documented update rule, step by step: (scale, tracker) after each update()."""
    scale, tracker, out = np.float32(init), 0, []
    for bad in found_infs:
        if bad:
            scale, tracker = np.float32(scale * backoff), 0
        elif tracker + 1 == interval:
            grown = np.float32(np.float64(scale) * growth)
            scale, tracker = (grown if np.isfinite(grown) else scale), 0
        else:
            tracker += 1
        out.append((float(scale), tracker))
    return out


@pytest.mark.parametrize("device", DEVICES)
def test_scale_multiplies_by_the_scale_and_keeps_the_graph(device):
    scaler = GradScaler(device, init_scale=1024.0)
    w = _param([1.0, -2.0, 3.0], device)
    loss = (w * w).sum()
    scaled = scaler.scale(loss)
    assert scaled.dtype == ag.float32 and scaled.item() == 1024.0 * 14.0
    scaled.backward()
    np.testing.assert_array_equal(_host(w.grad), 1024.0 * 2 * np.array([1.0, -2.0, 3.0]))
    assert scaler.get_scale() == 1024.0 and scaler._scale.device.type == device


@pytest.mark.parametrize("device", DEVICES)
def test_scale_of_nested_lists_and_tuples_keeps_their_types(device):
    scaler = GradScaler(device, init_scale=4.0)
    a, b = ag.ones(2, device=device), ag.full((3,), 2.0, device=device)
    out = scaler.scale([a, (b, [a])])
    assert type(out) is list and type(out[1]) is tuple and type(out[1][1]) is list
    assert _host(out[0]).tolist() == [4.0, 4.0] and _host(out[1][0]).tolist() == [8.0] * 3
    gen = scaler.scale(iter([a]))  # another iterable: a lazy map, as torch returns
    assert _host(next(gen)).tolist() == [4.0, 4.0]
    half = scaler.scale(ag.ones(2, dtype=ag.float16, device=device))
    assert half.dtype == ag.float16  # a 0-d float32 scale keeps the float16 dtype
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale(3.0)


@pytest.mark.parametrize("device", DEVICES)
def test_unscale_divides_the_gradients_once_and_step_uses_them(device):
    scaler = GradScaler(device, init_scale=256.0)
    w = _param([1.0, 2.0], device)
    opt = nn.optim.SGD([w], lr=0.5)
    scaler.scale((w * 3.0).sum()).backward()
    scaler.unscale_(opt)
    np.testing.assert_array_equal(_host(w.grad), [3.0, 3.0])
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this "
                                           "optimizer since the last update\\(\\)"):
        scaler.unscale_(opt)
    scaler.step(opt)  # no second unscale: the gradient stays 3
    np.testing.assert_allclose(_host(w), [-0.5, 0.5])
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step\\(\\)"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last "
                                           "update\\(\\)"):
        scaler.step(opt)
    scaler.update()
    scaler.unscale_(opt)  # a new iteration: allowed again


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_step_is_skipped_on_inf_or_nan_and_the_scale_backs_off(device, bad):
    scaler = GradScaler(device, init_scale=8.0, backoff_factor=0.25)
    w, v = _param([1.0, 2.0], device), _param([5.0], device)
    opt = nn.optim.SGD([w, v], lr=0.1, momentum=0.9)
    scaler.scale((w * ag.tensor([1.0, bad], device=device)).sum() + v.sum()).backward()
    assert scaler.step(opt) is None
    np.testing.assert_array_equal(_host(w), [1.0, 2.0])  # parameters untouched
    np.testing.assert_array_equal(_host(v), [5.0])
    assert opt.state_dict()["state"] == {}  # the optimizer never ran
    scaler.update()
    assert scaler.get_scale() == 2.0 and scaler._get_growth_tracker() == 0


@pytest.mark.parametrize("device", DEVICES)
def test_growth_after_growth_interval_clean_steps_and_backoff_follow_the_rule(device):
    init, growth, backoff, interval = 64.0, 3.0, 0.5, 3
    pattern = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]
    scaler = GradScaler(device, init, growth, backoff, interval)
    w = _param([1.0], device)
    opt = nn.optim.SGD([w], lr=0.0)
    got = []
    for bad in pattern:
        opt.zero_grad()
        x = ag.tensor([float("inf") if bad else 1.0], device=device)
        scaler.scale((w * x).sum()).backward()
        scaler.step(opt)
        scaler.update()
        got.append((scaler.get_scale(), scaler._get_growth_tracker()))
    assert got == _reference_scales(pattern, init, growth, backoff, interval)


def test_growth_that_would_overflow_float32_keeps_the_scale():
    scaler = GradScaler("cpu", init_scale=2.0 ** 127, growth_interval=1)
    w = _param([1.0])
    opt = nn.optim.SGD([w], lr=0.0)
    scaler.scale(w.sum()).backward()
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 127 and scaler._get_growth_tracker() == 0


@pytest.mark.parametrize("device", DEVICES)
def test_update_with_a_new_scale(device):
    scaler = GradScaler(device)
    scaler.scale(ag.ones(1, device=device))
    scaler.update(new_scale=3.0)
    assert scaler.get_scale() == 3.0
    scaler.update(ag.tensor([5.0], device=device))
    assert scaler.get_scale() == 5.0
    with pytest.raises(AssertionError, match="new_scale should be a float or a 1-element"):
        scaler.update(ag.tensor([1.0, 2.0], device=device))
    with pytest.raises(AssertionError, match="No inf checks were recorded prior to update"):
        scaler.update()


def test_state_dict_round_trip_with_torchs_keys():
    scaler = GradScaler("cpu", init_scale=32.0, growth_factor=4.0, backoff_factor=0.25,
                        growth_interval=5)
    w = _param([1.0])
    opt = nn.optim.SGD([w], lr=0.1)
    for _ in range(2):
        scaler.scale(w.sum()).backward()
        scaler.step(opt)
        scaler.update()
    sd = scaler.state_dict()
    assert sd == {"scale": 32.0, "growth_factor": 4.0, "backoff_factor": 0.25,
                  "growth_interval": 5, "_growth_tracker": 2}
    fresh = GradScaler("cpu")
    fresh.load_state_dict(sd)
    assert fresh.state_dict() == sd
    used = GradScaler("cpu")
    used.scale(ag.ones(1))  # its scale tensor exists: loading overwrites it in place
    used.load_state_dict(sd)
    assert used.get_scale() == 32.0 and used._get_growth_tracker() == 2
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        fresh.load_state_dict({})
    clone = pickle.loads(pickle.dumps(scaler))
    assert clone.state_dict() == sd and copy.deepcopy(scaler).state_dict() == sd


def test_misuse_errors_match_torch():
    scaler = GradScaler("cpu")
    w = _param([1.0])
    opt = nn.optim.SGD([w], lr=0.1)
    with pytest.raises(AssertionError, match="Attempted unscale_ but _scale is None"):
        scaler.unscale_(opt)
    with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
        scaler.step(opt)
    scaler.scale(w.sum()).backward()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    with pytest.raises(AssertionError, match="The growth factor must be > 1.0"):
        GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(AssertionError, match="The backoff factor must be < 1.0"):
        GradScaler("cpu", backoff_factor=1.0)
    h = nn.Parameter(ag.ones(2, dtype=ag.float16))
    h.grad = ag.ones(2, dtype=ag.float16)
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        scaler.unscale_(nn.optim.SGD([h], lr=0.1))


def test_disabled_scaler_passes_everything_through():
    scaler = GradScaler("cpu", enabled=False)
    w = _param([1.0, 2.0])
    opt = nn.optim.SGD([w], lr=1.0)
    loss = w.sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    assert _host(w.grad).tolist() == [1.0, 1.0]
    scaler.step(opt)
    assert _host(w).tolist() == [0.0, 1.0]
    scaler.update()
    assert (scaler.get_scale(), scaler.state_dict(), scaler.is_enabled()) == (1.0, {}, False)
    scaler.load_state_dict({})  # no error when disabled


@NO_CUDA
def test_cuda_scaler_without_a_gpu_warns_and_disables():
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = GradScaler()
    assert not scaler.is_enabled()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        old = ag.cuda.amp.GradScaler(init_scale=8.0)
    assert [w.category for w in seen] == [FutureWarning, UserWarning]
    assert "`torch.cuda.amp.GradScaler(args...)` is deprecated" in str(seen[0].message)
    assert isinstance(old, GradScaler) and not old.is_enabled()


@requires_torch
def test_training_steps_match_torch_cpu_grad_scaler():
    """Same model, losses with injected inf, SGD with momentum: scale, tracker and
    parameters after every step equal torch.amp.GradScaler('cpu')'s."""
    rng = np.random.default_rng(0)
    w0, x = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    ours_w = nn.Parameter(ag.tensor(w0.astype(np.float32)))
    theirs_w = torch.nn.Parameter(torch.tensor(w0.astype(np.float32)))
    ours_opt = nn.optim.SGD([ours_w], lr=0.01, momentum=0.9)
    theirs_opt = torch.optim.SGD([theirs_w], lr=0.01, momentum=0.9)
    kw = dict(init_scale=2.0 ** 10, growth_factor=2.0, backoff_factor=0.5, growth_interval=2)
    ours, theirs = GradScaler("cpu", **kw), torch.amp.GradScaler("cpu", **kw)
    for step in range(9):
        bump = float("inf") if step in (3, 4) else 1.0
        for lib, w, opt, scaler in ((ag, ours_w, ours_opt, ours),
                                    (torch, theirs_w, theirs_opt, theirs)):
            opt.zero_grad()
            xs = lib.tensor(x.astype(np.float32))
            loss = ((xs @ w.T) ** 2).mean() * bump
            scaler.scale(loss).backward()
            if step == 6:
                scaler.unscale_(opt)  # explicit unscale_ (as for clipping), then step
            scaler.step(opt)
            scaler.update()
        assert ours.get_scale() == theirs.get_scale()
        assert ours.state_dict() == theirs.state_dict()
        np.testing.assert_allclose(_host(ours_w), theirs_w.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


# ----------------------------------------------------------------------------- autocast
def _pairs(*shapes, dtype=np.float32, grad=True):
    rng = np.random.default_rng(sum(map(sum, shapes)))
    arrs = [(rng.standard_normal(s) * 0.5).astype(dtype) for s in shapes]
    return ([ag.tensor(a, requires_grad=grad) for a in arrs],
            [torch.tensor(a, requires_grad=grad) for a in arrs])


_T = np.array([0, 2, 1, 3])
# name, function (same lambda on both libraries: F is nn.functional or torch's), shapes
AUTOCAST_OPS = [
    ("linear", lambda F, x, w, b: F.linear(x, w, b), [(4, 6), (3, 6), (3,)]),
    ("matmul", lambda F, a, b: a @ b, [(2, 4, 6), (6, 3)]),
    ("mm", lambda F, a, b: a.mm(b), [(4, 6), (6, 3)]),
    ("bmm", lambda F, a, b: a.bmm(b), [(2, 4, 6), (2, 6, 3)]),
    ("addmm", lambda F, c, a, b: c.addmm(a, b), [(3,), (4, 6), (6, 3)]),
    ("baddbmm", lambda F, c, a, b: c.baddbmm(a, b), [(2, 4, 3), (2, 4, 6), (2, 6, 3)]),
    ("conv1d", lambda F, x, w, b: F.conv1d(x, w, b, padding=1), [(2, 3, 7), (4, 3, 3), (4,)]),
    ("conv2d", lambda F, x, w, b: F.conv2d(x, w, b, stride=2), [(2, 3, 6, 6), (4, 3, 3, 3),
                                                                (4,)]),
    ("conv_transpose2d", lambda F, x, w: F.conv_transpose2d(x, w),
     [(1, 3, 4, 4), (3, 2, 3, 3)]),
    ("softmax", lambda F, x: F.softmax(x, -1), [(4, 5)]),
    ("log_softmax", lambda F, x: F.log_softmax(x, 1), [(4, 5)]),
    ("layer_norm", lambda F, x: F.layer_norm(x, (5,)), [(4, 5)]),
    ("mse_loss", lambda F, x, y: F.mse_loss(x, y), [(4, 5), (4, 5)]),
    ("l1_loss", lambda F, x, y: F.l1_loss(x, y), [(4, 5), (4, 5)]),
    ("smooth_l1_loss", lambda F, x, y: F.smooth_l1_loss(x, y), [(4, 5), (4, 5)]),
    ("huber_loss", lambda F, x, y: F.huber_loss(x, y, delta=0.5), [(4, 5), (4, 5)]),
    ("bce_with_logits", lambda F, x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()),
     [(4, 5), (4, 5)]),
    ("cross_entropy", lambda F, x: F.cross_entropy(x, F._target), [(4, 5)]),
    ("kl_div", lambda F, x, y: F.kl_div(x.log_softmax(1), y.softmax(1),
                                        reduction="batchmean"), [(4, 5), (4, 5)]),
]


class _Lib:
    """nn.functional or torch.nn.functional with the class-index target beside it."""

    def __init__(self, mod, target):
        self._mod, self._target = mod, target

    def __getattr__(self, name):
        return getattr(self._mod, name)


@requires_torch
@pytest.mark.parametrize("name, fn, shapes", AUTOCAST_OPS, ids=[o[0] for o in AUTOCAST_OPS])
@pytest.mark.parametrize("in_dtype", [np.float32, np.float16])
def test_autocast_dtypes_values_and_grads_match_torch_cpu(name, fn, shapes, in_dtype):
    ours_in, theirs_in = _pairs(*shapes, dtype=in_dtype)
    ours_lib = _Lib(F, ag.tensor(_T))
    theirs_lib = _Lib(torch.nn.functional, torch.tensor(_T))
    with autocast("cpu", dtype=ag.float16):
        out = fn(ours_lib, *ours_in)
    with torch.autocast("cpu", dtype=torch.float16):
        want = fn(theirs_lib, *theirs_in)
    assert str(out.dtype) == str(want.dtype)
    np.testing.assert_allclose(_host(out).astype(np.float64),
                               want.detach().numpy().astype(np.float64), **HALF)
    g = np.random.default_rng(1).standard_normal(tuple(want.shape)).astype(np.float32)
    out.backward(ag.tensor(g).to(out.dtype))
    want.backward(torch.tensor(g).to(want.dtype))
    for a, b in zip(ours_in, theirs_in):
        assert a.grad.dtype == a.dtype  # each gradient comes back in its input's own dtype
        assert str(a.grad.dtype) == str(b.grad.dtype)
        np.testing.assert_allclose(_host(a.grad).astype(np.float64),
                                   b.grad.numpy().astype(np.float64), **HALF)


def test_float64_is_not_autocast_and_outside_the_region_nothing_changes():
    a, b = ag.randn(3, 4, dtype=ag.float64), ag.randn(4, 2, dtype=ag.float64)
    with autocast("cpu", dtype=ag.float16):
        assert (a @ b).dtype == ag.float64
        assert F.mse_loss(a, a).dtype == ag.float64
        assert ag.einsum("ij,jk->ik", a.float(), b.float()).dtype == ag.float16
        with ag.no_grad():  # autocast is independent of grad mode
            assert F.linear(a.float(), b.float().T).dtype == ag.float16
    assert (a.float() @ b.float()).dtype == ag.float32
    assert F.linear(a.float(), b.float().T).dtype == ag.float32


def test_module_training_under_autocast_keeps_float32_parameters_and_grads():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4))
    x, t = ag.randn(5, 2, 4, 4), ag.tensor([0, 1, 2, 3, 0])
    with autocast("cpu", dtype=ag.float16):
        logits = model(x)
        loss = F.cross_entropy(logits, t)
    assert logits.dtype == ag.float16 and loss.dtype == ag.float32
    loss.backward()
    for name, p in model.named_parameters():
        assert p.dtype == ag.float32 and p.grad.dtype == ag.float32, name


@pytest.mark.parametrize("device", DEVICES)
def test_nesting_and_enabled_false(device):
    if device == "cuda":
        kw = dict(device_type="cuda")
    else:
        kw = dict(device_type="cpu", dtype=ag.float16)
    x, w = ag.randn(2, 3, device=device), ag.randn(4, 3, device=device)
    with autocast(**kw):
        assert F.linear(x, w).dtype == ag.float16
        with autocast(kw["device_type"], enabled=False):
            assert F.linear(x, w).dtype == ag.float32
            assert not amp.is_autocast_enabled(kw["device_type"])
            with autocast(**kw):
                assert (x @ w.T).dtype == ag.float16
            assert (x @ w.T).dtype == ag.float32
        assert F.linear(x, w).dtype == ag.float16
        assert amp.is_autocast_enabled(kw["device_type"])
        assert amp.get_autocast_dtype(kw["device_type"]) == ag.float16
    assert F.linear(x, w).dtype == ag.float32
    assert not amp.is_autocast_enabled(kw["device_type"]) and not amp.mode.on
    with autocast(**kw, enabled=False):
        assert F.linear(x, w).dtype == ag.float32


def test_the_region_is_restored_after_an_exception():
    with pytest.raises(KeyError):
        with autocast("cpu", dtype=ag.float16):
            raise KeyError
    assert not amp.mode.on and amp.get_autocast_dtype("cpu") == ag.bfloat16  # torch's default


def test_other_device_types_are_not_affected():
    x, w = ag.randn(2, 3), ag.randn(4, 3)
    saved = dict(amp.mode.cast_to)
    try:  # a 'cuda' region (forced on, as on a GPU machine) leaves CPU tensors alone
        amp._set("cuda", True, ag.float16, True)
        assert amp.mode.on and F.linear(x, w).dtype == ag.float32
        assert F.softmax(x.half(), -1).dtype == ag.float16
    finally:
        amp._set("cuda", False, ag.float16, True)
        amp.mode.cast_to.update(saved)
    assert not amp.mode.on


def test_decorator_form():
    calls = []

    @autocast("cpu", dtype=ag.float16)
    def forward(x, w, depth=0):
        """Doc kept."""
        calls.append(amp.is_autocast_enabled("cpu"))
        if depth < 2:  # recursion re-enters the same decorator
            forward(x, w, depth + 1)
        return F.linear(x, w)

    out = forward(ag.randn(2, 3), ag.randn(4, 3))
    assert out.dtype == ag.float16 and calls == [True, True, True]
    assert forward.__name__ == "forward" and forward.__doc__ == "Doc kept."
    assert not amp.is_autocast_enabled("cpu")
    with pytest.raises(TypeError, match="autocast\\(\\)\\(func\\) requires a callable, but "
                                        "got int"):
        autocast("cpu", dtype=ag.float16)(3)


@requires_torch
def test_argument_validation_matches_torch():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        autocast(1)
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        autocast("tpu")
    # bfloat16 is torch's default on 'cpu' (the bfloat16 regions: tests/autograd/test_bfloat16.py)
    assert autocast("cpu").fast_dtype == ag.bfloat16
    assert torch.autocast("cpu").fast_dtype == torch.bfloat16
    assert autocast("cpu", dtype="bfloat16").fast_dtype == ag.bfloat16
    autocast("cpu", enabled=False)
    msg = "In CPU autocast, but the target dtype is not supported. Disabling autocast."
    with pytest.warns(UserWarning, match=msg):
        off = autocast("cpu", dtype=ag.float32)
    with pytest.warns(UserWarning, match=msg):
        torch.autocast("cpu", dtype=torch.float32)
    with off:
        assert F.linear(ag.randn(2, 3), ag.randn(4, 3)).dtype == ag.float32


@NO_CUDA
def test_cuda_autocast_without_a_gpu_warns_and_disables():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        region = autocast("cuda")
    with region:
        assert F.linear(ag.randn(2, 3), ag.randn(4, 3)).dtype == ag.float32
        assert not amp.is_autocast_enabled()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ag.cuda.amp.autocast()
    assert {w.category for w in seen} == {FutureWarning, UserWarning}
    from autograd.cuda.amp import GradScaler as CudaScaler  # torch's import line works
    assert CudaScaler is ag.cuda.amp.GradScaler


@pytest.mark.cuda
@pytest.mark.parametrize("device", [p for p in DEVICES if not isinstance(p, str)])
def test_cuda_float32_list_and_refused_bce(device):
    x, w = ag.randn(4, 3, device=device), ag.randn(5, 3, device=device)
    with autocast(device):
        h = F.linear(x, w)
        assert h.dtype == ag.float16
        assert F.softmax(h, -1).dtype == ag.float32  # torch's CUDA list, unlike its CPU one
        assert F.layer_norm(h, (5,)).dtype == ag.float32
        assert F.softmax(h, -1, dtype=ag.float16).dtype == ag.float16  # explicit dtype wins
        with pytest.raises(RuntimeError, match="binary_cross_entropy: unsafe to autocast"):
            F.binary_cross_entropy(h.sigmoid(), h.sigmoid())
    with autocast(device):
        scaler = GradScaler(device)
        p = nn.Parameter(ag.randn(5, 3, device=device))
        opt = nn.optim.SGD([p], lr=0.1)
        loss = F.mse_loss(F.linear(x, p), ag.zeros(4, 5, device=device))
    scaler.scale(loss).backward()
    assert p.grad.dtype == ag.float32
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 16


@pytest.mark.skipif(not hasattr(ag, "autocast"), reason="wired by the integrator")
def test_wired_names():
    assert ag.autocast is autocast and ag.amp.autocast is autocast
    assert ag.GradScaler is GradScaler and ag.amp.GradScaler is GradScaler
    assert ag.is_autocast_enabled is amp.is_autocast_enabled
    with ag.autocast("cpu", dtype=ag.float16):
        assert ag.get_autocast_dtype("cpu") == ag.float16
        assert ag.matmul(ag.randn(2, 3), ag.randn(3, 2)).dtype == ag.float16
