"""bfloat16 on the CPU (NumPy with ml_dtypes) against torch: the dtype and its finfo,
creation and casts, promotion, elementwise ops, float32-accumulated sums, means and
matmuls, gradients, autocast(dtype=bfloat16) casting the ops torch's CPU autocast casts,
safetensors BF16 both ways, and the error without ml_dtypes.

Tolerances: bfloat16 keeps 8 significant bits, so one rounding moves a value by at most
half an ulp and two results rounded once each from float32 values differ by at most one
ulp, EPS * |x| with EPS = 2**-7. Where the float32 values themselves differ (sums in another
order), add the float32 bound n * 2**-24 * sum|terms| for n accumulated terms."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import amp, backend
from tests.conftest import torch

try:
    import ml_dtypes
except ImportError:  # an optional dependency: the last test checks Ember without it
    ml_dtypes = None
requires_bf16 = pytest.mark.skipif(ml_dtypes is None or torch is None,
                                   reason="needs ml_dtypes and PyTorch")

EPS = 2.0 ** -7  # one bfloat16 ulp relative to the value (8 significant bits)
U32 = 2.0 ** -24  # float32's unit roundoff
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _host(t):
    """A float64 NumPy copy of an Ember or torch tensor (bfloat16 values are exact)."""
    if isinstance(t, ag.Tensor):
        return t.detach().float().numpy().astype(np.float64)
    return t.detach().float().numpy().astype(np.float64)


def _pair(*shape, seed=0, low=None):
    """The same bfloat16 values as an Ember and a torch tensor."""
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if low is not None:
        x = np.abs(x) + low
    theirs = torch.tensor(x).bfloat16()
    return ag.tensor(_host(theirs).astype(np.float32)).bfloat16(), theirs


def _lib(t):
    return ag if isinstance(t, ag.Tensor) else torch


def _close(ours, theirs, atol=0.0, ulps=1):
    """Elementwise |ours - theirs| <= ulps * EPS * |theirs| + atol (atol may be an array)."""
    assert str(ours.dtype) == str(theirs.dtype)
    a, b = _host(ours), _host(theirs)
    assert a.shape == b.shape
    excess = np.abs(a - b) - (ulps * EPS * np.abs(b) + atol)
    assert (excess <= 0).all(), f"off by {excess.max():.3g} beyond the bound: {a} vs {b}"


# ----------------------------------------------------------------------------- the dtype
@requires_bf16
def test_bfloat16_is_a_floating_dtype_with_torchs_finfo():
    assert ag.bfloat16 == backend.bfloat16 and ag.bfloat16.dtype is backend.bfloat16
    assert ag.tensor([1.0]).bfloat16().dtype is ag.bfloat16
    assert ag.zeros(2, dtype=ag.bfloat16).is_floating_point()
    assert ag.is_floating_point(ag.ones(1, dtype="bfloat16"))
    ours, theirs = ag.finfo(ag.bfloat16), torch.finfo(torch.bfloat16)
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.dtype == "bfloat16" and ours.eps == EPS


@requires_bf16
def test_casts_round_to_nearest_even_as_torch():
    values = np.array([0.1, 1 / 3, 1001.0, 1.00390625, 1.01171875, -2.5e-3, 3.0e38, 1e-40,
                       np.inf, -np.inf, 65504.0], dtype=np.float32)
    ours = ag.tensor(values)
    for cast in (lambda t: t.bfloat16(), lambda t: t.to(ag.bfloat16),
                 lambda t: t.to("bfloat16"), lambda t: t.to(dtype=ag.bfloat16)):
        out = cast(ours)
        assert out.dtype == ag.bfloat16
        np.testing.assert_array_equal(_host(out), _host(torch.tensor(values).bfloat16()))
    back = ours.bfloat16().float()
    assert back.dtype == ag.float32
    np.testing.assert_array_equal(back.numpy(), torch.tensor(values).bfloat16().float().numpy())
    assert np.isnan(_host(ag.tensor([np.nan]).bfloat16())).all()


@requires_bf16
def test_creation_with_dtype_bfloat16():
    data = [[0.1, -7.3], [1e3 + 1, 2.0 ** -130]]
    for ours, theirs in [
            (ag.tensor(data, dtype=ag.bfloat16), torch.tensor(data, dtype=torch.bfloat16)),
            (ag.zeros(2, 3, dtype=ag.bfloat16), torch.zeros(2, 3, dtype=torch.bfloat16)),
            (ag.ones(4, dtype=ag.bfloat16), torch.ones(4, dtype=torch.bfloat16)),
            (ag.full((2,), 0.3, dtype=ag.bfloat16), torch.full((2,), 0.3, dtype=torch.bfloat16)),
            (ag.arange(0, 3, 0.5, dtype=ag.bfloat16),
             torch.arange(0, 3, 0.5, dtype=torch.bfloat16))]:
        assert ours.dtype == ag.bfloat16 and tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(_host(ours), _host(theirs))
    r = ag.randn(100, dtype=ag.bfloat16)
    assert r.dtype == ag.bfloat16 and 0.5 < float(r.float().std()) < 1.5
    assert "dtype=torch.bfloat16" in repr(ag.tensor([1.0, 2.5]).bfloat16())  # printed as torch does
    assert repr(ag.tensor([1.0, 2.5]).bfloat16()).startswith("tensor([1.0000, 2.5000]")


@requires_bf16
@pytest.mark.parametrize("other", ["float16", "float32", "float64", "int64", "int32", "uint8",
                                   "bool"])
def test_promotion_matches_torch(other):
    ours_b, theirs_b = ag.ones(3, dtype=ag.bfloat16), torch.ones(3, dtype=torch.bfloat16)
    ours_o = ag.ones(3, dtype=getattr(ag, other))
    theirs_o = torch.ones(3, dtype=getattr(torch, other))
    want = str((theirs_b + theirs_o).dtype)
    assert str((ours_b + ours_o).dtype) == want and str((ours_o * ours_b).dtype) == want
    assert str(ag.promote_types(ag.bfloat16, getattr(ag, other))) == want
    # a 0-d tensor or a Python number of a higher category decides; else the tensor does
    assert str((ours_o + ag.tensor(2.0).bfloat16()).dtype) == str(
        (theirs_o + torch.tensor(2.0).bfloat16()).dtype)
    assert (ours_b * 2.5).dtype == ag.bfloat16 and (ours_b + 3).dtype == ag.bfloat16


# ----------------------------------------------------------------------------- ops
# each computes in float32 (NumPy through ml_dtypes' loops or SciPy) and rounds once, as
# torch's CPU kernels do: one ulp apart at most
ELEMENTWISE = {
    "add": lambda t, u: t + u, "sub": lambda t, u: t - u, "mul": lambda t, u: t * u,
    "div": lambda t, u: t / u, "mul_number": lambda t, u: t * 2.5, "neg": lambda t, u: -t,
    "abs": lambda t, u: t.abs(), "exp": lambda t, u: t.exp(), "log": lambda t, u: u.log(),
    "sqrt": lambda t, u: u.sqrt(), "tanh": lambda t, u: t.tanh(), "sin": lambda t, u: t.sin(),
    "sigmoid": lambda t, u: t.sigmoid(), "relu": lambda t, u: t.relu(),
    "maximum": lambda t, u: _lib(t).maximum(t, u),
    "where": lambda t, u: _lib(t).where(t > 0, t, u),
    "clamp": lambda t, u: t.clamp(-0.5, 0.5), "floor": lambda t, u: (t * 4).floor(),
    "round": lambda t, u: (t * 4).round(), "square": lambda t, u: t ** 2,
}


@requires_bf16
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_within_one_ulp_of_torch(name):
    (x, tx), (y, ty) = _pair(5, 7, seed=1), _pair(5, 7, seed=2, low=0.25)
    fn = ELEMENTWISE[name]
    _close(fn(x, y), fn(tx, ty))


@requires_bf16
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_sum_and_mean_accumulate_in_float32(dim):
    x, tx = _pair(300, 40, seed=3)
    n = 300 * 40 if dim is None else x.shape[dim]
    kw = {} if dim is None else {"dim": dim}
    bound = n * U32 * np.abs(_host(tx)).sum(**({} if dim is None else {"axis": dim}))
    _close(x.sum(**kw), tx.sum(**kw), atol=bound)
    _close(x.mean(**kw), tx.mean(**kw), atol=bound / n)
    # against the exact sum: bfloat16 accumulation stalls once half an ulp of the running
    # sum exceeds the terms (10000 draws from [0, 1) would sum to 256)
    u32 = np.random.default_rng(5).random(10000).astype(np.float32)
    u = ag.tensor(u32).bfloat16()
    exact = _host(u).sum()
    bound = EPS / 2 * exact + u32.size * U32 * exact  # one rounding + float32 accumulation
    assert u.sum().dtype == ag.bfloat16 and abs(u.sum().item() - exact) <= bound
    assert abs(u.mean().item() - exact / u32.size) <= bound / u32.size
    exact32 = u32.astype(np.float64).sum()
    assert abs(ag.tensor(u32).sum(dtype=ag.bfloat16).item() - exact32) <= EPS / 2 * exact32 + \
        u32.size * U32 * exact32


def _matmul_bound(a, b):
    """Float32 accumulation in two orders: k * u32 * (|A| @ |B|) apart before rounding."""
    return a.shape[-1] * U32 * (np.abs(_host(a)) @ np.abs(_host(b)))


@requires_bf16
@pytest.mark.parametrize("shapes", [((6, 300), (300, 5)), ((3, 4, 64), (3, 64, 2)),
                                    ((64,), (64, 3))])
def test_matmul_accumulates_in_float32_and_returns_bfloat16(shapes):
    (a, ta), (b, tb) = _pair(*shapes[0], seed=4), _pair(*shapes[1], seed=5)
    _close(a @ b, ta @ tb, atol=_matmul_bound(ta, tb))
    w, tw = _pair(5, 300, seed=6)
    if len(shapes[0]) == 2:
        _close(F.linear(a, w), torch.nn.functional.linear(ta, tw),
               atol=_matmul_bound(ta, tw.T))
    # against the exact product: float32 accumulation, one rounding to bfloat16
    row = ag.tensor(np.random.default_rng(6).random((1, 4096)).astype(np.float32)).bfloat16()
    exact = (_host(row) @ _host(row).T).item()
    got = row @ row.T
    assert got.dtype == ag.bfloat16
    assert abs(got.item() - exact) <= EPS / 2 * exact + 4096 * U32 * exact


@requires_bf16
def test_gradients_flow_through_bfloat16_ops_in_bfloat16():
    (a, ta), (b, tb) = _pair(4, 50, seed=7), _pair(50, 3, seed=8)
    for t in (a, ta, b, tb):
        t.requires_grad_(True)
    g, tg = _pair(4, 3, seed=9)
    (a @ b * 2.0).backward(g)
    (ta @ tb * 2.0).backward(tg)
    assert a.grad.dtype == b.grad.dtype == ag.bfloat16
    # dA = 2 G B^T (k = 3 terms), dB = 2 A^T G (k = 4 terms); scaling by 2 is exact
    _close(a.grad, ta.grad, atol=2 * _matmul_bound(tg, tb.detach().T))
    _close(b.grad, tb.grad, atol=2 * _matmul_bound(ta.detach().T, tg))
    x, tx = _pair(6, 5, seed=10)
    x.requires_grad_(True), tx.requires_grad_(True)
    (x * x).sum().backward()
    (tx * tx).sum().backward()
    _close(x.grad, tx.grad)  # 2x: exact in both
    # a float32 leaf cast to bfloat16 gets a float32 gradient, as in torch
    w = ag.ones(3, requires_grad=True)
    (w.bfloat16() * 3).sum().backward()
    assert w.grad.dtype == ag.float32 and w.grad.tolist() == [3.0, 3.0, 3.0]


# ----------------------------------------------------------------------------- autocast
_AUTOCAST = {
    "matmul": lambda L, T, a, b, v, c: a @ b, "matmul_mv": lambda L, T, a, b, v, c: a @ v,
    "mm": lambda L, T, a, b, v, c: a.mm(b), "mv": lambda L, T, a, b, v, c: a.mv(v),
    "dot": lambda L, T, a, b, v, c: v.dot(v), "outer": lambda L, T, a, b, v, c: T.outer(v, v),
    "bmm": lambda L, T, a, b, v, c: c.bmm(c.transpose(1, 2)),
    "einsum": lambda L, T, a, b, v, c: T.einsum("ij,jk->ik", a, b),
    "addmm": lambda L, T, a, b, v, c: T.addmm(b[0], a, b),
    "addmv": lambda L, T, a, b, v, c: T.addmv(v[:3], a, v),
    "baddbmm": lambda L, T, a, b, v, c: T.baddbmm(c[:, :, :3], c, c.transpose(1, 2)),
    "addbmm": lambda L, T, a, b, v, c: T.addbmm(a[:, :3], c, c.transpose(1, 2)),
    "tensordot": lambda L, T, a, b, v, c: T.tensordot(a, b, 1),
    "vecdot": lambda L, T, a, b, v, c: T.linalg.vecdot(a, a),
    "linear": lambda L, T, a, b, v, c: L.linear(a, b.T),
    "conv1d": lambda L, T, a, b, v, c: L.conv1d(c, c[:2, :, :2]),
    "conv2d": lambda L, T, a, b, v, c: L.conv2d(c[None], c[None, :2, :2, :2]),
    "conv_transpose2d": lambda L, T, a, b, v, c: L.conv_transpose2d(c[None], c[:, None, :2, :2]),
    "prelu": lambda L, T, a, b, v, c: L.prelu(a, v[:1]),
    "attention": lambda L, T, a, b, v, c: L.scaled_dot_product_attention(c, c, c),
    "softmax": lambda L, T, a, b, v, c: L.softmax(a, -1),
    "log_softmax": lambda L, T, a, b, v, c: L.log_softmax(a, -1),
    "layer_norm": lambda L, T, a, b, v, c: L.layer_norm(a, (4,)),
    "mse_loss": lambda L, T, a, b, v, c: L.mse_loss(a, a * 2),
    "cross_entropy": lambda L, T, a, b, v, c: L.cross_entropy(a, T.tensor([0, 3, 1])),
    "sum": lambda L, T, a, b, v, c: a.sum(), "exp": lambda L, T, a, b, v, c: a.exp(),
    "add": lambda L, T, a, b, v, c: a + a, "prod": lambda L, T, a, b, v, c: a.prod(),
    "cumsum": lambda L, T, a, b, v, c: a.cumsum(0),
    "cdist": lambda L, T, a, b, v, c: T.cdist(a, a), "trace": lambda L, T, a, b, v, c: a.trace(),
    "quantile": lambda L, T, a, b, v, c: T.quantile(a, 0.3),
    "nanquantile": lambda L, T, a, b, v, c: T.nanquantile(a, 0.3),
}


def _autocast_inputs(lib, dtype):
    rng = np.random.default_rng(11)
    shapes = [(3, 4), (4, 5), (4,), (2, 3, 4)]
    return [lib.tensor(rng.standard_normal(s).astype(np.float32)).to(dtype) for s in shapes]


@requires_bf16
@pytest.mark.parametrize("in_dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name", list(_AUTOCAST))
def test_cpu_autocast_casts_the_ops_torch_casts(name, in_dtype):
    fn = _AUTOCAST[name]
    with ag.autocast("cpu"):  # torch's CPU default: bfloat16
        assert ag.get_autocast_dtype("cpu") == ag.bfloat16
        out = fn(F, ag, *_autocast_inputs(ag, getattr(ag, in_dtype)))
    with torch.autocast("cpu"):
        want = fn(torch.nn.functional, torch, *_autocast_inputs(torch, getattr(torch, in_dtype)))
    assert str(out.dtype) == str(want.dtype), name
    assert tuple(out.shape) == tuple(want.shape)


@requires_bf16
def test_autocast_linear_values_and_float32_gradients_match_torch():
    x32 = np.random.default_rng(12).standard_normal((8, 64)).astype(np.float32)
    w32 = np.random.default_rng(13).standard_normal((10, 64)).astype(np.float32) / 8
    target = [0, 3, 9, 1, 2, 2, 5, 7]
    outs, grads = [], []
    for lib, fun in ((ag, F), (torch, torch.nn.functional)):
        x, w = lib.tensor(x32), lib.tensor(w32, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.bfloat16):
            z = fun.linear(x, w)
            z.retain_grad()
            loss = fun.cross_entropy(z, lib.tensor(target))
        assert str(z.dtype).endswith("bfloat16") and str(loss.dtype).endswith("float32")
        loss.backward()
        assert str(w.grad.dtype).endswith("float32")
        outs.append(z)
        grads.append((w.grad, z.grad))
    xb = torch.tensor(x32).bfloat16()
    _close(outs[0], outs[1], atol=_matmul_bound(xb, torch.tensor(w32).bfloat16().T))
    # dW = G^T X in bfloat16: G one ulp apart at most, then float32 accumulation over the
    # batch, then one rounding (to bfloat16, before the exact cast back to float32)
    (gw, gz), (tgw, tgz) = grads
    _close(gz, tgz)
    scale = np.abs(_host(tgz)).T @ np.abs(_host(xb))
    np.testing.assert_allclose(gw.numpy(), tgw.numpy(), rtol=EPS,
                               atol=(EPS + 8 * U32) * scale.max())


@requires_bf16
def test_module_training_under_bfloat16_autocast_keeps_float32_parameters():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4))
    x, t = ag.randn(5, 2, 4, 4), ag.tensor([0, 1, 2, 3, 0])
    with ag.autocast("cpu", dtype=ag.bfloat16):
        logits = model(x)
        loss = F.cross_entropy(logits, t)
    assert logits.dtype == ag.bfloat16 and loss.dtype == ag.float32
    loss.backward()
    for name, p in model.named_parameters():
        assert p.dtype == ag.float32 and p.grad.dtype == ag.float32, name
    assert not amp.mode.on


# ----------------------------------------------------------------------------- safetensors
@requires_bf16
def test_safetensors_bf16_both_ways():
    safetensors_torch = pytest.importorskip("safetensors.torch")
    values = torch.randn(3, 5).bfloat16()
    with tempfile.TemporaryDirectory() as tmp:
        theirs_path, ours_path = os.path.join(tmp, "t.safetensors"), os.path.join(tmp, "e")
        safetensors_torch.save_file({"w": values}, theirs_path)
        loaded = nn.utils.load(theirs_path)["w"]
        assert loaded.dtype == ag.bfloat16
        np.testing.assert_array_equal(_host(loaded), _host(values))
        nn.utils.save({"w": loaded * 2}, ours_path)
        back = safetensors_torch.load_file(ours_path)["w"]
        assert back.dtype == torch.bfloat16
        np.testing.assert_array_equal(_host(back), _host(values * 2))


# ----------------------------------------------------------------------------- no ml_dtypes
def test_without_ml_dtypes_bfloat16_names_the_package():
    script = (
        "import sys; sys.modules['ml_dtypes'] = None\n"
        "import pytest, autograd as ag\n"
        "assert repr(ag.bfloat16) == 'torch.bfloat16'\n"
        "for use in (lambda: ag.zeros(2, dtype=ag.bfloat16), lambda: ag.ones(2).bfloat16(),\n"
        "            lambda: ag.ones(2).to('bfloat16'), lambda: ag.finfo(ag.bfloat16),\n"
        "            lambda: ag.autocast('cpu').__enter__()):\n"
        "    with pytest.raises(RuntimeError, match=\"'ml_dtypes' package\"):\n"
        "        use()\n"
        "with ag.autocast('cpu', enabled=False), ag.autocast('cpu', dtype=ag.float16):\n"
        "    assert (ag.ones(2, 3) @ ag.ones(3, 2)).dtype == ag.float16\n"
        "print('ok')\n")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
