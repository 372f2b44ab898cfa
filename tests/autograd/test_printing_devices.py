"""repr of tensors in PyTorch's format, and moving between devices (`to`, `cpu`, `cuda`),
with a clear error for 'cuda' where CuPy is missing."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

REPR_CASES = [
    [1.5, 2, 3], [1, 2, 3], 3.0, [True, False], [[1.0, 2], [3, 4]], [1e-5, 1e5],
    [float("nan"), float("inf"), 1.0], [float("nan"), 1.5], [-1.5, 2.25, 100.125],
    [[-1.0, 2], [3, -40]], [0.0, 0.0], [1e9, 1.0], [0.5, -0.25], [1e-3, 2e-3],
    [float("-inf"), 0.5], [123456.5, 1.5], [], 7,
]


def _torch_repr(t):
    return repr(t)


@requires_torch
@pytest.mark.parametrize("data", REPR_CASES, ids=str)
def test_repr_matches_torch(data):
    assert repr(ag.tensor(data)) == _torch_repr(torch.tensor(data))


@requires_torch
@pytest.mark.parametrize("build", [
    lambda L: L.arange(12.0).reshape(3, 4) / 7,
    lambda L: L.ones(2, dtype=L.float64) * 1.5,
    lambda L: L.tensor([1.0, 2.0], dtype=L.float16),
    lambda L: L.zeros(2, 0),
    lambda L: L.tensor([[1.0, 2.0]], requires_grad=True),
    lambda L: L.tensor([1, 2], dtype=L.int32),
], ids=["fractions", "float64", "float16", "empty-2d", "requires-grad", "int32"])
def test_repr_of_dtypes_shapes_and_flags_matches_torch(build):
    assert repr(build(ag)) == _torch_repr(build(torch))


def test_repr_of_a_result_names_its_grad_fn_and_str_is_repr():
    y = ag.tensor([1.0, 2.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert str(y) == repr(y)


def test_repr_of_a_large_tensor_is_summarised():
    text = repr(ag.arange(5000.0))
    assert "..." in text and len(text) < 200


@pytest.mark.skipif(ag.cuda.is_available(), reason="checks the error without CuPy")
@pytest.mark.parametrize("move", [
    lambda x: x.cuda(), lambda x: x.cuda(0), lambda x: x.to("cuda"), lambda x: x.to("cuda:1"),
    lambda x: x.to(ag.device("cuda")), lambda x: x.to("cuda", ag.float64),
    lambda x: ag.ones(2, device="cuda"), lambda x: ag.tensor([1.0], device="cuda"),
])
def test_cuda_without_cupy_is_a_clear_runtime_error(move):
    with pytest.raises(RuntimeError, match="CuPy is not installed.*pip install"):
        move(ag.ones(2))


def test_cuda_helpers_work_without_a_gpu():
    assert ag.cuda.device_count() >= 0
    assert isinstance(ag.cuda.is_available(), bool)


@pytest.mark.parametrize("call,dtype,same", [
    (lambda x: x.to("cpu"), "float32", True),
    (lambda x: x.cpu(), "float32", True),
    (lambda x: x.to("cpu", non_blocking=True), "float32", True),
    (lambda x: x.to(device="cpu", dtype=ag.float64), "float64", False),
    (lambda x: x.to("cpu", ag.float64, False, True), "float64", False),
    (lambda x: x.to(ag.float16), "float16", False),
    (lambda x: x.to("cpu", copy=True), "float32", False),
    (lambda x: x.to(ag.zeros(1, dtype=ag.int64)), "int64", False),
    (lambda x: x.to(0 if False else "cpu", memory_format=None), "float32", True),
])
def test_to_accepts_torch_forms(call, dtype, same):
    x = ag.ones(2)
    y = call(x)
    assert str(y.dtype) == f"torch.{dtype}" and y.device == ag.device("cpu")
    assert (y is x) == same


def test_to_rejects_unknown_keywords_and_devices():
    with pytest.raises(TypeError, match="unexpected keyword"):
        ag.ones(2).to(devise="cpu")
    with pytest.raises(RuntimeError, match="tpu"):
        ag.ones(2).to("tpu")


def test_to_dtype_is_differentiable():
    x = ag.tensor(np.ones(3), requires_grad=True)
    x.to(ag.float32).sum().backward()
    assert x.grad.dtype == ag.float64 and x.grad.tolist() == [1.0, 1.0, 1.0]
