"""torch.linalg's rest (autograd/linalg.py) against torch: ldl_factor(_ex)/ldl_solve,
vander, tensorinv, tensorsolve, diagonal, matmul; gradients by gradcheck."""
import numpy as np
import pytest

import autograd as A
from autograd import gradcheck
from tests.conftest import requires_torch

pytestmark = requires_torch
L = A.linalg
SYM = np.array([[1.0, 2, 3], [2, 0.5, 1], [3, 1, -2]])


def test_ldl_matches_torch():
    import torch
    LD, piv = L.ldl_factor(A.tensor(SYM))
    tLD, tpiv = torch.linalg.ldl_factor(torch.tensor(SYM))
    np.testing.assert_allclose(LD.numpy(), tLD.numpy(), rtol=1e-12)
    assert piv.tolist() == tpiv.tolist() and piv.dtype == A.int32
    B = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(L.ldl_solve(LD, piv, A.tensor(B)).numpy(),
                               torch.linalg.ldl_solve(tLD, tpiv, torch.tensor(B)).numpy(),
                               rtol=1e-10)
    batch = np.stack([SYM, SYM + np.eye(3)])
    ours, theirs = L.ldl_factor_ex(A.tensor(batch)), torch.linalg.ldl_factor_ex(
        torch.tensor(batch))
    np.testing.assert_allclose(ours.LD.numpy(), theirs.LD.numpy(), rtol=1e-12)
    assert ours.info.tolist() == theirs.info.tolist()
    with pytest.raises(RuntimeError, match="square"):
        L.ldl_factor(A.ones(2, 3))


def test_vander_tensorinv_tensorsolve_diagonal():
    import torch
    x = np.array([1.0, 2.0, 3.0])
    for n in (None, 2, 5):
        np.testing.assert_allclose(L.vander(A.tensor(x), N=n).numpy(),
                                   torch.linalg.vander(torch.tensor(x), N=n).numpy())
    rng = np.random.default_rng(0)
    t4 = rng.standard_normal((4, 6, 8, 3))
    np.testing.assert_allclose(L.tensorinv(A.tensor(t4), ind=2).numpy(),
                               torch.linalg.tensorinv(torch.tensor(t4), ind=2).numpy(),
                               rtol=1e-8, atol=1e-10)
    a, b = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3))
    np.testing.assert_allclose(L.tensorsolve(A.tensor(a), A.tensor(b)).numpy(),
                               torch.linalg.tensorsolve(torch.tensor(a), torch.tensor(b)).numpy(),
                               rtol=1e-8, atol=1e-10)
    a2 = rng.standard_normal((6, 2, 3))
    np.testing.assert_allclose(
        L.tensorsolve(A.tensor(a2), A.tensor(b), dims=(0,)).numpy(),
        torch.linalg.tensorsolve(torch.tensor(a2), torch.tensor(b), dims=(0,)).numpy(),
        rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(L.diagonal(A.tensor(t4)).numpy(),
                               torch.linalg.diagonal(torch.tensor(t4)).numpy())
    assert L.matmul is A.matmul
    with pytest.raises(RuntimeError, match="greater than 1"):
        L.vander(A.tensor(x), N=1)
    with pytest.raises(RuntimeError, match="prod"):
        L.tensorinv(A.ones(2, 3), ind=1)


def test_gradients():
    rng = np.random.default_rng(1)
    x = A.tensor([0.0, 2.0, -1.0], dtype=A.float64, requires_grad=True)
    assert gradcheck(lambda t: L.vander(t, N=4), (x,))
    a = A.tensor(rng.standard_normal((2, 3, 6)), requires_grad=True)
    b = A.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(L.tensorsolve, (a, b))
    m = A.tensor(rng.standard_normal(36), requires_grad=True)
    assert gradcheck(lambda t: L.tensorinv(t.reshape(2, 3, 6)), (m,))
