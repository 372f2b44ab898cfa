"""Learning-rate schedulers vs PyTorch: 25+ steps, every group's lr (and momentum)."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn.optim import lr_scheduler
from tests.conftest import requires_torch, torch

pytestmark = requires_torch


def _pair(opt_name="SGD", **options):
    """The same two-group optimiser in both libraries."""
    tw, tb = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    w, b = ag.zeros(2, requires_grad=True), ag.zeros(3, requires_grad=True)
    groups = lambda p, q: [{"params": [p]}, {"params": [q], "lr": 0.03}]  # noqa: E731
    topt = getattr(torch.optim, opt_name)(groups(tw, tb), lr=0.1, **options)
    opt = getattr(nn.optim, opt_name)(groups(w, b), lr=0.1, **options)
    return opt, topt


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _compare(name, kwargs, steps=30, opt_name="SGD", **options):
    opt, topt = _pair(opt_name, **options)
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    for i in range(steps):
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-13, abs=0), i
        assert _momenta(opt) == pytest.approx(_momenta(topt), rel=1e-13), i
        topt.step()
        opt.step()
        sched.step()
        tsched.step()
    assert sched.last_epoch == tsched.last_epoch


SCHEDULES = [
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 20], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),  # 30 steps: several restarts of the cosine
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.9, total_iters=12)),
    ("LinearLR", dict()),
    ("LambdaLR", dict(lr_lambda=lambda e: min(1.0, (e + 1) / 5) * 0.95 ** e)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.9 ** e])),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9 if e % 2 else 1.05)),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_scheduler_matches_torch(name, kwargs):
    _compare(name, kwargs)


ONECYCLE = [
    dict(max_lr=1.0, total_steps=30),
    dict(max_lr=[1.0, 0.5], total_steps=30, anneal_strategy="linear"),
    dict(max_lr=0.8, epochs=5, steps_per_epoch=6, three_phase=True, pct_start=0.25),
    dict(max_lr=0.8, total_steps=30, cycle_momentum=False, div_factor=10.0,
         final_div_factor=100.0),
]


@pytest.mark.parametrize("kwargs", ONECYCLE, ids=range(len(ONECYCLE)))
def test_onecycle_matches_torch_with_sgd_momentum(kwargs):
    _compare("OneCycleLR", kwargs, steps=30, momentum=0.9)


def test_onecycle_cycles_adam_beta1_like_torch():
    _compare("OneCycleLR", dict(max_lr=0.5, total_steps=25, base_momentum=0.8,
                                max_momentum=0.9), steps=25, opt_name="Adam")


def test_onecycle_errors():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0)
    adagrad = nn.optim.Adagrad([ag.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum"):
        lr_scheduler.OneCycleLR(adagrad, max_lr=1.0, total_steps=5)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    sched.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="total steps"):
        sched.step()


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=2),
    dict(threshold_mode="abs", threshold=0.05, patience=1, cooldown=2),
    dict(patience=0, min_lr=[0.02, 0.001], factor=0.5),
    dict(patience=1, eps=0.05, factor=0.9),
]
METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.94, 0.9, 0.9, 0.91, 0.89, 0.89, 0.89, 0.5, 0.5,
           0.6, 0.7, 0.8, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.71, 0.7, 0.7, 0.7]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=range(len(PLATEAU)))
def test_reduce_on_plateau_matches_torch(kwargs):
    opt, topt = _pair()
    sched = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    for metric in METRICS:
        sched.step(ag.tensor(metric))
        tsched.step(torch.tensor(metric))  # float32 in both
        assert sched.get_last_lr() == tsched.get_last_lr()
        assert (sched.num_bad_epochs, sched.cooldown_counter, sched.best) == \
            (tsched.num_bad_epochs, tsched.cooldown_counter, tsched.best)


def test_step_with_epoch_uses_closed_form_like_torch():
    opt, topt = _pair()
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=3, gamma=0.5)
    with pytest.warns(UserWarning):
        tsched.step(7)
    sched.step(7)
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-15)


@pytest.mark.parametrize("name,kwargs", [
    ("MultiStepLR", dict(milestones=[2, 5, 5])),
    ("CosineAnnealingLR", dict(T_max=6)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=20)),
], ids=["MultiStepLR", "CosineAnnealingLR", "OneCycleLR"])
def test_scheduler_state_dict_round_trip_through_save(name, kwargs, tmp_path):
    def build():
        w = ag.zeros(2, requires_grad=True)
        opt = nn.optim.SGD([w], lr=0.1, momentum=0.9)
        return opt, getattr(lr_scheduler, name)(opt, **kwargs)

    opt, sched = build()
    for _ in range(4):
        sched.step()
    nn.utils.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "s")
    expected = []
    for _ in range(10):
        sched.step()
        expected.append(sched.get_last_lr())
    opt2, sched2 = build()
    ckpt = nn.utils.load(tmp_path / "s")
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    got = []
    for _ in range(10):
        sched2.step()
        got.append(sched2.get_last_lr())
    assert got == expected


def test_reduce_on_plateau_state_dict_keeps_infinite_best(tmp_path):
    opt, _ = _pair()
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max")
    nn.utils.save(sched.state_dict(), tmp_path / "p")
    state = nn.utils.load(tmp_path / "p")
    assert state["best"] == -math.inf and state["mode_worse"] == -math.inf
    sched2 = lr_scheduler.ReduceLROnPlateau(_pair()[0])
    sched2.load_state_dict(state)
    assert sched2.mode == "max" and sched2._is_better(1.0, sched2.best)


def test_base_lrs_and_resume_requires_initial_lr():
    opt, _ = _pair()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    assert sched.base_lrs == [0.1, 0.03]
    assert np.isclose(opt.param_groups[0]["initial_lr"], 0.1)
    opt2, _ = _pair()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt2, step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="Optimizer"):
        lr_scheduler.StepLR(object(), step_size=2)


class _Warmup:
    """A callable object: its attributes go into the state dict (as in PyTorch)."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.steps)


def test_lambda_lr_state_dict_keeps_callable_object_state_like_torch(tmp_path):
    opt, topt = _pair()
    sched = lr_scheduler.LambdaLR(opt, [_Warmup(4), lambda e: 0.5 ** e])
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, [_Warmup(4), lambda e: 0.5 ** e])
    sd, tsd = sched.state_dict(), tsched.state_dict()
    assert sd["lr_lambdas"] == tsd["lr_lambdas"] == [{"steps": 4}, None]
    assert set(sd) <= set(tsd)
    for _ in range(2):
        sched.step()
    nn.utils.save(sched.state_dict(), tmp_path / "l")
    opt2, _ = _pair()
    sched2 = lr_scheduler.LambdaLR(opt2, [_Warmup(9), lambda e: 0.5 ** e])
    sched2.load_state_dict(nn.utils.load(tmp_path / "l"))
    assert sched2.lr_lambdas[0].steps == 4 and sched2.last_epoch == 2
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
