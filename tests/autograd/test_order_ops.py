"""Order statistics, nan-aware reductions, scans and binning (autograd/ops/order.py)
against PyTorch: values, indices, gradients, gradcheck/gradgradcheck, NaNs, ties where
PyTorch's CPU choice is deterministic, and error types. Each case is one lambda `f(m, x)`
run with m = the order module and m = torch. Selections among equal values whose index
PyTorch leaves unspecified (median/kthvalue/mode along a dim with long rows) use tie-free
random inputs."""
import numpy as np
import pytest

import autograd as ag
from autograd.ops import order as O
from tests.conftest import DEVICES, requires_torch, torch

pytestmark = requires_torch

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
NAN = float("nan")


def _input(shape, dtype, nans=0, seed=0, integers=False):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(dtype) if integers else rng.standard_normal(shape)
    x = x.astype(dtype)
    if nans:
        x.reshape(-1)[rng.choice(x.size, nans, replace=False)] = NAN
    return x


def _parts(out):
    """(values, indices or None) of an op's result."""
    if isinstance(out, tuple):
        return out[0], out[1]
    return out, None


def _numpy(t):
    return t.detach().cpu().numpy() if isinstance(t, ag.Tensor) else t.detach().numpy()


def _check(fn, x, dtype, device, grad=True, indices=True):
    a = ag.tensor(x, device=device, requires_grad=grad)
    t = torch.tensor(x, requires_grad=grad)
    ours, theirs = _parts(fn(_on(O, device), a)), _parts(fn(torch, t))
    np.testing.assert_allclose(_numpy(ours[0]), _numpy(theirs[0]), **TOL[dtype])
    assert _numpy(ours[0]).dtype == np.dtype(dtype)
    if theirs[1] is not None and indices:
        assert _numpy(ours[1]).dtype == np.int64
        np.testing.assert_array_equal(_numpy(ours[1]), theirs[1].numpy())
    if grad:
        g = np.random.default_rng(5).standard_normal(tuple(theirs[0].shape)).astype(dtype)
        ours[0].backward(ag.tensor(g, device=device))
        theirs[0].backward(torch.tensor(g))
        np.testing.assert_allclose(_numpy(a.grad), t.grad.numpy(), **TOL[dtype])
    return ours


