"""LBFGS (with and without the strong-Wolfe line search), ASGD and SparseAdam vs PyTorch:
the same runs step by step in float64, PyTorch's state layout, resumes through
nn.utils.save/load equal to uninterrupted runs, and PyTorch's argument checks."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.conftest import DEVICES, requires_torch, torch
from tests.nn.test_optim import B0, W0, X, _combos, _loss

RNG = np.random.default_rng(7)
R0 = RNG.standard_normal(4) * 0.5  # Rosenbrock start, one vector parameter ...
M0 = RNG.standard_normal((2, 3)) * 0.5  # ... and one matrix parameter
XS = RNG.standard_normal((8, 3))  # least squares: inputs, targets
YS = XS @ RNG.standard_normal((3, 2)) + 0.1 * RNG.standard_normal((8, 2))


def _host(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def _rosen(v):
    return (100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2).sum()


def _rosenbrock(x, m):
    # two parameters coupled, so the flat vector mixes both
    return _rosen(x) + _rosen(m.flatten()) + 0.1 * (x.sum() * m.sum())


def _tensor(lib, value, device="cpu", requires_grad=False):
    if lib == "torch":
        return torch.tensor(value, requires_grad=requires_grad)
    return ag.tensor(value, device=device, requires_grad=requires_grad)


def _lbfgs_rosenbrock(lib, options, steps=4, device="cpu", opt=None, params=None):
    """The losses step() returned, the parameters, the optimiser."""
    if params is None:
        params = [_tensor(lib, R0.copy(), device, True), _tensor(lib, M0.copy(), device, True)]
    if opt is None:
        opt = (torch.optim if lib == "torch" else nn.optim).LBFGS(params, **options)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(*params)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return losses, params, opt


def _assert_state_close(ours, theirs, where="state", rtol=1e-10):
    """Same keys in the same order, lists of the same length, equal values (None,
    numbers and tensors; PyTorch keeps some scalars as 0-d tensors)."""
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in theirs:
            _assert_state_close(ours[key], theirs[key], f"{where}.{key}", rtol)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_state_close(a, b, f"{where}.{i}", rtol)
    elif theirs is None or isinstance(theirs, (str, bool, tuple)):
        assert ours == theirs, where
    else:
        # the history's scalars come out of near-cancelling dot products: 1e-10 absolute
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=rtol, atol=rtol,
                                   err_msg=where)


# (options, step() calls). LBFGS on Rosenbrock's valley is chaotic: PyTorch itself, started
# 1e-15 away, drifts by 1e-9 within 80 iterations, so the runs stay shorter than that.
# Tolerance from that computation: each evaluation's loss/gradient and each history dot
# product over the N_PARAMS = 10 float64 entries differ between two correct
# implementations (or BLAS thread counts, which change the summation order) by up to about
# N_PARAMS * eps; the valley amplifies a difference by at most AMPLIFICATION = 1e6 over
# the <= 100 evaluations these runs make (the 1e-15 -> 1e-9 drift above). Equal within
# N_PARAMS * eps * AMPLIFICATION ~ 2.2e-9 relative; one machine showed 4.9e-10, this one
# 7e-13 (1 BLAS thread), so 1e-10 was a bound tuned to one machine.
LBFGS_RTOL = 10 * np.finfo(np.float64).eps * 1e6
LBFGS_CASES = [
    (dict(lr=0.1), 4),
    (dict(lr=0.1, history_size=3, max_iter=7), 4),
    (dict(line_search_fn="strong_wolfe", max_iter=8), 2),
    (dict(line_search_fn="strong_wolfe", max_iter=6), 3),
    (dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5), 3),
    (dict(line_search_fn="strong_wolfe", max_eval=6), 4),  # the line search runs out of evals
    (dict(lr=0.5, line_search_fn="strong_wolfe", tolerance_change=1e-3), 3),  # stops early
    (dict(lr=0.05, max_iter=3, max_eval=2), 4),
]


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("options,steps", LBFGS_CASES, ids=str)
def test_lbfgs_rosenbrock_matches_torch_step_by_step(options, steps, device):
    tl, tparams, topt = _lbfgs_rosenbrock("torch", options, steps)
    ol, oparams, oopt = _lbfgs_rosenbrock("ember", options, steps, device=device)
    np.testing.assert_allclose(ol, tl, rtol=LBFGS_RTOL)
    for ours, theirs in zip(oparams, tparams):
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=LBFGS_RTOL, atol=1e-12)
    _assert_state_close(oopt.state_dict(), topt.state_dict(), rtol=LBFGS_RTOL)
    state = oopt.state_dict()["state"][0]
    assert state["d"].shape == (10,) and state["d"].dtype == ag.float64
    assert state["d"].device.type == device
    # the history's scalars are 0-d tensors, as PyTorch keeps them
    assert all(isinstance(v, ag.Tensor) and v.shape == () for v in state["ro"])
    assert all(v is None or isinstance(v, ag.Tensor) and v.shape == () for v in state["al"])
    assert isinstance(state["H_diag"], ag.Tensor) or state["H_diag"] == 1


def _least_squares(lib, options, steps=3, device="cpu", dtype=np.float64):
    """A Linear model fit by LBFGS, plus a parameter that gets no gradient (PyTorch puts
    zeros in its place in the flat vector)."""
    if lib == "torch":
        model = torch.nn.Linear(3, 2).to(torch.float64 if dtype == np.float64 else
                                         torch.float32)
        unused = torch.nn.Parameter(torch.ones(2, dtype=model.weight.dtype))
        x, y, F = torch.tensor(XS.astype(dtype)), torch.tensor(YS.astype(dtype)), \
            torch.nn.functional
        optim = torch.optim
    else:
        model = nn.Linear(3, 2, dtype=ag.float64 if dtype == np.float64 else ag.float32,
                          device=device)
        unused = nn.Parameter(ag.ones(2, dtype=model.weight.dtype, device=device))
        x, y = ag.tensor(XS.astype(dtype), device=device), ag.tensor(YS.astype(dtype),
                                                                     device=device)
        F, optim = nn.functional, nn.optim
    with (torch.no_grad() if lib == "torch" else ag.no_grad()):
        model.weight.copy_(_tensor(lib, (np.arange(6).reshape(2, 3) * 0.1).astype(dtype),
                                   device))
        model.bias.copy_(_tensor(lib, np.array([0.3, -0.2], dtype=dtype), device))
    opt = optim.LBFGS([model.weight, model.bias, unused], **options)

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return losses, [model.weight, model.bias, unused], opt


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("options,steps", [
    # near the optimum the curvature pairs are rounding noise: runs stop before that
    (dict(lr=0.5, max_iter=4), 2), (dict(lr=0.3, max_iter=5), 2),
    (dict(line_search_fn="strong_wolfe", max_iter=4), 2),
    (dict(line_search_fn="strong_wolfe", history_size=1), 3)], ids=str)
def test_lbfgs_least_squares_linear_matches_torch(options, steps, device):
    tl, tparams, topt = _least_squares("torch", options, steps)
    ol, oparams, oopt = _least_squares("ember", options, steps, device=device)
    np.testing.assert_allclose(ol, tl, rtol=1e-10)
    for ours, theirs in zip(oparams, tparams):
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-10, atol=1e-12)
    _assert_state_close(oopt.state_dict(), topt.state_dict())


@requires_torch
def test_lbfgs_float32_stays_float32_and_lands_where_torch_does():
    """float32 parameters keep float32 vectors and history. The line search's scalars are
    Python floats here (PyTorch keeps some as float32 tensors), so float32 runs agree
    with PyTorch's to float32 rounding amplified by the search, not to 1e-5."""
    options = dict(line_search_fn="strong_wolfe", max_iter=4)
    tl, tparams, _ = _least_squares("torch", options, 2, dtype=np.float32)
    ol, oparams, oopt = _least_squares("ember", options, 2, dtype=np.float32)
    np.testing.assert_allclose(ol, tl, rtol=1e-4)
    for ours, theirs in zip(oparams, tparams):
        assert ours.dtype == ag.float32
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-3, atol=1e-4)
    state = oopt.state[oparams[0]]
    assert state["d"].dtype == ag.float32 and state["prev_flat_grad"].dtype == ag.float32
    assert all(v.dtype == ag.float32 for v in state["old_dirs"] + state["ro"])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("options", [dict(lr=0.1, history_size=3),
                                     dict(line_search_fn="strong_wolfe", history_size=3)],
                         ids=str)
