"""Dtype promotion against PyTorch, exhaustively: bool/int/float tensors with bool/int/float
Python scalars on either side, and with 0-d and 1-d tensors of every dtype (0-d tensors
take part in promotion only by category, as in PyTorch). Same situations raise."""
import operator

import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

pytestmark = requires_torch

DTYPES = ["bool", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, False, 2, -3, 2.5]
OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "eq": operator.eq, "lt": operator.lt,
    "maximum": lambda a, b: a.maximum(b) if hasattr(b, "shape") else a.clamp(min=b),
    "where": None,  # see test_where_promotion
}
OPS = {k: v for k, v in OPS.items() if v is not None}


def _make(lib, dtype, shape):
    values = np.array([1, 2, 3][:int(np.prod(shape, dtype=int))]).reshape(shape)
    arr = values.astype(dtype) if dtype != "bool" else values.astype(bool)
    return torch.tensor(arr) if lib is torch else ag.tensor(arr)


def _outcome(fn):
    """The result dtype, or the exception type."""
    try:
        out = fn()
    except (RuntimeError, TypeError, NotImplementedError, ValueError) as e:
        return type(e).__name__
    return str(out.dtype)


def _both(fn):
    return _outcome(lambda: fn(ag)), _outcome(lambda: fn(torch))


@pytest.mark.parametrize("op", list(OPS), ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_with_python_scalar_either_side(op, dtype):
    f = OPS[op]
    wrong = []
    for s in SCALARS:
        for side in ("tensor op scalar", "scalar op tensor"):
            if side == "scalar op tensor" and op == "maximum":
                continue
            if side == "tensor op scalar":
                ours, theirs = _both(lambda L: f(_make(L, dtype, (3,)), s))
            else:
                ours, theirs = _both(lambda L: f(s, _make(L, dtype, (3,))))
            if ours != theirs:
                wrong.append(f"{side} with {s!r}: ours {ours}, torch {theirs}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("op", list(OPS), ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_with_tensors_of_every_dtype_0d_and_1d(op, dtype):
    f = OPS[op]
    wrong = []
    for other in DTYPES:
        for sa, sb in [((3,), ()), ((), (3,)), ((3,), (3,)), ((), ())]:
            ours, theirs = _both(lambda L: f(_make(L, dtype, sa), _make(L, other, sb)))
            if ours != theirs:
                wrong.append(f"{dtype}{sa} op {other}{sb}: ours {ours}, torch {theirs}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_promotion(dtype):
    wrong = []
    for other in DTYPES + SCALARS:
        def fn(L, other=other):
            cond = _make(L, "bool", (3,))
            b = _make(L, other, ()) if isinstance(other, str) else other
            return L.where(cond, _make(L, dtype, (3,)), b)
        ours, theirs = _both(fn)
        if ours != theirs:
            wrong.append(f"where({dtype}, {other}): ours {ours}, torch {theirs}")
    assert not wrong, "\n".join(wrong)


def test_promoted_values_match_torch():
    """Not only the dtype: int tensor / int, int tensor * float, 0-d float64 with float32."""
    for fn in [lambda L: _make(L, "int64", (3,)) / 2,
               lambda L: _make(L, "int32", (3,)) * 0.5,
               lambda L: _make(L, "float32", (3,)) + _make(L, "float64", ()),
               lambda L: _make(L, "int64", (3,)) // -2,
               lambda L: _make(L, "int64", (3,)) % -2,
               lambda L: _make(L, "bool", (3,)) ** 2,
               lambda L: L.square(_make(L, "bool", (3,))),  # pow(x, 2): int64
               lambda L: _make(L, "bool", (3,)).square(),
               lambda L: L.square(_make(L, "uint8", (3,))),
               # clamp promotes over self and both bounds by the same rules
               lambda L: L.clamp(_make(L, "int64", (3,)), _make(L, "float32", ())),
               lambda L: L.clamp(_make(L, "float32", (3,)), _make(L, "float64", ())),
               lambda L: L.clamp(_make(L, "float32", (3,)), _make(L, "float64", (3,))),
               lambda L: L.clamp(_make(L, "int32", (3,)), _make(L, "int64", ()),
                                 _make(L, "float64", ())),
               lambda L: L.clamp(_make(L, "int64", (3,)), 0.5)]:
        ours, theirs = fn(ag), fn(torch)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype) == str(theirs.dtype)
