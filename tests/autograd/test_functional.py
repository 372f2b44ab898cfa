"""autograd.functional against torch.autograd.functional: values and return structures."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import autograd as ag
from autograd import functional as F

RNG = np.random.default_rng(0)
A, B, V = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))


def two_out(a, b):
    return (a.tanh() * b).sum(0), a.exp() * 2


def one_out(a, b):
    return (a.sin() * b).sum(1)


def scalar(a, b=None):
    s = (a.tanh() * (a if b is None else b)).sum()
    return s.exp() if b is None else s.sigmoid()


def _assert_same(ours, theirs):
    """Same nesting of tuples, same shapes, same values."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _assert_same(o, t)
        return
    assert isinstance(ours, ag.Tensor) and isinstance(theirs, torch.Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                               atol=1e-12)


def _ins(lib, *arrays, tuple_=True):
    ts = tuple(lib.tensor(a) for a in arrays)
    return ts if tuple_ else ts[0]


@pytest.mark.parametrize("func,n_in", [(two_out, 2), (one_out, 2),
                                       (lambda a: a.exp(), 1), (lambda a: (a.exp(),), 1)])
@pytest.mark.parametrize("tuple_in", [True, False])
def test_jacobian_structure_and_values_match_torch(func, n_in, tuple_in):
    if n_in == 2 and not tuple_in:
        pytest.skip("two inputs need a tuple")
    arrays = (A, B)[:n_in]
    _assert_same(F.jacobian(func, _ins(ag, *arrays, tuple_=tuple_in)),
                 TF.jacobian(func, _ins(torch, *arrays, tuple_=tuple_in)))


def test_jacobian_vectorize_and_strategy_accepted_like_torch():
    ours = F.jacobian(one_out, _ins(ag, A, B), vectorize=True, strategy="forward-mode")
    theirs = TF.jacobian(one_out, _ins(torch, A, B), vectorize=True, strategy="forward-mode")
    _assert_same(ours, tuple(theirs))  # torch's forward-mode path returns a list here
    for mod, ins in ((F, _ins(ag, A, B)), (TF, _ins(torch, A, B))):
        with pytest.raises(NotImplementedError):
            mod.jacobian(one_out, ins, strategy="forward-mode")


def test_jacobian_create_graph_differentiates_again():
    x = ag.tensor(A, requires_grad=True)
    tx = torch.tensor(A, requires_grad=True)
    j = F.jacobian(lambda a: a.tanh().sum(0), x, create_graph=True)
    tj = TF.jacobian(lambda a: a.tanh().sum(0), tx, create_graph=True)
    assert j.requires_grad and tj.requires_grad
    (j ** 2).sum().backward()
    (tj ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("tuple_in", [True, False])
def test_hessian_matches_torch(tuple_in):
    if tuple_in:
        _assert_same(F.hessian(scalar, _ins(ag, A, B)), TF.hessian(scalar, _ins(torch, A, B)))
    else:
        _assert_same(F.hessian(scalar, ag.tensor(A)), TF.hessian(scalar, torch.tensor(A)))


def test_hessian_rejects_non_scalar_like_torch():
    for mod, lib in ((F, ag), (TF, torch)):
        with pytest.raises(RuntimeError):
            mod.hessian(lambda a: a.exp(), lib.tensor(A))


def test_vjp_matches_torch():
    _assert_same(F.vjp(two_out, _ins(ag, A, B), (ag.tensor(B[0]), ag.tensor(V))),
                 TF.vjp(two_out, _ins(torch, A, B), (torch.tensor(B[0]), torch.tensor(V))))
    _assert_same(F.vjp(lambda a: a.exp().sum(), ag.tensor(A)),
                 TF.vjp(lambda a: a.exp().sum(), torch.tensor(A)))


def test_vjp_unused_input_gives_zeros_and_strict_raises():
    def f(a, b):
        return a * 2
    _assert_same(F.vjp(f, _ins(ag, A, B), ag.tensor(V)),
                 TF.vjp(f, _ins(torch, A, B), torch.tensor(V)))
    for mod, lib in ((F, ag), (TF, torch)):
        with pytest.raises(RuntimeError):
            mod.vjp(f, _ins(lib, A, B), lib.tensor(V), strict=True)


def test_jvp_matches_torch():
    _assert_same(F.jvp(two_out, _ins(ag, A, B), (ag.tensor(V), ag.tensor(A))),
                 TF.jvp(two_out, _ins(torch, A, B), (torch.tensor(V), torch.tensor(A))))
    _assert_same(F.jvp(lambda a: a.sin(), ag.tensor(A), ag.tensor(V)),
                 TF.jvp(lambda a: a.sin(), torch.tensor(A), torch.tensor(V)))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hvp_vhp_match_torch(name):
    ours, theirs = getattr(F, name), getattr(TF, name)
    _assert_same(ours(scalar, _ins(ag, A, B), (ag.tensor(V), ag.tensor(A))),
                 theirs(scalar, _ins(torch, A, B), (torch.tensor(V), torch.tensor(A))))
    _assert_same(ours(scalar, ag.tensor(A), ag.tensor(V)),
                 theirs(scalar, torch.tensor(A), torch.tensor(V)))


def test_bad_v_and_bad_inputs_raise_like_torch():
    for mod, lib in ((F, ag), (TF, torch)):
        with pytest.raises(RuntimeError):
            mod.vjp(lambda a: a.exp(), lib.tensor(A), lib.tensor(B[0]))
        with pytest.raises(RuntimeError):
            mod.vjp(lambda a: a.exp(), lib.tensor(A))  # v=None needs a 1-element output
        with pytest.raises(TypeError):
            mod.jacobian(lambda a: a.exp(), (lib.tensor(A), 3))


def test_results_do_not_require_grad_without_create_graph():
    out, g = F.vjp(lambda a: a.exp().sum(), ag.tensor(A, requires_grad=True))
    assert not out.requires_grad and not g.requires_grad
