"""autograd.fft against torch.fft (values, dtypes, gradients through real-valued losses,
float64 gradcheck, errors) and complex tensors (parts, views, conjugate Wirtinger
gradients of arithmetic)."""
import numpy as np
import pytest

import autograd as ag
import autograd.fft as F
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
RNG = np.random.default_rng(0)
# float64 transforms of size <= 16: rounding of O(n log n) sums of O(1) terms
TOL = dict(rtol=1e-10, atol=1e-12)

REAL_IN = [("fft", {}), ("fft", dict(n=9, norm="ortho")), ("ifft", dict(n=4)),
           ("ifft", dict(dim=0, norm="forward")), ("rfft", {}),
           ("rfft", dict(n=5, norm="ortho")), ("rfft", dict(n=11, dim=0)),
           ("ihfft", dict(norm="forward")), ("fft2", {}), ("ifft2", dict(s=(3, 8))),
           ("fftn", dict(s=(3, 9))), ("fftn", dict(dim=(0,), norm="ortho")),
           ("rfft2", dict(dim=(1, 0))), ("rfftn", dict(norm="forward")),
           ("rfftn", dict(s=(5, 7))), ("ihfft2", {}), ("ihfftn", dict(s=(3, 5)))]
COMPLEX_IN = [("fft", {}), ("ifft", dict(norm="ortho")), ("irfft", {}),
              ("irfft", dict(n=7)), ("irfft", dict(n=3, norm="forward")),
              ("hfft", {}), ("hfft", dict(n=6, norm="ortho")), ("irfft2", {}),
              ("irfft2", dict(s=(5, 8))), ("irfftn", dict(dim=(0,))),
              ("irfftn", dict(s=(4, 6), norm="ortho")), ("hfft2", dict(s=(3, 7))),
              ("hfftn", {}), ("ifftn", {}), ("fftn", dict(norm="forward"))]


def _as_real(lib, out):
    if out.is_complex():
        return lib.view_as_real(out.resolve_conj() if lib is torch else out)
    return out


def _run(lib, name, kw, x, complex_input):
    t = lib.view_as_complex(x) if complex_input else x
    return _as_real(lib, getattr(lib.fft, name)(t, **kw))


@pytest.mark.parametrize("name,kw,complex_input",
                         [(n, k, False) for n, k in REAL_IN] +
                         [(n, k, True) for n, k in COMPLEX_IN])
def test_fft_values_and_gradients_match_torch(name, kw, complex_input):
    x = RNG.normal(size=(4, 6, 2) if complex_input else (4, 6))
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    oa, ot = _run(ag, name, kw, a, complex_input), _run(torch, name, kw, t, complex_input)
    assert tuple(oa.shape) == tuple(ot.shape)
    np.testing.assert_allclose(oa.detach().numpy(), ot.detach().numpy(), **TOL)
    w = RNG.normal(size=tuple(ot.shape))
    (oa * ag.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)


@pytest.mark.parametrize("name,kw,complex_input",
                         [("rfft", dict(n=5), False), ("fft2", dict(norm="ortho"), False),
                          ("rfftn", dict(s=(3, 7)), False), ("ihfft", {}, False),
                          ("irfft", dict(n=9), True), ("irfftn", {}, True),
                          ("hfft", dict(norm="forward"), True), ("ifftn", {}, True)])
def test_fft_gradcheck_float64(name, kw, complex_input):
    x = ag.tensor(RNG.normal(size=(3, 5, 2) if complex_input else (3, 5)),
                  requires_grad=True)
    assert ag.gradcheck(lambda v: _run(ag, name, kw, v, complex_input), (x,))


def test_fft_second_derivative_matches_torch():
    x = RNG.normal(size=6)
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ga, = ag.autograd.grad(ag.fft.rfft(a).abs().pow(3).sum(), a, create_graph=True)
    gt, = torch.autograd.grad(torch.fft.rfft(t).abs().pow(3).sum(), t, create_graph=True)
    ga.pow(2).sum().backward()
    gt.pow(2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9)


def test_fft_dtypes_follow_torch():
    x32 = np.ones((2, 4), np.float32)
    assert F.fft(ag.tensor(x32)).dtype == ag.complex64
    assert F.rfft(ag.tensor(x32)).dtype == ag.complex64
    assert F.irfft(F.rfft(ag.tensor(x32))).dtype == ag.float32
    assert F.fft(ag.tensor(x32.astype(np.float64))).dtype == ag.complex128
    assert F.fft(ag.arange(4)).dtype == ag.complex64  # integers: the default float first


def test_fft_helpers_match_torch():
    for n, d in [(5, 1.0), (8, 0.25)]:
        np.testing.assert_allclose(F.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy())
        np.testing.assert_allclose(F.rfftfreq(n, d).numpy(), torch.fft.rfftfreq(n, d).numpy())
    assert F.fftfreq(4, dtype=ag.float64).dtype == ag.float64
    x = np.arange(30).reshape(5, 6)
    for dim in (None, 0, (1,), (0, 1)):
        np.testing.assert_array_equal(F.fftshift(ag.tensor(x), dim).numpy(),
                                      torch.fft.fftshift(torch.tensor(x), dim).numpy())
        np.testing.assert_array_equal(F.ifftshift(ag.tensor(x), dim).numpy(),
                                      torch.fft.ifftshift(torch.tensor(x), dim).numpy())


