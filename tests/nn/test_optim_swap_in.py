"""swap_in_optimizer_params_and_state against PyTorch: a step inside the block updates the
swapped-in parameters and state tensors in place and leaves the live ones untouched."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _run(L, Adam, swap, arrays):
    live = [L.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = Adam([{"params": live[:1]}, {"params": live[1:], "lr": 0.05}], lr=0.1)
    for p in live:
        p.grad = L.tensor(np.ones_like(p.detach().numpy()))
    opt.step()
    osd = opt.state_dict()
    osd = {"state": {i: {k: v.clone() for k, v in s.items()} for i, s in osd["state"].items()},
           "param_groups": [dict(g) for g in osd["param_groups"]]}
    osd["param_groups"][1]["lr"] = 0.5
    other = {f"p{i}": L.tensor(a * 2, requires_grad=True) for i, a in enumerate(arrays)}
    for p in other.values():
        p.grad = L.tensor(np.full(p.shape, 3.0))
    before_live = [p.detach().numpy().copy() for p in live]
    with swap(opt, other, osd):
        opt.step()
        assert opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["lr"] == 0.05 and opt.param_groups[0]["params"][0] is live[0]
    for p, b in zip(live, before_live):
        assert (p.detach().numpy() == b).all()
    return ([p.detach().numpy() for p in other.values()],
            [osd["state"][i]["exp_avg_sq"].numpy() for i in sorted(osd["state"])])


def test_swap_in_matches_torch():
    arrays = [np.arange(4.0).reshape(2, 2), np.array([1.0, -1.0])]
    ours = _run(ag, nn.optim.Adam, nn.optim.swap_in_optimizer_params_and_state, arrays)
    theirs = _run(torch, torch.optim.Adam, torch.optim.swap_in_optimizer_params_and_state,
                  arrays)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_swap_in_errors():
    p = ag.zeros(2, requires_grad=True)
    opt = nn.optim.SGD([p], lr=0.1, momentum=0.9)
    with pytest.raises(RuntimeError, match="initialized"):
        with nn.optim.swap_in_optimizer_params_and_state(opt, {"p": p}, opt.state_dict()):
            pass
    p.grad = ag.ones(2)
    opt.step()
    bad = opt.state_dict()
    bad["state"][5] = {}
    with pytest.raises(RuntimeError, match="extra keys"):
        with nn.optim.swap_in_optimizer_params_and_state(opt, {"p": p}, bad):
            pass
