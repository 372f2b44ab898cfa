"""Convolution (1-3 d, transposed, grouped, dilated, strided, padded) and pooling (max with
indices, average, ceil mode, LP) over one grid of argument combinations, on every device
against PyTorch: values and gradients, float32 and float64. On "cuda" this runs the
im2col / col2im and pooling kernels of autograd/ops/window.py."""
import numpy as np
import pytest

import nn.functional as F
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, run_both, torch

pytestmark = requires_torch
TF = None if torch is None else torch.nn.functional

CONV = [  # (nd, in channels, out channels, kernel, kwargs)
    (1, 4, 6, (3,), dict(stride=2, padding=1, dilation=2, groups=2)),
    (2, 4, 4, (3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=4)),
    (2, 3, 5, (2, 3), dict(stride=3, padding=2)),
    (3, 4, 2, (2, 3, 2), dict(stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1),
                              groups=2)),
]
TRANSPOSED = [  # (nd, in channels, out channels / groups, kernel, kwargs)
    (1, 4, 3, (3,), dict(stride=2, padding=1, output_padding=1, groups=2, dilation=1)),
    (2, 4, 2, (3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                           dilation=(1, 2), groups=2)),
    (3, 2, 3, (2, 2, 3), dict(stride=2, padding=(0, 1, 1), output_padding=(1, 0, 1))),
]


def _conv_fn(nd, transposed, lib):
    name = f"conv_transpose{nd}d" if transposed else f"conv{nd}d"
    return getattr(lib, name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV, ids=str)
def test_conv_grid_matches_torch(case, dtype, device):
    nd, c, o, k, kw = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, c) + (7, 6, 5)[:nd]).astype(dtype)
    w = rng.standard_normal((o, c // kw.get("groups", 1)) + k).astype(dtype)
    b = rng.standard_normal(o).astype(dtype)
    run_both(lambda *a: _conv_fn(nd, False, F)(*a, **kw),
             lambda *a: _conv_fn(nd, False, TF)(*a, **kw), [x, w, b], dtype, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", TRANSPOSED, ids=str)
def test_conv_transpose_grid_matches_torch(case, dtype, device):
    nd, c, og, k, kw = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, c) + (4, 5, 3)[:nd]).astype(dtype)
    w = rng.standard_normal((c, og) + k).astype(dtype)
    b = rng.standard_normal(og * kw.get("groups", 1)).astype(dtype)
    run_both(lambda *a: _conv_fn(nd, True, F)(*a, **kw),
             lambda *a: _conv_fn(nd, True, TF)(*a, **kw), [x, w, b], dtype, device=device)


POOL = [  # (nd, kwargs)
    (1, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (2, dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2))),
    (2, dict(kernel_size=2, ceil_mode=True)),
    (3, dict(kernel_size=(2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0), ceil_mode=True)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL, ids=str)
def test_max_pool_grid_values_indices_and_grads_match_torch(case, dtype, device):
    nd, kw = case
    rng = np.random.default_rng(2)
    # integer values: ties in most windows (the first maximum takes the gradient)
    x = rng.integers(-4, 4, (2, 3) + (7, 6, 5)[:nd]).astype(dtype)
    name = f"max_pool{nd}d"
    run_both(lambda a: getattr(F, name)(a, return_indices=True, **kw),
             lambda a: getattr(TF, name)(a, return_indices=True, **kw), [x], dtype,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize("case", POOL, ids=str)
def test_avg_pool_grid_matches_torch(case, include_pad, dtype, device):
    nd, kw = case
    kw = {k: v for k, v in kw.items() if k != "dilation"}
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3) + (7, 6, 5)[:nd]).astype(dtype)
    name = f"avg_pool{nd}d"
    run_both(lambda a: getattr(F, name)(a, count_include_pad=include_pad, **kw),
             lambda a: getattr(TF, name)(a, count_include_pad=include_pad, **kw), [x], dtype,
             device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool_divisor_override_and_lp_pool_match_torch(dtype, device):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.5, 2.0, (2, 3, 6, 7)).astype(dtype)
    run_both(lambda a: F.avg_pool2d(a, 3, 2, 1, divisor_override=5),
             lambda a: TF.avg_pool2d(a, 3, 2, 1, divisor_override=5), [x], dtype,
             device=device)
    run_both(lambda a: F.lp_pool2d(a, 3.0, (2, 3), 2),
             lambda a: TF.lp_pool2d(a, 3.0, (2, 3), 2), [x], dtype, device=device)
