"""autograd.compile replays: guards make one recording enough (replay from the 2nd
call), guard misses record again, compiled steps equal eager ones, intermediate buffers
are pooled across replays (never one the user still holds), memory, the profiler."""
import gc
import tracemalloc
import warnings

import numpy as np
import pytest

import autograd as torch
import nn
import nn.functional as F

STEPS = 50


def _mlp(dtype=torch.float32):
    return nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 24), nn.Tanh(),
                         nn.Linear(24, 4)).to(dtype)


def _lenet(dtype=torch.float32):
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 4)).to(dtype)


MODELS = {"mlp": (_mlp, (12,)), "lenet": (_lenet, (1, 12, 12))}
OPTIMS = {"sgd_momentum": lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9),
          "adam": lambda ps: nn.optim.Adam(ps, lr=3e-3)}


def _setup(name, optim, dtype=torch.float32):
    torch.manual_seed(0)
    model = MODELS[name][0](dtype)
    opt = OPTIMS[optim](model.parameters())
    sched = nn.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return model, opt, sched, step


def _batches(name, n=8, steps=STEPS, dtype=torch.float32):
    g = torch.Generator().manual_seed(5)
    shape = MODELS[name][1]
    return [(torch.randn(n, *shape, generator=g).to(dtype),
             torch.randint(0, 4, (n,), generator=g)) for _ in range(steps)]


def _train(name, optim, compiled, dtype=torch.float32):
    model, opt, sched, step = _setup(name, optim, dtype)
    f = torch.compile(step) if compiled else step
    losses = []
    for x, y in _batches(name, dtype=dtype):
        losses.append(f(x, y).detach().numpy().copy())
        sched.step()  # the learning rate is an input of the replay, not a guard
    return losses, [p.detach().numpy().copy() for p in model.parameters()], f


# ----------------------------------------------------------------------------- call 2
def test_replay_begins_at_the_second_call():
    model, opt, _, step = _setup("mlp", "adam")
    c = torch.compile(step)
    x, y = _batches("mlp", steps=1)[0]
    c(x, y)
    assert c.captures == 1
    entry = next(iter(c._cache.values()))
    assert entry.plan is not None  # the 2nd call replays
    for _ in range(5):
        c(x, y)
    assert c.captures == 1
    ex = c.explain()
    assert ex.graph_count == 1 and not ex.two_recording_checks and not ex.eager_reasons


@pytest.mark.parametrize("name", sorted(MODELS))
def test_compiled_module_replays_at_the_second_call(name):
    torch.manual_seed(0)
    model = MODELS[name][0]()
    m = torch.compile(model)
    x, _ = _batches(name, steps=1)[0]
    for _ in range(4):
        m(x).sum().backward()
    assert m._compiled.captures == 1


def test_unguardable_state_falls_back_to_two_recordings_and_explain_says_so():
    state = {"k": 2.0}

    def f(x):
        return x * state["k"]
    c = torch.compile(f)
    x = torch.ones(3)
    c(x)
    c(x)
    assert c.captures == 2
    assert any("closure variable 'state'" in r for r in c.explain().two_recording_checks)
    assert "checked by a second recording" in str(c.explain())
    state["k"] = 2.0
    np.testing.assert_array_equal(c(x).numpy(), np.full(3, 2.0, np.float32))


def test_scalar_global_and_closure_values_are_guards():
    scale = [3.0]  # rebound below: the closure cell holds a float

    def make(s):
        def f(x):
            return x * s
        return f
    for s in (2.0, 3.0):
        c = torch.compile(make(s))
        x = torch.ones(2)
        assert [float(c(x)[0]) for _ in range(3)] == [s] * 3
        assert c.captures == 1
    assert scale


