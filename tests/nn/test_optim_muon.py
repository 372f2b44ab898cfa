"""Muon against torch.optim.Muon. Its Newton-Schulz iteration runs in bfloat16 on both
sides, where the two libraries round matrix products differently, so parameters agree to
a bfloat16-sized fraction of each step (lr * 2^-5), and the orthogonalised update is
checked against the exact polar factor's singular values."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn
from nn.optim.muon import _zeropower_via_newtonschulz


@pytest.mark.parametrize("kw", [{}, {"nesterov": False, "adjust_lr_fn": "match_rms_adamw"},
                                {"weight_decay": 0.0, "momentum": 0.5}])
def test_muon_matches_torch(kw):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(6, 4), (3, 5)]]
    lr, steps = 0.02, 4
    out = []
    for L, cls in [(ag, nn.optim.Muon), (torch, torch.optim.Muon)]:
        params = [L.tensor(a, requires_grad=True) for a in arrays]
        opt = cls(params, lr=lr, **kw)
        for i in range(steps):
            loss = sum(((p * (i + 1)).sin() * p).sum() for p in params)
            opt.zero_grad()
            loss.backward()
            opt.step()
        out.append([p.detach().numpy() for p in params])
        assert list(opt.state_dict()["state"][0]) == ["momentum_buffer"]
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, atol=steps * lr * 2 ** -5 * 1.5)


def test_newton_schulz_orthogonalises():
    g = ag.tensor(np.random.default_rng(1).standard_normal((8, 5)).astype(np.float32))
    o = _zeropower_via_newtonschulz(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
    s = np.linalg.svd(o.float().numpy(), compute_uv=False)
    assert o.dtype == ag.bfloat16 and o.shape == (8, 5)
    assert s.min() > 0.5 and s.max() < 1.5  # PyTorch's documented range


def test_muon_errors():
    with pytest.raises(ValueError, match="2D parameters"):
        nn.optim.Muon([ag.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError, match="Adjust learning rate"):
        nn.optim.Muon([ag.zeros(2, 2, requires_grad=True)], adjust_lr_fn="x")