def test_lbfgs_resume_through_save_load_equals_uninterrupted(options, device, tmp_path):
    full, params, _ = _lbfgs_rosenbrock("ember", options, steps=4, device=device)
    first, params1, opt1 = _lbfgs_rosenbrock("ember", options, steps=2, device=device)
    nn.utils.save({"optimizer": opt1.state_dict(), "x": params1[0], "m": params1[1]},
                  tmp_path / "ckpt.safetensors")
    ckpt = nn.utils.load(tmp_path / "ckpt.safetensors")
    params2 = [ag.tensor(ckpt["x"], device=device, requires_grad=True),
               ag.tensor(ckpt["m"], device=device, requires_grad=True)]
    opt2 = nn.optim.LBFGS(params2, lr=123.0)  # options come from the checkpoint
    opt2.load_state_dict(ckpt["optimizer"])
    assert opt2.param_groups[0]["lr"] == options.get("lr", 1)
    state = opt2.state[params2[0]]
    assert state["old_dirs"][0].device.type == device
    assert state["old_dirs"][0] is not ckpt["optimizer"]["state"][0]["old_dirs"][0]
    second, _, _ = _lbfgs_rosenbrock("ember", options, steps=2, opt=opt2, params=params2)
    assert first + second == full
    for ours, uninterrupted in zip(params2, params):
        assert np.array_equal(_host(ours), _host(uninterrupted))