def test_python_branch_on_a_tensor_value_is_still_a_graph_break():
    def f(x):
        return x * 2 if bool((x > 0).all()) else x * 3
    c = torch.compile(f)
    with pytest.warns(UserWarning, match="graph break"):
        outs = [c(torch.full((2,), v)) for v in (1.0, -1.0, 1.0)]
    assert [float(o[0]) for o in outs] == [2.0, -3.0, 2.0]


# ----------------------------------------------------------------------------- guard misses
def test_guard_misses_record_again():
    model, opt, _, step = _setup("mlp", "sgd_momentum")
    c = torch.compile(step)
    (x, y), (x2, y2) = _batches("mlp", steps=2)
    c(x, y)
    c(x, y)
    assert c.captures == 1
    c(x[:5], y[:5])  # batch size
    assert c.captures == 2
    model.eval()  # training flags
    c(x, y)
    assert c.captures == 3
    model.train()
    c(x, y)  # the first guard set again: replayed
    assert c.captures == 3
    model[0].weight = nn.Parameter(torch.zeros(24, 12))  # a replaced parameter
    opt.param_groups[0]["params"][0] = model[0].weight
    c(x, y)
    assert c.captures == 4
    c(x2, y2)
    assert c.captures == 4
    assert float(model[0].weight.detach().abs().sum()) > 0  # the new one is trained


def test_grad_mode_is_a_guard():
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    x = torch.randn(3, 12)
    m(x)
    with torch.no_grad():
        out = m(x)
        out2 = m(x)
    assert m._compiled.captures == 2
    assert out.grad_fn is None and out2.grad_fn is None
    np.testing.assert_array_equal(out2.numpy(), model(x).detach().numpy())


# ----------------------------------------------------------------------------- 50 steps
@pytest.mark.parametrize("optim", sorted(OPTIMS))
@pytest.mark.parametrize("name", sorted(MODELS))
def test_fifty_steps_equal_eager(name, optim):
    eager_losses, eager_params, _ = _train(name, optim, False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses, params, f = _train(name, optim, True)
    assert f.captures == 1
    rtol = 1e-5  # float32; every replayed op computes what the eager op computes
    np.testing.assert_allclose(np.array(losses), np.array(eager_losses), rtol=rtol)
    for a, b in zip(params, eager_params):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


def test_fifty_steps_equal_eager_float64():
    eager_losses, eager_params, _ = _train("mlp", "adam", False, torch.float64)
    losses, params, f = _train("mlp", "adam", True, torch.float64)
    assert f.captures == 1
    for a, b in zip(params, eager_params):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max())


# ----------------------------------------------------------------------------- buffers
def _pool_allocations(c):
    return sum(p.allocations for e in c._cache.values() if e.plan is not None
               for p in e.plan.pools)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_replays_reuse_their_buffers(name):
    _, _, _, step = _setup(name, "sgd_momentum")
    c = torch.compile(step)
    x, y = _batches(name, steps=1)[0]
    for _ in range(3):
        c(x, y)
    plan = next(iter(c._cache.values())).plan
    assert plan.stats()["pooled_buffers"] > 0
    before = _pool_allocations(c)
    gc.collect()
    tracemalloc.start()
    try:
        c(x, y)
        held = _array_bytes()
        for _ in range(5):
            c(x, y)
        grown = _array_bytes() - held
    finally:
        tracemalloc.stop()
    # steady state: buffers reused; the .grad arrays that took a pool buffer go back to
    # the pool when zero_grad drops them, so not one new pool buffer, and the arrays
    # alive between steps are the same bytes
    assert _pool_allocations(c) == before
    assert grown == 0, grown


def _array_bytes():
    """Bytes of NumPy array data alive now (NumPy's tracemalloc domain)."""
    gc.collect()
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
    return sum(t.size for t in snap.traces)


