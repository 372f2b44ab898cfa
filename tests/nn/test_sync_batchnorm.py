"""SyncBatchNorm: BatchNorm outside a process group (against torch.nn.SyncBatchNorm),
convert_sync_batchnorm, and the synchronised statistics and gradients, with a stand-in
all-reduce that plays two processes holding the same batch."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn
from nn.layers.sync_batchnorm import sync_batch_norm


def test_single_process_matches_torch():
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32)
    ours, theirs = nn.SyncBatchNorm(3), torch.nn.SyncBatchNorm(3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for train in (True, False):
        ours.train(train), theirs.train(train)
        np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                                   theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="at least 2D"):
        ours(ag.zeros(3))
    with pytest.raises(ValueError, match="non-zero"):
        ours(ag.zeros(2, 0))


def test_convert_sync_batchnorm_shares_parameters():
    model = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.Sequential(
        nn.BatchNorm1d(4)), nn.InstanceNorm2d(3))
    w = model[1].weight
    out = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(out[1], nn.SyncBatchNorm) and out[1].weight is w
    assert isinstance(out[2][0], nn.SyncBatchNorm)
    assert isinstance(out[3], nn.InstanceNorm2d) and isinstance(out[0], nn.Conv2d)
    assert list(out.state_dict()) == list(model.state_dict())


def test_synchronised_stats_and_gradients_two_identical_processes():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2))
    g = rng.standard_normal(x.shape)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    xo = ag.tensor(x, requires_grad=True)
    wo, bo = ag.tensor(w, requires_grad=True), ag.tensor(b, requires_grad=True)
    rm, rv = ag.zeros(3, dtype=ag.float64), ag.ones(3, dtype=ag.float64)
    out = sync_batch_norm(xo, wo, bo, rm, rv, 1e-5, 0.1, lambda t: t.mul_(2))
    (out * ag.tensor(g)).sum().backward()
    # reference: one batch norm over both processes' (equal) batches, the loss summed
    x1, x2 = (torch.tensor(x, requires_grad=True) for _ in range(2))
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    ref = torch.nn.functional.batch_norm(torch.cat([x1, x2]), trm, trv, tw, tb, True, 0.1,
                                         1e-5)
    (ref * torch.tensor(np.concatenate([g, g]))).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref[:4].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(xo.grad.numpy(), x1.grad.numpy(), atol=1e-10)
    # each process's weight gradient is its own share (DDP then sums them)
    np.testing.assert_allclose(wo.grad.numpy() * 2, tw.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), atol=1e-12)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), atol=1e-12)


def test_all_reduce_sum_gradcheck():
    # two ranks holding the same tensor: the all-reduced sum is 2x, its adjoint 2g
    from autograd.ops.collective import AllReduceSum
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda t: AllReduceSum.apply(t, lambda a: a.mul_(2)), (x,))
    assert ag.gradgradcheck(lambda t: AllReduceSum.apply(t, lambda a: a.mul_(2)) ** 2, (x,))
