"""clip_grad_norm_ / clip_grad_value_ vs PyTorch."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import requires_torch, torch

pytestmark = requires_torch
GRADS = [np.random.default_rng(1).standard_normal(s) for s in [(3, 4), (5,), ()]]


def _params(dtype=np.float64, grads=GRADS):
    ours, theirs = [], []
    for g in grads:
        g = g.astype(dtype)
        p = ag.zeros(g.shape, dtype=g.dtype, requires_grad=True)
        tp = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        p.grad, tp.grad = ag.tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1, 3.0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _params()
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, ag.Tensor) and total.shape == ()
    np.testing.assert_allclose(total.numpy(), ttotal.numpy(), rtol=1e-12)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_float32_and_single_tensor():
    ours, theirs = _params(np.float32)
    total = nn.utils.clip_grad_norm_(ours[0], 0.1)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs[0], 0.1)
    assert total.dtype == ag.float32 and ours[0].grad.dtype == ag.float32
    np.testing.assert_allclose(total.numpy(), ttotal.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-5)
    assert np.array_equal(ours[1].grad.numpy(), GRADS[1].astype(np.float32))  # untouched


def test_clip_grad_norm_nonfinite():
    bad = [GRADS[0], np.array([1.0, np.nan])]
    ours, theirs = _params(grads=bad)
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert np.array_equal(ours[0].grad.numpy(), GRADS[0])  # nothing scaled before the error
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert math.isnan(float(total)) and math.isnan(float(ttotal))
    np.testing.assert_array_equal(ours[0].grad.numpy(), theirs[0].grad.numpy())


def test_clip_grad_norm_skips_missing_grads_and_empty():
    p = ag.zeros(3, dtype=ag.float64, requires_grad=True)
    assert float(nn.utils.clip_grad_norm_([p], 1.0)) == 0.0
    ours, _ = _params()
    ours.append(p)
    total = nn.utils.clip_grad_norm_(ours, 1e9)
    expected = math.sqrt(sum((g ** 2).sum() for g in GRADS))
    assert float(total) == pytest.approx(expected, rel=1e-12)


def test_clip_grad_value_matches_torch():
    ours, theirs = _params()
    version = ours[0].grad._version[0]
    assert nn.utils.clip_grad_value_(ours, 0.3) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.3)
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())
    assert ours[0].grad._version[0] == version + 1
