"""BatchNorm1d/2d, LayerNorm, GroupNorm against PyTorch: outputs, gradients, running stats
in train and eval mode; gradcheck in float64."""
import inspect

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch

pytestmark = requires_torch


def _x(shape, dtype, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 2 + 0.5).astype(dtype)


def _tdt(dtype):
    return getattr(torch, np.dtype(dtype).name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(momentum=None), dict(momentum=0.3, eps=1e-3),
                                dict(affine=False), dict(track_running_stats=False)], ids=str)
def test_batchnorm2d_train_then_eval_matches_torch(kw, dtype, device):
    em = nn.BatchNorm2d(3, dtype=dtype, **kw)
    tm = torch.nn.BatchNorm2d(3, **kw).to(_tdt(dtype))
    for step in range(3):  # running stats accumulate over several batches
        check_module(em, tm, [_x((4, 3, 2, 5), dtype, step)], dtype, seed=step, device=device)
        for m in (em, tm):
            m.zero_grad()
    em.eval()
    tm.eval()
    check_module(em, tm, [_x((2, 3, 2, 5), dtype, 9)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 4), (5, 4, 3)], ids=str)
def test_batchnorm1d_matches_torch(shape, dtype, device):
    em, tm = nn.BatchNorm1d(4, dtype=dtype), torch.nn.BatchNorm1d(4).to(_tdt(dtype))
    check_module(em, tm, [_x(shape, dtype)], dtype, device=device)
    assert int(em.num_batches_tracked.item()) == 1
    em.eval()
    tm.eval()
    check_module(em, tm, [_x(shape, dtype, 1)], dtype, device=device)


def test_batchnorm_state_dict_names_and_errors():
    em, tm = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.num_batches_tracked.dtype == ag.int64
    with pytest.raises(ValueError, match="expected 4D input"):
        em(ag.randn(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ag.randn(1, 3))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                dict(eps=1e-2)], ids=str)
def test_layernorm_matches_torch(kw, dtype, device):
    em = nn.LayerNorm((3, 4), dtype=dtype, **kw)
    tm = torch.nn.LayerNorm((3, 4), **kw).to(_tdt(dtype))
    with torch.no_grad():  # non-trivial affine parameters
        for p in tm.parameters():
            p.copy_(torch.randn(p.shape))
    check_module(em, tm, [_x((2, 5, 3, 4), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(), dict(affine=False)], ids=str)
def test_groupnorm_matches_torch(kw, dtype, device):
    em = nn.GroupNorm(2, 6, dtype=dtype, **kw)
    tm = torch.nn.GroupNorm(2, 6, **kw).to(_tdt(dtype))
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.randn(p.shape))
    check_module(em, tm, [_x((3, 6, 2, 3), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_functional_batch_norm_updates_running_stats_with_unbiased_var(device):
    x = _x((6, 2, 3), np.float64)
    rm, rv = np.zeros(2), np.ones(2)
    erm, erv = ag.tensor(rm, device=device), ag.tensor(rv, device=device)
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    run_both(lambda x: F.batch_norm(x, erm, erv, training=True, momentum=0.2),
             lambda x: torch.nn.functional.batch_norm(x, trm, trv, training=True, momentum=0.2),
             [x], np.float64, device=device)
    assert erm.device.type == erv.device.type == ag.device(device).type
    np.testing.assert_allclose(erm.cpu().numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(erv.cpu().numpy(), trv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_norm_gradchecks(device):
    x = ag.tensor(_x((3, 4, 2), np.float64), requires_grad=True, device=device)
    w = ag.tensor(_x((4,), np.float64, 1), requires_grad=True, device=device)
    b = ag.tensor(_x((4,), np.float64, 2), requires_grad=True, device=device)
    rm = ag.zeros(4, dtype=ag.float64, device=device)
    rv = ag.ones(4, dtype=ag.float64, device=device)
    assert ag.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=True), (x, w, b))
    assert ag.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (x, w, b))
    assert ag.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    wl = ag.tensor(_x((2,), np.float64, 3), requires_grad=True, device=device)
    assert ag.gradcheck(lambda x, w: F.layer_norm(x, (2,), w, w), (x, wl))
    assert ag.gradgradcheck(lambda x, w: F.layer_norm(x, (2,), w, w), (x, wl))


@pytest.mark.parametrize("make", [
    lambda M: M.BatchNorm2d(3, bias=False), lambda M: M.BatchNorm1d(3, affine=False),
    lambda M: M.BatchNorm1d(3, track_running_stats=False), lambda M: M.GroupNorm(2, 4),
    lambda M: M.GroupNorm(2, 4, bias=False), lambda M: M.LayerNorm((3, 4), bias=False),
    lambda M: M.LayerNorm(3, elementwise_affine=False)])
def test_norm_state_dict_names_bias_keyword_and_repr_match_torch(make):
    em, tm = make(nn), make(torch.nn)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert repr(em) == repr(tm)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batchnorm_without_bias_trains_then_evaluates_like_torch(dtype, device):
    if "bias" not in inspect.signature(torch.nn.BatchNorm2d).parameters:
        pytest.skip(f"torch {torch.__version__}'s BatchNorm has no bias argument")
    em, tm = nn.BatchNorm2d(3, bias=False), torch.nn.BatchNorm2d(3, bias=False)
    em.to(ag.float64 if dtype == np.float64 else ag.float32)
    tm.to(torch.float64 if dtype == np.float64 else torch.float32)
    rng = np.random.default_rng(11)
    for _ in range(2):
        check_module(em, tm, [rng.standard_normal((4, 3, 2, 2)).astype(dtype) * 3 + 1], dtype,
                     device=device)
    em.eval()
    tm.eval()
    check_module(em, tm, [rng.standard_normal((4, 3, 2, 2)).astype(dtype)], dtype, device=device)
