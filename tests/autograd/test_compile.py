"""autograd.compile: compiled runs equal eager runs (whole training steps and compiled
Modules), guards, graph breaks, random ops, explain()."""
import warnings

import numpy as np
import pytest

import autograd as torch
import nn
import nn.functional as F

STEPS = 50


# ----------------------------------------------------------------------------- models
class _LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 12, batch_first=True)
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(16, 2, dim_feedforward=24, dropout=0.1,
                                           batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.enc(x).mean(1))


def _mlp(dtype=torch.float32):
    return nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 24), nn.Tanh(),
                         nn.Linear(24, 4)).to(dtype)


def _lenet():
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2), nn.BatchNorm2d(4), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 4))


MODELS = {
    "mlp": (_mlp, lambda g, n: torch.randn(n, 12, generator=g), 4),
    "lenet": (_lenet, lambda g, n: torch.randn(n, 1, 12, 12, generator=g), 4),
    "lstm": (_LSTMNet, lambda g, n: torch.randn(n, 5, 6, generator=g), 3),
    "transformer": (_Encoder, lambda g, n: torch.randn(n, 4, 16, generator=g), 3),
}
OPTIMS = {
    "sgd": lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9),
    "adam": lambda ps: nn.optim.Adam(ps, lr=3e-3),
    "adamw": lambda ps: nn.optim.AdamW(ps, lr=3e-3, weight_decay=0.05),
}


def _data(name, n=8, steps=STEPS, dtype=torch.float32):
    _, make_x, classes = MODELS[name]
    g = torch.Generator().manual_seed(123)
    xs = [make_x(g, n).to(dtype) for _ in range(steps)]
    ys = [torch.randint(0, classes, (n,), generator=g) for _ in range(steps)]
    return xs, ys


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()] + \
        [b.numpy().copy() for b in model.buffers() if b.dtype.kind == "f"]


def _run_step_fn(name, optim, compiled, dtype=torch.float32):
    """50 training steps of a whole-step function (zero_grad, forward, backward, clipping,
    step), an LR scheduler stepping between calls."""
    torch.manual_seed(0)
    model = MODELS[name][0]().to(dtype)
    opt = OPTIMS[optim](model.parameters())
    sched = nn.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    f = torch.compile(step) if compiled else step
    torch.manual_seed(7)  # dropout draws
    losses = []
    for x, y in zip(*_data(name, dtype=dtype)):
        losses.append(f(x, y).detach().numpy().copy())
        sched.step()
    return losses, _params(model), f


def _assert_replayed(f):
    ex = f.explain()
    assert ex.graph_count == 1 and not ex.eager_reasons, str(ex)


