"""nn.init: fan computations equal torch's, sample statistics, reproducibility, layer
defaults."""
import math

import numpy as np
import pytest
import torch

import autograd as ag
import nn
from nn import init


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5), (6, 2, 3, 3), (2, 4, 1, 2, 3)])
def test_fans_equal_torch(shape):
    assert init._calculate_fan_in_and_fan_out(ag.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def test_fans_need_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.zeros(3))


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("selu",)])
def test_calculate_gain_equals_torch(args):
    assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


def test_calculate_gain_rejects_bad_arguments():
    with pytest.raises(ValueError):
        init.calculate_gain("swish")
    with pytest.raises(ValueError):
        init.calculate_gain("leaky_relu", True)


SHAPE = (400, 300)


@pytest.mark.parametrize("name,call,std", [
    ("xavier_uniform", lambda t: init.xavier_uniform_(t, gain=2.0), 2 * math.sqrt(2 / 700)),
    ("xavier_normal", lambda t: init.xavier_normal_(t), math.sqrt(2 / 700)),
    ("kaiming_uniform", lambda t: init.kaiming_uniform_(t, nonlinearity="relu"),
     math.sqrt(2 / 300)),
    ("kaiming_normal_fan_out", lambda t: init.kaiming_normal_(t, mode="fan_out",
                                                              nonlinearity="relu"),
     math.sqrt(2 / 400)),
    ("kaiming_uniform_a", lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)),
     math.sqrt(2 / 6) / math.sqrt(300)),
    ("normal", lambda t: init.normal_(t, 1.0, 0.5), 0.5),
    ("trunc_normal", lambda t: init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04),
     0.02 * 0.8796),  # std of N(0, 1) truncated to [-2, 2]
])
def test_init_sample_std(name, call, std):
    t = ag.empty(*SHAPE, dtype=ag.float64)
    assert call(t) is t
    assert t.numpy().std() == pytest.approx(std, rel=0.02)
    if name == "trunc_normal":
        assert np.abs(t.numpy()).max() <= 0.04
    if name in ("xavier_uniform", "kaiming_uniform"):
        bound = math.sqrt(3) * std
        assert np.abs(t.numpy()).max() <= bound and np.abs(t.numpy()).max() > 0.99 * bound


def test_uniform_constant_ones_zeros_eye():
    t = ag.empty(50, 40)
    init.uniform_(t, -2, 3)
    assert t.numpy().min() >= -2 and t.numpy().max() < 3
    assert (init.constant_(t, 0.3).numpy() == np.float32(0.3)).all()
    assert (init.ones_(t).numpy() == 1).all() and (init.zeros_(t).numpy() == 0).all()
    np.testing.assert_array_equal(init.eye_(ag.empty(3, 5)).numpy(), np.eye(3, 5))
    with pytest.raises(ValueError):
        init.eye_(ag.empty(3))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    t = init.orthogonal_(ag.empty(*shape, dtype=ag.float64), gain=2.0)
    flat = t.numpy().reshape(shape[0], -1) / 2.0
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(gram.shape[0]), atol=1e-12)


def test_init_runs_under_no_grad_on_parameters():
    p = nn.Parameter(ag.zeros(3, 3))
    init.kaiming_normal_(p)
    assert p.requires_grad and p.grad_fn is None and p.numpy(force=True).any()


def test_manual_seed_reproduces_initialisation():
    ag.manual_seed(123)
    a = nn.Sequential(nn.Linear(5, 4), nn.Bilinear(4, 4, 2)).state_dict()
    ag.manual_seed(123)
    b = nn.Sequential(nn.Linear(5, 4), nn.Bilinear(4, 4, 2)).state_dict()
    c = nn.Sequential(nn.Linear(5, 4), nn.Bilinear(4, 4, 2)).state_dict()
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    assert not np.array_equal(a["0.weight"].numpy(), c["0.weight"].numpy())


def test_linear_default_init_bounds_match_torch():
    lin = nn.Linear(400, 300, dtype=ag.float64)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) and the bias both give this
    for p in (lin.weight, lin.bias):
        assert np.abs(p.detach().numpy()).max() <= bound
    assert lin.weight.detach().numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    bil = nn.Bilinear(20, 30, 50)
    assert np.abs(bil.weight.detach().numpy()).max() <= 1 / math.sqrt(20)


def test_generator_argument_is_used():
    g1, g2 = ag.Generator(7), ag.Generator(7)
    a = init.normal_(ag.empty(10), generator=g1)
    b = init.normal_(ag.empty(10), generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
