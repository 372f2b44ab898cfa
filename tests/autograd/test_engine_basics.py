"""Engine behaviour: accumulation, graph freeing, deep chains, errors."""
import numpy as np
import pytest

import autograd as ag


def test_leaf_grad_accumulates_across_backward_calls():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


def test_chain_of_10000_ops_differentiates_without_recursion_error():
    x = ag.tensor(1.0, dtype=ag.float64, requires_grad=True)
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** 10000) < 1e-8


def test_second_backward_through_freed_graph_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_non_scalar_backward_without_gradient_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()


def test_shared_gradient_buffer_is_not_aliased_between_leaves():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_deepcopy_copies_leaves_and_refuses_non_leaves():
    import copy
    w = ag.Parameter(ag.tensor([1.0, 2.0]))
    w.grad = ag.tensor([0.5, 0.5])
    w2 = copy.deepcopy(w)
    assert type(w2) is ag.Parameter and w2.requires_grad
    w2.array[0] = 9.0
    assert w.array[0] == 1.0
    np.testing.assert_array_equal(w2.grad.numpy(), [0.5, 0.5])
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(w * 2)
