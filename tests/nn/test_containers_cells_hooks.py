"""ParameterList/ParameterDict, RNNCell/LSTMCell/GRUCell and Module backward hooks against
PyTorch: values, gradients, state dicts (both ways), errors, reprs, hook order/arguments."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import DEVICES, requires_torch
from tests.nn._layer_parity import DTYPES, TOL, check_module, close, copy_weights, host, torch

pytestmark = requires_torch


def _np(t):
    return host(t) if isinstance(t, ag.Tensor) else t.detach().numpy()


def _to_torch_sd(sd):
    return {k: torch.tensor(_np(v)) for k, v in sd.items()}


def _outcome(fn):
    """(exception type name, message) of fn(), or None if it ran."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e)
    return None


# ----------------------------------------------------------------------------- ParameterList
def _list_ops(lib, tensor):
    """The same ParameterList operations on either library; returns the list."""
    pl = lib.ParameterList([tensor([1.0, 2.0]), lib.Parameter(tensor([[3.0]]))])
    pl.append(tensor([4.0, 5.0, 6.0]))
    pl.extend([tensor([7.0]), "not a tensor"])
    pl += [tensor([8.0, 9.0])]
    pl[-1] = tensor([10.0, 11.0])
    pl[4] = None
    return pl


def test_parameter_list_behaves_like_torch():
    e, t = _list_ops(nn, ag.tensor), _list_ops(torch.nn, torch.tensor)
    assert len(e) == len(t) == 6
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()] \
        == ["0", "1", "2", "3", "5"]
    assert list(e.state_dict()) == list(t.state_dict())
    for a, b in zip(e, t):
        assert (a is None) == (b is None)
        if b is not None:
            assert type(a) is nn.Parameter and a.requires_grad
            np.testing.assert_array_equal(_np(a), _np(b))
    assert e[-1] is e[5] and e[0] is list(e.parameters())[0]
    sliced = e[1:5:2]
    assert type(sliced) is nn.ParameterList and len(sliced) == 2
    assert sliced[0] is e[1] and sliced[1] is e[3]
    assert [n for n, _ in sliced.named_parameters()] == ["0", "1"]
    assert len(e[::-1]) == 6 and e[::-1][0] is e[5]
    for lib_list in (e, t):
        assert _outcome(lambda: lib_list[6]) == ("IndexError", "index 6 is out of range")
    for fn in (lambda pl: pl[-7], lambda pl: pl["a"], lambda pl: pl.__setitem__(9, None),
               lambda pl: pl.extend(pl[0]), lambda pl: pl.extend(3), lambda pl: pl()):
        assert _outcome(lambda: fn(e)) == _outcome(lambda: fn(t))
    assert not any(k.isdigit() for k in dir(e))


def test_parameter_list_wraps_tensors_as_leaf_parameters_on_their_storage():
    x = ag.tensor([1.0, 2.0])
    y = (ag.tensor([1.0, 2.0], requires_grad=True) * 2)
    pl = nn.ParameterList([x, y])
    assert all(type(p) is nn.Parameter and p.is_leaf and p.requires_grad for p in pl)
    assert pl[0].array is x.array
    with pytest.raises(RuntimeError):
        nn.ParameterList([ag.tensor([1, 2])])  # integer tensors cannot require grad


def test_parameter_list_state_dict_moves_both_ways():
    t = torch.nn.ParameterList([torch.randn(2, 3), torch.randn(4)])
    e = nn.ParameterList([ag.zeros(2, 3), ag.zeros(4)])
    copy_weights(t, e)
    for a, b in zip(e, t):
        np.testing.assert_array_equal(_np(a), _np(b))
    e[1] = ag.ones(4)
    t.load_state_dict(_to_torch_sd(e.state_dict()))
    np.testing.assert_array_equal(_np(t[1]), np.ones(4, np.float32))


def test_parameter_list_repr_matches_torch():
    e, t = _list_ops(nn, ag.tensor), _list_ops(torch.nn, torch.tensor)
    assert repr(e) == repr(t)
    assert repr(e[:1]) == repr(t[:1])
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())


