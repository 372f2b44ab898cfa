"""Host optimiser updates of large parameters run in L2-sized blocks (backend.Fused.blocked):
every option of every optimiser gives bitwise the values of one whole-array call."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd.backend import kernels
from tests.nn.test_optim import CASES as CASES_A
from tests.nn.test_optim_more import CASES as CASES_B

CASES = CASES_A + CASES_B
SHAPE = (173, 389)  # 67297 elements: blocks of 16K / 32K and a ragged last one
RNG = np.random.default_rng(3)
W0 = RNG.standard_normal(SHAPE)
X = RNG.standard_normal(SHAPE)


def _run(name, options, dtype, steps=4):
    w = ag.Parameter(ag.tensor(W0.astype(dtype)))
    x = ag.tensor(X.astype(dtype))
    opt = getattr(nn.optim, name)([w], **options)
    for _ in range(steps):
        opt.zero_grad()
        ((w * x).tanh() ** 2 - 0.3 * w).sum().backward()
        opt.step()
    return w.detach().numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_blocked_update_equals_one_call(case, dtype, monkeypatch):
    name, options = case
    blocked = _run(name, options, dtype)
    monkeypatch.setattr(kernels, "_BLOCK_ELEMS", 1 << 40)  # every call whole
    whole = _run(name, options, dtype)
    np.testing.assert_array_equal(blocked, whole)
    assert not np.array_equal(blocked, W0.astype(dtype))


def test_blocked_calls_the_host_function_per_block(monkeypatch):
    calls = []
    f = kernels.Fused("t", "T g", "T p", "p = p + g", lambda g, p: calls.append(p.size))
    p, g = np.zeros(100_000, np.float32), np.ones(100_000, np.float32)
    f.blocked(g, p)
    assert sum(calls) == p.size and max(calls) == kernels._BLOCK_BYTES // 4
    calls.clear()
    f.blocked(g[::2], p[::2])  # not contiguous: one call
    assert calls == [50_000]


def test_partly_overlapping_operands_are_one_call():
    calls = []
    f = kernels.Fused("t", "T g", "T p", "p = p + g", lambda g, p: calls.append(p.size))
    base = np.zeros(100_001, np.float32)
    f.blocked(base[1:], base[:-1])
    assert calls == [100_000]
    calls.clear()
    p = np.zeros(100_000, np.float32)
    f.blocked(p, p)  # the same array: element i reads only element i, so blocks are fine
    assert len(calls) > 1
