"""autograd.testing (torch.testing.assert_close / make_tensor) against torch's."""
import math

import pytest

import autograd as A
from tests.conftest import requires_torch

pytestmark = requires_torch
CASES = [
    (lambda L: L.tensor([1.0, 2.0, 3.0]), lambda L: L.tensor([1.0, 2.5, 3.1]), {}),
    (lambda L: L.tensor([1.0, 2.0]), lambda L: L.tensor([1.0, 2.0], dtype=L.float64), {}),
    (lambda L: L.tensor([1.0, 2.0]), lambda L: L.tensor([1.0, 2.0, 3.0]), {}),
    (lambda L: 1, lambda L: 2, {}),
    (lambda L: [L.ones(1)], lambda L: [L.zeros(1)], {}),
    (lambda L: {"a": L.ones(2)}, lambda L: {"a": L.ones(2) * 2}, {}),
    (lambda L: L.tensor([math.nan, 1.0]), lambda L: L.tensor([math.nan, 1.0]), {}),
    (lambda L: L.tensor([1, 2]), lambda L: L.tensor([1, 3]), {}),
    (lambda L: L.tensor(1.0), lambda L: L.tensor(2.0), {}),
    (lambda L: L.tensor([1.0, 2.0]), lambda L: L.tensor([1.0, 2.1]), {"rtol": 0.01, "atol": 0.0}),
]
PASSING = [
    (lambda L: L.tensor([math.nan]), lambda L: L.tensor([math.nan]), {"equal_nan": True}),
    (lambda L: L.tensor([1.0, 2.0]), lambda L: L.tensor([1.0, 2.0 + 1e-6]), {}),
    (lambda L: L.tensor([1.0, math.inf]), lambda L: L.tensor([1.0, math.inf]), {}),
    (lambda L: L.tensor([1.0]), lambda L: L.tensor([1.0], dtype=L.float64),
     {"check_dtype": False}),
    (lambda L: 1.0, lambda L: 1.0 + 1e-9, {}),
]


def _message(lib, a, e, kw):
    try:
        lib.testing.assert_close(a(lib), e(lib), **kw)
    except AssertionError as err:
        return str(err)
    return None


@pytest.mark.parametrize("a,e,kw", CASES)
def test_failures_as_torch(a, e, kw):
    import torch
    ours, theirs = _message(A, a, e, kw), _message(torch, a, e, kw)
    assert ours is not None and theirs is not None
    # the same message, up to how the float differences print (float32 vs float64 maths)
    assert ours.split("\n")[0] == theirs.split("\n")[0]
    assert ours.count("\n") == theirs.count("\n")
    for ours_line, their_line in zip(ours.split("\n"), theirs.split("\n")):
        assert ours_line.split(":")[0] == their_line.split(":")[0]


@pytest.mark.parametrize("a,e,kw", PASSING)
def test_passes_as_torch(a, e, kw):
    import torch
    assert _message(A, a, e, kw) is None and _message(torch, a, e, kw) is None


def test_argument_errors_and_make_tensor():
    with pytest.raises(ValueError, match="atol"):
        A.testing.assert_close(A.ones(1), A.ones(1), rtol=1e-3)
    with pytest.raises(TypeError):
        A.testing.assert_close(A.ones(1), [1.0])
    with pytest.raises(AssertionError, match="custom"):
        A.testing.assert_close(A.ones(1), A.zeros(1), msg="custom")
    t = A.testing.make_tensor(3, 4, dtype=A.float32, low=-1, high=1)
    assert t.shape == (3, 4) and t.dtype == A.float32 and float(t.abs().max()) <= 1
    i = A.testing.make_tensor((50,), dtype=A.int64, low=0, high=3, exclude_zero=True)
    assert set(i.tolist()) <= {1, 2}
