"""Host fast paths that must not change results: Python numbers in +, -, *, / taken as
cached 0-d arrays (ops/operands.py), and a small-row x @ w.T computed as (w @ x.T).T
(backend/arrays.py)."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd import backend
from autograd.ops import operands

VALUES = [0.5, -1.1, 3, 2.0, 0.0, -0.0, 0, 1e-50, 1e300, -1e300, float("nan"),
          float("inf"), -float("inf"), 2 ** 70, 7]


def _bits(a):
    a = np.asarray(a)
    return a.view(np.uint8).tobytes(), a.dtype, a.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_numbers_in_arithmetic_give_numpys_exact_result(op, dtype):
    """Bit for bit what NumPy gives for the array and the Python number itself, in both
    operand orders, on the first call (the cache filled) and the second (read)."""
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal(7) * 3).astype(dtype)
    arr[0] = 0.0
    t = ag.tensor(arr)
    f = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
         "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    with np.errstate(all="ignore"):
        for v in VALUES:
            for _ in range(2):
                assert _bits(f(t, v).array) == _bits(f(arr, v)), (op, dtype, v)
                assert _bits(f(v, t).array) == _bits(f(v, arr)), (op, dtype, v)


def test_signed_zero_is_never_shared():
    t = ag.tensor(np.array([1.0, -2.0], np.float32))
    for _ in range(3):
        assert np.signbit((t * -0.0).array).tolist() == [True, False]
        assert np.signbit((t * 0.0).array).tolist() == [False, True]
        assert np.signbit((-0.0 * t).array).tolist() == [True, False]
    for d in operands._SCALARS.values():
        assert 0 not in d  # zero is converted by NumPy each time


def test_cached_operands_are_never_written():
    t = ag.tensor(np.ones(4, np.float32), requires_grad=True)
    y = t * 2.5
    y.detach().array[...] = 99   # the result is a new array, not the cached 2.5
    z = (t + 2.5) / 2.5
    z.sum().backward()
    assert (t * 2.5).array.tolist() == [2.5] * 4
    np.testing.assert_array_equal(t.grad.array, np.full(4, 1 / np.float32(2.5)))
    for d in operands._SCALARS.values():
        for k, v in d.items():
            if isinstance(v, np.ndarray):
                assert v.shape == () and (v == k or math.isnan(k))


def test_the_cache_stays_bounded():
    t = ag.tensor(np.ones(3, np.float32))
    for i in range(3 * operands._SCALARS_PER_DTYPE):
        assert (t * (i + 0.25)).array[0] == np.float32(i + 0.25)
    for d in operands._SCALARS.values():
        assert len(d) <= operands._SCALARS_PER_DTYPE


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows,k,n", [(1, 784, 512), (8, 64, 130), (32, 784, 512),
                                      (64, 512, 512), (65, 300, 200), (32, 512, 10)])
def test_small_row_nt_matmul(rows, k, n, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, k)).astype(dtype)
    w = rng.standard_normal((n, k)).astype(dtype)
    ref = x.astype(np.float64) @ w.T.astype(np.float64)
    eps = np.finfo(dtype).eps
    got = backend.matmul(x, w.T)
    assert got.flags.c_contiguous and got.dtype == dtype and got.shape == (rows, n)
    # a sum of k products: error grows like sqrt(k) eps |x||w|
    tol = 4 * math.sqrt(k) * eps * (np.abs(x) @ np.abs(w.T))
    assert (np.abs(got - ref) <= tol).all()
    out = np.empty((rows, n), dtype)
    assert backend.matmul(x, w.T, out=out) is out
    np.testing.assert_array_equal(out, got)
    # through Linear and matmul, forward and backward
    xt, wt = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    y = ag.nn.functional.linear(xt, wt) if hasattr(ag, "nn") else xt @ wt.t()
    assert (np.abs(y.array - ref) <= tol).all() and y.is_contiguous()
    y.sum().backward()
    np.testing.assert_allclose(xt.grad.array, np.broadcast_to(w.sum(0), x.shape),
                               rtol=50 * eps * math.sqrt(n), atol=50 * eps * math.sqrt(n))
