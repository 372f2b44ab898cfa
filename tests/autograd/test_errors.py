"""Misuse raises PyTorch's exception types with messages that name the op (and, for shape
mismatches, both shapes); never a bare NumPy error."""
import re

import numpy as np
import pytest

import autograd as ag
from autograd.ops.split import pad


def _raises(exc_types, fn, starts_with, *contains):
    with pytest.raises(exc_types) as info:
        fn()
    assert type(info.value).__module__ in ("builtins", "autograd.gradcheck"), \
        f"{type(info.value)} is not a builtin (PyTorch-style) exception"
    assert not isinstance(info.value, (np.exceptions.AxisError,))
    msg = str(info.value)
    assert msg.startswith(starts_with + ":"), msg
    for part in contains:
        assert part in msg, f"{part!r} not in {msg!r}"
    return msg


A, B = (3, 4), (5,)


@pytest.mark.parametrize("name,fn", [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b),
    ("maximum", lambda a, b: ag.maximum(a, b)), ("minimum", lambda a, b: ag.minimum(a, b)),
    ("eq", lambda a, b: a == b), ("lt", lambda a, b: a < b),
    ("remainder", lambda a, b: a % b), ("div", lambda a, b: a // b),
])
def test_binary_shape_mismatch_names_op_and_both_shapes(name, fn):
    msg = _raises(RuntimeError, lambda: fn(ag.ones(*A), ag.ones(*B)), name, str(A), str(B))
    assert msg == f"{name}: shapes (3, 4) and (5,) cannot broadcast"


def test_reflected_add_mismatch_lists_shapes_in_call_order():
    _raises(RuntimeError, lambda: ag.ones(5) + ag.ones(3, 4), "add", "(5,) and (3, 4)")


@pytest.mark.parametrize("name,fn", [
    ("where", lambda a, b: ag.where(a > 0, a, b)),
    ("clamp", lambda a, b: a.clamp(min=b)),
    ("lerp", lambda a, b: a.lerp(b, 0.5)),
    ("masked_fill", lambda a, b: a.masked_fill(b > 0, 0.0)),
])
def test_other_broadcasting_ops_name_op_and_shapes(name, fn):
    _raises(RuntimeError, lambda: fn(ag.ones(*A), ag.ones(*B)), name, str(A), str(B))


@pytest.mark.parametrize("name,fn,sa,sb", [
    ("matmul", lambda a, b: a @ b, (3, 4), (5, 2)),
    ("matmul", lambda a, b: ag.matmul(a, b), (2, 3, 4), (2, 5, 2)),
    ("matmul", lambda a, b: a @ b, (2, 3, 4), (3, 4, 2)),
    ("bmm", lambda a, b: ag.bmm(a, b), (2, 3, 4), (3, 4, 2)),
    ("dot", lambda a, b: ag.dot(a, b), (5,), (4,)),
    ("outer", lambda a, b: ag.outer(a, b), (3, 4), (5,)),
    ("cat", lambda a, b: ag.cat([a, b]), (3, 4), (5, 2)),
    ("stack", lambda a, b: ag.stack([a, b]), (3, 4), (3, 5)),
])
def test_linalg_and_join_mismatch_names_op_and_both_shapes(name, fn, sa, sb):
    _raises(RuntimeError, lambda: fn(ag.ones(*sa), ag.ones(*sb)), name, str(sa), str(sb))


def test_einsum_size_mismatch_names_op():
    _raises(RuntimeError, lambda: ag.einsum("ij,jk->ik", ag.ones(3, 4), ag.ones(5, 2)),
            "einsum", "(5, 2)")


@pytest.mark.parametrize("name,fn", [
    ("reshape", lambda a: a.reshape(5, 3)), ("view", lambda a: a.view(5, -1)),
    ("expand", lambda a: a.expand(2, 5)), ("permute", lambda a: a.permute(0)),
    ("pad", lambda a: pad(a, (1,))), ("repeat", lambda a: a.repeat(2)),
])
def test_bad_shape_arguments_raise_runtime_error_naming_op(name, fn):
    _raises(RuntimeError, lambda: fn(ag.ones(3, 4)), name)


