"""autograd.profile: per-op times, counts and bytes; agreement with an outside timer;
methods restored on exit (zero cost when off); grouping by module."""
import time

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.function import Function
from autograd.ops.elementwise import Mul
from autograd.profiler import _subclasses, profile


def test_counts_and_bytes_of_a_known_graph():
    x = ag.tensor(np.ones((50, 40)), requires_grad=True)
    w = ag.tensor(np.full((50, 40), 2.0), requires_grad=True)
    with profile() as prof:
        for _ in range(3):
            (x * w).sum().backward()
    ops = prof.ops
    # mul's backward calls mul twice (grad * w, grad * x): calls run inside a backward
    # are counted too, as backward work of mul, and their time is theirs, not the
    # caller's; the forward columns hold only the forward pass
    assert ops["mul"]["calls"] == 3 and ops["mul"]["backward_calls"] == 3 + 6
    assert ops["sum"]["calls"] == 3 and ops["sum"]["backward_calls"] == 3
    assert ops["mul"]["forward_bytes"] == 3 * x.array.nbytes
    assert ops["sum"]["forward_bytes"] == 3 * 8
    # sum's backward expands the scalar gradient (a broadcast view: no new memory);
    # mul's backward makes grad*w and grad*x, each through a nested mul
    assert ops["sum"]["backward_bytes"] == 0
    assert ops["mul"]["backward_bytes"] == 6 * x.array.nbytes
    assert {k for k, d in ops.items() if d["calls"]} == {"mul", "sum"}
    assert all(d["forward"] >= 0 and d["backward"] >= 0 for d in ops.values())


def test_total_agrees_with_an_outside_timer():
    rng = np.random.default_rng(0)
    a = ag.tensor(rng.standard_normal((300, 300)), requires_grad=True)
    b = ag.tensor(rng.standard_normal((300, 300)))
    with profile() as prof:
        t0 = time.perf_counter()
        for _ in range(4):
            y = a
            for _ in range(3):
                y = (y @ b) * 0.01
            y.sum().backward()
        outside = time.perf_counter() - t0
    # self times never overlap, so they sum to at most the wall time; with matmuls of
    # this size almost all of it is spent inside ops
    assert prof.total_time <= outside * 1.02
    assert prof.total_time >= 0.5 * outside
    assert prof.ops["matmul"]["total"] > 0.5 * prof.total_time


def test_methods_restored_on_exit_even_after_an_error():
    before = {(c, n): c.__dict__.get(n) for c in _subclasses(Function)
              for n in ("forward", "backward")}
    with pytest.raises(ZeroDivisionError), profile():
        assert Mul.__dict__["forward"] is not before[(Mul, "forward")]
        1 / 0
    after = {(c, n): c.__dict__.get(n) for c in _subclasses(Function)
             for n in ("forward", "backward")}
    assert after == before


def test_nested_profile_is_refused():
    with profile():
        with pytest.raises(RuntimeError, match="profile"):
            with profile():
                pass


def test_by_module_groups_ops_under_their_module():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 4))
    x = ag.randn(8, 16)
    with profile(model=model) as prof:
        model(x).sum().backward()
        with ag.no_grad():
            model(x)
    groups = prof.by_module
    assert {"0", "1", "2", "(no module)", "(no graph)"} <= set(groups)
    assert groups["1"]["calls"] == 1 and groups["1"]["backward_calls"] == 1
    assert groups["0"]["forward"] > 0
    text = prof.table(by="module")
    assert "module" in text.splitlines()[0]


def test_table_sorts_and_validates():
    x = ag.tensor(np.ones(100), requires_grad=True)
    with profile() as prof:
        x.exp().sin().sum().backward()
    text = prof.table(sort_by="name")
    names = [line.split()[0] for line in text.splitlines()[2:-2]]
    assert names == sorted(names) and {"exp", "sin", "sum"} <= set(names)
    assert "ms" in str(prof)
    with pytest.raises(ValueError):
        prof.table(sort_by="speed")


class _Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(4, 8), nn.Linear(8, 8)

    def forward(self, x):
        return self.lin2(self.lin1(x).tanh())


def test_by_module_of_a_nested_model_matches_a_hand_count():
    ag.manual_seed(0)
    model = nn.Sequential(_Block(), nn.Tanh(), nn.Linear(8, 2)).double()
    x = ag.randn(3, 4, dtype=ag.float64)
    with profile(model=model) as prof:
        model(x).sum().backward()
    got = {k: (d["calls"], d["backward_calls"], d["forward_bytes"], d["backward_bytes"])
           for k, d in prof.by_module.items()}
    f8 = 8  # bytes per float64
    assert got == {
        # innermost module only: the block's own op is its tanh, not its children's linears
        "0.lin1": (1, 1, f8 * 3 * 8, f8 * (8 * 4 + 8)),         # x needs no grad: dW, db
        "0": (1, 1, f8 * 3 * 8, f8 * 3 * 8),
        "0.lin2": (1, 1, f8 * 3 * 8, f8 * (3 * 8 + 8 * 8 + 8)),  # dx, dW, db
        "1": (1, 1, f8 * 3 * 8, f8 * 3 * 8),
        "2": (1, 1, f8 * 3 * 2, f8 * (3 * 8 + 2 * 8 + 2)),
        "(no module)": (1, 1, f8, 0),                            # the sum; its grad a view
    }
    assert sum(d["total"] for d in prof.by_module.values()) == pytest.approx(
        prof.total_time, rel=1e-9)


def test_engine_sums_of_gradients_are_backward_time():
    x = ag.randn(30, 30, requires_grad=True)
    with profile() as prof:
        y = x.exp()
        (y * 2 + y * 3).sum().backward()  # y is used twice: the engine adds 2 gradients
    ops = prof.ops
    assert ops["add"]["calls"] == 1  # the forward add only
    assert ops["add"]["backward_calls"] >= 1
