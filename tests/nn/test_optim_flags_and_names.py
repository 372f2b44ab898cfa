"""Optimisers accept PyTorch's implementation switches (foreach, fused, capturable,
differentiable) and named parameters, and keep them in their parameter groups as
PyTorch does, so constructor calls and state dicts written for PyTorch work here."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NAdam", "RAdam", "Adamax",
         "Adadelta", "Rprop"]


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_param_group_keys_equal_torch(name):
    ours = getattr(nn.optim, name)(nn.Linear(2, 2).parameters(), lr=0.1)
    theirs = getattr(torch.optim, name)(torch.nn.Linear(2, 2).parameters(), lr=0.1)
    assert sorted(ours.state_dict()["param_groups"][0]) == \
        sorted(theirs.state_dict()["param_groups"][0])


@pytest.mark.parametrize("name", NAMES)
def test_implementation_switches_are_accepted_and_change_nothing(name):
    cls = getattr(nn.optim, name)
    import inspect
    sig = inspect.signature(cls.__init__).parameters
    flags = {k: v for k, v in dict(foreach=True, fused=True, capturable=True).items()
             if k in sig}
    assert "foreach" in sig and "differentiable" in sig
    runs = []
    for kw in ({}, flags):
        ag.manual_seed(0)
        m = nn.Linear(3, 2)
        opt = cls(m.parameters(), lr=0.05, **kw)
        for _ in range(3):
            opt.zero_grad()
            (m(ag.ones(4, 3)) ** 2).sum().backward()
            opt.step()
        runs.append(m.weight.detach().numpy().copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        cls(nn.Linear(2, 2).parameters(), lr=0.1, differentiable=True)


def test_named_parameters_like_torch():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    opt = nn.optim.AdamW(m.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == \
        ["0.weight", "0.bias", "1.weight", "1.bias"]
    # the same steps as with plain parameters
    ag.manual_seed(0)
    a = nn.Linear(3, 1)
    ag.manual_seed(0)
    b = nn.Linear(3, 1)
    for model, params in ((a, a.named_parameters()), (b, b.parameters())):
        o = nn.optim.SGD(params, lr=0.1, momentum=0.9)
        for _ in range(2):
            o.zero_grad()
            model(ag.ones(2, 3)).sum().backward()
            o.step()
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    with pytest.raises(ValueError, match="with/without names. Some param names are missing"):
        nn.optim.SGD([("w", nn.Linear(2, 2).weight), nn.Linear(2, 2).bias], lr=0.1)
    opt = nn.optim.SGD(nn.Linear(2, 2).named_parameters(), lr=0.1)
    with pytest.raises(ValueError, match="param groups should be with/without names"):
        opt.add_param_group({"params": [nn.Linear(2, 2).weight]})


def test_named_optimizer_state_dict_round_trip(tmp_path):
    m = nn.Linear(3, 2)
    opt = nn.optim.Adam(m.named_parameters(), lr=0.1, fused=True)
    m(ag.ones(1, 3)).sum().backward()
    opt.step()
    nn.utils.save(opt.state_dict(), tmp_path / "opt.safetensors")
    fresh = nn.optim.Adam(m.named_parameters(), lr=0.1)
    fresh.load_state_dict(nn.utils.load(tmp_path / "opt.safetensors"))
    assert fresh.param_groups[0]["param_names"] == ["weight", "bias"]
    assert fresh.param_groups[0]["fused"] is True
