"""Bad input raises the exception type PyTorch raises in the same situation, and Ember's
message starts with the op's name."""
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch

pytestmark = requires_torch


def _x(L):
    return L.ones(3, 4)


CASES = {  # name: (op named in Ember's message, fn(L))
    "add": ("add", lambda L: _x(L) + L.ones(5)),
    "where": ("where", lambda L: L.where(_x(L) > 0, _x(L), L.ones(5))),
    "matmul": ("matmul", lambda L: _x(L) @ L.ones(5, 2)),
    "matmul-0d": ("matmul", lambda L: L.matmul(L.tensor(1.0), _x(L))),
    "mm": ("mm", lambda L: L.mm(_x(L), L.ones(3))),
    "bmm": ("bmm", lambda L: L.bmm(_x(L), _x(L))),
    "dot": ("dot", lambda L: L.dot(L.ones(5), L.ones(4))),
    "outer": ("outer", lambda L: L.outer(_x(L), L.ones(5))),
    "einsum": ("einsum", lambda L: L.einsum("ij,jk->ik", _x(L), _x(L))),
    "sum-dim": ("sum", lambda L: _x(L).sum(2)),
    "mean-int": ("mean", lambda L: L.tensor([1, 2]).mean()),
    "softmax-dim": ("softmax", lambda L: _x(L).softmax(5)),
    "reshape": ("reshape", lambda L: _x(L).reshape(5, 3)),
    "view": ("view", lambda L: _x(L).view(7)),
    "expand": ("expand", lambda L: _x(L).expand(2, 5)),
    "permute": ("permute", lambda L: _x(L).permute(0)),
    "permute-dup": ("permute", lambda L: _x(L).permute(0, 0)),
    "unsqueeze": ("unsqueeze", lambda L: _x(L).unsqueeze(4)),
    "cat": ("cat", lambda L: L.cat([_x(L), L.ones(5)])),
    "cat-empty": ("cat", lambda L: L.cat([])),
    "stack": ("stack", lambda L: L.stack([_x(L), L.ones(5)])),
    "chunk": ("chunk", lambda L: _x(L).chunk(0)),
    "repeat": ("repeat", lambda L: _x(L).repeat(2)),
    "index-float": ("getitem", lambda L: _x(L)[L.tensor([0.5])]),
    "index-oob": ("getitem", lambda L: _x(L)[5]),
    "index-too-many": ("getitem", lambda L: _x(L)[0, 0, 0]),
    "index-mask-shape": ("getitem", lambda L: _x(L)[L.ones(2, dtype=L.bool)]),
    "gather-float": ("gather", lambda L: _x(L).gather(0, L.tensor([[0.5]]))),
    "gather-ndim": ("gather", lambda L: _x(L).gather(0, L.tensor([0]))),
    "gather-oob": ("gather", lambda L: _x(L).gather(0, L.tensor([[9]]))),
    "index_select-float": ("index_select", lambda L: _x(L).index_select(0, L.tensor([0.0]))),
    "index_select-2d": ("index_select", lambda L: _x(L).index_select(0, L.tensor([[0]]))),
    "masked_fill-float": ("masked_fill", lambda L: _x(L).masked_fill(_x(L), 0.0)),
    "scatter_add-float": ("scatter_add",
                          lambda L: L.zeros(3).scatter_add(0, L.tensor([0.0]), L.ones(1))),
    "exp-str": ("exp", lambda L: L.exp("a")),
    "exp-list": ("exp", lambda L: L.exp([1.0])),
    "add-str": ("add", lambda L: _x(L) + "a"),
    "clamp-none": ("clamp", lambda L: _x(L).clamp()),
    "tensor-ragged": ("tensor", lambda L: L.tensor([[1, 2], [3]])),
    "tensor-str": ("tensor", lambda L: L.tensor("abc")),
    "zeros-negative": ("zeros", lambda L: L.zeros(-1)),
    "ones-float-size": ("ones", lambda L: L.ones(2.5)),
    "zeros_like-list": ("*_like", lambda L: L.zeros_like([1.0])),
    "item": ("item", lambda L: _x(L).item()),
    "backward-int": ("backward", lambda L: L.tensor([1.0, 2.0]).sum().backward()),
    "requires-grad-int": ("requires_grad_", lambda L: L.tensor([1, 2], requires_grad=True)),
    "numpy-requires-grad": ("numpy", lambda L: L.ones(2, requires_grad=True).numpy()),
    "tril-1d": ("tril", lambda L: L.ones(5).tril()),
    "matmul-dtypes": ("matmul", lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64)),
    "add_-shape": ("add_", lambda L: L.ones(3).add_(L.ones(3, 3))),
    "mul_-dtype": ("mul_", lambda L: L.ones(3, dtype=L.int64).mul_(1.5)),
    "floordiv-zero": ("floor_divide", lambda L: L.tensor([1, 2]) // 0),
    "remainder-zero": ("remainder", lambda L: L.tensor([1, 2]) % L.tensor([1, 0])),
    "sub-bool": ("sub", lambda L: L.tensor([True]) - L.tensor([False])),
    "neg-bool": ("neg", lambda L: -L.tensor([True])),
    # issue 19: negative indices where PyTorch does not wrap, bad narrow/arange/eye/transpose
    "gather-neg": ("gather", lambda L: _x(L).gather(0, L.tensor([[-1]]))),
    "scatter-neg": ("scatter", lambda L: _x(L).scatter(0, L.tensor([[-1]]), 2.0)),
    "scatter_add-neg": ("scatter_add",
                        lambda L: _x(L).scatter_add(0, L.tensor([[-1]]), L.ones(1, 1))),
    "scatter_reduce-neg": ("scatter_reduce", lambda L: _x(L).scatter_reduce(
        0, L.tensor([[-1]]), L.ones(1, 1), "sum")),
    "index_select-neg": ("index_select", lambda L: _x(L).index_select(0, L.tensor([-1]))),
    "index_add-neg": ("index_add", lambda L: _x(L).index_add(0, L.tensor([-1]), L.ones(1, 4))),
    "index_add-float": ("index_add",
                        lambda L: _x(L).index_add(0, L.tensor([0.0]), L.ones(1, 4))),
    "index_add-2d": ("index_add", lambda L: _x(L).index_add(0, L.tensor([[0]]), L.ones(1, 4))),
    "index_add-count": ("index_add",
                        lambda L: _x(L).index_add(0, L.tensor([0, 1]), L.ones(1, 4))),
    "index_add-shape": ("index_add", lambda L: _x(L).index_add(0, L.tensor([0]), L.ones(1, 5))),
    "index_copy-neg": ("index_copy",
                       lambda L: _x(L).index_copy(0, L.tensor([-1]), L.ones(1, 4))),
    "narrow-past-end": ("narrow", lambda L: L.ones(5).narrow(0, 3, 4)),
    "narrow-negative-length": ("narrow", lambda L: L.ones(5).narrow(0, 1, -1)),
    "narrow-start": ("narrow", lambda L: L.ones(5).narrow(0, 6, 0)),
    "narrow-0d": ("narrow", lambda L: L.tensor(1.0).narrow(0, 0, 1)),
    "requires-grad-int-attr": ("requires_grad", lambda L: setattr(L.tensor([1, 2]),
                                                                  "requires_grad", True)),
    "arange-sign": ("arange", lambda L: L.arange(0, -5, 1)),
    "eye-negative": ("eye", lambda L: L.eye(-1)),
    "transpose-0d": ("transpose", lambda L: L.tensor(1.0).transpose(0, 1)),
}


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return e
    return None


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_same_exception_type_as_torch_and_message_names_the_op(case):
    op, fn = CASES[case]
    theirs, ours = _raised(lambda: fn(torch)), _raised(lambda: fn(ag))
    assert theirs is not None, "torch accepted it: the case is wrong"
    assert ours is not None, f"Ember accepted it; torch raised {theirs!r}"
    assert type(ours) is type(theirs), f"Ember raised {ours!r}, torch {theirs!r}"
    assert str(ours).startswith(op + ":"), str(ours)


