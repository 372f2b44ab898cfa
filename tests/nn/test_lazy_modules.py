"""Lazy modules: shapes inferred on the first call, then the ordinary layer (class, shapes,
state_dict keys, outputs), as in PyTorch; loading a checkpoint materialises them."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn

CASES = [
    ("LazyLinear", (3,), (2, 5)),
    ("LazyConv1d", (4, 3), (2, 3, 8)),
    ("LazyConv2d", (4, 3), (2, 3, 6, 6)),
    ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), (2, 3, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), (1, 3, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (4, 5)),
    ("LazyBatchNorm2d", (), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 6)),
    ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,shape", CASES)
def test_lazy_becomes_the_layer(name, args, shape):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours(ag.tensor(x))
    theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__
    assert not any(isinstance(t, nn.UninitializedParameter) for t in ours.parameters())
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd)
    for k, v in ours.state_dict().items():
        assert tuple(v.shape) == tuple(sd[k].shape), k
        assert type(getattr(ours, k)) is (ag.Parameter if k in dict(ours.named_parameters())
                                          else ag.Tensor)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in sd.items()})
    ours.eval(), theirs.eval()
    tol = 1e-5
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=tol, atol=tol)


def test_lazy_load_state_dict_materialises_and_uninitialized_types():
    m = nn.LazyLinear(3)
    assert isinstance(m.weight, nn.UninitializedParameter)
    m.load_state_dict(nn.Linear(4, 3).state_dict())
    assert type(m) is nn.Linear and m.weight.shape == (3, 4) and m.in_features == 0 or \
        m.weight.shape == (3, 4)
    p = nn.UninitializedParameter()
    p.materialize((2, 3))
    assert type(p) is ag.Parameter and p.shape == (2, 3) and p.requires_grad
    b = nn.UninitializedBuffer()
    b.materialize(4)
    assert type(b) is ag.Tensor and b.shape == (4,)
    seq = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
    out = seq(ag.randn(3, 7))
    out.sum().backward()
    assert seq[0].weight.grad.shape == (4, 7) and seq[2].weight.shape == (1, 4)
