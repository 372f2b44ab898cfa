"""Mode switches are per thread, as in PyTorch: grad mode, inference mode, autocast,
anomaly mode, the op recorders (`_tracers`) and the profiler. A thread evaluating under
no_grad never changes what a training thread records, and a new thread starts with
PyTorch's defaults (grad on, no autocast, anomaly off) whatever its parent had on.

The training runs switch threads as often as CPython allows (setswitchinterval), so the
two threads' ops interleave many times per step; results must equal single-threaded
runs bit for bit (same ops on the same data: nothing may differ, not even rounding)."""
import sys
import threading

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import amp, function
from autograd.anomaly import is_anomaly_enabled

STEPS = 200
RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 6)).astype(np.float32)
Y = RNG.integers(0, 3, 16)


@pytest.fixture(autouse=True)
def _fast_switching():
    """Hand the GIL over every few microseconds: the threads' ops interleave."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def _model(seed):
    ag.manual_seed(seed)  # the generator is global (as torch's): build models up front
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))


def _train(model, steps=STEPS, skipped=None):
    """SGD with momentum on the fixed batch; the final parameters as arrays."""
    opt = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = ag.tensor(X), ag.tensor(Y)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if not loss.requires_grad and skipped is not None:  # no graph: the bug we fix
            skipped.append(1)
            continue
        loss.backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def _run(*targets):
    """Start every target in its own thread, join them, re-raise the first error."""
    errors = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
        return run
    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _assert_bitwise(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_training_beside_a_no_grad_evaluation_loop_matches_a_single_thread():
    want = _train(_model(1))
    model, evaluated = _model(1), _model(2)
    x = ag.tensor(X)
    done = threading.Event()
    evaluations, skipped, results = [], [], {}

    def evaluate():
        while not done.is_set():
            with ag.no_grad():
                out = evaluated(x)
            assert not out.requires_grad and out.grad_fn is None
            evaluations.append(1)

    def train():
        try:
            results["params"] = _train(model, skipped=skipped)
        finally:
            done.set()
    _run(evaluate, train)
    assert not skipped, f"{len(skipped)} of {STEPS} training steps recorded no graph"
    assert len(evaluations) > 1  # the two loops did overlap
    _assert_bitwise(results["params"], want)


def test_two_threads_training_at_once_match_single_threaded_runs():
    want_a, want_b = _train(_model(3)), _train(_model(4))
    a, b = _model(3), _model(4)
    results, skipped = {}, []
    _run(lambda: results.__setitem__("a", _train(a, skipped=skipped)),
         lambda: results.__setitem__("b", _train(b, skipped=skipped)))
    assert not skipped, f"{len(skipped)} training steps recorded no graph"
    _assert_bitwise(results["a"], want_a)
    _assert_bitwise(results["b"], want_b)


def _in_new_thread(fn):
    out = {}
    _run(lambda: out.__setitem__("v", fn()))
    return out["v"]


def _modes():
    return (ag.is_grad_enabled(), ag.is_inference_mode_enabled(), is_anomaly_enabled(),
            amp.is_autocast_enabled("cpu"), amp.mode.on, list(function._tracers))


def test_a_new_thread_starts_with_pytorchs_defaults():
    x = ag.ones(3, requires_grad=True)

    class Recorder:
        def record(self, *a):
            pass
    rec = Recorder()
    with ag.no_grad():
        assert _in_new_thread(_modes) == (True, False, False, False, False, [])
        assert _in_new_thread(lambda: (x * 2).requires_grad)
        assert not (x * 2).requires_grad  # the spawning thread is still in no_grad
    with ag.inference_mode(), ag.detect_anomaly(), ag.autocast("cpu", dtype=ag.float16):
        function._tracers.append(rec)
        try:
            assert _modes()[1:] == (True, True, True, True, [rec])
            assert _in_new_thread(_modes) == (True, False, False, False, False, [])
        finally:
            function._tracers.remove(rec)
    ag.set_grad_enabled(False)  # the function form, too, switches this thread only
    try:
        assert _in_new_thread(ag.is_grad_enabled)
    finally:
        ag.set_grad_enabled(True)


def _together(first, second):
    """Run first() and second() in two threads, each entering its part in turn: both
    are inside their regions at once (barriers), so a global switch would leak."""
    barrier = threading.Barrier(2, timeout=30)
    out = {}

    def run(name, fn):
        def go():
            out[name] = fn(barrier)
        return go
    _run(run("first", first), run("second", second))
    return out["first"], out["second"]


def test_autocast_is_per_thread():
    x, w = ag.randn(4, 5), ag.randn(3, 5)

    def inside(barrier):
        with ag.autocast("cpu", dtype=ag.float16):
            barrier.wait()  # the other thread computes now
            barrier.wait()
            return F.linear(x, w).dtype

    def outside(barrier):
        barrier.wait()
        dtype = F.linear(x, w).dtype
        barrier.wait()
        return dtype
    assert _together(inside, outside) == (ag.float16, ag.float32)


def test_anomaly_mode_is_per_thread():
    x = ag.ones(3, requires_grad=True)

    def inside(barrier):
        with pytest.warns(UserWarning), ag.detect_anomaly():
            barrier.wait()
            barrier.wait()
            return (x * 2).grad_fn._stack is not None, is_anomaly_enabled()

    def outside(barrier):
        barrier.wait()
        got = (x * 2).grad_fn._stack is not None, is_anomaly_enabled()
        barrier.wait()
        return got
    assert _together(inside, outside) == ((True, True), (False, False))


def test_grad_and_inference_mode_are_per_thread():
    x = ag.ones(3, requires_grad=True)

    def inside(barrier):
        with ag.inference_mode():
            barrier.wait()
            barrier.wait()
            return (x * 2).requires_grad, ag.is_inference_mode_enabled()

    def outside(barrier):
        barrier.wait()
        got = (x * 2).requires_grad, ag.is_inference_mode_enabled()
        barrier.wait()
        return got
    assert _together(inside, outside) == ((False, True), (True, False))


def test_recorders_see_only_their_own_threads_ops():
    class Recorder:
        def __init__(self):
            self.ops = []

        def record(self, cls, args, kwargs, out):
            self.ops.append(cls.name())
    x = ag.ones(3, requires_grad=True)

    def capturing(barrier):
        rec = Recorder()
        function._tracers.append(rec)
        try:
            barrier.wait()
            y = x.exp()
            barrier.wait()
        finally:
            function._tracers.remove(rec)
        assert y.requires_grad  # a captured op still records its graph
        return rec.ops

    def other(barrier):
        barrier.wait()
        for _ in range(20):
            x.sin()
        barrier.wait()
        return list(function._tracers)
    ops, seen = _together(capturing, other)
    assert ops == ["exp"] and seen == []
    assert not function._tracers


def test_a_profile_times_only_its_own_threads_ops():
    x = ag.ones(3, requires_grad=True)

    def profiled(barrier):
        with ag.profile() as prof:
            barrier.wait()
            x.exp()
            barrier.wait()
        return set(prof.ops)

    def other(barrier):
        barrier.wait()
        for _ in range(20):
            x.sin()
        barrier.wait()
    ops, _ = _together(profiled, other)
    assert "exp" in ops and "sin" not in ops


def test_two_threads_profile_at_once_each_its_own_ops():
    x = ag.ones(3, requires_grad=True)

    def profiling(op):
        def run(barrier):
            with ag.profile() as prof:
                barrier.wait()  # both profiles are open now
                for _ in range(5):
                    getattr(x, op)().sum().backward()
                barrier.wait()
            return {name: s["calls"] for name, s in prof.ops.items()}
        return run
    ops = [type(x.exp().grad_fn), type(x.sin().grad_fn)]
    before = [(c.__dict__.get("forward"), c.__dict__.get("backward")) for c in ops]
    a, b = _together(profiling("exp"), profiling("sin"))
    assert a["exp"] == 5 and "sin" not in a
    assert b["sin"] == 5 and "exp" not in b
    # the last profile to close took every wrapper off again
    assert [(c.__dict__.get("forward"), c.__dict__.get("backward")) for c in ops] == before


def test_a_profile_refuses_to_nest_in_its_own_thread():
    with ag.profile(), pytest.raises(RuntimeError, match="nested profiling"):
        with ag.profile():
            pass