@pytest.mark.parametrize("fn", [lambda L: L.sum([1.0, 2.0]), lambda L: L.relu([1.0]),
                                lambda L: L.reshape([1.0, 2.0], (2, 1))],
                         ids=["sum", "relu", "reshape"])
def test_ops_given_a_list_raise_type_error_like_torch(fn):
    with pytest.raises(TypeError):
        fn(ag)


def test_assigning_a_grad_of_the_wrong_shape_raises_like_torch():
    with pytest.raises(RuntimeError):
        ag.ones(3, requires_grad=True).grad = ag.ones(4)


def test_embedding_needs_a_2d_weight_like_torch():
    import nn
    with pytest.raises(RuntimeError, match="^embedding: 'weight' must be 2-D"):
        nn.functional.embedding(ag.tensor([0, 1]), ag.ones(5))
    with pytest.raises(RuntimeError):
        torch.nn.functional.embedding(torch.tensor([0, 1]), torch.ones(5))


@pytest.mark.parametrize("fn", [lambda L: L.arange(5).narrow(0, -2, 2),
                                lambda L: L.arange(5).narrow(0, 5, 0),
                                lambda L: L.tensor(2.0).transpose(-1, 0),
                                lambda L: L.arange(12).reshape(3, 4).index_fill(
                                    0, L.tensor([-1]), 0),
                                lambda L: L.arange(12).reshape(3, 4).take_along_dim(
                                    L.tensor([[-1]]), 0)],
                         ids=["narrow-negative-start", "narrow-empty-at-end",
                              "transpose-0d-ok", "index_fill-wraps", "take_along_dim-wraps"])
def test_accepted_like_torch_with_the_same_values(fn):
    assert fn(ag).tolist() == fn(torch).tolist()
