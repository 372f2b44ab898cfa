"""Printing compared with PyTorch's on the same tensors: precision, scientific notation,
summarisation, line width, suffixes (dtype=torch.*, grad_fn=<...Backward0>) and
set_printoptions."""
import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

_R = np.random.RandomState(0)
ARRAYS = {
    "randn-100x100-f32": _R.randn(100, 100).astype(np.float32),
    "arange-5000": np.arange(5000.0),
    "huge-3d": _R.randn(3, 4, 5) * 1e6,
    "tiny": _R.randn(4, 6) * 1e-6,
    "span": np.array([1e-5, 1e5]),
    "wide-row-f32": _R.randn(30).astype(np.float32),
    "ints": _R.randint(-1000, 1000, (40, 40)),
    "int32": _R.randint(-5, 5, (3, 7)).astype(np.int32),
    "uint8": _R.randint(0, 255, (2, 50)).astype(np.uint8),
    "bools-summarised": np.array([[True, False]] * 600),
    "0-d": np.array(2.5),
    "0-d-int": np.array(7),
    "empty": np.zeros((0,)),
    "empty-2d": np.zeros((0, 3)),
    "empty-int": np.zeros((2, 0), dtype=np.int64),
    "half": _R.randn(2, 3, 4, 5).astype(np.float16),
    "nan-inf": np.array([np.nan, np.inf, -np.inf, 1.25, 0.0]),
    "only-nan": np.array([np.nan, np.nan]),
    "integers-as-floats": np.array([[1.0, -20.0], [300.0, 4.0]]),
    "int-floats-sci": np.array([1.0, 1e9]),
    "zeros": np.zeros((2, 3)),
    "negative-small": np.array([-1e-3, 2e-3, 5.0]),
    "4d-summarised": _R.randn(5, 6, 7, 8),
    "long-1d-f64": _R.randn(999),
    "wide-ints": np.arange(0, 10 ** 9, 10 ** 7),
}


@requires_torch
@pytest.mark.parametrize("name", list(ARRAYS))
def test_repr_matches_torch(name):
    arr = ARRAYS[name]
    assert repr(ag.tensor(arr)) == repr(torch.tensor(arr))
    assert str(ag.tensor(arr)) == str(torch.tensor(arr))


@requires_torch
@pytest.mark.parametrize("build", [
    lambda L: L.tensor([[1.5, 2.0]] * 20, requires_grad=True),
    lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda L: L.tensor([1.0, 2.0], requires_grad=True) + 1,
    lambda L: L.tensor([1.0, 2.0], requires_grad=True).sum(),
    lambda L: L.tensor([[1.0, 2.0]], dtype=L.float64, requires_grad=True).exp(),
    lambda L: L.ones(3, 40, dtype=L.float64, requires_grad=True) * 3.25,
], ids=["leaf", "mul", "add", "sum", "exp-f64", "long-suffix-wraps"])
def test_repr_suffixes_match_torch(build):
    assert repr(build(ag)) == repr(build(torch))


@requires_torch
@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"),
], ids=str)
def test_set_printoptions_matches_torch(opts):
    arr = np.random.RandomState(1).randn(12, 11) * 1e-3
    before = repr(ag.tensor(arr))
    try:
        ag.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        assert repr(ag.tensor(arr)) == repr(torch.tensor(arr))
    finally:
        ag.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(ag.tensor(arr)) == before


def test_printoptions_restores_and_bad_profile_is_named():
    with ag.printoptions(precision=1):
        assert repr(ag.tensor([0.25, 1.5])) == "tensor([0.2, 1.5])"
    assert ag.get_printoptions()["precision"] == 4
    with pytest.raises(ValueError, match="set_printoptions: expected profile"):
        ag.set_printoptions(profile="long")


def test_dtype_suffix_names_the_torch_dtype():
    assert repr(ag.tensor([1, 2], dtype=ag.int32)) == "tensor([1, 2], dtype=torch.int32)"


def test_size_prints_as_torch_size():
    # printed shapes read as PyTorch's, as dtypes do (scripts print x.shape)
    x = ag.ones(3, 4)
    assert repr(x.shape) == str(x.size()) == "torch.Size([3, 4])"
    assert repr(x.shape[1:]) == "torch.Size([4])" and repr(ag.Size([])) == "torch.Size([])"
    assert f"{x.shape}" == "torch.Size([3, 4])"
