"""The CUDA kernels of convolution and pooling (autograd/ops/window.py), run on the host
by the kernel emulator, against the NumPy code paths they replace on the GPU: the same
index arithmetic, every geometry family (1-3 d, stride, padding, dilation, ceil mode)."""
import numpy as np
import pytest

import autograd as ag
from autograd.ops import pooling as P
from autograd.ops import window as W
from nn.functional.pooling import _pool_geometry

from .kernel_emulator import available, emulate

pytestmark = pytest.mark.skipif(not available(), reason="needs a C++ compiler (g++)")

CONV_GEOS = [  # (input spatial, kernel, stride, pad, dilation)
    ((9,), (3,), (2,), ((1, 1),), (1,)),
    ((7, 8), (3, 2), (1, 2), ((1, 1), (0, 0)), (2, 1)),
    ((6, 5), (2, 3), (3, 1), ((2, 2), (1, 1)), (1, 2)),
    ((5, 6, 4), (2, 3, 2), (2, 1, 1), ((1, 1), (0, 0), (1, 1)), (1, 1, 2)),
]
POOL_CASES = [  # (shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 9), 3, 2, 1, 1, False),
    ((2, 3, 7, 8), (3, 2), (2, 1), (1, 0), (1, 2), True),
    ((3, 6, 5), 2, None, 1, 1, True),
    ((1, 2, 5, 6, 4), (2, 3, 2), (2, 1, 2), (1, 1, 0), 1, False),
]


def _geo(case):
    in_hw, k, s, p, d = case
    return W._geometry(in_hw, k, s, p, d, 1, "test")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV_GEOS)
def test_im2col_and_col2im_kernels_match_numpy(case, dtype):
    rng = np.random.default_rng(0)
    geo = _geo(case)
    x = rng.standard_normal((2, 3) + geo.in_hw).astype(dtype)
    col = np.empty((2, 3) + geo.k + geo.out_hw, dtype=dtype)
    emulate(W._im2col_kernel, x, *W._dims(geo), col, dtype=dtype)
    np.testing.assert_array_equal(col.reshape(2, 1, -1, col[0, 0, ...].size // np.prod(
        geo.k)), W._im2col(x, geo))
    cols = rng.standard_normal(col.shape).astype(dtype)
    out = np.empty(x.shape, dtype=dtype)
    emulate(W._col2im_kernel, cols, *W._dims(geo), out, dtype=dtype)
    # sums of at most prod(k) terms in another order: a few ulps
    tol = 10 * np.finfo(dtype).eps * np.prod(geo.k)
    np.testing.assert_allclose(out, W._col2im(cols, geo, x.shape), rtol=tol, atol=tol)


def _pool_geo(case):
    shape, k, s, p, d, ceil = case
    return _pool_geometry(ag.zeros(shape), k, s, p, d, ceil, "test", len(shape) - 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool_kernels_match_numpy(case, dtype):
    rng = np.random.default_rng(1)
    geo, _ = _pool_geo(case)
    # small integers: ties everywhere (the first maximum must win), a NaN, a -inf
    x = rng.integers(-3, 3, case[0]).astype(dtype)
    x.reshape(-1)[[5, 17]] = np.nan, -np.inf
    ctx = type("Ctx", (), {})()
    best = P.MaxPool2dFn.forward(ctx, ag.tensor(x), geo)
    arg_cpu = ctx.args[0]
    out = np.empty(best.shape, dtype=dtype)
    arg = np.empty(best.shape, dtype=np.int32)
    emulate(W._maxpool_kernel, x, *W._dims(geo), out, arg, dtype=dtype)
    np.testing.assert_array_equal(out, best)
    np.testing.assert_array_equal(arg, arg_cpu)
    g = rng.standard_normal(best.shape).astype(dtype)
    gx = np.empty(x.shape, dtype=dtype)
    emulate(W._maxpool_backward_kernel, g, arg, *W._dims(geo), gx, dtype=dtype)
    ref = P._MaxPoolBackward.forward(ctx, ag.tensor(g), arg_cpu, geo, x.shape)
    np.testing.assert_allclose(gx, ref, rtol=1e-6, atol=1e-6)
    t = rng.standard_normal(x.shape).astype(dtype)
    at = np.empty(best.shape, dtype=dtype)
    emulate(W._gather_at_kernel, t, arg, *W._dims(geo), at, dtype=dtype)
    np.testing.assert_array_equal(at, P._GatherAt.forward(ctx, ag.tensor(t), arg_cpu, geo))


@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize("case", POOL_CASES)
def test_avg_pool_kernels_match_numpy(case, include_pad):
    dtype = np.float64
    rng = np.random.default_rng(2)
    geo, pad = _pool_geo(case)
    x = rng.standard_normal(case[0])
    divisor = 1
    for d, (n, k, s, p, o) in enumerate(zip(geo.in_hw, geo.k, geo.stride, pad, geo.out_hw)):
        count = P._window_counts(n, k, s, p, o, np, include_pad)
        divisor = divisor * count.reshape((-1,) + (1,) * (len(geo.k) - 1 - d))
    divisor = np.ascontiguousarray(np.broadcast_to(divisor.astype(dtype), geo.out_hw))
    ctx = type("Ctx", (), {})()
    ref = P.AvgPool2dFn.forward(ctx, ag.tensor(x), geo, divisor)
    out = np.empty(ref.shape)
    emulate(W._avgpool_kernel, x, divisor, *W._dims(geo), out, dtype=dtype)
    np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-13)
    g = rng.standard_normal(ref.shape)
    gx = np.empty(x.shape)
    emulate(W._avgpool_backward_kernel, g, divisor, *W._dims(geo), gx, dtype=dtype)
    np.testing.assert_allclose(
        gx, P._AvgPoolBackward.forward(ctx, ag.tensor(g), geo, divisor, x.shape),
        rtol=1e-13, atol=1e-13)