# (name, f(m, x), shape, NaNs in the input)
CASES = [
    ("median_all", lambda m, x: m.median(x), (3, 5), 0),
    ("median_all_even", lambda m, x: m.median(x), (4, 2), 0),
    ("median_dim1", lambda m, x: m.median(x, 1), (3, 5), 0),
    ("median_dim_neg_keepdim", lambda m, x: m.median(x, -2, keepdim=True), (4, 3, 2), 0),
    ("median_nan_rows", lambda m, x: m.median(x, 1), (4, 5), 3),
    ("median_all_nan", lambda m, x: m.median(x), (3, 4), 1),
    ("nanmedian_all", lambda m, x: m.nanmedian(x), (3, 5), 4),
    ("nanmedian_dim", lambda m, x: m.nanmedian(x, -1), (4, 6), 5),
    ("nanmedian_dim_keepdim", lambda m, x: m.nanmedian(x, 0, True), (5, 3), 4),
    ("kthvalue", lambda m, x: m.kthvalue(x, 2), (3, 5), 0),
    ("kthvalue_dim0_keepdim", lambda m, x: m.kthvalue(x, 3, 0, True), (4, 3), 0),
    ("kthvalue_neg_dim", lambda m, x: m.kthvalue(x, 1, dim=-2), (2, 4, 3), 0),
    ("quantile_all", lambda m, x: m.quantile(x, 0.3), (3, 5), 0),
    ("quantile_all_keepdim", lambda m, x: m.quantile(x, 0.8, keepdim=True), (3, 5), 0),
    ("quantile_dim_q_tensor", lambda m, x: m.quantile(
        x, m.tensor([0.0, 0.25, 0.6, 1.0], dtype=x.dtype), dim=1), (3, 5), 0),
    ("quantile_neg_dim_keepdim", lambda m, x: m.quantile(
        x, m.tensor([0.1, 0.9], dtype=x.dtype), dim=-2, keepdim=True), (2, 5, 3), 0),
    ("quantile_q_0d", lambda m, x: m.quantile(x, m.tensor(0.4, dtype=x.dtype), 0), (6, 2), 0),
    ("quantile_lower", lambda m, x: m.quantile(x, 0.3, 1, interpolation="lower"), (3, 5), 0),
    ("quantile_higher", lambda m, x: m.quantile(x, 0.3, 1, interpolation="higher"), (3, 5), 0),
    ("quantile_midpoint", lambda m, x: m.quantile(
        x, m.tensor([0.3, 0.5], dtype=x.dtype), 1, interpolation="midpoint"), (3, 5), 0),
    ("quantile_nearest", lambda m, x: m.quantile(
        x, m.tensor([0.125, 0.375, 0.5], dtype=x.dtype), 0, interpolation="nearest"),
     (5, 3), 0),
    ("quantile_nan", lambda m, x: m.quantile(x, 0.5, 1), (4, 5), 2),
    ("nanquantile", lambda m, x: m.nanquantile(
        x, m.tensor([0.2, 0.7], dtype=x.dtype), -1), (4, 6), 6),
    ("nanquantile_all", lambda m, x: m.nanquantile(x, 0.65), (4, 6), 6),
    ("nansum", lambda m, x: m.nansum(x), (3, 4), 3),
    ("nansum_dims_keepdim", lambda m, x: m.nansum(x, (0, -1), keepdim=True), (3, 4, 2), 5),
    ("nansum_dtype", lambda m, x: m.nansum(x, 1, dtype=m.float64).to(x.dtype), (3, 4), 3),
    ("nanmean", lambda m, x: m.nanmean(x), (3, 4), 3),
    ("nanmean_dim", lambda m, x: m.nanmean(x, -1, True), (3, 4), 4),
    ("cummax", lambda m, x: m.cummax(x, 1), (3, 6), 0),
    ("cummax_neg_dim", lambda m, x: m.cummax(x, -2), (5, 2, 3), 0),
    ("cummin", lambda m, x: m.cummin(x, 0), (6, 3), 0),
    ("cummax_nan", lambda m, x: m.cummax(x, -1), (3, 7), 5),
    ("cummin_nan", lambda m, x: m.cummin(x, 1), (3, 7), 5),
    ("logcumsumexp", lambda m, x: m.logcumsumexp(x, 1), (3, 6), 0),
    ("logcumsumexp_neg_dim", lambda m, x: m.logcumsumexp(x * 30, -3), (5, 2, 3), 0),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, fn, shape, nans", CASES, ids=[c[0] for c in CASES])
def test_order_op_values_indices_and_grads_match_torch(name, fn, shape, nans, dtype, device):
    _check(fn, _input(shape, dtype, nans), dtype, device)


# ties: PyTorch's CPU choice is deterministic for these (documented or by construction)
TIES = [
    ("median_all_ties_share_grad", lambda m, x: m.median(x), (3, 4)),
    ("nanmedian_all_ties", lambda m, x: m.nanmedian(x), (3, 4)),
    ("mode_last", lambda m, x: m.mode(x), (4, 7)),
    ("mode_dim0_keepdim", lambda m, x: m.mode(x, 0, True), (9, 3)),
    ("mode_neg_dim", lambda m, x: m.mode(x, -2), (2, 8, 3)),
    ("cummax_ties_take_last", lambda m, x: m.cummax(x, 1), (3, 8)),
    ("cummin_ties_take_last", lambda m, x: m.cummin(x, -1), (3, 8)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, fn, shape", TIES, ids=[c[0] for c in TIES])
def test_ties_match_torch(name, fn, shape, dtype, device):
    _check(fn, _input(shape, dtype, integers=True, seed=3), dtype, device)


@pytest.mark.parametrize("device", DEVICES)
def test_all_nan_rows_give_nan(device):
    x = np.array([[NAN, NAN, NAN], [1.0, NAN, 2.0]])
    a = ag.tensor(x, device=device)
    assert np.isnan(O.nanmedian(a, 1).values.cpu().numpy()[0])
    assert O.nanmedian(a, 1).values.cpu().numpy()[1] == 1.0
    assert np.isnan(O.nanmedian(a[0]).item())
    q = O.nanquantile(a, 0.5, dim=1).cpu().numpy()
    np.testing.assert_allclose(q, torch.nanquantile(torch.tensor(x), 0.5, dim=1).numpy())
    assert np.isnan(O.nanmean(a[0]).item()) and O.nansum(a[0]).item() == 0.0
    assert np.isnan(O.median(ag.tensor(np.zeros(0), device=device)).item())


@pytest.mark.parametrize("device", DEVICES)
def test_logcumsumexp_is_stable_for_far_apart_values(device):
    x = np.array([-1000.0, 0.0, -2000.0, -np.inf, 800.0])
    ours = O.logcumsumexp(ag.tensor(x, device=device), 0).cpu().numpy()
    np.testing.assert_allclose(ours, torch.logcumsumexp(torch.tensor(x), 0).numpy())


@pytest.mark.parametrize("device", DEVICES)
def test_quantile_gradient_reaches_q(device):
    x, q = _input((3, 5), np.float64), np.array([0.2, 0.55])
    a, qa = ag.tensor(x, device=device), ag.tensor(q, device=device, requires_grad=True)
    t, qt = torch.tensor(x), torch.tensor(q, requires_grad=True)
    O.quantile(a, qa, dim=1).sum().backward()
    torch.quantile(t, qt, dim=1).sum().backward()
    np.testing.assert_allclose(qa.grad.cpu().numpy(), qt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("device", DEVICES)
def test_scalar_inputs(device):
    a = ag.tensor(1.5, device=device, requires_grad=True)
    for f in (lambda m, x: m.median(x, 0), lambda m, x: m.kthvalue(x, 1),
              lambda m, x: m.mode(x), lambda m, x: m.cummax(x, 0),
              lambda m, x: m.nanmedian(x, -1, True)):
        out = f(O, a)
        ref = f(torch, torch.tensor(1.5))
        assert out.values.shape == ref.values.shape and out.values.item() == 1.5
        assert out.indices.item() == 0 and out.indices.dtype == ag.int64
    assert O.logcumsumexp(a, 0).item() == 1.5
    assert O.quantile(a, 0.3).item() == 1.5


def test_integer_inputs_select_without_grad():
    x = np.array([[3, 1, 2, 7], [5, 5, 0, 4]])
    for f in (lambda m, z: m.median(z), lambda m, z: m.median(z, 1).values,
              lambda m, z: m.kthvalue(z, 2).values, lambda m, z: m.cummin(z, 1).indices,
              lambda m, z: m.nansum(z, 0), lambda m, z: m.mode(z).values):
        ours, theirs = f(O, ag.tensor(x)), f(torch, torch.tensor(x))
        assert ours.numpy().dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ----------------------------------------------------------------------------- gradcheck
GRADCHECK = [
    ("median_all", lambda x: O.median(x), (3, 5), True),
    ("median_dim", lambda x: O.median(x, -1, True).values, (3, 5), True),
    ("nanmedian_dim", lambda x: O.nanmedian(x, 0).values, (5, 3), True),
    ("kthvalue", lambda x: O.kthvalue(x, 2, 1).values, (3, 4), True),
    ("quantile", lambda x: O.quantile(x, ag.tensor([0.3, 0.9], dtype=ag.float64,
                                                    device=x.device), 1),
     (3, 5), True),
    ("quantile_midpoint", lambda x: O.quantile(x, 0.5, interpolation="midpoint"), (4, 2),
     True),
    ("nanquantile", lambda x: O.nanquantile(x, 0.4, 0), (5, 3), True),
    ("nansum", lambda x: O.nansum(x, 1), (3, 4), True),
    ("nanmean", lambda x: O.nanmean(x, 0, True), (3, 4), True),
    ("cummax", lambda x: O.cummax(x, 1).values, (3, 5), True),
    ("cummin", lambda x: O.cummin(x, 0).values, (4, 3), True),
    ("logcumsumexp", lambda x: O.logcumsumexp(x, 1), (3, 5), True),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name, fn, shape, second", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(name, fn, shape, second, device):
    nans = 3 if name.startswith("nan") else 0
    x = ag.tensor(_input(shape, np.float64, nans, seed=1), device=device, requires_grad=True)
    assert ag.gradcheck(fn, (x,))
    if second:
        assert ag.gradgradcheck(fn, (x,))


# ----------------------------------------------------------------------------- binning
BINNING = [
    ("histc", lambda m, x: m.histc(x, bins=7)),
    ("histc_range", lambda m, x: m.histc(x, bins=5, min=-1, max=0.5)),
    ("histc_edges", lambda m, x: m.histc(m.tensor([0.1, 0.2, 0.3, 0.7, 1.0, 0.0], dtype=x.dtype),
                                         bins=10, min=0, max=1)),
    ("histc_constant", lambda m, x: m.histc(m.ones(4, dtype=x.dtype), bins=4)),
    ("histc_same_minmax_uses_data", lambda m, x: m.histc(x, bins=3, min=2, max=2)),
    ("histc_nan_skipped", lambda m, x: m.histc(m.tensor([0.5, NAN, 2.0], dtype=x.dtype),
                                               bins=4, min=0, max=4)),
    ("histc_empty", lambda m, x: m.histc(x[:0], bins=3)),
    ("bucketize", lambda m, x: m.bucketize(x, m.tensor([-1.0, 0.0, 0.5], dtype=x.dtype))),
    ("bucketize_right_int32", lambda m, x: m.bucketize(
        m.tensor([[-1.0, 0.0], [0.2, 0.5]], dtype=x.dtype), m.tensor([-1.0, 0.0, 0.5],
                                                                    dtype=x.dtype),
        out_int32=True, right=True)),
    ("bucketize_scalar", lambda m, x: m.bucketize(3, m.tensor([1, 2, 5]))),
    ("searchsorted", lambda m, x: m.searchsorted(m.tensor([-1.0, 0.0, 0.0, 2.0], dtype=x.dtype),
                                                 x)),
    ("searchsorted_side_right", lambda m, x: m.searchsorted(
        m.tensor([-1.0, 0.0, 0.0, 2.0], dtype=x.dtype), m.tensor([0.0, NAN, 3.0, -5.0],
                                                                 dtype=x.dtype), side="right")),
    ("searchsorted_nan", lambda m, x: m.searchsorted(
        m.tensor([1.0, 2.0, 3.0], dtype=x.dtype), m.tensor([NAN, 5.0, 2.0], dtype=x.dtype))),
    ("searchsorted_batched", lambda m, x: m.searchsorted(
        m.sort(x, -1).values, m.tensor([[0.0, -0.3, 9.0]] * 3, dtype=x.dtype), right=True)),
    ("searchsorted_sorter", lambda m, x: m.searchsorted(
        x[0], m.tensor([0.0, 0.1, -2.0], dtype=x.dtype), sorter=m.argsort(x[0]))),
    ("searchsorted_int_seq", lambda m, x: m.searchsorted(m.tensor([1, 2, 3]),
                                                         m.tensor([1.5, 3.0]))),
    ("searchsorted_scalar", lambda m, x: m.searchsorted(m.tensor([1.0, 2.0, 5.0]), 2.0)),
    ("searchsorted_empty_seq", lambda m, x: m.searchsorted(m.tensor([]), m.tensor([1.0]))),
    ("bincount", lambda m, x: m.bincount(m.tensor([1, 4, 4, 0, 1, 4]))),
    ("bincount_minlength", lambda m, x: m.bincount(m.tensor([1, 2]), minlength=6)),
    ("bincount_empty", lambda m, x: m.bincount(m.tensor([], dtype=m.int64), minlength=3)),
    ("bincount_weights", lambda m, x: m.bincount(m.tensor([1, 0, 1, 3]),
                                                 weights=m.tensor([1.0, 2, 3, 4], dtype=x.dtype))),
    ("bincount_int_weights", lambda m, x: m.bincount(m.tensor([2, 0, 2]),
                                                     weights=m.tensor([1, 2, 3]))),
]


def _on(m, device):
    """torch, or the order module with tensor/ones/sort/argsort made on `device`."""
    if m is torch:
        return torch

    class _M:
        def __getattr__(self, name):
            return getattr(O, name, None) or getattr(ag, name)

        @staticmethod
        def tensor(data, dtype=None):
            dtype = {torch.float32: ag.float32, torch.float64: ag.float64}.get(dtype, dtype)
            return ag.tensor(data, dtype=dtype, device=device)

        @staticmethod
        def ones(n, dtype=None):
            return ag.ones(n, dtype=dtype, device=device)
    return _M()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, fn", BINNING, ids=[c[0] for c in BINNING])
def test_binning_matches_torch(name, fn, dtype, device):
    x = _input((3, 5), dtype, seed=2)
    ours = fn(_on(O, device), ag.tensor(x, device=device))
    theirs = fn(torch, torch.tensor(x))
    assert ours.shape == tuple(theirs.shape)
    assert _numpy(ours).dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(_numpy(ours), theirs.numpy())


def test_histc_and_bincount_give_no_grad():
    x = ag.tensor([0.1, 0.5], requires_grad=True)
    assert not O.histc(x, bins=2).requires_grad
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    assert not O.bincount(ag.tensor([0, 1]), weights=w).requires_grad


def test_gpu_scan_matches_numpy_accumulate(monkeypatch):
    """The Hillis-Steele scan the GPU takes, run on host arrays."""
    x = _input((3, 11), np.float64, nans=3, seed=4)
    ints = _input((4, 13), np.float64, integers=True, seed=4)
    want = [O.cummax(ag.tensor(x), 1), O.cummin(ag.tensor(x), 0),
            O.logcumsumexp(ag.tensor(x), 1), O.mode(ag.tensor(ints))]
    monkeypatch.setattr(O, "_DOUBLING", True)
    got = [O.cummax(ag.tensor(x), 1), O.cummin(ag.tensor(x), 0),
           O.logcumsumexp(ag.tensor(x), 1), O.mode(ag.tensor(ints))]
    for w, g in zip(want, got):
        for a, b in [(w, g)] if isinstance(w, ag.Tensor) else zip(w, g):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------- errors
ERRORS = [
    ("median_empty_dim", lambda m: m.median(m.zeros(2, 0), 1)),
    ("median_dim_range", lambda m: m.median(m.zeros(2), 1)),
    ("mode_empty", lambda m: m.mode(m.zeros(0))),
    ("kthvalue_k_big", lambda m: m.kthvalue(m.zeros(3), 4)),
    ("kthvalue_k_zero", lambda m: m.kthvalue(m.zeros(3), 0)),
    ("kthvalue_k_float", lambda m: m.kthvalue(m.zeros(3), 1.5)),
    ("quantile_int", lambda m: m.quantile(m.tensor([1, 2, 3]), 0.5)),
    ("quantile_q_range", lambda m: m.quantile(m.zeros(3), 1.5)),
    ("quantile_q_tensor_range", lambda m: m.quantile(m.zeros(3), m.tensor([0.5, 1.5]))),
    ("quantile_q_dtype", lambda m: m.quantile(m.zeros(3), m.tensor([0.5], dtype=m.float64))),
    ("quantile_q_2d", lambda m: m.quantile(m.zeros(3), m.tensor([[0.5]]))),
    ("quantile_empty", lambda m: m.quantile(m.zeros(0), 0.5)),
    ("quantile_mode", lambda m: m.quantile(m.zeros(2), 0.5, interpolation="foo")),
    ("quantile_dim_range", lambda m: m.quantile(m.zeros(2), 0.5, dim=2)),
    ("nanmean_int", lambda m: m.nanmean(m.tensor([1, 2]))),
    ("logcumsumexp_int", lambda m: m.logcumsumexp(m.tensor([1, 2]), 0)),
    ("cummax_dim_range", lambda m: m.cummax(m.zeros(2, 3), 2)),
    ("histc_int", lambda m: m.histc(m.tensor([1, 2]))),
    ("histc_bins", lambda m: m.histc(m.zeros(2), bins=0)),
    ("histc_min_max", lambda m: m.histc(m.zeros(2), min=3, max=1)),
    ("histc_nan_range", lambda m: m.histc(m.tensor([1.0, NAN]), bins=4)),
    ("histc_inf_range", lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=4)),
    ("bincount_negative", lambda m: m.bincount(m.tensor([1, -2]))),
    ("bincount_2d", lambda m: m.bincount(m.tensor([[1]]))),
    ("bincount_float", lambda m: m.bincount(m.tensor([1.0]))),
    ("bincount_minlength", lambda m: m.bincount(m.tensor([1]), minlength=-1)),
    ("bincount_weights", lambda m: m.bincount(m.tensor([1, 2]), weights=m.tensor([1.0]))),
    ("bucketize_2d", lambda m: m.bucketize(m.zeros(2), m.zeros(2, 2))),
    ("searchsorted_opposites", lambda m: m.searchsorted(m.zeros(3), m.zeros(2), side="left",
                                                        right=True)),
    ("searchsorted_side", lambda m: m.searchsorted(m.zeros(3), m.zeros(2), side="foo")),
    ("searchsorted_shapes", lambda m: m.searchsorted(m.zeros(2, 3), m.zeros(3))),
    ("searchsorted_scalar_nd", lambda m: m.searchsorted(m.zeros(2, 3), 2.0)),
    ("searchsorted_sorter_size", lambda m: m.searchsorted(m.zeros(3), m.zeros(1),
                                                          sorter=m.tensor([1, 2]))),
    ("searchsorted_sorter_range", lambda m: m.searchsorted(m.zeros(3), m.zeros(1),
                                                           sorter=m.tensor([1, 2, 5]))),
    ("searchsorted_sorter_dtype", lambda m: m.searchsorted(m.zeros(3), m.zeros(1),
                                                           sorter=m.tensor([1.0, 2, 0]))),
]


@pytest.mark.parametrize("name, fn", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_have_torch_types(name, fn):
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)):
        fn(_on(O, "cpu"))


# ----------------------------------------------------------------------------- wired
wired = pytest.mark.skipif(not hasattr(ag, "median"), reason="wired by the integrator")


@wired
def test_functions_and_methods_are_wired():
    x = _input((3, 5), np.float64, nans=2, seed=6)
    a, t = ag.tensor(x), torch.tensor(x)
    b, u = ag.tensor(np.nan_to_num(x)), torch.tensor(np.nan_to_num(x))
    pairs = [
        (ag.median(a), torch.median(t)), (a.median(1).values, t.median(1).values),
        (ag.nanmedian(a, 0).values, torch.nanmedian(t, 0).values),
        (a.nanmedian(), t.nanmedian()), (a.kthvalue(2).values, t.kthvalue(2).values),
        (ag.kthvalue(a, 1, 0).indices, torch.kthvalue(t, 1, 0).indices),
        (b.mode(0).values, u.mode(0).values), (ag.mode(b).values, torch.mode(u).values),
        (a.nanquantile(0.3, 1), t.nanquantile(0.3, 1)),
        (ag.quantile(a, 0.3), torch.quantile(t, 0.3)), (a.quantile(0.5), t.quantile(0.5)),
        (ag.nanquantile(a, 0.7), torch.nanquantile(t, 0.7)),
        (a.nansum(1), t.nansum(1)), (ag.nansum(a), torch.nansum(t)),
        (a.nanmean(0), t.nanmean(0)), (ag.nanmean(a), torch.nanmean(t)),
        (a.cummax(1).values, t.cummax(1).values), (ag.cummin(a, 0).indices,
                                                   torch.cummin(t, 0).indices),
        (ag.cummax(a, 0).indices, torch.cummax(t, 0).indices), (a.cummin(1)[0], t.cummin(1)[0]),
        (a.logcumsumexp(1), t.logcumsumexp(1)), (ag.logcumsumexp(a, 0), torch.logcumsumexp(t, 0)),
        (ag.histc(b, 4), torch.histc(u, 4)),
        (a.histc(bins=3, min=-1, max=1), t.histc(bins=3, min=-1, max=1)),
        (ag.bincount(ag.tensor([1, 3])), torch.bincount(torch.tensor([1, 3]))),
        (ag.tensor([1, 3]).bincount(minlength=5), torch.tensor([1, 3]).bincount(minlength=5)),
        (ag.bucketize(a, ag.tensor([0.0, 1.0])), torch.bucketize(t, torch.tensor([0.0, 1.0]))),
        (ag.searchsorted(ag.tensor([0.0, 1.0]), a), torch.searchsorted(torch.tensor([0.0, 1.0]),
                                                                       t)),
    ]
    for i, (ours, theirs) in enumerate(pairs):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, err_msg=str(i))
