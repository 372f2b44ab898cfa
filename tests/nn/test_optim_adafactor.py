"""Adafactor against torch.optim.Adafactor: parameters and state after several steps
(matrices, vectors, weight decay, maximize, a given eps1), state-dict layout, errors."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _train(L, optim_cls, arrays, steps=6, **kw):
    params = [L.tensor(a, requires_grad=True) for a in arrays]
    opt = optim_cls(params, **kw)
    for i in range(steps):
        loss = sum(((p * (i + 1)).sin() * p).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return params, opt


@pytest.mark.parametrize("kw", [{}, {"weight_decay": 0.1, "lr": 0.05},
                                {"maximize": True, "eps": (1e-20, 1e-3), "d": 2.0},
                                {"beta2_decay": -0.5}])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adafactor_matches_torch(kw, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(4, 3), (5,), (2, 3, 2)]]
    ours, oopt = _train(ag, nn.optim.Adafactor, arrays, **kw)
    theirs, topt = _train(torch, torch.optim.Adafactor, arrays, **kw)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
    osd, tsd = oopt.state_dict(), topt.state_dict()
    for i in tsd["state"]:
        assert sorted(osd["state"][i]) == sorted(tsd["state"][i])
        for k, v in tsd["state"][i].items():
            np.testing.assert_allclose(osd["state"][i][k].numpy(), v.numpy(), rtol=tol * 10,
                                       atol=tol)
    assert {k: v for k, v in osd["param_groups"][0].items() if k != "params"} == \
        {k: v for k, v in tsd["param_groups"][0].items() if k != "params"}


def test_adafactor_errors():
    p = [ag.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="beta2_decay"):
        nn.optim.Adafactor(p, beta2_decay=0.5)
    with pytest.raises(ValueError, match="Learning rate"):
        nn.optim.Adafactor(p, lr=-1)
    with pytest.raises(ValueError, match="epsilon2"):
        nn.optim.Adafactor(p, eps=(None, -1))
