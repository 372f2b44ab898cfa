"""CrossMapLRN2d, DataParallel and AdaptiveLogSoftmaxWithLoss against PyTorch."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn


@pytest.mark.parametrize("channels,size", [(6, 3), (8, 5), (3, 5), (7, 4), (1, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_map_lrn2d_matches_torch(channels, size, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, channels, 3, 2)).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    a, b = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oa = nn.CrossMapLRN2d(size, 0.1, 0.75, 2.0)(a)
    ob = torch.nn.CrossMapLRN2d(size, 0.1, 0.75, 2.0)(b)
    (oa * ag.tensor(g)).sum().backward(), (ob * torch.tensor(g)).sum().backward()
    tol = 1e-6 if dtype == np.float32 else 1e-14
    assert oa.dtype == a.dtype
    np.testing.assert_allclose(oa.detach().numpy(), ob.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    assert repr(nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))
    with pytest.raises(ValueError, match="4D"):
        nn.CrossMapLRN2d(3)(ag.zeros(2, 3, 4))


def _asm_pair(**kw):
    ours = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], **kw)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_matches_torch(head_bias):
    ours, theirs = _asm_pair(head_bias=head_bias, div_value=2.0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 8)).astype(np.float32)
    t = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 7])
    (oo, lo), (ot, lt) = ours(ag.tensor(x), ag.tensor(t)), theirs(torch.tensor(x),
                                                                 torch.tensor(t))
    np.testing.assert_allclose(oo.detach().numpy(), ot.detach().numpy(), rtol=1e-5, atol=1e-6)
    lo.backward(), lt.backward()
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x)).detach().numpy(),
                               theirs.log_prob(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert (ours.predict(ag.tensor(x)).numpy() == theirs.predict(torch.tensor(x)).numpy()).all()
    single = ours(ag.tensor(x[0]), ag.tensor(t[0]))
    assert single.output.shape == () and single.loss.shape == ()


def test_adaptive_log_softmax_errors():
    with pytest.raises(ValueError, match="cutoffs"):
        nn.AdaptiveLogSoftmaxWithLoss(4, 10, [5, 3])
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    with pytest.raises(RuntimeError, match="Target values"):
        m(ag.zeros(2, 4), ag.tensor([0, 10]))
    with pytest.raises(RuntimeError, match="batch dimension"):
        m(ag.zeros(3, 4), ag.tensor([0, 1]))


def test_data_parallel_on_cpu_calls_the_module():
    lin = nn.Linear(3, 2)
    dp, tdp = nn.DataParallel(lin), torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(dp.state_dict()) == list(tdp.state_dict()) == ["module.weight", "module.bias"]
    assert dp.device_ids == tdp.device_ids == []
    x = ag.randn(4, 3)
    assert (dp(x).detach().numpy() == lin(x).detach().numpy()).all()
    assert nn.parallel.DataParallel is nn.DataParallel


def test_data_parallel_scatter_apply_gather_equal_one_call():
    lin = nn.Linear(3, 2)
    dp = nn.DataParallel(lin)
    dp.dim = 0
    x = ag.randn(5, 3, requires_grad=True)
    ins, kws = dp.scatter((x,), {}, ["cpu", "cpu"])
    assert [tuple(i[0].shape) for i in ins] == [(3, 3), (2, 3)] and kws == ({}, {})
    outs = dp.parallel_apply(dp.replicate(lin, ["cpu", "cpu"]), ins, kws)
    out = dp.gather(outs, "cpu")
    np.testing.assert_allclose(out.detach().numpy(), lin(x).detach().numpy(), atol=1e-6)
    out.sum().backward()
    g = lin.weight.grad.numpy().copy()
    lin.weight.grad = None
    lin(x).sum().backward()
    np.testing.assert_allclose(g, lin.weight.grad.numpy(), atol=1e-6)
    pair = dp.gather([(o, {"k": o}) for o in outs], "cpu")
    assert pair[0].shape == (5, 2) and pair[1]["k"].shape == (5, 2)
