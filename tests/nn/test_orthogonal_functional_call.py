"""nn.utils.parametrizations.orthogonal and functional_call (autograd.func,
nn.utils.stateless) against PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd.func import functional_call
from nn.utils import parametrizations as P
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-9, atol=1e-11)  # float64, matrices of size <= 6


def _pair(w):
    ma, mt = nn.Module(), torch.nn.Module()
    ma.weight = nn.Parameter(ag.tensor(w))
    mt.weight = torch.nn.Parameter(torch.tensor(w))
    return ma, mt


# (shape, map, use_trivialization, gradients comparable): a non-square weight with
# trivialization gets a base completed with random columns, which only the gradient sees
ORTH = [((4, 4), None, True, True), ((4, 4), "cayley", True, True),
        ((2, 3, 3), None, True, True), ((6, 3), None, True, False),
        ((3, 6), None, True, False), ((6, 3), "matrix_exp", True, False),
        ((5, 5), "householder", True, True), ((6, 3), "householder", False, True),
        ((3, 6), "householder", False, True), ((4, 4), "householder", False, True)]


@pytest.mark.parametrize("shape,omap,triv,grads", ORTH)
def test_orthogonal_matches_torch(shape, omap, triv, grads):
    w = RNG.normal(size=shape)
    ma, mt = _pair(w)
    P.orthogonal(ma, orthogonal_map=omap, use_trivialization=triv)
    torch.nn.utils.parametrizations.orthogonal(mt, orthogonal_map=omap,
                                               use_trivialization=triv)
    Wa, Wt = ma.weight, mt.weight
    n, k = shape[-2:]
    gram = (Wa.mT @ Wa if n >= k else Wa @ Wa.mT).detach().numpy()
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(min(n, k)), gram.shape), **TOL)
    np.testing.assert_allclose(Wa.detach().numpy(), Wt.detach().numpy(), **TOL)
    assert sorted(ma.state_dict()) == sorted(mt.state_dict())
    g = RNG.normal(size=shape)
    (Wa * ag.tensor(g)).sum().backward()
    (Wt * torch.tensor(g)).sum().backward()
    if grads:
        np.testing.assert_allclose(ma.parametrizations.weight.original.grad.numpy(),
                                   mt.parametrizations.weight.original.grad.numpy(), **TOL)


def test_orthogonal_stays_orthogonal_while_training_and_accepts_assignment():
    lin = nn.Linear(5, 3).double()
    P.orthogonal(lin)
    opt = nn.optim.SGD(lin.parameters(), lr=0.1)
    x = ag.tensor(RNG.normal(size=(8, 5)))
    for _ in range(5):
        opt.zero_grad()
        lin(x).pow(2).sum().backward()
        opt.step()
    W = lin.weight.detach().numpy()
    np.testing.assert_allclose(W @ W.T, np.eye(3), **TOL)
    q = np.linalg.qr(RNG.normal(size=(5, 3)))[0].T
    lin.weight = ag.tensor(q)
    np.testing.assert_allclose(lin.weight.detach().numpy(), q, **TOL)


def test_orthogonal_errors_match_torch():
    for lib, mod in ((P, nn), (torch.nn.utils.parametrizations, torch.nn)):
        with pytest.raises(ValueError, match="orthogonal_map"):
            lib.orthogonal(mod.Linear(3, 3), orthogonal_map="bogus")
        with pytest.raises(ValueError, match="matrix"):
            lib.orthogonal(mod.BatchNorm1d(3))
        with pytest.raises(ValueError, match="no parameter"):
            lib.orthogonal(mod.Linear(3, 3), name="nope")
        m = lib.orthogonal(mod.Linear(3, 3), orthogonal_map="cayley",
                           use_trivialization=False)
        with pytest.raises(NotImplementedError):
            m.weight = m.weight.detach()


# ----------------------------------------------------------------------------- functional_call
def _nets():
    def build(mod):
        class Net(mod.Module):
            def __init__(self):
                super().__init__()
                self.l1, self.bn = mod.Linear(3, 4), mod.BatchNorm1d(4)
                self.l2, self.l3 = mod.Linear(4, 4), mod.Linear(4, 4)
                self.l3.weight = self.l2.weight  # tied

            def forward(self, x, scale=1.0):
                return self.l3(self.l2(self.bn(self.l1(x)))) * scale
        return Net().double()
    na, nt = build(nn), build(torch.nn)
    nt.load_state_dict({k: torch.tensor(v.numpy()) for k, v in na.state_dict().items()})
    return na, nt


def test_functional_call_matches_torch_and_restores_the_module():
    na, nt = _nets()
    x, w = RNG.normal(size=(5, 3)), RNG.normal(size=(4, 4))
    before = {k: v.numpy().copy() for k, v in na.state_dict().items()}
    pa = {"l2.weight": ag.tensor(w, requires_grad=True)}
    pt = {"l2.weight": torch.tensor(w, requires_grad=True)}
    buffers = ({"bn.running_mean": ag.zeros(4, dtype=ag.float64)},
               {"bn.running_mean": torch.zeros(4, dtype=torch.float64)})
    oa = functional_call(na, (pa, buffers[0]), ag.tensor(x), {"scale": 2.0})
    ot = torch.func.functional_call(nt, (pt, buffers[1]), torch.tensor(x), {"scale": 2.0})
    np.testing.assert_allclose(oa.detach().numpy(), ot.detach().numpy(), **TOL)
    oa.sum().backward()
    ot.sum().backward()
    np.testing.assert_allclose(pa["l2.weight"].grad.numpy(), pt["l2.weight"].grad.numpy(),
                               **TOL)
    assert na.l2.weight.grad is None and na.l3.weight is na.l2.weight
    assert isinstance(na.l2.weight, nn.Parameter)
    # the running statistics updated during the call went into the given buffer
    np.testing.assert_allclose(buffers[0]["bn.running_mean"].numpy(),
                               buffers[1]["bn.running_mean"].numpy(), **TOL)
    # the module's own tensors are back (the ones not replaced updated as in torch)
    np.testing.assert_array_equal(na.l2.weight.detach().numpy(), before["l2.weight"])
    np.testing.assert_array_equal(na.bn.running_mean.numpy(), before["bn.running_mean"])
    for k, v in nt.state_dict().items():
        np.testing.assert_allclose(na.state_dict()[k].numpy(), v.numpy(), **TOL)
    assert nn.utils.stateless.functional_call is functional_call
    assert ag.func.functional_call is functional_call


def test_functional_call_untied_and_errors_match_torch():
    na, nt = _nets()
    x = RNG.normal(size=(2, 3))
    two = ({"l2.weight": ag.zeros(4, 4, dtype=ag.float64),
            "l3.weight": ag.ones(4, 4, dtype=ag.float64)},
           {"l2.weight": torch.zeros(4, 4, dtype=torch.float64),
            "l3.weight": torch.ones(4, 4, dtype=torch.float64)})
    with pytest.raises(ValueError, match="tied"):
        functional_call(na, two[0], (ag.tensor(x),))
    with pytest.raises(ValueError, match="tied"):
        torch.func.functional_call(nt, two[1], (torch.tensor(x),))
    na.eval()
    nt.eval()
    oa = functional_call(na, two[0], (ag.tensor(x),), tie_weights=False)
    ot = torch.func.functional_call(nt, two[1], (torch.tensor(x),), tie_weights=False)
    np.testing.assert_allclose(oa.detach().numpy(), ot.detach().numpy(), **TOL)
    for f, net, p in ((functional_call, na, two[0]), (torch.func.functional_call, nt, two[1])):
        with pytest.raises(RuntimeError, match="Missing key"):
            f(net, p, (x,), strict=True, tie_weights=False)
        with pytest.raises(ValueError, match="multiple dictionaries"):
            f(net, (p, p), (x,))
