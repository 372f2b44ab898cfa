"""create_graph=True: gradients of gradients for every op, Hessians of small MLPs, and
autograd.grad's arguments and errors, against PyTorch."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import autograd as ag
from autograd import functional as F

# unary / binary ops: (name, lambda on either library, input range)
OPS = [
    ("tanh", lambda x: x.tanh()), ("sigmoid", lambda x: x.sigmoid()),
    ("exp", lambda x: x.exp()), ("log", lambda x: (x.abs() + 0.5).log()),
    ("sqrt", lambda x: (x * x + 1).sqrt()), ("rsqrt", lambda x: (x * x + 1).rsqrt()),
    ("sin", lambda x: x.sin()), ("cos", lambda x: x.cos()), ("pow3", lambda x: x ** 3),
    ("reciprocal", lambda x: (x * x + 1).reciprocal()), ("log1p", lambda x: (x * x).log1p()),
    ("expm1", lambda x: x.expm1()), ("relu_sq", lambda x: x.relu() ** 2),
    ("softmax", lambda x: x.softmax(-1)), ("log_softmax", lambda x: x.log_softmax(-1)),
    ("logsumexp", lambda x: x.logsumexp(-1)), ("var", lambda x: x.var(0)),
    ("std", lambda x: x.std(1)), ("norm", lambda x: x.norm()), ("prod", lambda x: x.prod(1)),
    ("mean", lambda x: (x ** 2).mean(0)), ("cumsum", lambda x: x.cumsum(1) ** 2),
    ("amax", lambda x: x.amax(1) ** 2), ("max_dim", lambda x: x.max(1)[0] ** 2),
    ("matmul", lambda x: (x @ x.T) ** 2), ("transpose", lambda x: x.transpose(0, 1) ** 3),
    ("reshape", lambda x: x.reshape(-1) ** 3), ("getitem", lambda x: x[1:, ::2] ** 3),
    ("index_array", lambda x: x[[0, 0, 2]] ** 3), ("flip", lambda x: x.flip(0) ** 3),
    ("clamp", lambda x: x.clamp(-0.5, 0.5) ** 2), ("abs", lambda x: x.abs() ** 3),
    ("div", lambda x: x / (x * x + 1)), ("square", lambda x: x.square() * x),
    ("where", lambda x: (x > 0).float().double() * x ** 3),
    ("expand", lambda x: x[:, :1].expand(3, 4) ** 3),
    ("unsqueeze", lambda x: x.unsqueeze(0).squeeze(0) ** 3),
]


# ops spelled through the library namespace: fn(lib, x)
LIB_OPS = [
    ("cat", lambda lib, x: lib.cat([x, x * x], 0) ** 2),
    ("stack", lambda lib, x: lib.stack([x, x.exp()], 1) ** 2),
    ("einsum", lambda lib, x: lib.einsum("ij,kj->ik", x, x * x)),
    ("gather", lambda lib, x: x.gather(1, lib.tensor([[0, 3], [1, 1], [2, 0]])) ** 3),
    ("maximum", lambda lib, x: lib.maximum(x, x * x - 0.5) ** 2),
    ("where", lambda lib, x: lib.where(x > 0, x * x, x.exp())),
    ("masked_fill", lambda lib, x: x.masked_fill(x > 0.5, 0.0) ** 3),
    ("outer", lambda lib, x: lib.outer(x[0], x[1] ** 2)),
    ("roll", lambda lib, x: x.roll(1, 1) * x),
    ("tril", lambda lib, x: x[:, :3].tril() ** 3),
    ("repeat", lambda lib, x: x.repeat(2, 1) ** 3),
    ("index_select", lambda lib, x: x.index_select(1, lib.tensor([3, 0, 3])) ** 3),
    ("min_dim", lambda lib, x: x.min(0)[0] ** 3),
]
OPS += [(n, (lambda f: lambda x: f(ag if isinstance(x, ag.Tensor) else torch, x))(f))
        for n, f in LIB_OPS]


@pytest.mark.parametrize("name,fn", OPS, ids=[o[0] for o in OPS])
def test_second_derivative_of_op_matches_torch(name, fn):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 4))
    v = rng.standard_normal(fn(torch.tensor(a)).shape)
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    (g,) = ag.grad((fn(x) * ag.tensor(v)).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad((fn(tx) * torch.tensor(v)).sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    (gg,) = ag.grad((g * g).sum(), x)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-10, atol=1e-12)


def test_third_derivative_of_tanh_matches_torch():
    x = ag.tensor([0.3, -1.2], dtype=ag.float64, requires_grad=True)
    tx = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    outs = []
    for lib, t in ((ag, x), (torch, tx)):
        y = t.tanh().sum()
        for _ in range(3):
            (y,) = lib.autograd.grad(y, t, create_graph=True) if lib is torch else \
                ag.grad(y, t, create_graph=True)
            y = y.sum()
        outs.append(y.item())
    assert abs(outs[0] - outs[1]) < 1e-12


def _mlp(lib, x, w1, b1, w2, b2, w3):
    h = (x @ w1 + b1).tanh()
    h = (h @ w2 + b2).sigmoid()
    z = (h @ w3)
    return z.softmax(-1).sum(0)[0] + z.logsumexp(-1).mean()


def test_mlp_hessian_matches_torch_functional_hessian():
    rng = np.random.default_rng(0)
    shapes = [(2, 3), (3, 4), (4,), (4, 3), (3,), (3, 3)]
    arrays = [rng.standard_normal(s) * 0.7 for s in shapes]
    H = F.hessian(lambda *p: _mlp(ag, *p), tuple(ag.tensor(a) for a in arrays))
    TH = TF.hessian(lambda *p: _mlp(torch, *p), tuple(torch.tensor(a) for a in arrays))
    assert len(H) == len(TH) == 6
    for row, trow in zip(H, TH):
        for h, th in zip(row, trow):
            assert tuple(h.shape) == tuple(th.shape)
            np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-9, atol=1e-11)


def test_mlp_hessian_by_double_backward_matches_torch():
    rng = np.random.default_rng(2)
    w = rng.standard_normal(6)
    x = rng.standard_normal((5, 2))

    def loss(lib, p, xt):
        w1, w2 = p[:4].reshape(2, 2), p[4:].reshape(2, 1)
        return ((xt @ w1).tanh() @ w2).sigmoid().sum()
    p = ag.tensor(w, requires_grad=True)
    (g,) = ag.grad(loss(ag, p, ag.tensor(x)), p, create_graph=True)
    rows = [ag.grad(g[i], p, retain_graph=True)[0].numpy() for i in range(6)]
    TH = TF.hessian(lambda q: loss(torch, q, torch.tensor(x)), torch.tensor(w))
    np.testing.assert_allclose(np.stack(rows), TH.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward")
def test_backward_create_graph_gives_differentiable_grad():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    tx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    for t in (x, tx):
        (t ** 3).sum().backward(create_graph=True)
        assert t.grad.requires_grad
        gx = t.grad
        t.grad = None
        gx.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_grad_unused_input_raises_and_allow_unused_gives_none():
    x = ag.tensor([1.0], requires_grad=True)
    y = ag.tensor([2.0], requires_grad=True)
    tx = torch.tensor([1.0], requires_grad=True)
    ty = torch.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.autograd.grad((tx * 2).sum(), (tx, ty))
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), (x, y))
    gx, gy = ag.grad((x * 2).sum(), (x, y), allow_unused=True)
    assert gy is None and gx.item() == 2.0
    gx, gy = ag.grad((x * 2).sum(), (x, y), materialize_grads=True)
    assert gy.item() == 0.0


def test_grad_input_that_does_not_require_grad_raises_like_torch():
    x = ag.tensor([1.0], requires_grad=True)
    c = ag.tensor([1.0])
    with pytest.raises(RuntimeError):
        torch.autograd.grad((torch.ones(1, requires_grad=True) * 2).sum(), torch.ones(1))
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.grad((x * 2).sum(), c)


def test_grad_output_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError):
        torch.autograd.grad(torch.ones(1).sum(), torch.ones(1, requires_grad=True))
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.grad(ag.ones(1).sum(), ag.ones(1, requires_grad=True))


def test_grad_outputs_weights_and_shape_mismatch():
    a = np.array([1.0, 2.0, 3.0])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    v = np.array([0.5, -1.0, 2.0])
    (g,) = ag.grad(x.exp(), x, ag.tensor(v))
    (tg,) = torch.autograd.grad(tx.exp(), tx, torch.tensor(v))
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError):
        torch.autograd.grad(tx.exp(), tx, torch.ones(2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="shape"):
        ag.grad(x.exp(), x, ag.ones(2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="scalar"):
        ag.grad(x.exp(), x)


def test_grad_retain_graph_and_does_not_touch_dot_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    ag.grad(y, x, retain_graph=True)
    assert x.grad is None
    ag.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        ag.grad(y, x)


def test_grad_with_respect_to_non_leaf():
    a = np.array([0.5, 1.5])
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    h, th = x * 3, tx * 3
    (g,) = ag.grad((h.sin()).sum(), h)
    (tg,) = torch.autograd.grad((th.sin()).sum(), th)
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12)
