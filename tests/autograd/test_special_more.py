"""torch.special's long tail (autograd/ops/special_more.py) against torch: values,
gradients (gradcheck in float64), no-gradient families, errors."""
import numpy as np
import pytest

import autograd as A
import autograd.special as S
from autograd import gradcheck
from tests.conftest import requires_torch

pytestmark = requires_torch
XS = np.array([-2.5, -0.7, 0.0, 0.3, 1.2, 4.0])
POS = np.abs(XS) + 0.1
TOL = 1e-6  # float64; torch's own airy_ai differs from Cephes' by ~2e-7 relative

UNARY = [("airy_ai", XS), ("bessel_j0", XS), ("bessel_j1", XS), ("bessel_y0", POS),
         ("bessel_y1", POS), ("erfcx", XS), ("i0e", XS), ("i1e", XS), ("log_ndtr", XS),
         ("modified_bessel_i0", XS), ("modified_bessel_i1", XS), ("modified_bessel_k0", POS),
         ("modified_bessel_k1", POS), ("scaled_modified_bessel_k0", POS),
         ("scaled_modified_bessel_k1", POS), ("spherical_bessel_j0", XS),
         ("ndtri", np.array([0.05, 0.5, 0.93]))]
POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name,x", UNARY)
def test_unary_matches_torch(name, x):
    import torch
    want = getattr(torch.special, name)(torch.tensor(x)).numpy()
    got = getattr(S, name)(A.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    got32 = getattr(S, name)(A.tensor(x, dtype=A.float32))
    assert got32.dtype == A.float32


@pytest.mark.parametrize("name", POLYS)
def test_polynomials_match_torch(name):
    import torch
    x = XS / 3
    for n in (0, 1, 2, 5, 9, -1):
        want = getattr(torch.special, name)(torch.tensor(x), n).numpy()
        np.testing.assert_allclose(getattr(S, name)(A.tensor(x), n).numpy(), want,
                                   rtol=1e-9, atol=1e-9)
    nt = np.array([0, 1, 2, 3, 7, 12])
    want = getattr(torch.special, name)(torch.tensor(x), torch.tensor(nt)).numpy()
    got = getattr(S, name)(A.tensor(x), A.tensor(nt)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_no_gradient_families_give_plain_results():
    x = A.tensor([0.3, 1.2], dtype=A.float64, requires_grad=True)
    assert not S.bessel_j0(x).requires_grad
    assert not S.chebyshev_polynomial_t(x, 3).requires_grad


@pytest.mark.parametrize("name", ["erfcx", "i0e", "i1e", "log_ndtr"])
def test_gradcheck_unary(name):
    x = A.tensor([-1.3, 0.0, 0.4, 2.2], dtype=A.float64, requires_grad=True)
    if name != "i1e":
        x = A.tensor([-1.3, 0.4, 2.2], dtype=A.float64, requires_grad=True)
    assert gradcheck(getattr(S, name), (x,))


def test_gradients_match_torch_and_gradcheck_binary():
    import torch
    p = np.array([0.2, 0.6, 0.9])
    a = np.array([0.5, 1.0, 3.0])
    pp = A.tensor(p, dtype=A.float64, requires_grad=True)
    aa = A.tensor(a, dtype=A.float64)
    assert gradcheck(S.ndtri, (pp,))
    for name in ("gammainc", "gammaincc"):
        assert gradcheck(lambda t, n=name: getattr(S, n)(aa, t), (pp,))
        tp = torch.tensor(p, requires_grad=True)
        getattr(torch.special, name)(torch.tensor(a), tp).sum().backward()
        ep = A.tensor(p, dtype=A.float64, requires_grad=True)
        getattr(S, name)(aa, ep).sum().backward()
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-8)
        np.testing.assert_allclose(getattr(S, name)(aa, ep).detach().numpy(),
                                   getattr(torch.special, name)(torch.tensor(a),
                                                                torch.tensor(p)).numpy())
    assert gradcheck(lambda t: S.zeta(aa + 1.5, t), (pp,))
    np.testing.assert_allclose(S.zeta(aa + 1.5, pp).detach().numpy(),
                               torch.special.zeta(torch.tensor(a + 1.5),
                                                  torch.tensor(p)).numpy(), rtol=1e-10)
    assert gradcheck(lambda t: S.multigammaln(t + 2, 3), (pp,))
    np.testing.assert_allclose(S.multigammaln(pp + 2, 3).detach().numpy(),
                               torch.special.multigammaln(torch.tensor(p + 2), 3).numpy())


def test_errors_as_torch():
    x = A.tensor([0.5, 1.0], dtype=A.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for 'igamma: input'"):
        S.gammainc(x, A.tensor([1.0, 2.0], dtype=A.float64)).sum().backward()
    with pytest.raises(RuntimeError, match="derivative for 'zeta"):
        S.zeta(x + 2, A.tensor([1.0, 2.0], dtype=A.float64)).sum().backward()
    with pytest.raises(RuntimeError, match="greater than"):
        S.multigammaln(A.tensor([0.2]), 3)
    with pytest.raises(TypeError):
        S.erfcx([1.0])
    assert S.Tensor is A.Tensor
