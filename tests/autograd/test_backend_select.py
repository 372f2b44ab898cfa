"""backend.select: NumPy's where without branches on host float arrays, bit for bit."""
import numpy as np
import pytest

from autograd import backend

DTYPES = [np.float16, np.float32, np.float64]


def _specials(a):
    a = a.copy()
    a.flat[:4] = [np.nan, -0.0, np.inf, -np.inf]
    return a


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["arrays", "scalar-zero", "zero-first", "float-zero-first",
                                  "minus-zero", "minus-zero-first", "zero-d", "scalar-first",
                                  "scalar-float",
                                  "broadcast-b", "broadcast-cond", "numpy-scalar",
                                  "mixed-dtype", "int-arrays"])
def test_select_is_where_bit_for_bit(dtype, case):
    rng = np.random.default_rng(0)
    a = _specials(rng.standard_normal((37, 19)).astype(dtype))
    b = _specials(rng.standard_normal((37, 19)).astype(dtype))[::-1]
    c = rng.standard_normal((37, 19)) > 0
    args = {"arrays": (c, a, b), "scalar-zero": (c, a, 0), "zero-first": (c, 0, a),
            "float-zero-first": (c, 0.0, a), "minus-zero": (c, a, -0.0),
            "minus-zero-first": (c, -0.0, a),
            "zero-d": (np.asarray(c[0, 0]), np.asarray(a[0, 0]), 0.0),
            "scalar-first": (c, 0.5, a),
            "scalar-float": (c, a, 0.1), "broadcast-b": (c, a, b[:1]),
            "broadcast-cond": (c[:1], a, b), "numpy-scalar": (c, a, np.float32(2)),
            "mixed-dtype": (c, a, b.astype(np.float64)),
            "int-arrays": (c, np.arange(a.size, dtype=np.int32).reshape(a.shape), 3)}[case]
    got, want = backend.select(*args), np.where(*args)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got.reshape(-1).view(np.uint8),  # NaN and -0.0 too
                          want.reshape(-1).view(np.uint8))


def test_select_on_a_non_contiguous_view():
    a = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2]
    c = (np.arange(12).reshape(4, 3) % 2).astype(bool)
    assert np.array_equal(backend.select(c, a, -1.0), np.where(c, a, -1.0))