@pytest.mark.parametrize("index", [1.5, (0, 2.0), [1.0, 2.0]], ids=repr)
def test_float_index_raises_index_or_type_error_mentioning_indices(index):
    msg = _raises((IndexError, TypeError), lambda: ag.ones(3, 4)[index], "getitem")
    assert "ind" in msg


def test_float_tensor_index_raises_index_error():
    _raises(IndexError, lambda: ag.ones(3, 4)[ag.tensor([1.0])], "getitem", "indices")


@pytest.mark.parametrize("index", [7, (0, 9), -4], ids=repr)
def test_out_of_range_index_raises_index_error(index):
    _raises(IndexError, lambda: ag.ones(3, 4)[index], "getitem")


@pytest.mark.parametrize("name,fn", [
    ("sum", lambda a: a.sum(2)), ("mean", lambda a: a.mean(-3)), ("var", lambda a: a.var(3)),
    ("amax", lambda a: a.amax(4)), ("max", lambda a: a.max(3)), ("min", lambda a: a.min(-5)),
    ("logsumexp", lambda a: a.logsumexp(9)), ("norm", lambda a: a.norm(dim=4)),
    ("softmax", lambda a: a.softmax(-3)), ("log_softmax", lambda a: a.log_softmax(2)),
    ("cumsum", lambda a: a.cumsum(5)), ("transpose", lambda a: a.transpose(0, 2)),
    ("unsqueeze", lambda a: a.unsqueeze(3)), ("squeeze", lambda a: a.squeeze(4)),
    ("flatten", lambda a: a.flatten(3)), ("flip", lambda a: a.flip(3)),
    ("roll", lambda a: a.roll(1, 4)), ("split", lambda a: a.split(2, dim=3)),
    ("cat", lambda a: ag.cat([a, a], dim=2)), ("stack", lambda a: ag.stack([a, a], dim=4)),
    ("index_select", lambda a: a.index_select(2, ag.tensor([0]))),
    ("gather", lambda a: a.gather(2, ag.zeros(3, 4, dtype=ag.int64))),
    ("size", lambda a: a.size(2)), ("argmax", lambda a: a.argmax(2)),
])
def test_dim_out_of_range_raises_index_error_naming_op(name, fn):
    msg = _raises(IndexError, lambda: fn(ag.ones(3, 4)), name)
    assert re.search(r"\[-\d, \d\]", msg), msg  # states the valid range


def test_matmul_dtype_mismatch_is_runtime_error():
    _raises(RuntimeError, lambda: ag.ones(3, 4) @ ag.ones(4, 2, dtype=ag.float64), "matmul",
            "float32", "float64")


@pytest.mark.parametrize("name,fn", [
    ("gather", lambda a: a.gather(1, ag.tensor([[9]]))),
    ("scatter_add", lambda a: a.scatter_add(1, ag.tensor([[9]]), ag.ones(1, 1))),
])
def test_index_out_of_range_in_gather_scatter_is_runtime_error(name, fn):
    _raises(RuntimeError, lambda: fn(ag.ones(3, 4)), name)


def test_bool_subtraction_and_negation_raise_runtime_error():
    mask = ag.tensor([True, False])
    _raises(RuntimeError, lambda: mask - ag.tensor([1, 2]), "sub")
    _raises(RuntimeError, lambda: -mask, "neg")


@pytest.mark.skipif(not ag.cuda.is_available(), reason="needs CuPy and a GPU")
@pytest.mark.cuda
@pytest.mark.parametrize("fn", [lambda a, b: a + b, lambda a, b: a @ b,
                                lambda a, b: ag.cat([a, b])])
def test_mixing_devices_is_runtime_error(fn):
    a = ag.ones(2, 2)
    b = ag.ones(2, 2, device="cuda")
    for x, y in ((a, b), (b, a)):
        with pytest.raises(RuntimeError, match="device"):
            fn(x, y)
