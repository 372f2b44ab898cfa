"""from_dlpack / __dlpack__: zero-copy exchange with NumPy and torch, both ways."""
import numpy as np
import torch

import autograd as ag


def test_from_numpy_array_shares_memory_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = ag.from_dlpack(a)
    assert t.shape == (2, 3) and t.dtype == ag.float64
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    t[1, 2] = -1.0
    assert a[1, 2] == -1.0


def test_from_torch_tensor_shares_memory_both_ways():
    src = torch.arange(4, dtype=torch.float32)
    t = ag.from_dlpack(src)
    assert t.dtype == ag.float32 and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    src[1] = 10.0
    assert t[1].item() == 10.0
    t.add_(1)
    assert src.tolist() == [1.0, 11.0, 3.0, 4.0]


def test_torch_and_numpy_read_our_tensor_without_copy():
    t = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)
    back = torch.from_dlpack(t)
    back[0] = 7.0
    assert t[0].item() == 7.0
    arr = np.from_dlpack(t)
    t.mul_(2)
    np.testing.assert_array_equal(arr, [14.0, 4.0, 6.0])
    assert t.__dlpack_device__()[0] == 1  # kDLCPU


def test_from_dlpack_of_our_tensor_and_bad_input():
    t = ag.tensor([1.0])
    u = ag.from_dlpack(t)
    u.fill_(3.0)
    assert t.item() == 3.0
    import pytest
    with pytest.raises(TypeError):
        ag.from_dlpack([1.0, 2.0])


def test_integer_and_non_contiguous_arrays_round_trip():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2]
    t = ag.from_dlpack(a)
    assert t.dtype == ag.int64 and t.tolist() == a.tolist()
    a[0, 0] = 99
    assert t[0, 0].item() == 99
