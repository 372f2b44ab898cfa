"""Property tests: binary ops on random broadcast-compatible shapes give torch's values,
and every input's gradient has that input's shape and torch's values."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from tests.conftest import requires_torch, torch

pytestmark = requires_torch

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b * 2),
}


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: a common shape, each dim of each side possibly 1, and
    each side possibly missing leading dims."""
    ndim = draw(st.integers(0, 4))
    full = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    shapes = []
    for _ in range(2):
        drop = draw(st.integers(0, ndim))
        dims = [1 if draw(st.booleans()) else n for n in full[drop:]]
        shapes.append(tuple(dims))
    return shapes


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=30, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_broadcast_grad_shapes_and_values_match_torch(name, shapes, seed):
    fn = BINARY[name]
    rng = np.random.default_rng(seed)
    # denominators away from zero; values spread so maximum/where rarely tie
    arrays = [rng.uniform(-2, 2, shapes[0]), rng.uniform(0.5, 2, shapes[1])]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(ag, *ours)
    ref = fn(torch, *theirs)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    up = rng.standard_normal(tuple(ref.shape))
    out.backward(ag.tensor(up))
    ref.backward(torch.tensor(up))
    for x, t in zip(ours, theirs):
        assert tuple(x.grad.shape) == tuple(x.shape)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
