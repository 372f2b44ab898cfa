"""Arrangement ops (autograd/ops/arrange.py), products (autograd/ops/products.py) and the
torch.linalg additions (autograd/linalg.py) against PyTorch: values and gradients in
float32/float64 on every device, gradcheck/gradgradcheck, warnings and errors."""
import types
import warnings

import numpy as np
import pytest
import torch

import autograd as ag
from autograd import linalg as ag_linalg
from autograd.ops import arrange, products
from tests.conftest import DEVICES
from tests.nn.helpers import close

# Ember's functions under torch's names, so one lambda runs on both libraries
E = types.SimpleNamespace(**{n: getattr(arrange, n) for n in (
    "tile", "flipud", "fliplr", "rot90", "select", "column_stack", "dstack", "hstack",
    "vstack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d", "meshgrid",
    "cartesian_prod", "combinations", "block_diag", "diag_embed", "diagflat", "vander",
    "tril_indices", "triu_indices")})
for _n in ("kron", "tensordot", "inner", "cross", "chain_matmul", "cdist", "trapezoid",
           "trapz", "cumulative_trapezoid"):
    setattr(E, _n, getattr(products, _n))
E.linalg = ag_linalg
E.logdet = ag_linalg.logdet


def _vander(m, x, N=None, increasing=False):
    """torch.vander's backward fails in PyTorch 2.13 (it modifies a saved tensor in place),
    so torch's side is the same cumulative product spelled in torch ops."""
    if m is E:
        return E.vander(x, N, increasing)
    n = x.shape[0] if N is None else N
    cols = [torch.ones(x.shape[0], 1, dtype=x.dtype)]
    if n > 1:
        cols.append(torch.cumprod(x[:, None].expand(x.shape[0], n - 1), 1))
    out = torch.cat(cols, 1)[:, :n]
    return out if increasing else out.flip(1)


def _rand(shape, rng):
    return rng.standard_normal(shape)


def _well_conditioned(shape, rng):
    """Square matrices with a dominant diagonal (invertible, moderate condition)."""
    a = rng.standard_normal(shape) * 0.3
    return a + 2.0 * np.eye(shape[-1])