# ----------------------------------------------------------------------------- ParameterDict
def _dict_ops(lib, tensor):
    pd = lib.ParameterDict({"b": tensor([1.0]), "a": tensor([2.0, 3.0])})  # sorted: a, b
    pd.update(OrderedDict([("z", tensor([4.0])), ("c", tensor([5.0]))]))  # kept in order
    pd.update([("y", lib.Parameter(tensor([6.0]))), ("x", "text")])
    pd["b"] = tensor([7.0, 8.0])
    popped = pd.pop("c")
    default = pd.setdefault("w", tensor([9.0]))
    kept = pd.setdefault("a", tensor([0.0]))
    got = pd.get("missing", 5), pd.get("z")
    last = pd.popitem()
    return pd, (popped, default, kept, got, last)


def test_parameter_dict_behaves_like_torch():
    (e, e_res), (t, t_res) = _dict_ops(nn, ag.tensor), _dict_ops(torch.nn, torch.tensor)
    assert list(e.keys()) == list(t.keys()) == ["a", "b", "z", "y", "x"]
    assert list(e) == list(t) and list(reversed(e)) == list(reversed(t))
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(e.state_dict()) == list(t.state_dict())
    for (ka, va), (kb, vb) in zip(e.items(), t.items()):
        assert ka == kb
        if isinstance(vb, torch.Tensor):
            assert type(va) is nn.Parameter
            np.testing.assert_array_equal(_np(va), _np(vb))
        else:
            assert va == vb
    assert [_np(v) if isinstance(v, ag.Tensor) else v for v in e.values()][-1] == "text"
    popped, default, kept, got, last = e_res
    assert type(popped) is nn.Parameter and _np(popped).tolist() == [5.0]
    assert _np(default).tolist() == [9.0] and kept is e["a"]
    assert got[0] == 5 and got[1] is e["z"]
    assert last[0] == t_res[4][0] == "w" and "w" not in e
    assert "a" in e and "c" not in e and len(e) == len(t) == 5
    merged = e | nn.ParameterDict({"q": ag.ones(1)})
    assert list(merged) == list(e) + ["q"] and merged["a"] is e["a"]
    assert list(e.fromkeys(["k1", "k2"])) == ["k1", "k2"]
    for fn in (lambda pd: pd[1], lambda pd: pd["nope"], lambda pd: pd.update(3),
               lambda pd: pd.update([("a",)]), lambda pd: pd.update([3]),
               lambda pd: pd(ag.ones(1) if pd is e else torch.ones(1)),
               lambda pd: pd.__setitem__("a.b", None)):
        assert _outcome(lambda: fn(e)) == _outcome(lambda: fn(t))
    e.clear()
    assert len(e) == 0 and list(e.parameters()) == []
    with pytest.raises(KeyError):
        e.popitem()


def test_parameter_dict_state_dict_moves_both_ways_and_repr_matches():
    t = torch.nn.ParameterDict({"w": torch.randn(2, 3), "b": torch.randn(3).double()})
    e = nn.ParameterDict({"w": ag.zeros(2, 3), "b": ag.zeros(3, dtype=ag.float64)})
    copy_weights(t, e)
    for k in t:
        np.testing.assert_array_equal(_np(e[k]), _np(t[k]))
    e["w"] = ag.ones(2, 3)
    t.load_state_dict(_to_torch_sd(e.state_dict()))
    np.testing.assert_array_equal(_np(t["w"]), np.ones((2, 3), np.float32))
    t["s"], e["s"] = "x", "x"
    assert repr(e) == repr(t)  # Tensor.type() names torch.FloatTensor, as PyTorch's