def test_a_buffer_the_user_holds_is_never_overwritten():
    w = torch.randn(4, 3)

    def f(x):
        return (x @ w) * 2.0 + 1.0
    c = torch.compile(f)
    xs = [torch.randn(5, 4) for _ in range(4)]
    outs = [c(x) for x in xs]  # every result kept: each replay needs new buffers
    for x, o in zip(xs, outs):
        np.testing.assert_allclose(o.numpy(), (x.numpy() @ w.numpy()) * 2 + 1, rtol=1e-6)
    allocs = _pool_allocations(c)
    del outs
    for x in xs:
        c(x)  # results dropped at once: the pool's buffers come back
    assert _pool_allocations(c) <= allocs + 1


def _peak(name, compiled, n):
    gc.collect()
    tracemalloc.start()
    try:
        model, opt, _, step = _setup(name, "adam")
        f = torch.compile(step) if compiled else step
        x, y = _batches(name, n=n, steps=1)[0]
        for _ in range(3):
            f(x, y)
        held = _array_bytes()  # NumPy's array data, not Python objects
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        f(x, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    pool = 0
    if compiled:
        pool = next(iter(f._cache.values())).plan.stats()["pool_bytes"]
    return held + peak - start, pool


@pytest.mark.parametrize("name", sorted(MODELS))
def test_replay_peak_memory_against_eager(name):
    """The arrays held when a step starts plus what the step adds at its peak, the
    issue's bound: no higher than eager's. The pool's buffers stay allocated between
    replays, so they count in full; it only opens entries for values alive across
    eager's high-water stretch (which eager holds at its peak too), and a forward's
    arguments its ctx does not hold are dropped at their last use."""
    eager, _ = _peak(name, False, 32)
    compiled, pool = _peak(name, True, 32)
    assert compiled <= eager, (compiled, eager, pool)


# ----------------------------------------------------------------------------- profiler
def test_profiler_shows_fused_groups_and_out_ops_of_a_replay():
    model, opt, _, step = _setup("mlp", "sgd_momentum")
    c = torch.compile(step)
    x, y = _batches("mlp", steps=1)[0]
    for _ in range(2):
        c(x, y)
    with torch.profile() as p:
        c(x, y)
    rows = p.ops
    # each Linear: its own forward (profiled as usual) or written into the pool (out=)
    assert sum(rows[k]["calls"] for k in ("linear", "linear (out=)") if k in rows) == 3
    assert "crossentropy" in rows

    w1, w2 = torch.randn(64, 64), torch.randn(64, 4)
    with torch.no_grad():  # the (8, 64) product spans the peak: a pool entry, out=
        m = torch.compile(lambda x: (x @ w1) @ w2)
        x = torch.randn(8, 64)
        m(x)
        with torch.profile() as p:
            m(x)
    assert p.ops["matmul (out=)"]["calls"] >= 1

    def chain(a, b):
        return ((a * b + 1.0).tanh() - a).exp()
    with torch.no_grad():
        g = torch.compile(chain)
        a, b = torch.randn(6), torch.randn(6)
        g(a, b)
        with torch.profile() as p:
            out = g(a, b)
    assert [k for k in p.ops if k.startswith("fused[")] == ["fused[mul+add+tanh+sub+exp]"]
    np.testing.assert_allclose(out.numpy(), chain(a, b).numpy(), rtol=1e-6)


def test_memory_ledger_on_a_replayed_module_forward():
    from autograd.memory import ledger
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    x = torch.randn(5, 12)
    m(x)
    out = m(x)  # the 2nd call: a replay
    assert m._compiled.captures == 1 and out.grad_fn.name() == "compiledbackward"
    assert "saved[0]" in str(ledger(out.sum()))


def test_a_parameter_cast_in_place_is_a_guard_miss():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3))
    m = torch.compile(model)
    x = torch.randn(2, 4)
    m(x)
    m(x)
    model.double()  # same Parameter objects, float64 arrays
    out = m(x.double())
    assert m._compiled.captures == 2 and out.dtype == torch.float64
    np.testing.assert_allclose(m(x.double()).detach().numpy(),
                               model(x.double()).detach().numpy(), rtol=1e-12)