@requires_torch
@pytest.mark.parametrize("options", [dict(lr=0.1), dict(line_search_fn="strong_wolfe")],
                         ids=str)
def test_lbfgs_torch_state_dict_loads_and_continues_like_torch(options):
    _, tparams, topt = _lbfgs_rosenbrock("torch", options, steps=2)
    tsd = topt.state_dict()

    def numpy(v):  # PyTorch's state with its tensors as NumPy arrays
        if isinstance(v, list):
            return [numpy(e) for e in v]
        return v.detach().numpy() if isinstance(v, torch.Tensor) else v

    sd = {"state": {i: {k: numpy(v) for k, v in s.items()} for i, s in tsd["state"].items()},
          "param_groups": tsd["param_groups"]}
    params = [ag.tensor(_host(p).copy(), requires_grad=True) for p in tparams]
    opt = nn.optim.LBFGS(params)
    opt.load_state_dict(sd)
    ol, _, _ = _lbfgs_rosenbrock("ember", options, steps=2, opt=opt, params=params)
    tl, _, _ = _lbfgs_rosenbrock("torch", options, steps=2, opt=topt, params=tparams)
    np.testing.assert_allclose(ol, tl, rtol=1e-10)
    for ours, theirs in zip(params, tparams):
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-10, atol=1e-12)


@requires_torch
def test_lbfgs_at_an_optimum_returns_at_once_like_torch():
    for lib in ("torch", "ember"):
        w = _tensor(lib, np.ones(3), requires_grad=True)
        opt = (torch.optim if lib == "torch" else nn.optim).LBFGS([w])
        calls = []

        def closure():
            calls.append(1)
            opt.zero_grad()
            loss = ((w - 1) ** 2).sum()
            loss.backward()
            return loss

        assert float(opt.step(closure).detach()) == 0.0
        assert len(calls) == 1 and opt.state_dict()["state"][0] == {"func_evals": 1,
                                                                    "n_iter": 0}


@requires_torch
def test_lbfgs_defaults_and_group_keys_match_torch():
    ours = nn.optim.LBFGS([ag.zeros(2, requires_grad=True)], max_iter=8)
    theirs = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], max_iter=8)
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    assert ours.param_groups[0]["max_eval"] == 10
    group = nn.optim.LBFGS([ag.zeros(2, requires_grad=True)]).param_groups[0]
    assert {k: group[k] for k in ("lr", "max_iter", "max_eval", "tolerance_grad",
                                  "tolerance_change", "history_size", "line_search_fn")} == \
        dict(lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9,
             history_size=100, line_search_fn=None)


