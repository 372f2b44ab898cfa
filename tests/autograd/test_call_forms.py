"""PyTorch's other ways of calling the same thing: keyword names (size=, shape=, dims=,
repeats=), std/var's positional unbiased, a uint8 index as a mask, Generator(device=),
and vdot's conjugate."""
import warnings

import numpy as np
import pytest

import autograd as ag
from tests.conftest import requires_torch, torch


def _forms(L):
    x = L.arange(6.0).reshape(2, 3)
    g = L.Generator(device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # uint8 indexing is deprecated (both warn)
        masked = L.arange(3)[L.tensor([1, 0, 1], dtype=L.uint8)]
    return [x.flip(dims=[1]), x.permute(dims=(1, 0)), x.reshape(shape=(3, 2)),
            x.view(size=(6,)), x.view(dtype=L.int32), x.repeat(repeats=(2, 1)),
            x[:1].expand(size=(4, 3)), L.reshape(x, shape=(6,)),
            L.zeros(size=(2, 3)), L.ones(size=[2]), x.new_zeros(size=(4,)),
            L.tensor([1.0, 2.0, 3.0]).std(False), L.tensor([[1.0, 2.0], [3.0, 5.0]]).var(False),
            L.std_mean(L.tensor([1.0, 2.0, 4.0]), False)[0],
            L.var_mean(L.tensor([1.0, 2.0, 4.0]), True)[0],
            L.vdot(L.tensor([1 + 1j, 2 - 1j]), L.tensor([1 + 1j, 3j])), masked,
            L.tensor(g.initial_seed())]


@requires_torch
def test_call_forms_match_torch():
    for ours, theirs in zip(_forms(ag), _forms(torch)):
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_shapes_of_random_and_empty_creation_by_keyword():
    assert ag.empty(size=(1, 2)).shape == (1, 2) and ag.randn(size=(2, 2)).shape == (2, 2)
    assert ag.rand(size=(3,)).shape == (3,) and ag.randint(high=5, size=(3,)).max() < 5
    assert ag.randint_like(ag.zeros(4), high=3).max() < 3
    with pytest.raises(TypeError, match="multiple values for argument 'size'"):
        ag.zeros(2, size=(3,))


def test_generator_seeds():
    assert ag.Generator().initial_seed() == 67280421310721  # PyTorch's default seed
    assert ag.Generator(7).initial_seed() == 7  # Ember's shorthand
    assert ag.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    g = ag.Generator("cpu")
    assert g.device == "cpu" and g.seed() == g.initial_seed()


def test_grad_takes_torchs_arguments_and_storage_offset():
    w = ag.ones(2, requires_grad=True)
    (g,) = ag.grad((w * 2).sum(), w, None, None, False, True)  # only_inputs positional
    assert g.tolist() == [2.0, 2.0]
    assert ag.grad((w * 3).sum(), [w, ag.ones(1, requires_grad=True)],
                   allow_unused=True)[1] is None
    with pytest.raises(NotImplementedError, match="is_grads_batched"):
        ag.grad((w * 2).sum(), w, is_grads_batched=True)
    x = ag.arange(12.0).reshape(3, 4)
    assert (x[1:, 2:].storage_offset(), x.t().storage_offset(), x[2].storage_offset()) == \
        (6, 0, 8)