@pytest.mark.parametrize("call,error", [
    (lambda L, x: L.fft.fft(x, norm="bogus"), RuntimeError),
    (lambda L, x: L.fft.fft(x, n=0), RuntimeError),
    (lambda L, x: L.fft.rfft(L.fft.fft(x)), RuntimeError),
    (lambda L, x: L.fft.fftn(x, s=(3, 3), dim=(0,)), RuntimeError),
    (lambda L, x: L.fft.fft2(x, dim=(0, 0)), RuntimeError),
    (lambda L, x: L.fft.fft(x, dim=3), IndexError),
])
def test_fft_errors_match_torch(call, error):
    x = np.ones((4, 4))
    with pytest.raises(error):
        call(torch, torch.tensor(x))
    with pytest.raises(error):
        call(ag, ag.tensor(x))


# ----------------------------------------------------------------------------- complex
def _vc(lib, t):
    return lib.view_as_complex(t)


COMPLEX_LOSSES = [
    ("mul", lambda L, x, y: L.view_as_real(_vc(L, x) * _vc(L, y)).pow(2).sum()),
    ("div", lambda L, x, y: L.view_as_real(_vc(L, x) / _vc(L, y)).pow(2).sum()),
    ("mul_real", lambda L, x, y: L.view_as_real(_vc(L, x) * y[..., 0]).pow(2).sum()),
    ("add_sub", lambda L, x, y: L.view_as_real(_vc(L, x) - _vc(L, y) + 1.5).pow(2).sum()),
    ("matmul", lambda L, x, y: L.view_as_real(_vc(L, x) @ _vc(L, y).mT).pow(2).sum()),
    ("abs", lambda L, x, y: (_vc(L, x) * _vc(L, y)).abs().sum()),
    ("exp", lambda L, x, y: L.view_as_real(_vc(L, x).exp()).pow(2).sum()),
    ("conj", lambda L, x, y: (_vc(L, x).conj() * _vc(L, y)).imag.sum()),
    ("real_imag", lambda L, x, y: (_vc(L, x).real * _vc(L, y).imag).sum()),
    ("angle", lambda L, x, y: _vc(L, x).angle().sum()),
    ("complex", lambda L, x, y: L.view_as_real(L.complex(x[..., 0], y[..., 1]) ** 2).sum()),
    ("polar", lambda L, x, y: L.view_as_real(L.polar(x[..., 0].exp(), y[..., 1])).sum()),
    ("sum", lambda L, x, y: L.view_as_real(_vc(L, x).sum(0) * _vc(L, y)[0]).pow(2).sum()),
]


@pytest.mark.parametrize("name,loss", COMPLEX_LOSSES, ids=[c[0] for c in COMPLEX_LOSSES])
def test_complex_gradients_follow_torch_convention(name, loss):
    x, y = RNG.normal(size=(3, 3, 2)), RNG.normal(size=(3, 3, 2))
    a = [ag.tensor(v, requires_grad=True) for v in (x, y)]
    t = [torch.tensor(v, requires_grad=True) for v in (x, y)]
    la, lt = loss(ag, *a), loss(torch, *t)
    np.testing.assert_allclose(la.item(), lt.item(), rtol=1e-12)
    la.backward()
    lt.backward()
    for ai, ti in zip(a, t):
        assert (ai.grad is None) == (ti.grad is None)
        if ti.grad is not None:
            np.testing.assert_allclose(ai.grad.numpy(), ti.grad.numpy(), rtol=1e-10,
                                       atol=1e-12)
    assert ag.gradcheck(lambda u, v: loss(ag, u, v),
                        tuple(ag.tensor(v, requires_grad=True) for v in (x, y)))


def test_complex_tensor_surface():
    z = ag.tensor(np.array([1 + 2j, -3 - 0.5j]))
    assert z.dtype == ag.complex128 and z.is_complex() and ag.is_complex(z)
    assert ag.complex64 is ag.cfloat and ag.complex128 is ag.cdouble
    np.testing.assert_array_equal(z.real.numpy(), [1, -3])
    np.testing.assert_array_equal(z.imag.numpy(), [2, -0.5])
    np.testing.assert_array_equal(z.conj().numpy(), [1 - 2j, -3 + 0.5j])
    np.testing.assert_allclose(z.angle().numpy(), np.angle([1 + 2j, -3 - 0.5j]))
    np.testing.assert_array_equal(ag.view_as_real(z).numpy(), [[1, 2], [-3, -0.5]])
    assert ag.real(ag.ones(2)).dtype == ag.float32
    with pytest.raises(RuntimeError, match="imag"):
        ag.ones(2).imag
    with pytest.raises(RuntimeError, match="view_as_real"):
        ag.view_as_real(ag.ones(2))
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        ag.view_as_complex(ag.ones(3))
    with pytest.raises(RuntimeError):
        torch.view_as_complex(torch.ones(3))


@pytest.mark.parametrize("fn", [lambda x: x / 2.0, lambda x: x / (1 + 1j), lambda x: x * (2 - 3j),
                                lambda x: (1 + 2j) * x, lambda x: (1 - 1j) / x,
                                lambda x: x + 1j, lambda x: 1j - x],
                         ids=["div-real", "div-complex", "mul", "rmul", "rdiv", "add", "rsub"])
@pytest.mark.parametrize("real_input", [False, True])
def test_python_complex_scalars_match_torch(fn, real_input):
    # Python numbers, complex included, combine with complex (and real) tensors as in
    # PyTorch: the result dtype, values and the conjugate-derivative gradients
    a = np.array([1.0, 3.0]) if real_input else np.array([1 + 2j, 3 - 1j])
    x, xt = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    r, rt = fn(x), fn(xt)
    assert str(r.dtype) == str(rt.dtype)
    np.testing.assert_allclose(r.detach().numpy(), rt.detach().numpy(), rtol=1e-14)
    r.abs().sum().backward()
    rt.abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-13)
