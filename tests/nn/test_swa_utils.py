"""torch.optim.swa_utils on Ember: AveragedModel (SWA and EMA, with and without buffers),
SWALR's learning rates, update_bn; the same training run on both libraries agrees."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn
from nn.optim import swa_utils


def _run(L, N, optim, swa, arrays, ema, use_buffers, strategy):
    model = N.Sequential(N.Linear(3, 4), N.BatchNorm1d(4), N.ReLU(), N.Linear(4, 1))
    model.load_state_dict({k: L.tensor(v) for k, v in arrays.items()})
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    avg_kw = {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9)} if ema == "multi" else \
        {"avg_fn": swa.get_ema_avg_fn(0.8)} if ema == "single" else {}
    averaged = swa.AveragedModel(model, use_buffers=use_buffers, **avg_kw)
    sched = swa.SWALR(opt, swa_lr=0.02, anneal_epochs=3, anneal_strategy=strategy)
    rng = np.random.default_rng(0)
    xs = [L.tensor(rng.standard_normal((8, 3))) for _ in range(6)]
    lrs = []
    for x in xs:
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        averaged.update_parameters(model)
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    swa.update_bn(xs, averaged)
    sd = {k: v.detach().numpy().copy() for k, v in averaged.state_dict().items()}
    return lrs, sd, averaged(xs[0]).detach().numpy()


@pytest.mark.parametrize("ema", [None, "multi", "single"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_swa_run_matches_torch(ema, use_buffers):
    strategy = "cos" if ema != "single" else "linear"
    rng = np.random.default_rng(1)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                              torch.nn.ReLU(), torch.nn.Linear(4, 1)).double()
    arrays = {k: (rng.standard_normal(tuple(v.shape)) if v.is_floating_point()
                  else v.numpy()) for k, v in ref.state_dict().items()}
    ag.set_default_dtype(ag.float64)
    try:
        ours = _run(ag, nn, nn.optim, swa_utils, arrays, ema, use_buffers, strategy)
    finally:
        ag.set_default_dtype(ag.float32)
    torch.set_default_dtype(torch.float64)
    try:
        theirs = _run(torch, torch.nn, torch.optim, torch.optim.swa_utils, arrays, ema,
                      use_buffers, strategy)
    finally:
        torch.set_default_dtype(torch.float32)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert list(ours[1]) == list(theirs[1])
    for k in ours[1]:
        np.testing.assert_allclose(ours[1][k], theirs[1][k], rtol=1e-9, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-9, atol=1e-12)


def test_swalr_errors_and_state():
    opt = nn.optim.SGD([nn.Linear(2, 2).weight], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, 0.01, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, 0.01, anneal_epochs=-1)
    s = swa_utils.SWALR(opt, 0.01, anneal_epochs=2)
    s.step()
    t = swa_utils.SWALR(opt, 0.01, anneal_epochs=5, anneal_strategy="linear")
    t.load_state_dict(s.state_dict())
    assert t.anneal_epochs == 2 and t.anneal_func is t._cosine_anneal
    with pytest.raises(ValueError, match="decay"):
        swa_utils.get_ema_avg_fn(1.5)
