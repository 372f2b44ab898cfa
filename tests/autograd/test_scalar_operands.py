"""Python and NumPy scalars as operands, typed as PyTorch types them: a NumPy scalar is
the Python number it holds (x / np.sqrt(d) stays float32), and torch.where takes two
numbers."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

M = [True, False, True]


def _cases(L):
    m = L.tensor(M)
    q = L.ones(2, 4)
    return {
        "div by np.sqrt": q @ q.T / np.sqrt(4),
        "int tensor * np.float64": L.tensor([1, 2]) * np.float64(0.5),
        "np.float64 * tensor": np.float64(2) * L.ones(2),
        "int32 * np.int64": L.tensor([1, 2], dtype=L.int32) * np.int64(2),
        "float64 + np.float32": L.ones(2, dtype=L.float64) + np.float32(1),
        "float16 * np.float64": L.ones(2, dtype=L.float16) * np.float64(2),
        "full np.float64": L.full((2,), np.float64(1.5)),
        "full np.int64": L.full((2,), np.int64(3)),
        "clamp np bounds": q.clamp(np.float64(0), np.float64(0.5)),
        "where tensor, np.float64": L.where(m, L.ones(3), np.float64(0)),
        "where int, int": L.where(m, 1, 0),
        "where float, int": L.where(m, 1.0, 0),
        "where bool, bool": L.where(m, True, False),
        "where mask, -inf": L.where(m, 0.0, float("-inf")),
        "where complex": L.where(m, 1j, 0),
        "where np.float64, int": L.where(m, np.float64(2), 0),
        "masked_fill np.float64": L.ones(3).masked_fill(m, np.float64(2)),
    }


@requires_torch
def test_dtypes_and_values_match_torch():
    ours, theirs = _cases(ag), _cases(torch)
    for name in ours:
        assert str(ours[name].dtype) == str(theirs[name].dtype), name
        np.testing.assert_array_equal(ours[name].numpy(), theirs[name].numpy(), err_msg=name)


def test_where_with_two_numbers_without_torch():
    r = ag.where(ag.tensor(M), 1.0, 0)
    assert r.dtype == ag.float32 and r.tolist() == [1.0, 0.0, 1.0]
    assert ag.where(ag.tensor(M), 1, 0).dtype == ag.int64
    with pytest.raises(TypeError, match="where"):
        ag.where(ag.tensor(M), "a", 0)
    assert (ag.ones(2) / np.float64(4)).dtype == ag.float32


def _index_cases(L):
    out = L.zeros(3)
    out[L.tensor(1)] = 3.0
    for i in L.arange(2):
        out[i] = i * 2.0
    out[out.argmax()] += 1
    z = L.zeros(2, 3)
    z[L.tensor(1), L.tensor(1)] = 3.0
    v = out[L.tensor(1)]
    v.add_(1)  # a view: out changes
    x = L.arange(6.0).reshape(2, 3)
    w = L.ones(3, requires_grad=True)
    (w * 2)[L.tensor(0)].backward()
    return [out, z, v, x[L.tensor(1)], x[L.tensor([1])], x[:, L.tensor(2)],
            x[L.tensor(True)], w.grad]


@requires_torch
def test_a_0d_integer_tensor_indexes_as_an_integer():
    for ours, theirs in zip(_index_cases(ag), _index_cases(torch)):
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