class _Holder:
    """A module using a ParameterList and a ParameterDict, for either library."""

    @staticmethod
    def build(lib, tensor, dtype):
        class Holder(lib.Module):
            def __init__(self):
                super().__init__()
                self.ws = lib.ParameterList([tensor(np.zeros((3, 4), dtype)),
                                             tensor(np.zeros((4, 2), dtype))])
                self.bs = lib.ParameterDict({"b1": tensor(np.zeros(4, dtype)),
                                             "b0": tensor(np.zeros(2, dtype))})

            def forward(self, x):
                h = (x @ self.ws[0] + self.bs["b1"]).tanh()
                return h @ self.ws[-1] + self.bs["b0"]
        return Holder()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_module_holding_parameter_containers_matches_torch(dtype, device):
    tm = _Holder.build(torch.nn, torch.tensor, dtype)
    for p in tm.parameters():
        torch.nn.init.normal_(p)
    em = _Holder.build(nn, ag.tensor, np.float32).to(dtype)  # .to() casts the containers
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()] \
        == ["ws.0", "ws.1", "bs.b0", "bs.b1"]  # a dict: sorted
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(dtype)
    check_module(em, tm, [x], dtype, device=device)
    assert all(p.device.type == ag.device(device).type for p in em.ws)


# ----------------------------------------------------------------------------- cells
CELLS = {"rnn_tanh": ("RNNCell", {}), "rnn_relu": ("RNNCell", {"nonlinearity": "relu"}),
         "lstm": ("LSTMCell", {}), "gru": ("GRUCell", {})}


def _cells(kind, dtype=np.float64, **kw):
    name, extra = CELLS[kind]
    em = getattr(nn, name)(3, 4, dtype=dtype, **extra, **kw)
    tm = getattr(torch.nn, name)(3, 4, **extra, **kw).to(getattr(torch, np.dtype(dtype).name))
    return em, tm


