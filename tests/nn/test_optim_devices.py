"""Module.to goes through Tensor.to, and optimiser state follows each parameter's device
at the optimiser's next step (no global move counter): several optimisers and moves
interleaved in any order. The device moves need a GPU (marked `cuda`); the rest runs on
the CPU. Float64 throughout, so the two backends agree to rounding."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.optim import optimizer as _optimizer
from tests.conftest import requires_cuda

TOL = dict(rtol=1e-10, atol=1e-10)
RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 4))
Y = RNG.integers(0, 3, 16)


def _mlp(seed):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8, dtype=ag.float64), nn.Tanh(),
                         nn.Linear(8, 3, dtype=ag.float64))


def _step(model, opt):
    dev = next(model.parameters()).device
    x, y = ag.tensor(X, device=dev), ag.tensor(Y, device=dev)
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()


def _host(t):
    return t.detach().cpu().numpy()


def _state_devices(opt):
    return {(i, key): value.device.type
            for i, state in enumerate(opt.state.values())
            for key, value in state.items() if isinstance(value, ag.Tensor) and key != "step"}


def test_module_to_keeps_parameters_leaves_and_converts_grads_and_buffers():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    params = list(model.parameters())
    model(ag.randn(4, 3)).sum().backward()
    model.to(ag.float64)
    assert [p is q for p, q in zip(params, model.parameters())] == [True] * len(params)
    for p in params:
        assert p.is_leaf and p.requires_grad and p.dtype == ag.float64
        assert p.grad.dtype == ag.float64 and p.grad.grad_fn is None
    bn = model[1]
    assert bn.running_mean.dtype == ag.float64 and not bn.running_mean.requires_grad
    assert bn.num_batches_tracked.dtype == ag.int64  # integer buffers keep their dtype
    with pytest.raises(TypeError, match="floating point"):
        model.to(ag.int32)


def test_steps_without_moves_never_move_state(monkeypatch):
    def refuse(*args):
        raise AssertionError("state moved although no parameter changed device")
    monkeypatch.setattr(_optimizer, "_move_state", refuse)
    model = _mlp(0)
    opts = [nn.optim.Adam(model[0].parameters(), lr=0.01),
            nn.optim.SGD(model[2].parameters(), lr=0.1, momentum=0.9)]
    for _ in range(3):
        for opt in opts:
            _step(model, opt)
    model.to(ag.float64)  # a no-op conversion moves nothing either
    _step(model, opts[0])


@pytest.mark.cuda
@requires_cuda
def test_two_optimisers_and_moves_interleaved_match_cpu_runs():
    """Model a (SGD with momentum) and model b (Adam) step in turns while each moves
    between the CPU and the GPU at different times; each run equals its all-CPU twin
    and each optimiser's state sits on its own parameters' device after every step."""
    ref_a, ref_b = _mlp(0), _mlp(1)
    opt_ref_a = nn.optim.SGD(ref_a.parameters(), lr=0.1, momentum=0.9)
    opt_ref_b = nn.optim.Adam(ref_b.parameters(), lr=0.05)
    a, b = _mlp(0), _mlp(1)
    opt_a = nn.optim.SGD(a.parameters(), lr=0.1, momentum=0.9)
    opt_b = nn.optim.Adam(b.parameters(), lr=0.05)
    plan = [(None, None), ("cuda", None), (None, "cuda"), ("cpu", None), (None, "cpu"),
            ("cuda", "cuda"), (None, None)]
    for move_a, move_b in plan:
        if move_a:
            a.to(move_a)
        _step(a, opt_a)
        if move_b:
            b.to(move_b)
        _step(b, opt_b)
        _step(ref_a, opt_ref_a)
        _step(ref_b, opt_ref_b)
        for model, opt in ((a, opt_a), (b, opt_b)):
            dev = next(model.parameters()).device.type
            assert set(_state_devices(opt).values()) == {dev}
    for model, ref in ((a, ref_a), (b, ref_b)):
        for p, q in zip(model.parameters(), ref.parameters()):
            np.testing.assert_allclose(_host(p), _host(q), **TOL)


@pytest.mark.cuda
@requires_cuda
def test_moving_one_submodule_moves_only_its_parameters_state():
    """Two optimisers over parts of one model; only the part that moved has its state
    moved, at its optimiser's next step."""
    model = _mlp(0)
    first = nn.optim.Adam(model[0].parameters(), lr=0.01)
    second = nn.optim.RMSprop(model[2].parameters(), lr=0.01, momentum=0.9)
    for opt in (first, second):
        _step(model, opt)
    model.to("cuda")
    _step(model, first)
    assert set(_state_devices(first).values()) == {"cuda"}
    assert set(_state_devices(second).values()) == {"cpu"}  # not stepped since the move
    _step(model, second)
    assert set(_state_devices(second).values()) == {"cuda"}
