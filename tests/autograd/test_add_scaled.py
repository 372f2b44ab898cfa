"""backend.add_scaled_ (y += alpha * x in place), the optimisers' update: one BLAS axpy
call for large host arrays (no temporary), NumPy's arithmetic otherwise."""
import tracemalloc

import numpy as np
import pytest

from autograd import backend

rng = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7,), (300, 301), (1 << 17,)])
def test_matches_numpy(dtype, shape):
    y, x = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    want = y + dtype(-0.37) * x
    backend.add_scaled_(y, x, -0.37)
    # one rounding (a fused multiply-add) or two: within an ulp of the operands' size
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(y, want, rtol=tol, atol=tol)
    assert y.dtype == dtype


@pytest.mark.parametrize("case", ["strided", "transposed", "mixed dtypes", "same array",
                                  "overlapping views", "broadcast x"])
def test_layouts_blas_cannot_take_fall_back_to_numpy(case):
    base = rng.standard_normal((400, 400))
    y = base.astype(np.float32)
    x = rng.standard_normal((400, 400)).astype(np.float32)
    if case == "strided":
        y, x = y[:, ::2], x[:, ::2]
    elif case == "transposed":
        x = np.ascontiguousarray(x.T).T
    elif case == "mixed dtypes":
        y = base.copy()
    elif case == "same array":
        x = y
    elif case == "overlapping views":
        flat = y.reshape(-1)  # more elements than add_scaled_ would take in blocks
        y, x = flat[1:150001], flat[:150000]
    elif case == "broadcast x":
        x = x[0]
    want = y + 0.5 * x  # NumPy's own y += 0.5 * x, which buffers overlapping operands
    backend.add_scaled_(y, x, 0.5)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


def test_without_blas_blocks_match_numpy(monkeypatch):
    monkeypatch.setattr(backend.blas, "_AXPY", {})
    y, x = rng.standard_normal(1 << 18).astype(np.float32), rng.standard_normal(1 << 18)
    want = y + 0.25 * x.astype(np.float32)
    backend.add_scaled_(y, x.astype(np.float32), 0.25)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


def test_large_update_allocates_no_temporary():
    y = np.zeros(1 << 20, np.float32)
    x = np.ones(1 << 20, np.float32)
    tracemalloc.start()
    backend.add_scaled_(y, x, 2.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_array_equal(y, 2.0)
    # BLAS axpy: nothing; without it, one cache-sized block (128 KB), never the 4 MB
    # a whole `alpha * x` would take
    assert peak < (64 if backend._AXPY else 256) * 1024


# ----------------------------------------------------------------------------- momentum
def _momentum_numpy(p, buf, g, momentum, alpha):
    """PyTorch's SGD momentum step as NumPy's separate passes (two roundings for buf)."""
    buf *= momentum
    buf += g
    p += buf * p.dtype.type(alpha)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [5, 8191, 8192, (1 << 17) + 3, 3 * (1 << 17)])
def test_momentum_step_matches_the_separate_passes(dtype, n):
    p, buf, g = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    p2, buf2 = p.copy(), buf.copy()
    backend.momentum_step_(p, buf, g, 0.9, -0.01)
    _momentum_numpy(p2, buf2, g, 0.9, -0.01)
    # buf rounds exactly as `buf *= m; buf += g` (axpby is only used where it does)
    np.testing.assert_array_equal(buf, buf2)
    # p += a * buf: one rounding (axpy's fused multiply-add) or two
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(p, p2, rtol=tol, atol=tol)
    assert p.dtype == buf.dtype == dtype


@pytest.mark.parametrize("case", ["strided", "mixed dtypes", "g is buf", "p is g", "no axpby"])
def test_momentum_step_layouts_blas_cannot_take_fall_back(case, monkeypatch):
    shape = (400, 400)
    p, buf, g = (rng.standard_normal(shape).astype(np.float32) for _ in range(3))
    if case == "strided":
        p, buf, g = p[:, ::2], buf[:, ::2], g[:, ::2]
    elif case == "mixed dtypes":
        g = g.astype(np.float64)
    elif case == "g is buf":
        g = buf
    elif case == "p is g":
        g = p
    elif case == "no axpby":
        monkeypatch.setattr(backend.blas, "_AXPBY", {})
    p2, buf2 = p.copy(), buf.copy()
    g2 = buf2 if case == "g is buf" else p2 if case == "p is g" else g
    backend.momentum_step_(p, buf, g, 0.5, -0.1)
    buf2 *= 0.5
    buf2 += g2.astype(np.float32)  # what the step read as g: buf after its scaling
    p2 += np.float32(-0.1) * buf2
    np.testing.assert_allclose(buf, buf2, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(p, p2, rtol=1e-6, atol=1e-6)