# (name, fn(lib, *inputs), input shapes, input maker or None, double-backward supported)
CASES = [
    ("tile", lambda m, x: m.tile(x, (2,)), [(2, 3)], None, True),
    ("tile_more_dims", lambda m, x: m.tile(x, (2, 1, 3)), [(2, 3)], None, True),
    ("flipud", lambda m, x: m.flipud(x), [(3, 2)], None, True),
    ("fliplr", lambda m, x: m.fliplr(x), [(3, 2, 2)], None, True),
    ("rot90_k1", lambda m, x: m.rot90(x), [(2, 3)], None, True),
    ("rot90_k2", lambda m, x: m.rot90(x, 2, [1, 2]), [(2, 3, 4)], None, True),
    ("rot90_k3", lambda m, x: m.rot90(x, -1, [-1, 0]), [(2, 3, 4)], None, True),
    ("rot90_k0", lambda m, x: m.rot90(x, 4), [(2, 3)], None, True),
    ("select", lambda m, x: m.select(x, 1, -2), [(2, 3, 4)], None, True),
    ("column_stack", lambda m, a, b, c: m.column_stack([a, b, c]), [(), (1,), (1, 2)],
     None, True),
    ("dstack", lambda m, a, b, c: m.dstack([a, b, c]), [(3,), (1, 3), (1, 3, 2)], None, True),
    ("hstack_0d", lambda m, a, b: m.hstack([a, b]), [(), (3,)], None, True),
    ("vstack_0d", lambda m, a, b: m.vstack([a, b]), [(), ()], None, True),
    ("row_stack", lambda m, a, b: m.row_stack((a, b)), [(3,), (2, 3)], None, True),
    ("atleast_3d", lambda m, a, b, c: m.atleast_3d(a, b, c), [(), (2,), (2, 3)], None, True),
    ("atleast_2d_seq", lambda m, a, b: m.atleast_2d([a, b]), [(), (2,)], None, True),
    ("atleast_1d", lambda m, a: m.atleast_1d(a), [()], None, True),
    ("meshgrid_ij", lambda m, a, b, c: m.meshgrid(a, b, c, indexing="ij"),
     [(2,), (3,), ()], None, True),
    ("meshgrid_xy", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"),
     [(2,), (3,), (4,)], None, True),
    ("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b), [(2,), (3,)], None, True),
    ("combinations", lambda m, a: m.combinations(a, 3), [(5,)], None, True),
    ("combinations_repl", lambda m, a: m.combinations(a, 2, with_replacement=True), [(4,)],
     None, True),
    ("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), [(), (3,), (2, 2)], None, True),
    ("diag_embed", lambda m, x: m.diag_embed(x), [(2, 3)], None, True),
    ("diag_embed_offset_dims", lambda m, x: m.diag_embed(x, -1, 0, 2), [(2, 3)], None, True),
    ("diagflat", lambda m, x: m.diagflat(x, 1), [(2, 2)], None, True),
    ("vander", lambda m, x: _vander(m, x), [(4,)], None, True),
    ("vander_increasing_n", lambda m, x: _vander(m, x, 5, True), [(3,)], None, True),
    ("kron", lambda m, a, b: m.kron(a, b), [(2, 3), (3,)], None, True),
    ("kron_3d", lambda m, a, b: m.kron(a, b), [(2, 1, 2), (2, 3, 1)], None, True),
    ("tensordot_int", lambda m, a, b: m.tensordot(a, b, 2), [(2, 3, 4), (3, 4, 2)],
     None, True),
    ("tensordot_lists", lambda m, a, b: m.tensordot(a, b, ([0, 2], [2, 1])),
     [(2, 3, 4), (3, 4, 2)], None, True),
    ("tensordot_zero", lambda m, a, b: m.tensordot(a, b, 0), [(2,), (3,)], None, True),
    ("inner_nd", lambda m, a, b: m.inner(a, b), [(2, 3), (4, 1, 3)], None, True),
    ("inner_0d", lambda m, a, b: m.inner(a, b), [(), (2, 3)], None, True),
    ("cross_dim", lambda m, a, b: m.cross(a, b, dim=1), [(2, 3), (1, 3)], None, True),
    ("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), [(4, 1, 3), (1, 2, 3)], None, True),
    ("linalg_vecdot", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 1)],
     None, True),
    ("multi_dot", lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]),
     [(4,), (4, 2), (2, 5), (5, 3)], None, True),
    ("multi_dot_vectors", lambda m, a, b: m.linalg.multi_dot([a, b]), [(3,), (3,)],
     None, True),
    ("cdist_p2", lambda m, a, b: m.cdist(a, b), [(2, 3, 4), (1, 5, 4)], None, False),
    ("cdist_p2_mm", lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
     [(3, 4), (5, 4)], None, False),
    ("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), [(3, 4), (5, 4)], None, False),
    ("cdist_p3", lambda m, a, b: m.cdist(a, b, p=3), [(3, 4), (2, 4)], None, False),
    ("cdist_p_half", lambda m, a, b: m.cdist(a, b, p=0.5), [(3, 4), (2, 4)], None, False),
    ("cdist_pinf", lambda m, a, b: m.cdist(a, b, p=float("inf")), [(3, 4), (2, 4)],
     None, False),
    ("cdist_p0", lambda m, a, b: m.cdist(a, b, p=0), [(3, 4), (2, 4)], None, False),
    ("trapezoid_dx", lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [(4, 3)], None, True),
    ("trapezoid_x", lambda m, y, x: m.trapezoid(y, x), [(2, 4), (4,)], None, True),
    ("trapz_x_nd", lambda m, y, x: m.trapz(y, x, dim=1), [(2, 4), (2, 4)], None, True),
    ("cumulative_trapezoid", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0),
     [(4, 2), (4,)], None, True),
    ("linalg_inv", lambda m, a: m.linalg.inv(a), [(2, 3, 3)], _well_conditioned, True),
    ("linalg_det", lambda m, a: m.linalg.det(a), [(2, 3, 3)], _well_conditioned, True),
    ("linalg_slogdet", lambda m, a: m.linalg.slogdet(a)[1], [(2, 3, 3)],
     lambda s, r: _well_conditioned(s, r) * np.array([1, -1, 1]), True),
    ("logdet", lambda m, a: m.logdet(a), [(2, 3, 3)], _well_conditioned, True),
    ("linalg_solve_matrix", lambda m, a, b: m.linalg.solve(a, b),
     [(2, 3, 3), (3, 2)], lambda s, r: _well_conditioned(s, r) if s[-1] == s[-2] == 3
     and len(s) == 3 else _rand(s, r), True),
    ("linalg_solve_vector", lambda m, a, b: m.linalg.solve(a, b), [(2, 3, 3), (2, 3)],
     lambda s, r: _well_conditioned(s, r) if len(s) == 3 else _rand(s, r), True),
    ("linalg_solve_right", lambda m, a, b: m.linalg.solve(a, b, left=False),
     [(3, 3), (2, 3)], lambda s, r: _well_conditioned(s, r) if s == (3, 3) else _rand(s, r),
     True),
    ("matrix_power_5", lambda m, a: m.linalg.matrix_power(a, 5), [(2, 3, 3)],
     lambda s, r: _rand(s, r) * 0.5, True),
    ("matrix_power_neg", lambda m, a: m.linalg.matrix_power(a, -2), [(3, 3)],
     _well_conditioned, True),
    ("matrix_power_1", lambda m, a: m.linalg.matrix_power(a, 1), [(3, 3)], None, True),
]