def _cell_call(kind):
    if kind == "lstm":
        return lambda m, x, h, c: m(x, (h, c))
    return lambda m, x, h: m(x, h)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(kind, bias, with_hx, dtype, device):
    em, tm = _cells(kind, dtype, bias=bias)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3)).astype(dtype)
    if not with_hx:
        check_module(em, tm, [x], dtype, device=device)
        return
    states = [rng.standard_normal((2, 4)).astype(dtype) for _ in range(2 if kind == "lstm"
                                                                        else 1)]
    check_module(em, tm, [x] + states, dtype, call=_cell_call(kind), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_unbatched_input_matches_torch(kind, device):
    em, tm = _cells(kind)
    rng = np.random.default_rng(2)
    x = rng.standard_normal(3)
    check_module(em, tm, [x], np.float64, device=device)
    states = [rng.standard_normal(4) for _ in range(2 if kind == "lstm" else 1)]
    check_module(em, tm, [x] + states, np.float64, call=_cell_call(kind), device=device)
    out = em(ag.tensor(x, device=device))
    assert all(o.shape == (4,) for o in (out if kind == "lstm" else [out]))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_gradcheck_and_gradgradcheck(kind, device):
    em = _cells(kind)[0].to(device)
    rng = np.random.default_rng(3)
    x, h, c = (ag.tensor(rng.standard_normal(s), requires_grad=True, device=device)
               for s in [(2, 3), (2, 4), (2, 4)])
    w = em.weight_hh
    if kind == "lstm":
        def fn(x, h, c, w):
            out = em(x, (h, c))
            return out[0] * 2 + out[1]
        inputs = (x, h, c, w)
    else:
        def fn(x, h, w):
            return em(x, h)
        inputs = (x, h, w)
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_parameters_init_and_state_dict_match_torch(kind):
    for bias in (True, False):
        em, tm = _cells(kind, np.float32, bias=bias)
        assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
        assert (em.bias_ih is None) == (not bias)
        bound = 1 / np.sqrt(4)
        for p in em.parameters():
            assert p.dtype == ag.float32 and np.abs(_np(p)).max() <= bound
            assert np.abs(_np(p)).max() > bound / 2  # drawn from the whole range
        assert repr(em) == repr(tm)
        copy_weights(tm, em)
        tm2 = type(tm)(3, 4, bias=bias, **CELLS[kind][1])
        tm2.load_state_dict(_to_torch_sd(em.state_dict()))
        for k, v in tm.state_dict().items():
            np.testing.assert_array_equal(_np(tm2.state_dict()[k]), _np(v))
    assert repr(nn.RNNCell(3, 0)) == repr(torch.nn.RNNCell(3, 0)) == "RNNCell(3, 0)"


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_errors_match_torch(kind):
    em, tm = _cells(kind, np.float32)
    lstm = kind == "lstm"

    def hx(lib, *shape):
        z = lib.zeros(shape)
        return (z, lib.zeros(shape)) if lstm else z
    cases = [((2, 2, 3), None), ((), None), ((2, 5), None), ((5,), None), ((2, 3), (1, 2, 4)),
             ((2, 3), (3, 4)), ((2, 3), (2, 5)), ((3,), (2, 4)), ((2, 3), (4,)),
             ((0, 3), None)]
    for x_shape, h_shape in cases:
        def run(m, lib):
            return m(lib.zeros(x_shape), None if h_shape is None else hx(lib, *h_shape))
        assert _outcome(lambda: run(em, ag)) == _outcome(lambda: run(tm, torch)), \
            (x_shape, h_shape)
    if kind == "rnn_tanh":
        e_bad, t_bad = nn.RNNCell(3, 4, nonlinearity="foo"), torch.nn.RNNCell(3, 4,
                                                                             nonlinearity="foo")
        assert _outcome(lambda: e_bad(ag.zeros(2, 3))) == \
            _outcome(lambda: t_bad(torch.zeros(2, 3))) == \
            ("RuntimeError", "Unknown nonlinearity: foo")


def test_cell_step_loop_matches_lstm_layer():
    # an LSTMCell run over time with the layer's weights gives the LSTM layer's output
    layer = nn.LSTM(3, 4, dtype=ag.float64)
    cell = nn.LSTMCell(3, 4, dtype=ag.float64)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = ag.tensor(np.random.default_rng(5).standard_normal((6, 2, 3)))
    h = c = None
    outs = []
    for t in range(6):
        h, c = cell(x[t], None if h is None else (h, c))
        outs.append(h)
    np.testing.assert_allclose(_np(ag.stack(outs)), _np(layer(x)[0]), **TOL[np.float64])


# ----------------------------------------------------------------------------- hooks
def _hook_net(lib):
    """A Linear, a two-input two-output module (one input is a constant tensor, one
    output unused) and a Linear whose input does not require grad."""
    class TwoIn(lib.Module):
        def forward(self, a, b, scale=2.0):
            return a * b * scale, a - b

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.Linear(3, 4)
            self.side = lib.Linear(3, 4)
            self.mix = TwoIn()
            self.gate = TwoIn()

        def forward(self, x, c, k):
            h = self.lin(x)
            s = self.side(c)              # c does not require grad
            p, q = self.mix(h, s)         # both inputs require grad
            r, _ = self.gate(p + q, k, 0.5)  # k needs no grad; output 1 unused
            return (r * r).sum()
    return Net()


def _record(model, log, to_np, replace=None):
    handles = []
    for name, m in model.named_modules():
        def pre(mod, grad_output, name=name):
            log.append((name, "pre", [None if g is None else to_np(g) for g in grad_output]))
            if replace and name in replace.get("pre", {}):
                return tuple(None if g is None else g * replace["pre"][name]
                             for g in grad_output)

        def full(mod, grad_input, grad_output, name=name):
            log.append((name, "full", [None if g is None else to_np(g) for g in grad_input],
                        [None if g is None else to_np(g) for g in grad_output]))
            if replace and name in replace.get("full", {}):
                return tuple(None if g is None else g * replace["full"][name]
                             for g in grad_input)
        handles.append(m.register_full_backward_pre_hook(pre))
        handles.append(m.register_full_backward_hook(full))
    return handles


def _same_log(e_log, t_log):
    assert [entry[:2] for entry in e_log] == [entry[:2] for entry in t_log]
    for e_entry, t_entry in zip(e_log, t_log):
        for e_grads, t_grads in zip(e_entry[2:], t_entry[2:]):
            assert len(e_grads) == len(t_grads), e_entry[:2]
            for a, b in zip(e_grads, t_grads):
                assert (a is None) == (b is None), e_entry[:2]
                if b is not None:
                    assert a.dtype == b.dtype
                    np.testing.assert_allclose(a, b, err_msg=str(e_entry[:2]),
                                               **TOL[np.float64])


def _run_hooked(device, replace=None):
    tm = _hook_net(torch.nn).double()
    em = _hook_net(nn).to(ag.float64)
    copy_weights(tm, em)
    em.to(device)
    rng = np.random.default_rng(6)
    x, c, k = (rng.standard_normal(s) for s in [(2, 3), (2, 3), (2, 4)])
    logs = []
    for model, lib, to_np, kw in ((em, ag, _np, dict(device=device)), (tm, torch, _np, {})):
        log = []
        _record(model, log, to_np, replace)
        xt = lib.tensor(x, requires_grad=True, **kw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model(xt, lib.tensor(c, **kw), lib.tensor(k, **kw)).backward()
        logs.append((log, xt, model, [str(w.message) for w in caught]))
    return logs


@pytest.mark.parametrize("device", DEVICES)
def test_backward_hook_order_and_arguments_match_torch(device):
    (e_log, ex, em, e_warn), (t_log, tx, tm, t_warn) = _run_hooked(device)
    _same_log(e_log, t_log)
    assert ("side", "full") in [entry[:2] for entry in e_log]
    side = next(entry for entry in e_log if entry[:2] == ("side", "full"))
    assert side[2] == [None]                      # its input does not require grad
    gate = next(entry for entry in e_log if entry[:2] == ("gate", "full"))
    assert gate[3][1] is None and gate[2][2] is None  # unused output; non-Tensor argument
    assert not np.any(gate[2][1])                 # PyTorch gives zeros for the constant k
    assert e_warn == t_warn and len(e_warn) == 1  # "firing ... no inputs require gradients"
    close(ex.grad, tx.grad, np.float64, "x.grad", device)


@pytest.mark.parametrize("device", DEVICES)
def test_backward_hooks_replacing_gradients_match_torch(device):
    replace = {"pre": {"mix": 3.0, "": 0.5}, "full": {"lin": -2.0, "gate": 1.5}}
    (e_log, ex, em, _), (t_log, tx, tm, _) = _run_hooked(device, replace)
    _same_log(e_log, t_log)
    close(ex.grad, tx.grad, np.float64, "x.grad", device)
    t_params = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        close(p.grad, t_params[name].grad, np.float64, name, device)


def _linear_pair(dtype=np.float64):
    tm = torch.nn.Linear(3, 2).to(getattr(torch, np.dtype(dtype).name))
    em = nn.Linear(3, 2, dtype=dtype)
    copy_weights(tm, em)
    return em, tm


def test_backward_hook_removal_prepend_and_no_grad():
    em = nn.Linear(3, 2)
    calls = []
    h1 = em.register_full_backward_hook(lambda m, gi, go: calls.append("full1"))
    h2 = em.register_full_backward_hook(lambda m, gi, go: calls.append("full0"),
                                        prepend=True)
    h3 = em.register_full_backward_pre_hook(lambda m, go: calls.append("pre"))
    x = ag.randn(4, 3, requires_grad=True)
    em(x).sum().backward()
    assert calls == ["pre", "full0", "full1"]
    h1.remove()
    h3.remove()
    calls.clear()
    em(x).sum().backward()
    assert calls == ["full0"]
    h2.remove()
    calls.clear()
    out = em(x)
    assert out.grad_fn is not None and "hook" not in type(out.grad_fn).__name__.lower()
    out.sum().backward()
    assert calls == []
    with em.register_full_backward_hook(lambda m, gi, go: calls.append("ctx")):
        pass
    with ag.no_grad():
        em.register_full_backward_hook(lambda m, gi, go: calls.append("no_grad"))
        assert not em(x).requires_grad
    em(x.detach())  # nothing requires grad: no hook node, no call
    assert calls == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_hook_fires_through_autograd_grad_and_twice_for_two_calls(dtype):
    em, tm = _linear_pair(dtype)
    for m, lib in ((em, ag), (tm, torch)):
        m.calls = []
        m.register_full_backward_hook(lambda mod, gi, go: mod.calls.append(_np(gi[0])))
        x = lib.tensor(np.random.default_rng(7).standard_normal((2, 3)).astype(dtype),
                       requires_grad=True)
        (g,) = (ag.grad if lib is ag else torch.autograd.grad)((m(x) * m(x * 2)).sum(), [x])
        m.result = _np(g)
    assert len(em.calls) == len(tm.calls) == 2
    for a, b in zip(em.calls + [em.result], tm.calls + [tm.result]):
        np.testing.assert_allclose(a, b, **TOL[dtype])


def test_backward_hook_errors_and_warnings_match_torch():
    def run(m, lib, hook_kind, hook, x_grad=True, x=None):
        getattr(m, hook_kind)(hook)
        x = lib.ones(2, 3, requires_grad=x_grad) if x is None else x
        return m(x).sum().backward()

    cases = [
        ("register_full_backward_hook", lambda m, gi, go: (gi[0], gi[0]), True),
        ("register_full_backward_pre_hook", lambda m, go: (go[0], go[0]), True),
        ("register_full_backward_pre_hook", lambda m, go: go[0] * 2, True),  # len(tensor)
        ("register_full_backward_hook", lambda m, gi, go: (go[0],), False),
        ("register_full_backward_hook", lambda m, gi, go: (None,), False),
    ]
    for hook_kind, hook, x_grad in cases:
        em, tm = _linear_pair(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e = _outcome(lambda: run(em, ag, hook_kind, hook, x_grad))
            t = _outcome(lambda: run(tm, torch, hook_kind, hook, x_grad))
        assert e == t, (hook_kind, e, t)
    em, tm = _linear_pair()
    for m in (em, tm):
        m.register_full_backward_hook(lambda *a: None)
    assert _outcome(lambda: em.register_backward_hook(lambda *a: None)) == \
        _outcome(lambda: tm.register_backward_hook(lambda *a: None)) != None  # noqa: E711

    class DictOut:
        @staticmethod
        def build(lib):
            class D(lib.Module):
                def forward(self, x):
                    return {"y": x * 2}
            return D()
    messages = []
    for lib in (ag, torch):
        m = DictOut.build(nn if lib is ag else torch.nn)
        called = []
        m.register_full_backward_hook(lambda *a: called.append(1))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = lib.ones(2, requires_grad=True)
            m(x)["y"].sum().backward()
        assert called == [] and x.grad is not None
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_deprecated_backward_hook_gets_full_hook_arguments_and_torch_warnings():
    em = nn.Linear(3, 2)
    seen = []
    em.register_backward_hook(lambda m, gi, go: seen.append((len(gi), len(go))))
    with pytest.raises(RuntimeError, match="Cannot use both"):
        em.register_full_backward_hook(lambda *a: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        em(ag.randn(4, 3, requires_grad=True)).sum().backward()
    assert seen == [(1, 1)]

    class TakesFloat(nn.Module):
        def forward(self, x, scale):
            return x * scale
    m = TakesFloat()
    m.register_backward_hook(lambda *a: None)
    with pytest.warns(FutureWarning, match="does not take as input a single Tensor"):
        m(ag.randn(2, requires_grad=True), 2.0)


@pytest.mark.parametrize("device", DEVICES)
def test_module_with_backward_hooks_keeps_double_backward(device):
    em = nn.Linear(3, 2, dtype=ag.float64).to(device)
    calls = []
    em.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    em.register_full_backward_pre_hook(lambda m, go: None)
    x = ag.tensor(np.random.default_rng(8).standard_normal((2, 3)), requires_grad=True,
                  device=device)
    assert ag.gradcheck(lambda x: em(x).tanh(), (x,))
    assert ag.gradgradcheck(lambda x: em(x).tanh(), (x,))
    assert calls
