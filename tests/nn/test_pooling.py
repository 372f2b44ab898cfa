"""Max/average/adaptive pooling against PyTorch (values, indices, gradients) and gradcheck."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, check_module, run_both, torch

pytestmark = requires_torch

MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=2),
    dict(kernel_size=2, stride=1, return_indices=True),
    dict(kernel_size=3, stride=2, ceil_mode=True, return_indices=True),
]
AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(2, 3), padding=1, divisor_override=5),
]


def _x(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", MAX_CASES, ids=str)
def test_max_pool2d_matches_torch(kw, dtype, device):
    run_both(lambda x: F.max_pool2d(x, **kw), lambda x: torch.nn.functional.max_pool2d(x, **kw),
             [_x((2, 3, 7, 8), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_max_pool2d_ties_route_gradient_to_first_max_like_torch(device):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = 1.0
    run_both(lambda x: F.max_pool2d(x, 2, 1), lambda x: torch.nn.functional.max_pool2d(x, 2, 1),
             [x], np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                     return_indices=True), dict(kernel_size=2)], ids=str)
def test_max_pool1d_matches_torch(kw, device):
    run_both(lambda x: F.max_pool1d(x, **kw), lambda x: torch.nn.functional.max_pool1d(x, **kw),
             [_x((2, 3, 11), np.float64)], np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", AVG_CASES, ids=str)
def test_avg_pool2d_matches_torch(kw, dtype, device):
    run_both(lambda x: F.avg_pool2d(x, **kw), lambda x: torch.nn.functional.avg_pool2d(x, **kw),
             [_x((2, 3, 7, 8), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_avg_pool1d_matches_torch(device):
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    run_both(lambda x: F.avg_pool1d(x, **kw), lambda x: torch.nn.functional.avg_pool1d(x, **kw),
             [_x((2, 3, 10), np.float64)], np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(3, 5), 1, (None, 3), 4], ids=str)
def test_adaptive_avg_pool2d_matches_torch(size, dtype, device):
    run_both(lambda x: F.adaptive_avg_pool2d(x, size),
             lambda x: torch.nn.functional.adaptive_avg_pool2d(x, size),
             [_x((2, 3, 7, 8), dtype)], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_adaptive_avg_pool1d_matches_torch(device):
    run_both(lambda x: F.adaptive_avg_pool1d(x, 4),
             lambda x: torch.nn.functional.adaptive_avg_pool1d(x, 4),
             [_x((2, 3, 7), np.float64)], np.float64, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_pooling_gradcheck_and_gradgradcheck(device):
    x = ag.tensor(_x((1, 2, 5, 6), np.float64, 3), requires_grad=True, device=device)
    for fn in (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
               lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
               lambda x: F.adaptive_avg_pool2d(x, (2, 4))):
        assert ag.gradcheck(fn, (x,))
        assert ag.gradgradcheck(fn, (x,))


def test_pooling_checks_arguments():
    with pytest.raises(RuntimeError, match="half of effective kernel"):
        F.max_pool2d(ag.randn(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(RuntimeError, match="3-d or 4-d"):
        F.max_pool2d(ag.randn(5, 5), 2)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_pooling_modules_match_torch(dtype, device):
    x = [_x((2, 3, 9, 8), dtype, 4)]
    pairs = [(nn.MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
             (nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)),
             (nn.AvgPool2d(3, 2, 1, count_include_pad=False),
              torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)),
             (nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3)))]
    for em, tm in pairs:
        check_module(em, tm, x, dtype, device=device)
    x1 = [_x((2, 3, 9), dtype, 5)]
    for em, tm in [(nn.MaxPool1d(3, 2), torch.nn.MaxPool1d(3, 2)),
                   (nn.AvgPool1d(2), torch.nn.AvgPool1d(2)),
                   (nn.AdaptiveAvgPool1d(4), torch.nn.AdaptiveAvgPool1d(4))]:
        check_module(em, tm, x1, dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_max_pool2d_nan_windows_match_torch(device):
    x = _x((1, 2, 4, 4), np.float64, 6)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 1, 3, 3] = np.nan
    run_both(lambda x: F.max_pool2d(x, 2, return_indices=True),
             lambda x: torch.nn.functional.max_pool2d(x, 2, return_indices=True), [x],
             np.float64, device=device)
