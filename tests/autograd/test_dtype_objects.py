"""Dtypes are objects printing as PyTorch's (`torch.float32`), with torch.dtype's
attributes, equal to (and hashing as) their NumPy dtypes, picklable, and accepted in all
three forms (Ember's, NumPy's, torch's) by everything that takes a dtype."""
import copy
import pickle

import numpy as np
import pytest

import autograd as ag
from autograd import backend
from tests.conftest import requires_torch, torch

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
         "complex64", "complex128"]
if not isinstance(ag.bfloat16, backend.MissingDtype):
    NAMES.append("bfloat16")
ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
           "int": "int32", "short": "int16", "cfloat": "complex64", "cdouble": "complex128"}


@requires_torch
@pytest.mark.parametrize("name", NAMES + list(ALIASES))
def test_dtype_prints_and_answers_like_torch(name):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    assert isinstance(ours, ag.dtype)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    for attr in ("is_floating_point", "is_complex", "is_signed", "itemsize"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert str(ours.to_real()) == str(theirs.to_real())
    if theirs.is_floating_point and theirs is not torch.float16 or theirs.is_complex:
        assert str(ours.to_complex()) == str(theirs.to_complex())
    else:
        with pytest.raises(RuntimeError):
            ours.to_complex()


@pytest.mark.parametrize("name", NAMES)
def test_equal_and_hash_as_numpy_dtype(name):
    d = getattr(ag, name)
    np_dtype = backend.as_dtype(name)
    assert d == np_dtype and np_dtype == d and not (d != np_dtype)
    assert hash(d) == hash(np_dtype)
    assert {np_dtype: 1}[d] == 1 and {d: 2}[np_dtype] == 2
    assert np.dtype(d) == np_dtype and np.zeros(2, dtype=d).dtype == np_dtype
    assert d != "float32" and d != ag.Tensor and d == d
    others = [getattr(ag, n) for n in NAMES if n != name]
    assert all(d != o for o in others) and d not in others


@pytest.mark.parametrize("name", NAMES)
def test_pickle_and_copy_keep_the_object(name):
    d = getattr(ag, name)
    assert pickle.loads(pickle.dumps(d)) is d
    assert copy.deepcopy(d) is d and copy.copy(d) is d


@pytest.mark.parametrize("name", NAMES)
def test_tensor_dtype_is_the_object_and_the_array_keeps_numpy(name):
    x = ag.zeros(3, dtype=getattr(ag, name))
    assert x.dtype is getattr(ag, name)
    assert isinstance(x.array.dtype, np.dtype) and x.array.dtype == backend.as_dtype(name)


def _forms(name):
    forms = [getattr(ag, name), backend.as_dtype(name)]
    if torch is not None:
        forms.append(getattr(torch, name))
    return forms


CREATORS = {
    "tensor": lambda d: ag.tensor([1, 0], dtype=d),
    "as_tensor": lambda d: ag.as_tensor([1, 0], dtype=d),
    "zeros": lambda d: ag.zeros(2, dtype=d),
    "ones": lambda d: ag.ones(2, dtype=d),
    "empty": lambda d: ag.empty(2, dtype=d),
    "full": lambda d: ag.full((2,), 1, dtype=d),
    "arange": lambda d: ag.arange(2, dtype=d),
    "eye": lambda d: ag.eye(2, dtype=d),
    "zeros_like": lambda d: ag.zeros_like(ag.ones(2), dtype=d),
    "ones_like": lambda d: ag.ones_like(ag.ones(2), dtype=d),
    "full_like": lambda d: ag.full_like(ag.ones(2), 1, dtype=d),
    "empty_like": lambda d: ag.empty_like(ag.ones(2), dtype=d),
    "to": lambda d: ag.ones(2).to(d),
    "to-kw": lambda d: ag.ones(2).to(dtype=d),
    "type": lambda d: ag.ones(2).type(d),
    "new_zeros": lambda d: ag.ones(2).new_zeros(2, dtype=d),
}
FLOAT_CREATORS = {
    "rand": lambda d: ag.rand(2, dtype=d),
    "randn": lambda d: ag.randn(2, dtype=d),
    "linspace": lambda d: ag.linspace(0, 1, 3, dtype=d),
    "sum-dtype": lambda d: ag.ones(2, dtype=ag.int64).sum(dtype=d),
}


@pytest.mark.parametrize("name", ["float32", "float64", "int64", "int32", "bool", "uint8"])
@pytest.mark.parametrize("creator", list(CREATORS))
def test_creation_takes_every_form(creator, name):
    if (creator, name) == ("arange", "bool"):  # PyTorch: "arange_cpu" not implemented for 'Bool'
        with pytest.raises(NotImplementedError, match="arange"):
            CREATORS[creator](ag.bool)
        return
    for d in _forms(name):
        out = CREATORS[creator](d)
        assert out.dtype is getattr(ag, name), (creator, d)


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("creator", list(FLOAT_CREATORS))
def test_float_creation_takes_every_form(creator, name):
    for d in _forms(name):
        assert FLOAT_CREATORS[creator](d).dtype is getattr(ag, name), (creator, d)


def test_default_dtype_finfo_iinfo_promotion_autocast_take_every_form():
    for d in _forms("float64"):
        ag.set_default_dtype(d)
        try:
            assert ag.get_default_dtype() is ag.float64 and ag.tensor([1.0]).dtype is ag.float64
        finally:
            ag.set_default_dtype(ag.float32)
        assert ag.finfo(d).bits == 64 and ag.finfo(d).dtype == "float64"
    assert ag.get_default_dtype() is ag.float32
    for d in _forms("int16"):
        assert ag.iinfo(d).max == 2 ** 15 - 1
    assert ag.promote_types(ag.int64, ag.float32) is ag.float32
    assert ag.promote_types(np.dtype("uint8"), ag.int8) is ag.int16
    for d in _forms("float16"):
        with ag.autocast("cpu", dtype=d):
            assert ag.get_autocast_dtype("cpu") is ag.float16


@requires_torch
@pytest.mark.parametrize("name", ["float32", "float64", "int32", "int64", "bool", "uint8",
                                  "float16"])
def test_tensor_repr_dtype_suffix_matches_torch(name):
    values = [1, 0, 2]
    ours = ag.tensor(values, dtype=getattr(ag, name))
    theirs = torch.tensor(values, dtype=getattr(torch, name))
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert repr(ag.zeros(0, dtype=getattr(ag, name))) == \
        repr(torch.zeros(0, dtype=getattr(torch, name)))
    assert ours.type() == theirs.type()


# Tensor.view(dtype) reads the same bytes as another dtype (no copy), as PyTorch
VIEW_DTYPE = {
    "same_size": lambda L: L.arange(12.0).reshape(3, 4).view(L.int32),
    "bigger": lambda L: L.arange(12.0).reshape(3, 4).view(L.float64),
    "bigger_complex": lambda L: L.arange(12.0).reshape(3, 4).view(L.complex64),
    "smaller": lambda L: L.arange(6.0).reshape(2, 3).view(L.int16),
    "to_bytes": lambda L: L.arange(3, dtype=L.int64).view(L.uint8),
    "strided_same_size": lambda L: L.arange(8.0).reshape(2, 4)[:, ::2].view(L.int32),
    "rows_strided": lambda L: L.arange(8.0).reshape(4, 2)[::2].view(L.float64),
    "0d_same_size": lambda L: L.tensor(1.5).view(L.int32),
    "0d_other_size": lambda L: L.tensor(1.5).view(L.float64),
    "last_not_divisible": lambda L: L.arange(3.0).view(L.float64),
    "last_stride_not_1": lambda L: L.arange(12.0).reshape(3, 4).t().view(L.float16),
    "other_stride_odd": lambda L: L.zeros(2, 1).t().view(L.float64),
    "offset_odd": lambda L: L.arange(5.0)[1:].view(L.float64),
    "offset_even": lambda L: L.arange(6.0)[2:].view(L.float64),
}


@requires_torch
@pytest.mark.parametrize("name", list(VIEW_DTYPE))
def test_view_dtype_reinterprets_like_torch(name):
    res = []
    for lib in (ag, torch):
        try:
            out = VIEW_DTYPE[name](lib)
        except RuntimeError:
            res.append("RuntimeError")
            continue
        res.append((tuple(out.shape), tuple(out.stride()), str(out.dtype),
                    out.numpy().tobytes()))
    assert res[0] == res[1], res


@requires_torch
def test_view_dtype_shares_storage_and_is_not_differentiable_like_torch():
    for lib in (ag, torch):
        x = lib.arange(4.0, requires_grad=True)
        v = x.view(lib.int32)
        assert not v.requires_grad and v.grad_fn is None, lib.__name__
        b = lib.arange(4.0)
        b.view(lib.int32)[0] = 1065353216  # the bits of 1.0f
        assert b.tolist() == [1.0, 1.0, 2.0, 3.0], lib.__name__
        with pytest.raises(TypeError):
            b.view("no such dtype")