@pytest.mark.parametrize("optim", sorted(OPTIMS))
@pytest.mark.parametrize("name", sorted(MODELS))
def test_whole_step_matches_eager(name, optim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break, no eager fallback
        eager_loss, eager, _ = _run_step_fn(name, optim, False)
        comp_loss, comp, f = _run_step_fn(name, optim, True)
    _assert_replayed(f)
    np.testing.assert_allclose(np.array(comp_loss), np.array(eager_loss), rtol=1e-5,
                               atol=1e-6)
    for a, b in zip(comp, eager):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_whole_step_float64():
    eager_loss, eager, _ = _run_step_fn("mlp", "adam", False, torch.float64)
    comp_loss, comp, f = _run_step_fn("mlp", "adam", True, torch.float64)
    _assert_replayed(f)
    np.testing.assert_allclose(np.array(comp_loss), np.array(eager_loss), rtol=1e-10)
    for a, b in zip(comp, eager):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _run_module(name, compiled, steps=20):
    torch.manual_seed(0)
    model = MODELS[name][0]()
    opt = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    m = torch.compile(model) if compiled else model
    torch.manual_seed(3)
    grads = []
    for x, y in zip(*_data(name, steps=steps)):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        grads.append([p.grad.numpy().copy() for p in model.parameters()])
        opt.step()
    return grads, _params(model), m


@pytest.mark.parametrize("name", ["mlp", "lenet", "transformer"])
def test_compiled_module_backward_matches_eager(name):
    g_eager, p_eager, _ = _run_module(name, False)
    g_comp, p_comp, m = _run_module(name, True)
    _assert_replayed(m)
    for ge, gc in zip(g_eager, g_comp):
        for a, b in zip(gc, ge):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(p_comp, p_eager):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compiled_module_two_forwards_before_backward():
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    xs = [torch.randn(3, 12) for _ in range(4)]
    for x in xs[:2]:
        m(x)  # capture and check
    a, b = m(xs[2]), m(xs[3])
    (a.sum() * 2 + b.sum()).backward()
    got = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    (model(xs[2]).sum() * 2 + model(xs[3]).sum()).backward()
    for g, p in zip(got, model.parameters()):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_compiled_module_input_gradient_flows_upstream():
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    w = torch.randn(12, requires_grad=True)
    for _ in range(3):
        x = torch.randn(5, 12)
        w.grad = None
        m(x * w).pow(2).sum().backward()
        got = w.grad.numpy().copy()
        w.grad = None
        model(x * w).pow(2).sum().backward()
        np.testing.assert_allclose(got, w.grad.numpy(), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- guards
def test_guard_miss_on_batch_size_and_eval():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    m = torch.compile(model)
    for n in (4, 4, 4, 7, 7, 7):
        x = torch.randn(n, 6)
        torch.manual_seed(n)
        got = m(x).detach().numpy()
        torch.manual_seed(n)
        np.testing.assert_array_equal(got, model(x).detach().numpy())
    assert len(m._compiled._cache) == 2
    model.eval()
    x = torch.randn(4, 6)
    for _ in range(3):
        np.testing.assert_array_equal(m(x).detach().numpy(), model(x).detach().numpy())
    assert len(m._compiled._cache) == 3


def test_cache_limit_falls_back_to_eager_with_one_warning():
    f = torch.compile(lambda x: (x * 2).sum())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for n in range(1, 12):
            x = torch.randn(n)
            assert float(f(x)) == pytest.approx(float((x * 2).sum()), rel=1e-6)
    assert sum("cache limit" in str(x.message) for x in w) == 1


def test_replaced_parameters_are_a_guard_miss():
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    x = torch.randn(3, 12)
    for _ in range(3):
        m(x)
    model[0].weight = nn.Parameter(torch.randn(24, 12))
    for _ in range(3):
        out = m(x)
        np.testing.assert_allclose(out.detach().numpy(), model(x).detach().numpy(),
                                   rtol=1e-6)
    model.zero_grad()
    m(x).sum().backward()
    assert model[0].weight.grad is not None


def test_python_state_change_is_detected_and_runs_eagerly():
    state = {"k": 1.0}

    def f(x):
        state["k"] += 1.0
        return x * state["k"]
    c = torch.compile(f)
    x = torch.ones(3)
    with pytest.warns(UserWarning, match="runs eagerly"):
        outs = [float(c(x)[0]) for _ in range(4)]
    assert outs == [2.0, 3.0, 4.0, 5.0]


# ----------------------------------------------------------------------------- graph breaks
def _with_item(x):
    y = (x * 3).sum()
    if y.item() > 0:  # a Python branch on a tensor value
        return y * 2
    return y


def test_graph_break_runs_eagerly_with_one_warning_naming_the_line():
    c = torch.compile(_with_item)
    line = _with_item.__code__.co_firstlineno + 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for s in (1.0, -1.0, 2.0):
            x = torch.full((3,), s)
            assert float(c(x)) == float(_with_item(x))
    msgs = [str(m.message) for m in w if "graph break" in str(m.message)]
    assert len(msgs) == 1 and f"test_compile.py:{line}" in msgs[0]
    ex = c.explain()
    assert ex.graph_break_count == 1 and f":{line}" in ex.graph_breaks[0]


def test_fullgraph_raises_at_a_host_read():
    c = torch.compile(_with_item, fullgraph=True)
    with pytest.raises(torch.GraphBreak, match="item"):
        c(torch.ones(3))


def test_printing_is_a_graph_break():
    def f(x):
        y = x + 1
        str(y)
        return y
    with pytest.warns(UserWarning, match="graph break"):
        torch.compile(f)(torch.ones(2))


# ----------------------------------------------------------------------------- random ops
def test_random_ops_draw_like_eager():
    def f(x):
        return F.dropout(x, 0.5) + torch.randn_like(x) + torch.rand(3)

    c = torch.compile(f)
    x = torch.ones(4, 3)
    torch.manual_seed(11)
    eager = [f(x).numpy().copy() for _ in range(5)]
    torch.manual_seed(11)
    comp = [c(x).numpy().copy() for _ in range(5)]
    _assert_replayed(c)
    for a, b in zip(comp, eager):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(comp[3], comp[4])  # fresh numbers at each replay


# ----------------------------------------------------------------------------- API
def test_decorator_forms_and_options():
    @torch.compile
    def f(x):
        return x.exp()

    @torch.compile(fullgraph=True, mode="reduce-overhead")
    def g(x):
        return x * 2
    x = torch.randn(3)
    for _ in range(3):
        np.testing.assert_allclose(f(x).numpy(), x.exp().numpy())
        np.testing.assert_allclose(g(x).numpy(), (x * 2).numpy())
    with pytest.raises(RuntimeError, match="mode"):
        torch.compile(f, mode="fastest")
    m = nn.Linear(2, 2)
    assert torch.compile(m, disable=True) is m
    assert torch.compile(m)._orig_mod is m


def test_compile_explain_reports_ops_and_memory():
    def f(x, w):
        return (x @ w).relu().sum()
    x, w = torch.randn(4, 5), torch.randn(5, 3)
    ex = torch.compile_explain(f, x, w)
    assert ex.ops == 3 and ex.graph_count == 1 and ex.memory_planned_bytes > 0
    assert "ops captured: 3" in str(ex)


# ----------------------------------------------------------------------------- CUDA
@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CuPy and a GPU")
@pytest.mark.parametrize("optim", ["sgd", "adam"])
def test_whole_step_matches_eager_on_cuda(optim):
    def run(compiled):
        torch.manual_seed(0)
        model = _lenet().to("cuda")
        opt = OPTIMS[optim](model.parameters())
        sched = nn.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            return loss
        f = torch.compile(step) if compiled else step
        for x, y in zip(*_data("lenet", steps=20)):
            f(x.to("cuda"), y.to("cuda"))
            sched.step()
        return [p.detach().cpu().numpy() for p in model.parameters()], f
    eager, _ = run(False)
    comp, f = run(True)
    _assert_replayed(f)
    for a, b in zip(comp, eager):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # GPU reductions reorder


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CuPy and a GPU")
def test_inference_forward_is_one_cuda_graph():
    torch.manual_seed(0)
    model = _mlp().to("cuda").eval()

    @torch.compile
    def infer(x):
        with torch.no_grad():
            return model(x).tanh() * 2 + 1
    xs = [torch.randn(5, 12, device="cuda") for _ in range(6)]
    outs = [infer(x) for x in xs]
    plan = next(iter(infer._cache.values())).plan
    assert plan.graphed is not None and plan.graphed.graph is not None
    with torch.no_grad():
        for x, o in zip(xs, outs):
            np.testing.assert_allclose(o.cpu().numpy(), (model(x).tanh() * 2 + 1).cpu().numpy(),
                                       rtol=1e-5, atol=1e-6)
    assert outs[-1].array is not outs[-2].array  # results are copies of the graph buffers
    model[0].weight = nn.Parameter(torch.randn(24, 12, device="cuda"))
    with torch.no_grad():
        np.testing.assert_allclose(infer(xs[0]).cpu().numpy(),
                                   (model(xs[0]).tanh() * 2 + 1).cpu().numpy(), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CuPy and a GPU")
def test_compiled_module_on_cuda_matches_eager():
    g_eager, p_eager, _ = _run_module_on("cuda", False)
    g_comp, p_comp, m = _run_module_on("cuda", True)
    _assert_replayed(m)
    for a, b in zip(p_comp, p_eager):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _run_module_on(device, compiled, steps=10):
    torch.manual_seed(0)
    model = _lenet().to(device)
    opt = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    m = torch.compile(model) if compiled else model
    grads = []
    for x, y in zip(*_data("lenet", steps=steps)):
        opt.zero_grad()
        F.cross_entropy(m(x.to(device)), y.to(device)).backward()
        grads.append([p.grad.cpu().numpy() for p in model.parameters()])
        opt.step()
    return grads, [p.detach().cpu().numpy() for p in model.parameters()], m


def test_profiler_sees_a_compiled_step():
    torch.manual_seed(0)
    model = _mlp()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    c = torch.compile(step)
    x, y = torch.randn(4, 12), torch.randint(0, 4, (4,))
    for _ in range(3):
        c(x, y)
    with torch.profile() as p:
        c(x, y)
    assert "linear" in str(p) and "crossentropy" in str(p)


def test_whole_step_with_replaced_parameter_and_optimizer():
    torch.manual_seed(0)
    model = _mlp()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    c = torch.compile(step)
    x, y = torch.randn(4, 12), torch.randint(0, 4, (4,))
    for _ in range(3):
        c(x, y)
    model[0].weight = nn.Parameter(torch.zeros(24, 12))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    twin = {id(p): p.detach().clone() for p in model.parameters()}
    for _ in range(3):
        c(x, y)
    assert len(c._cache) == 2
    assert float(model[0].weight.detach().abs().sum()) > 0  # the new parameter trained
    assert all(not np.array_equal(twin[id(p)].numpy(), p.detach().numpy())
               for p in model.parameters())


def test_compiled_module_backward_twice_needs_retain_graph():
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    x = torch.randn(3, 12)
    for _ in range(2):
        m(x)
    out = m(x).sum()
    out.backward(retain_graph=True)
    first = model[0].weight.grad.numpy().copy()
    out.backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), 2 * first, rtol=1e-6)
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()
    with pytest.raises(RuntimeError, match="create_graph"):
        m(x).sum().backward(create_graph=True)


@pytest.mark.parametrize("case", ["zero_to_zeros", "accumulate", "inplace_relu",
                                  "inplace_mul"])
def test_step_variants_match_eager(case):
    """Gradients zeroed in place, gradients accumulated over calls (no zero_grad), an
    input that requires grad, in-place ops on tensors that require grad (a ReLU and an
    add_ replay; a mul_ whose op saved the tensor it overwrites keeps the step eager)."""
    def run(compiled):
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(6, 8), nn.ReLU(inplace=case == "inplace_relu"),
                          nn.Linear(8, 3))
        opt = nn.optim.Adam(m.parameters(), lr=1e-2)
        w = torch.randn(6, requires_grad=True)
        scale = torch.full((8,), 1.5, requires_grad=True)  # mul_ by it saves h itself

        def step(x, y):
            if case != "accumulate":
                opt.zero_grad(set_to_none=False)
            h = m[0](x * w)
            h.add_(0.5)
            h.mul_(scale if case == "inplace_mul" else 2.0)
            loss = F.cross_entropy(m[2](m[1](h)), y)
            loss.backward()
            opt.step()
            return loss
        f = torch.compile(step) if compiled else step
        g = torch.Generator().manual_seed(1)
        for _ in range(6):
            f(torch.randn(4, 6, generator=g), torch.randint(0, 3, (4,), generator=g))
        return [p.detach().numpy().copy() for p in m.parameters()] + [w.grad.numpy()], f
    eager, _ = run(False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        comp, f = run(True)
    if case == "inplace_mul":
        assert any("mul_" in str(x.message) for x in w)
    else:
        assert not w
        _assert_replayed(f)
    for a, b in zip(comp, eager):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_module_hooks_keep_the_region_eager():
    torch.manual_seed(0)
    model = _mlp()
    seen = []
    model[0].register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
    m = torch.compile(model)
    with pytest.warns(UserWarning, match="hooks"):
        for _ in range(4):
            m(torch.randn(2, 12))
    assert len(seen) == 4


def test_memory_ledger_counts_a_compiled_forward():
    from autograd.memory import ledger
    torch.manual_seed(0)
    model = _mlp()
    m = torch.compile(model)
    x = torch.randn(5, 12)
    for _ in range(3):
        out = m(x)
    led = str(ledger(out.sum()))
    assert "compiledbackward" in led and "saved[0]" in led
    out.sum().backward()  # the engine releases the held arrays, as for an eager graph
    assert out.grad_fn.saved is not None and not isinstance(out.grad_fn.saved, tuple)


def test_scheduler_stepped_inside_the_compiled_step():
    def run(compiled):
        torch.manual_seed(0)
        model = _mlp()
        opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = nn.optim.lr_scheduler.ExponentialLR(opt, gamma=0.7)

        def step(x, y):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
            sched.step()
        f = torch.compile(step) if compiled else step
        for x, y in zip(*_data("mlp", steps=8)):
            f(x, y)
        return _params(model) + [np.array(opt.param_groups[0]["lr"])], f
    eager, _ = run(False)
    comp, f = run(True)
    _assert_replayed(f)
    for a, b in zip(comp, eager):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_concurrent_calls_from_threads_match_eager():
    import threading
    torch.manual_seed(0)
    w = torch.randn(16, 16)
    f = torch.compile(lambda x: ((x @ w).tanh() * 2 - 1).sum(1))
    xs = [torch.randn(8, 16) for _ in range(24)]
    for x in xs[:2]:
        f(x)
    got = [None] * len(xs)

    def worker(i0):
        for i in range(i0, len(xs), 4):
            got[i] = f(xs[i]).numpy().copy()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, g in zip(xs, got):
        np.testing.assert_allclose(g, ((x @ w).tanh() * 2 - 1).sum(1).numpy(), rtol=1e-6)


def test_inplace_special_maths_and_clamp_replay():
    w = torch.randn(5)

    def f(x):
        with torch.no_grad():
            y = x * 2
            y.atan2_(w)
            y.clamp_(-1, 1)
        return y + 1
    c = torch.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            x = torch.randn(5)
            np.testing.assert_allclose(c(x).numpy(), f(x).numpy(), rtol=1e-6)
    _assert_replayed(c)