@requires_torch
def test_lbfgs_errors_like_torch():
    def both(build, exc):
        with pytest.raises(exc) as ours:
            build(ag, nn.optim)
        with pytest.raises(exc) as theirs:
            build(torch, torch.optim)
        assert str(ours.value) == f"LBFGS: {theirs.value}"

    both(lambda T, O: O.LBFGS([T.zeros(2, requires_grad=True)], lr=-1.0), ValueError)
    both(lambda T, O: O.LBFGS([{"params": [T.zeros(2, requires_grad=True)]},
                               {"params": [T.zeros(2, requires_grad=True)], "lr": 0.1}]),
         ValueError)

    def bad_line_search(T, O):
        w = T.ones(2, requires_grad=True)
        opt = O.LBFGS([w], line_search_fn="backtracking")

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss
        opt.step(closure)

    both(bad_line_search, RuntimeError)
    with pytest.raises(TypeError):  # the closure is required
        nn.optim.LBFGS([ag.zeros(2, requires_grad=True)]).step()


# ----------------------------------------------------------------------------- ASGD
def _asgd_run(lib, options, steps=20, device="cpu", dtype=np.float64, opt=None, wb=None):
    if wb is None:
        wb = [_tensor(lib, W0.astype(dtype), device, True),
              _tensor(lib, B0.astype(dtype), device, True)]
    x = _tensor(lib, X.astype(dtype), device)
    if opt is None:
        opt = (torch.optim if lib == "torch" else nn.optim).ASGD(wb, **options)
    for _ in range(steps):
        opt.zero_grad()
        _loss(x, *wb).backward()
        opt.step()
    return wb, opt


ASGD_CASES = (
    [dict(lr=0.05, **c) for c in _combos(weight_decay=[0, 0.1], maximize=[False, True],
                                         t0=[1e6, 5])]
    + [dict(), dict(lr=0.1, lambd=0.01, alpha=0.5, t0=3),
       dict(lr=0.02, lambd=0.5, alpha=1.0, t0=0, weight_decay=0.3)]
)


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("options", ASGD_CASES, ids=str)
def test_asgd_matches_torch_20_steps(options, device):
    twb, topt = _asgd_run("torch", options)
    owb, oopt = _asgd_run("ember", options, device=device)
    for ours, theirs in zip(owb, twb):
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-10, atol=1e-12)
    _assert_state_close(oopt.state_dict(), topt.state_dict())
    for state in oopt.state.values():
        for key in ("step", "eta", "mu"):  # 0-d host scalars in float32, as PyTorch's
            assert state[key].dtype == ag.float32 and state[key].device.type == "cpu"
        assert state["ax"].device.type == device


@requires_torch
@pytest.mark.parametrize("device", DEVICES)
def test_asgd_float32_stays_float32_and_matches_torch(device):
    options = dict(lr=0.05, t0=5, weight_decay=0.1)
    twb, _ = _asgd_run("torch", options, dtype=np.float32)
    owb, oopt = _asgd_run("ember", options, device=device, dtype=np.float32)
    for ours, theirs in zip(owb, twb):
        assert ours.dtype == ag.float32
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-5, atol=1e-6)
    assert all(s["ax"].dtype == ag.float32 for s in oopt.state.values())


@pytest.mark.parametrize("device", DEVICES)
def test_asgd_resume_through_save_load_is_bit_for_bit(device, tmp_path):
    options = dict(lr=0.05, t0=5, weight_decay=0.1)
    wb, _ = _asgd_run("ember", options, device=device)
    wb1, opt1 = _asgd_run("ember", options, steps=10, device=device)
    nn.utils.save({"optimizer": opt1.state_dict(), "w": wb1[0], "b": wb1[1]},
                  tmp_path / "ckpt.safetensors")
    ckpt = nn.utils.load(tmp_path / "ckpt.safetensors")
    wb2 = [ag.tensor(ckpt[k], device=device, requires_grad=True) for k in ("w", "b")]
    opt2 = nn.optim.ASGD(wb2, lr=123.0)
    opt2.load_state_dict(ckpt["optimizer"])
    assert opt2.param_groups[0]["t0"] == 5
    for state in opt2.state.values():  # host scalars stay on the host, in float32
        assert all(state[k].device.type == "cpu" and state[k].dtype == ag.float32
                   for k in ("step", "eta", "mu"))
    _asgd_run("ember", options, steps=10, device=device, opt=opt2, wb=wb2)
    for ours, uninterrupted in zip(wb2, wb):
        assert np.array_equal(_host(ours), _host(uninterrupted))


