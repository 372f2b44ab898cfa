"""autograd.linalg's decompositions against torch.linalg: values, gradients (compared
with torch's and float64 gradcheck, on well-separated spectra and gauge-invariant
losses, as PyTorch documents), batching, dtypes, named-tuple fields and errors."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
RNG = np.random.default_rng(0)
# float64 factorisations of matrices of size <= 6 with condition numbers ~10: rounding
# error ~1e-15 * cond^2 in gradients built from them
TOL = dict(rtol=1e-8, atol=1e-10)


def _spd(x):
    return x @ np.swapaxes(x, -1, -2) + x.shape[-1] * np.eye(x.shape[-1])


def _sym(L, x):
    return x + x.mT


def _weighted(L, t, seed):
    w = np.random.default_rng(seed).normal(size=tuple(t.shape))
    return (t * L.tensor(w)).sum()


def _svd_loss(L, x, full):
    # invariant to the signs of singular vectors: S, U U^T and V^T V of the first k
    U, S, Vh = L.linalg.svd(x, full_matrices=full)
    k = S.shape[-1]
    U, Vh = U[..., :k], Vh[..., :k, :]
    return _weighted(L, S, 1) + _weighted(L, U @ U.mT, 2) + _weighted(L, Vh.mT @ Vh, 3)


def _eigh_loss(L, x, uplo="L"):
    Lam, V = L.linalg.eigh(_sym(L, x), UPLO=uplo)
    return _weighted(L, Lam, 1) + _weighted(L, V * V, 2) + _weighted(L, V @ V.mT @ x, 3)


def _qr_loss(L, x, mode="reduced"):
    Q, R = L.linalg.qr(x, mode=mode)
    return _weighted(L, Q, 1) + _weighted(L, R, 2)


def _solve_tri(upper, left, unit):
    def f(L, A, B):
        A = A + 4 * L.eye(A.shape[-1], dtype=A.dtype)
        return _weighted(L, L.linalg.solve_triangular(A, B, upper=upper, left=left,
                                                      unitriangular=unit), 1)
    return f


CASES = [
    ("svd_tall", lambda L, x: _svd_loss(L, x, False), [(5, 3)]),
    ("svd_wide", lambda L, x: _svd_loss(L, x, False), [(3, 5)]),
    ("svd_batched", lambda L, x: _svd_loss(L, x, False), [(2, 4, 4)]),
    ("svd_full_tall", lambda L, x: _svd_loss(L, x, True), [(5, 3)]),
    ("svd_full_wide", lambda L, x: _svd_loss(L, x, True), [(2, 3, 5)]),
    ("svdvals", lambda L, x: _weighted(L, L.linalg.svdvals(x), 1), [(2, 4, 3)]),
    ("eigh", _eigh_loss, [(2, 4, 4)]),
    ("eigh_upper", lambda L, x: _eigh_loss(L, x, "U"), [(4, 4)]),
    ("eigvalsh", lambda L, x: _weighted(L, L.linalg.eigvalsh(_sym(L, x)), 1), [(3, 3)]),
    ("qr_tall", _qr_loss, [(5, 3)]),
    ("qr_square", _qr_loss, [(2, 3, 3)]),
    ("qr_wide", _qr_loss, [(3, 5)]),
    ("qr_complete_wide", lambda L, x: _qr_loss(L, x, "complete"), [(3, 5)]),
    ("cholesky", lambda L, x: _weighted(L, L.linalg.cholesky(x @ x.mT + 4 * L.eye(4,
                                        dtype=x.dtype)), 1), [(2, 4, 4)]),
    ("cholesky_upper", lambda L, x: _weighted(L, L.linalg.cholesky(
        x @ x.mT + 4 * L.eye(4, dtype=x.dtype), upper=True), 1), [(4, 4)]),
    ("matrix_exp", lambda L, x: _weighted(L, L.linalg.matrix_exp(x), 1), [(2, 3, 3)]),
    ("pinv_tall", lambda L, x: _weighted(L, L.linalg.pinv(x), 1), [(2, 5, 3)]),
    ("pinv_wide", lambda L, x: _weighted(L, L.linalg.pinv(x), 1), [(3, 5)]),
    ("pinv_hermitian", lambda L, x: _weighted(L, L.linalg.pinv(_sym(L, x), hermitian=True),
                                              1), [(4, 4)]),
    ("lstsq", lambda L, x, b: _weighted(L, L.linalg.lstsq(x, b).solution, 1),
     [(2, 6, 3), (2, 6, 2)]),
    ("matrix_norm_nuc", lambda L, x: _weighted(L, L.linalg.matrix_norm(x, "nuc"), 1),
     [(2, 4, 3)]),
    ("matrix_norm_2_dims", lambda L, x: _weighted(L, L.linalg.matrix_norm(
        x, 2, dim=(0, 2), keepdim=True), 1), [(4, 2, 3)]),
    ("norm_-2", lambda L, x: L.linalg.norm(x, -2), [(4, 3)]),
    ("cond", lambda L, x: _weighted(L, L.linalg.cond(x), 1), [(2, 3, 3)]),
    ("householder_product", lambda L, x, t: _weighted(
        L, L.linalg.householder_product(x, t), 1), [(5, 3), (3,)]),
    ("torch_svd", lambda L, x: _weighted(L, L.svd(x)[1], 1), [(4, 3)]),
    ("cholesky_solve", lambda L, x, b: _weighted(L, L.cholesky_solve(
        b, L.linalg.cholesky(x @ x.mT + 4 * L.eye(3, dtype=x.dtype))), 1), [(3, 3), (3, 2)]),
] + [(f"solve_triangular_{u}_{lft}_{unit}", _solve_tri(u, lft, unit),
      [(2, 4, 4), (2, 4, 3) if lft else (2, 3, 4)])
     for u in (True, False) for lft in (True, False) for unit in (True, False)]


@pytest.mark.parametrize("name,f,shapes", CASES, ids=[c[0] for c in CASES])
def test_decomposition_values_and_gradients_match_torch(name, f, shapes):
    xs = [RNG.normal(size=s) for s in shapes]
    a = [ag.tensor(x, requires_grad=True) for x in xs]
    t = [torch.tensor(x, requires_grad=True) for x in xs]
    la, lt = f(ag, *a), f(torch, *t)
    np.testing.assert_allclose(la.item(), lt.item(), **TOL)
    la.backward()
    lt.backward()
    for ai, ti in zip(a, t):
        np.testing.assert_allclose(ai.grad.numpy(), ti.grad.numpy(), **TOL)


@pytest.mark.parametrize("name,f,shapes", CASES[::2], ids=[c[0] for c in CASES[::2]])
def test_decomposition_gradcheck_float64(name, f, shapes):
    xs = tuple(ag.tensor(RNG.normal(size=s), requires_grad=True) for s in shapes)
    assert ag.gradcheck(lambda *v: f(ag, *v), xs)


def test_svd_and_eigh_second_derivatives_match_torch():
    x = RNG.normal(size=(4, 3))
    for f in (lambda L, v: L.linalg.svdvals(v).pow(3).sum(),
              lambda L, v: L.linalg.eigvalsh(v @ v.mT).pow(2).sum(),
              lambda L, v: L.linalg.matrix_exp(v[:3] * 0.5).sum()):
        a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ga, = ag.autograd.grad(f(ag, a), a, create_graph=True)
        gt, = torch.autograd.grad(f(torch, t), t, create_graph=True)
        ga.pow(2).sum().backward()
        gt.pow(2).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)


def test_factor_values_shapes_and_fields_match_torch():
    x = RNG.normal(size=(2, 5, 3))
    a, t = ag.tensor(x), torch.tensor(x)
    for full in (True, False):
        U, S, Vh = ag.linalg.svd(a, full_matrices=full)
        tU, tS, tVh = torch.linalg.svd(t, full_matrices=full)
        assert (U.shape, S.shape, Vh.shape) == (tU.shape, tS.shape, tVh.shape)
        np.testing.assert_allclose(S.numpy(), tS.numpy(), **TOL)
        np.testing.assert_allclose((U[..., :3] * S.unsqueeze(-2) @ Vh[..., :3, :]).numpy(), x,
                                   **TOL)
    for mode in ("reduced", "complete", "r"):
        Q, R = ag.linalg.qr(a, mode=mode)
        tQ, tR = torch.linalg.qr(t, mode=mode)
        assert (Q.shape, R.shape) == (tQ.shape, tR.shape)
        np.testing.assert_allclose(np.abs(R.numpy()), np.abs(tR.numpy()), **TOL)
    r = ag.linalg.eigh(ag.tensor(_spd(x[..., :3, :])))
    assert r._fields == ("eigenvalues", "eigenvectors")
    assert ag.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert ag.linalg.qr(a)._fields == ("Q", "R")
    assert ag.svd(a)._fields == ("U", "S", "V")
    # float32 stays float32
    a32 = ag.tensor(x.astype(np.float32))
    for out in (*ag.linalg.svd(a32), *ag.linalg.qr(a32), ag.linalg.pinv(a32),
                ag.linalg.matrix_exp(a32[..., :3, :]), ag.linalg.svdvals(a32)):
        assert out.dtype == ag.float32


def test_eig_and_eigvals_match_torch():
    x = RNG.normal(size=(2, 4, 4))
    lam, V = ag.linalg.eig(ag.tensor(x))
    tlam = torch.linalg.eigvals(torch.tensor(x))
    assert lam.dtype == ag.complex128
    np.testing.assert_allclose(np.sort_complex(lam.numpy()), np.sort_complex(tlam.numpy()),
                               **TOL)
    # A V = V diag(lambda), eigenvectors of unit norm
    Av = x.astype(complex) @ V.numpy()
    np.testing.assert_allclose(Av, V.numpy() * lam.numpy()[..., None, :], **TOL)
    np.testing.assert_allclose(np.linalg.norm(V.numpy(), axis=-2), 1.0, **TOL)
    assert ag.linalg.eigvals(ag.tensor(x.astype(np.float32))).dtype == ag.complex64


def test_rank_lstsq_fields_and_info_match_torch():
    x = RNG.normal(size=(2, 6, 3))
    low = x[..., :2] @ RNG.normal(size=(2, 2, 3))  # rank 2
    for m in (x, low, np.zeros((3, 3))):
        for kw in ({}, dict(hermitian=True), dict(atol=1.0), dict(rtol=0.5)):
            v = m[..., :3, :] @ np.swapaxes(m[..., :3, :], -1, -2) if kw.get("hermitian") else m
            np.testing.assert_array_equal(ag.linalg.matrix_rank(ag.tensor(v), **kw).numpy(),
                                          torch.linalg.matrix_rank(torch.tensor(v), **kw))
    b = RNG.normal(size=(2, 6, 2))
    for driver in (None, "gelsy", "gelsd", "gelss", "gels"):
        r = ag.linalg.lstsq(ag.tensor(x), ag.tensor(b), driver=driver)
        tr = torch.linalg.lstsq(torch.tensor(x), torch.tensor(b), driver=driver)
        assert r._fields == ("solution", "residuals", "rank", "singular_values")
        for ours, theirs in zip(r, (getattr(tr, f) for f in r._fields)):
            assert tuple(ours.shape) == tuple(theirs.shape), driver
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), **TOL)
    bad = np.stack([np.eye(3), -np.eye(3), np.diag([1.0, -1.0, 1.0])])
    L, info = ag.linalg.cholesky_ex(ag.tensor(bad))
    np.testing.assert_array_equal(info.numpy(), torch.linalg.cholesky_ex(torch.tensor(bad))[1])
    np.testing.assert_allclose(L.numpy()[0], np.eye(3))
    sing = np.stack([np.eye(2), np.ones((2, 2)), np.zeros((2, 2))])
    for ours, theirs in ((ag.linalg.inv_ex(ag.tensor(sing)), torch.linalg.inv_ex(torch.tensor(
            sing))), (ag.linalg.solve_ex(ag.tensor(sing), ag.ones(3, 2, 1, dtype=ag.float64)),
                      torch.linalg.solve_ex(torch.tensor(sing),
                                            torch.ones(3, 2, 1, dtype=torch.float64)))):
        np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
        np.testing.assert_allclose(ours[0].numpy()[0], theirs[0].numpy()[0], **TOL)


def test_deprecated_top_level_forms_match_torch():
    x = RNG.normal(size=(4, 3))
    a, t = ag.tensor(x), torch.tensor(x)
    spd = _spd(x[:3])
    for ours, theirs in [
            (ag.svd(a, some=False).V.shape, torch.svd(t, some=False).V.shape),
            (ag.svd(a, compute_uv=False).U.numpy(), torch.svd(t, compute_uv=False).U.numpy()),
            (ag.qr(a).R.abs().numpy(), torch.linalg.qr(t).R.abs().numpy()),
            (ag.cholesky(ag.tensor(spd)).numpy(), torch.linalg.cholesky(torch.tensor(spd))),
            (ag.pinverse(a).numpy(), torch.pinverse(t).numpy()),
            (a.pinverse().numpy(), t.pinverse().numpy()),
            (ag.matrix_exp(a[:3]).numpy(), torch.matrix_exp(t[:3]).numpy()),
            (ag.cholesky_inverse(ag.linalg.cholesky(ag.tensor(spd))).numpy(),
             torch.cholesky_inverse(torch.linalg.cholesky(torch.tensor(spd))).numpy()),
            (ag.geqrf(a).a.numpy(), torch.geqrf(t).a.numpy())]:
        if isinstance(ours, tuple):
            assert tuple(ours) == tuple(theirs)
        else:
            np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.parametrize("call,error", [
    (lambda L: L.linalg.cholesky(L.tensor(-np.eye(3))), "not positive-definite"),
    (lambda L: L.linalg.svd(L.ones(3)), "at least 2 dimensions"),
    (lambda L: L.linalg.eigh(L.ones(2, 3)), "square"),
    (lambda L: L.linalg.qr(L.ones(3, 3), mode="bogus"), "mode"),
    (lambda L: L.linalg.eigh(L.eye(2), UPLO="X"), "UPLO"),
    (lambda L: L.linalg.solve_triangular(L.eye(3), L.ones(2, 1), upper=True), "shapes"),
    (lambda L: L.linalg.svd(L.ones(3, 3, dtype=L.int64)), "floating point"),
])
def test_decomposition_errors_match_torch(call, error):
    with pytest.raises(RuntimeError, match=error):
        call(ag)
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(ag.linalg.LinAlgError):
        ag.linalg.cholesky(ag.tensor(-np.eye(3)))


def test_undefined_gradients_raise_as_in_torch():
    x = ag.tensor(RNG.normal(size=(3, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        ag.linalg.qr(x, mode="r").R.sum().backward()
    tall = ag.tensor(RNG.normal(size=(4, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="complete"):
        ag.linalg.qr(tall, mode="complete").Q.sum().backward()


def test_eig_gradient_matches_torch():
    # a loss invariant to the eigenvectors' phases: eigenvalues and |V|^2
    x = RNG.normal(size=(2, 4, 4))
    w1, w2 = RNG.normal(size=(2, 4, 2)), RNG.normal(size=(2, 4, 4))

    def loss(L, A):
        lam, V = L.linalg.eig(A)
        return (L.view_as_real(lam) * L.tensor(w1)).sum() + (V.abs() ** 2 * L.tensor(w2)).sum()
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss(ag, a).backward()
    loss(torch, t).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)
    assert ag.gradcheck(lambda v: loss(ag, v), (ag.tensor(x, requires_grad=True),))


# ----------------------------------------------------------------------------- LU
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (3, 5), (5, 3), (2, 5, 3)])
def test_lu_factor_lu_and_unpack_match_torch(shape):
    x = RNG.normal(size=shape)
    LU, piv = ag.linalg.lu_factor(ag.tensor(x))
    tLU, tpiv = torch.linalg.lu_factor(torch.tensor(x))
    np.testing.assert_allclose(LU.numpy(), tLU.numpy(), **TOL)
    assert piv.dtype == ag.int32
    np.testing.assert_array_equal(piv.numpy(), tpiv.numpy())
    for ours, theirs in ((ag.linalg.lu(ag.tensor(x)), torch.linalg.lu(torch.tensor(x))),
                         (ag.lu_unpack(LU, piv), torch.lu_unpack(tLU, tpiv))):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)
    W = [RNG.normal(size=tuple(t.shape)) for t in torch.linalg.lu(torch.tensor(x))[1:]]

    def loss(L, v):
        _, lo, up = L.linalg.lu(v)
        return (lo * L.tensor(W[0])).sum() + (up * L.tensor(W[1])).sum()
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss(ag, a).backward()
    loss(torch, t).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)
    assert ag.gradcheck(lambda v: loss(ag, v), (ag.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("left,adjoint", [(True, False), (True, True), (False, False),
                                          (False, True)])
def test_lu_solve_values_and_gradients_match_torch(left, adjoint):
    x = RNG.normal(size=(2, 4, 4)) + 3 * np.eye(4)
    b = RNG.normal(size=(2, 4, 3) if left else (2, 3, 4))

    def solve(L, A, B):
        LU, piv = L.linalg.lu_factor(A)
        return L.linalg.lu_solve(LU, piv, B, left=left, adjoint=adjoint)
    a = [ag.tensor(v, requires_grad=True) for v in (x, b)]
    t = [torch.tensor(v, requires_grad=True) for v in (x, b)]
    oa, ot = solve(ag, *a), solve(torch, *t)
    np.testing.assert_allclose(oa.detach().numpy(), ot.detach().numpy(), **TOL)
    w = RNG.normal(size=tuple(ot.shape))
    (oa * ag.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    for ai, ti in zip(a, t):
        np.testing.assert_allclose(ai.grad.numpy(), ti.grad.numpy(), **TOL)


def test_lu_singular_inputs_match_torch():
    z = np.stack([np.zeros((2, 2)), np.eye(2)])
    ours, theirs = ag.linalg.lu_factor_ex(ag.tensor(z)), torch.linalg.lu_factor_ex(torch.tensor(z))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="is zero"):
        ag.linalg.lu_factor(ag.tensor(z))
    with pytest.raises(RuntimeError, match="is zero"):
        torch.linalg.lu_factor(torch.tensor(z))
    LU, piv, info = ag.lu(ag.tensor(z), get_infos=True)
    np.testing.assert_array_equal(info.numpy(), [1, 0])
