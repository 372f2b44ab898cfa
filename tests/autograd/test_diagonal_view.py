"""diagonal() is a view, as in PyTorch: writes through it reach the base, and an
in-place op on it moves the base's gradient history."""
import numpy as np

import autograd as ag
from tests.conftest import requires_torch, torch


def _run(L):
    out = []
    a = L.ones(3, 3)
    a.diagonal().zero_()
    a.diagonal()[:] = 5
    a.diagonal(1).fill_(7)
    out.append(a)
    b = L.arange(24.0).reshape(2, 3, 4)
    d = b.diagonal(-1, 1, 2)
    out.append(d.clone())
    d.mul_(0)
    out.append(b)
    x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    y.diagonal().mul_(10)
    (y * y).sum().backward()
    out += [x.grad.clone(), y.detach()]
    x.grad = None
    (x.diagonal() * L.tensor([2.0, 3.0])).sum().backward()
    out.append(x.grad)
    out += [L.ones(2, 0).diagonal(), L.ones(3, 3).diagonal(5), L.ones(2, 3).diagonal(-1),
            L.arange(6.0).reshape(2, 3).t().diagonal(1)]
    return out


@requires_torch
def test_diagonal_views_match_torch():
    for ours, theirs in zip(_run(ag), _run(torch)):
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def test_diagonal_shares_memory_and_version():
    e = ag.eye(3)
    t = e.diagonal()
    e.add_(1)
    assert t.tolist() == [2.0, 2.0, 2.0] and t._version is e._version
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x: x.diagonal(1) * 2, (x,))
    assert ag.gradgradcheck(lambda x: x.diagonal(-1) ** 2, (x,))