def _inputs(case, dtype, seed=0):
    _, _, shapes, maker, _ = case
    rng = np.random.default_rng(seed)
    return [np.asarray((maker or _rand)(s, rng), dtype=dtype) for s in shapes]


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_values_and_grads_match_torch(case, dtype, device):
    name, fn = case[0], case[1]
    arrays = _inputs(case, dtype)
    ours = [ag.tensor(a.copy(), device=device, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_o, out_t = _as_tuple(fn(E, *ours)), _as_tuple(fn(torch, *theirs))
    assert len(out_o) == len(out_t)
    rng = np.random.default_rng(1)
    loss_o, loss_t = 0, 0
    for o, t in zip(out_o, out_t):
        close(o, t, dtype, f"{name} value", device)
        g = rng.standard_normal(tuple(t.shape)).astype(dtype)
        loss_o = loss_o + (o * ag.tensor(g, device=device)).sum()
        loss_t = loss_t + (t * torch.tensor(g)).sum()
    loss_t.backward()
    loss_o.backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None or not a.grad.detach().cpu().numpy().any(), name
        else:
            close(a.grad, b.grad, dtype, f"{name} grad {i}", device)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_gradcheck(case):
    if case[0] == "cdist_p0":
        pytest.skip("zero gradient everywhere, but the count jumps under finite differences")
    arrays = _inputs(case, np.float64, seed=2)
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    fn = case[1]
    assert ag.gradcheck(lambda *xs: _as_tuple(fn(E, *xs)), ours)
    if case[4]:
        assert ag.gradgradcheck(lambda *xs: _as_tuple(fn(E, *xs)), ours)


# ----------------------------------------------------------------------------- special values
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
def test_cdist_grad_is_zero_at_zero_distance_like_torch(p, device):
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    y = np.array([[0.0, 1.0], [2.0, 2.5], [2.0, 1.0]])
    a, b = ag.tensor(x, device=device, requires_grad=True), ag.tensor(y, device=device,
                                                                      requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    products.cdist(a, b, p=p).sum().backward()
    torch.cdist(ta, tb, p=p).sum().backward()
    close(a.grad, ta.grad, np.float64, "grad x1", device)
    close(b.grad, tb.grad, np.float64, "grad x2", device)
    assert np.isfinite(a.grad.cpu().numpy()).all()


@pytest.mark.parametrize("device", DEVICES)
def test_vander_grad_at_zero_is_finite_and_matches_torch(device):
    x = np.array([0.0, 1.5, -2.0])
    a, t = ag.tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    arrange.vander(a).sum().backward()
    _vander(torch, t).sum().backward()
    close(arrange.vander(a), torch.vander(t), np.float64, "vander value", device)
    close(a.grad, t.grad, np.float64, "vander grad", device)


@pytest.mark.parametrize("device", DEVICES)
def test_matrix_power_zero_gives_identities(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 3))
    ours = ag_linalg.matrix_power(ag.tensor(x, device=device), 0)
    close(ours, torch.linalg.matrix_power(torch.tensor(x), 0), np.float64, "n=0", device)


@pytest.mark.parametrize("device", DEVICES)
def test_slogdet_sign_and_det_values(device):
    x = np.random.default_rng(3).standard_normal((4, 3, 3))
    ours = ag_linalg.slogdet(ag.tensor(x, device=device))
    theirs = torch.linalg.slogdet(torch.tensor(x))
    close(ours.sign, theirs.sign, np.float64, "sign", device)
    close(ours.logabsdet, theirs.logabsdet, np.float64, "logabsdet", device)
    close(ag_linalg.logdet(ag.tensor(x, device=device)), torch.logdet(torch.tensor(x)),
          np.float64, "logdet (nan for negative det)", device)
    close(ag_linalg.det(ag.tensor(x, device=device)), torch.linalg.det(torch.tensor(x)),
          np.float64, "det", device)


@pytest.mark.parametrize("device", DEVICES)
def test_index_makers_match_torch(device):
    for args in [(3, 4, 1), (4, 3, -1), (0, 3, 0), (3, 3, 5)]:
        close(arrange.tril_indices(*args, device=device), torch.tril_indices(*args),
              np.float64, f"tril {args}", device)
        close(arrange.triu_indices(*args, device=device), torch.triu_indices(*args),
              np.float64, f"triu {args}", device)
    out = arrange.tril_indices(3, 3, dtype=ag.int32)
    assert out.dtype == ag.int32


@pytest.mark.parametrize("device", DEVICES)
def test_integer_inputs_keep_their_dtype(device):
    x = np.arange(4)
    for fn in (lambda m, a: m.vander(a), lambda m, a: m.combinations(a),
               lambda m, a: m.kron(a, a), lambda m, a: m.tile(a, (2,)),
               lambda m, a: m.block_diag(a, a)):
        close(fn(E, ag.tensor(x, device=device)), fn(torch, torch.tensor(x)), np.float64,
              "int", device)


def test_combinations_edge_sizes_match_torch():
    x = np.arange(3.0)
    for r, rep in [(0, False), (4, False), (4, True), (1, False)]:
        close(arrange.combinations(ag.tensor(x), r, rep), torch.combinations(
            torch.tensor(x), r, rep), np.float64, f"r={r}")


def test_select_and_meshgrid_are_views():
    x = ag.zeros(3, 4)
    row = arrange.select(x, 0, 1)
    row[:] = 5.0
    assert x.numpy()[1].tolist() == [5.0] * 4
    v = ag.arange(3.0)
    g = arrange.meshgrid(v, v, indexing="ij")[1]
    assert g._version is v._version


def test_atleast_returns_the_same_tensor_when_already_wide_enough():
    x = ag.zeros(2, 3)
    assert arrange.atleast_1d(x) is x and arrange.atleast_2d(x) is x
    assert isinstance(arrange.atleast_1d(x, x), tuple)


def test_block_diag_promotes_and_handles_no_input():
    out = arrange.block_diag(ag.ones(2, 2, dtype=ag.float32), ag.tensor([1, 2]))
    ref = torch.block_diag(torch.ones(2, 2), torch.tensor([1, 2]))
    close(out, ref, np.float32, "promoted")
    assert tuple(arrange.block_diag().shape) == (1, 0)


# ----------------------------------------------------------------------------- warnings
def test_meshgrid_warns_without_indexing_like_torch():
    v = ag.arange(3.0)
    with pytest.warns(UserWarning, match="indexing argument"):
        a, b = arrange.meshgrid(v, v)
    with pytest.warns(UserWarning, match="indexing argument"):
        torch.meshgrid(torch.arange(3.0), torch.arange(3.0))
    assert tuple(a.shape) == (3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arrange.meshgrid(v, v, indexing="xy")


def test_cross_without_dim_warns_and_uses_first_dim_of_size_3():
    x = np.random.default_rng(0).standard_normal((3, 3, 2))
    y = np.random.default_rng(1).standard_normal((3, 3, 2))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        ours = products.cross(ag.tensor(x), ag.tensor(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cross(torch.tensor(x), torch.tensor(y))
    close(ours, theirs, np.float64, "cross default dim")


def test_chain_matmul_warns_once():
    products._chain_warned.clear()
    a = ag.ones(2, 2)
    with pytest.warns(UserWarning, match="deprecated"):
        products.chain_matmul(a, a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        close(products.chain_matmul(a), torch.ones(2, 2), np.float32, "one matrix")


# ----------------------------------------------------------------------------- errors
ERRORS = [
    (lambda m: m.flipud(m.tensor(1.0)), RuntimeError),
    (lambda m: m.fliplr(m.ones(3)), RuntimeError),
    (lambda m: m.rot90(m.ones(3)), RuntimeError),
    (lambda m: m.rot90(m.ones(3, 3), 1, [0]), RuntimeError),
    (lambda m: m.rot90(m.ones(3, 3), 1, [0, -2]), RuntimeError),
    (lambda m: m.rot90(m.ones(3, 3), 1, [0, 5]), IndexError),
    (lambda m: m.select(m.ones(3, 3), 0, 3), IndexError),
    (lambda m: m.select(m.ones(3, 3), 2, 0), IndexError),
    (lambda m: m.meshgrid(m.ones(3), m.ones(3, dtype=m.float64), indexing="ij"),
     RuntimeError),
    (lambda m: m.meshgrid(m.ones(3, 3), indexing="ij"), RuntimeError),
    (lambda m: m.meshgrid(m.ones(3), indexing="foo"), RuntimeError),
    (lambda m: m.combinations(m.ones(3, 3)), RuntimeError),
    (lambda m: m.combinations(m.ones(3), -1), RuntimeError),
    (lambda m: m.cartesian_prod(m.ones(3, 3), m.ones(3)), RuntimeError),
    (lambda m: m.block_diag(m.ones(2, 2, 2)), RuntimeError),
    (lambda m: m.diag_embed(m.ones(3), 0, 1, 1), RuntimeError),
    (lambda m: m.vander(m.ones(3, 3)), RuntimeError),
    (lambda m: m.tril_indices(3, 3, dtype=m.float32), NotImplementedError),
    (lambda m: m.tensordot(m.ones(3, 3), m.ones(3, 3), dims=-1), RuntimeError),
    (lambda m: m.tensordot(m.ones(3, 3), m.ones(3, 3), dims=3), RuntimeError),
    (lambda m: m.tensordot(m.ones(3, 3), m.ones(4, 3), dims=1), RuntimeError),
    (lambda m: m.tensordot(m.ones(3, 3), m.ones(3, 3), dims=([0], [1, 0])), RuntimeError),
    (lambda m: m.inner(m.ones(3, 3), m.ones(4)), RuntimeError),
    (lambda m: m.cross(m.ones(2, 4), m.ones(2, 4)), RuntimeError),
    (lambda m: m.cross(m.ones(3, 4), m.ones(1, 4)), RuntimeError),
    (lambda m: m.linalg.cross(m.ones(2, 4), m.ones(2, 4)), RuntimeError),
    (lambda m: m.linalg.cross(m.ones(2, 3), m.ones(3)), RuntimeError),
    (lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64)), RuntimeError),
    (lambda m: m.linalg.multi_dot([m.ones(3, 3)]), RuntimeError),
    (lambda m: m.linalg.multi_dot([m.ones(3, 3), m.ones(4, 2)]), RuntimeError),
    (lambda m: m.linalg.multi_dot([m.ones(1, 3, 3), m.ones(3, 3)]), RuntimeError),
    (lambda m: m.cdist(m.ones(3), m.ones(3)), RuntimeError),
    (lambda m: m.cdist(m.ones(3, 3), m.ones(2, 4)), RuntimeError),
    (lambda m: m.cdist(m.ones(3, 3), m.ones(2, 3), p=-1), RuntimeError),
    (lambda m: m.cdist(m.ones(3, 3, dtype=m.int64), m.ones(2, 3, dtype=m.int64)),
     RuntimeError),
    (lambda m: m.cdist(m.ones(3, 3), m.ones(2, 3), compute_mode="foo"), ValueError),
    (lambda m: m.trapezoid(m.ones(3), m.ones(3), dx=0.5), TypeError),
    (lambda m: m.linalg.inv(m.zeros(3, 3)), RuntimeError),
    (lambda m: m.linalg.inv(m.zeros(3, 4)), RuntimeError),
    (lambda m: m.linalg.inv(m.zeros(3, 3, dtype=m.int64)), RuntimeError),
    (lambda m: m.linalg.det(m.zeros(3, 4)), RuntimeError),
    (lambda m: m.linalg.solve(m.zeros(3, 3), m.ones(3)), RuntimeError),
    (lambda m: m.linalg.solve(m.eye(3), m.ones(4)), RuntimeError),
    (lambda m: m.linalg.matrix_power(m.ones(3, 4), 2), RuntimeError),
    (lambda m: m.linalg.matrix_power(m.eye(3), 2.0), TypeError),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_have_torch_types(k):
    fn, exc = ERRORS[k]
    ns = types.SimpleNamespace(**vars(E), tensor=ag.tensor, ones=ag.ones, zeros=ag.zeros,
                               eye=ag.eye, float32=ag.float32, float64=ag.float64,
                               int64=ag.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(ns)


def test_linalg_errors_are_torch_linalg_error_subclasses():
    with pytest.raises(ag_linalg.LinAlgError):
        ag_linalg.inv(ag.zeros(3, 3))
    assert issubclass(ag_linalg.LinAlgError, RuntimeError)


# ----------------------------------------------------------------------------- wired names
_WIRED = pytest.mark.skipif(not hasattr(ag, "tile") or not hasattr(ag.linalg, "inv"),
                            reason="wired by the integrator")


@_WIRED
def test_public_names_and_methods():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert ag.tile(x, (2,)).shape == (2, 6)
    assert x.tile((2,)).shape == (2, 6)
    assert x.rot90().shape == (3, 2)
    assert x.select(1, 0).shape == (2,)
    assert x.fliplr().numpy()[0].tolist() == [2.0, 1.0, 0.0]
    assert x.flipud().numpy()[0].tolist() == [3.0, 4.0, 5.0]
    assert ag.meshgrid(ag.ones(2), ag.ones(3), indexing="xy")[0].shape == (3, 2)
    assert ag.kron(x, x).shape == (4, 9)
    assert x.kron(x).shape == (4, 9)
    assert ag.tensordot(x, x.t(), 1).shape == (2, 2)
    assert ag.inner(x, x).shape == (2, 2) and x.inner(x).shape == (2, 2)
    assert ag.cdist(x, x).shape == (2, 2)
    assert ag.linalg.det(ag.eye(3)).item() == 1.0 and ag.eye(3).det().item() == 1.0
    assert ag.eye(3).inverse().shape == (3, 3)
    assert ag.eye(3).matrix_power(3).shape == (3, 3)
    assert ag.diag_embed(x).shape == (2, 3, 3) and x.diag_embed().shape == (2, 3, 3)
    assert ag.vander(ag.ones(3)).shape == (3, 3)
    assert ag.tril_indices(3, 3).shape == (2, 6)
    assert ag.block_diag(x, x).shape == (4, 6)
    assert ag.cartesian_prod(ag.ones(2), ag.ones(3)).shape == (6, 2)
    assert ag.combinations(ag.ones(4)).shape == (6, 2)
    assert ag.dstack([x, x]).shape == (2, 3, 2)
    assert ag.column_stack([x, x]).shape == (2, 6)
    assert ag.atleast_3d(x).shape == (2, 3, 1)
    assert ag.trapezoid(x).shape == (2,)
    assert ag.linalg.vecdot(x, x).shape == (2,)
    assert ag.linalg.cross(ag.ones(3), ag.ones(3)).shape == (3,)
    assert ag.cross(ag.ones(3), ag.ones(3), dim=0).shape == (3,)


def test_linear_weight_grad_op_gradcheck_and_parity():
    # dW = G^T X as one op (Linear's weight gradient): checked directly and twice
    # differentiated through F.linear on a 3-d input (leading dims flattened)
    rng = np.random.default_rng(3)
    g = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    x = ag.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    assert ag.gradcheck(products.WeightGrad.apply, (g, x))
    assert ag.gradgradcheck(products.WeightGrad.apply, (g, x))
    np.testing.assert_allclose(products.WeightGrad.apply(g, x).detach().numpy(),
                               g.detach().numpy().T @ x.detach().numpy(), rtol=1e-12)
    import nn.functional as F
    xi = ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(6), requires_grad=True)
    assert ag.gradgradcheck(F.linear, (xi, w, b))
    xt, wt, bt = (torch.tensor(t.detach().numpy(), requires_grad=True) for t in (xi, w, b))
    gw, = ag.grad(F.linear(xi, w, b).square().sum(), w, create_graph=True)
    gwt, = torch.autograd.grad(torch.nn.functional.linear(xt, wt, bt).square().sum(), wt,
                               create_graph=True)
    np.testing.assert_allclose(gw.detach().numpy(), gwt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ag.grad(gw.sum(), (xi,), retain_graph=True)[0].numpy(),
                               torch.autograd.grad(gwt.sum(), xt, retain_graph=True)[0].numpy(),
                               rtol=1e-12)
