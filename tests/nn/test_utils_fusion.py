"""nn.utils: conv/linear + BatchNorm fusion, get_total_norm, clip_grads_with_norm_, the
deprecated clip_grad_norm, skip_init, the memory-format conversions; against PyTorch."""
import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _copy_to_torch(ours, theirs):
    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                            for k, v in ours.state_dict().items()})


def _bn_stats(bn, n):
    rng = np.random.default_rng(0)
    bn.running_mean.copy_(ag.tensor(rng.standard_normal(n).astype(np.float32)))
    bn.running_var.copy_(ag.tensor(rng.uniform(0.5, 2, n).astype(np.float32)))
    bn.weight.data.copy_(ag.tensor(rng.standard_normal(n).astype(np.float32)))


@pytest.mark.parametrize("kind", ["conv", "linear", "convT"])
def test_fusion_matches_module_pair_and_torch(kind):
    ag.manual_seed(0)
    if kind == "conv":
        layer, bn, x = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), ag.randn(2, 3, 5, 5)
        tl, tb = torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4)
    elif kind == "convT":
        layer, bn, x = nn.ConvTranspose2d(3, 4, 3), nn.BatchNorm2d(4), ag.randn(2, 3, 4, 4)
        tl, tb = torch.nn.ConvTranspose2d(3, 4, 3), torch.nn.BatchNorm2d(4)
    else:
        layer, bn, x = nn.Linear(3, 4), nn.BatchNorm1d(4), ag.randn(5, 3)
        tl, tb = torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)
    _bn_stats(bn, 4)
    layer.eval(), bn.eval(), tl.eval(), tb.eval()
    _copy_to_torch(layer, tl), _copy_to_torch(bn, tb)
    if kind == "linear":
        fused, tfused = nn.utils.fuse_linear_bn_eval(layer, bn), \
            torch.nn.utils.fuse_linear_bn_eval(tl, tb)
    else:
        t = kind == "convT"
        fused = nn.utils.fuse_conv_bn_eval(layer, bn, transpose=t)
        tfused = torch.nn.utils.fuse_conv_bn_eval(tl, tb, transpose=t)
    assert fused is not layer and isinstance(fused.weight, ag.Parameter)
    tol = 1e-5
    np.testing.assert_allclose(fused(x).detach().numpy(), bn(layer(x)).detach().numpy(),
                               rtol=tol, atol=tol)
    np.testing.assert_allclose(fused.weight.detach().numpy(),
                               tfused.weight.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(fused.bias.detach().numpy(), tfused.bias.detach().numpy(),
                               rtol=tol, atol=tol)
    layer.train()
    with pytest.raises(AssertionError, match="eval"):
        nn.utils.fuse_conv_bn_eval(layer, bn) if kind != "linear" else \
            nn.utils.fuse_linear_bn_eval(layer, bn)


def test_linear_bn_feature_mismatch():
    with pytest.raises(AssertionError, match="num_features"):
        nn.utils.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(2).eval())


def test_total_norm_and_clip_with_norm():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(3, 2), (4,)]]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for o, t in zip(ours, theirs):
        o.grad, t.grad = ag.tensor(o.detach().numpy() * 3), t.detach() * 3
    for p in (1.0, 2.0, float("inf")):
        a = nn.utils.get_total_norm([o.grad for o in ours], p)
        b = torch.nn.utils.get_total_norm([t.grad for t in theirs], p)
        np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)
    total = nn.utils.get_total_norm([o.grad for o in ours])
    nn.utils.clip_grads_with_norm_(ours, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.0, torch.nn.utils.get_total_norm(
        [t.grad for t in theirs]))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    assert nn.utils.get_total_norm([]).item() == 0.0
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        nn.utils.clip_grad_norm(ours, 0.5)
    bad = ag.tensor([float("nan")])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm([bad], error_if_nonfinite=True)


def test_skip_init_and_memory_format():
    m = nn.utils.skip_init(nn.Linear, 3, 2)
    assert isinstance(m, nn.Linear) and m.weight.shape == (2, 3)
    with pytest.raises(RuntimeError, match="device"):
        nn.utils.skip_init(nn.ReLU)
    with pytest.raises(RuntimeError, match="Module"):
        nn.utils.skip_init(int)
    conv = nn.Conv2d(2, 2, 3)
    w = conv.weight.detach().numpy().copy()
    assert nn.utils.convert_conv2d_weight_memory_format(conv, None) is conv
    assert (conv.weight.detach().numpy() == w).all()
    assert nn.utils.convert_conv3d_weight_memory_format(conv, None) is conv