@requires_torch
def test_asgd_torch_state_dict_loads_and_continues_like_torch():
    options = dict(lr=0.05, t0=3)
    twb, topt = _asgd_run("torch", options, steps=5)
    tsd = topt.state_dict()
    sd = {"state": {i: {k: v.detach().numpy() for k, v in s.items()}
                    for i, s in tsd["state"].items()},
          "param_groups": tsd["param_groups"]}
    wb = [ag.tensor(_host(p).copy(), requires_grad=True) for p in twb]
    opt = nn.optim.ASGD(wb)
    opt.load_state_dict(sd)
    _asgd_run("ember", options, steps=5, opt=opt, wb=wb)
    _asgd_run("torch", options, steps=5, opt=topt, wb=twb)
    for ours, theirs in zip(wb, twb):
        np.testing.assert_allclose(_host(ours), _host(theirs), rtol=1e-10, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("options", [dict(lr=-0.1), dict(weight_decay=-1e-3)], ids=str)
def test_asgd_invalid_arguments_raise_like_torch(options):
    with pytest.raises(ValueError) as ours:
        nn.optim.ASGD([ag.tensor(W0, requires_grad=True)], **options)
    with pytest.raises(ValueError) as theirs:
        torch.optim.ASGD([torch.tensor(W0, requires_grad=True)], **options)
    assert str(ours.value) == f"ASGD: {theirs.value}"


@requires_torch
def test_asgd_defaults_flags_and_group_keys_match_torch():
    ours = nn.optim.ASGD([ag.tensor(W0, requires_grad=True)])
    theirs = torch.optim.ASGD([torch.tensor(W0, requires_grad=True)])
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    group = nn.optim.ASGD([ag.tensor(W0, requires_grad=True)], foreach=True,
                          capturable=True, maximize=True).param_groups[0]
    assert group["foreach"] is True and group["capturable"] is True
    assert group["maximize"] is True and group["differentiable"] is False
    with pytest.raises(NotImplementedError, match="differentiable"):
        nn.optim.ASGD([ag.tensor(W0, requires_grad=True)], differentiable=True)
    # foreach picks PyTorch's kernel only: the same numbers
    runs = [_asgd_run("ember", dict(lr=0.05, t0=5, foreach=f), steps=5)[0][0] for f in
            (False, True)]
    assert np.array_equal(_host(runs[0]), _host(runs[1]))


# ----------------------------------------------------------------------------- SparseAdam
@requires_torch
def test_sparse_adam_refuses_dense_gradients_like_torch():
    messages = []
    for lib in ("torch", "ember"):
        w = _tensor(lib, W0.copy(), requires_grad=True)
        opt = (torch.optim if lib == "torch" else nn.optim).SparseAdam([w])
        opt.step()  # no gradient yet: nothing to do
        (w * w).sum().backward()
        with pytest.raises(RuntimeError) as err:
            opt.step()
        messages.append(str(err.value))
        assert np.array_equal(_host(w), W0) and len(opt.state_dict()["state"]) == 0
    assert messages[0] == messages[1]
    ours = nn.optim.SparseAdam([ag.tensor(W0, requires_grad=True)])
    theirs = torch.optim.SparseAdam([torch.tensor(W0, requires_grad=True)])
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


@requires_torch
@pytest.mark.parametrize("options", [dict(lr=0.0), dict(eps=0.0), dict(betas=(1.0, 0.9)),
                                     dict(betas=(0.9, -0.5))], ids=str)
def test_sparse_adam_invalid_arguments_raise_like_torch(options):
    with pytest.raises(ValueError) as ours:
        nn.optim.SparseAdam([ag.tensor(W0, requires_grad=True)], **options)
    with pytest.raises(ValueError) as theirs:
        torch.optim.SparseAdam([torch.tensor(W0, requires_grad=True)], **options)
    assert str(ours.value) == f"SparseAdam: {theirs.value}"
