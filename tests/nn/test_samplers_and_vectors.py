"""WeightedRandomSampler and parameters_to_vector / vector_to_parameters, beside
torch's."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch


def test_weighted_random_sampler_follows_the_weights():
    s = nn.data.WeightedRandomSampler([0.1, 0.0, 0.3, 0.6], num_samples=6000)
    idx = list(s)
    assert len(s) == len(idx) == 6000
    np.testing.assert_allclose(np.bincount(idx, minlength=4) / 6000, [0.1, 0, 0.3, 0.6],
                               atol=0.03)
    no_rep = list(nn.data.WeightedRandomSampler(ag.tensor([1.0, 5.0, 0.0, 2.0]), 3,
                                                replacement=False))
    assert sorted(no_rep) == [0, 1, 3]
    g = ag.Generator().manual_seed(4)
    a = list(nn.data.WeightedRandomSampler([1.0, 2.0], 8, generator=g))
    g.manual_seed(4)
    assert a == list(nn.data.WeightedRandomSampler([1.0, 2.0], 8, generator=g))


def test_weighted_sampler_in_a_loader_and_its_errors():
    ds = nn.data.TensorDataset(ag.arange(10))
    loader = nn.data.DataLoader(ds, batch_size=4,
                                sampler=nn.data.WeightedRandomSampler([1.0] * 10, 10))
    assert [len(b[0]) for b in loader] == [4, 4, 2]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        nn.data.WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        nn.data.WeightedRandomSampler([1.0], 1, replacement=1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        nn.data.WeightedRandomSampler([[1.0]], 1)


@requires_torch
def test_parameters_to_vector_and_back_like_torch():
    ours, theirs = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1)), \
        torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    v_o = nn.utils.parameters_to_vector(ours.parameters())
    v_t = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(v_o.detach().numpy(), v_t.detach().numpy())
    (v_o ** 2).sum().backward()  # differentiable: each parameter gets 2 p
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), 2 * ours[0].weight.detach().numpy())
    new = np.arange(11, dtype=np.float32)
    nn.utils.vector_to_parameters(ag.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters(new, ours.parameters())
    with pytest.raises(RuntimeError, match="11 elements"):
        nn.utils.vector_to_parameters(ag.zeros(3), ours.parameters())
