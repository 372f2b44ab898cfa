"""Losses against PyTorch: every option, float64 and float32, values and gradients of
input (and float targets); gradchecks; stability at +-1e4; clear errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F
from tests.conftest import DEVICES

from .helpers import close, pair

DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def _run(fn_ours, fn_theirs, arrays, dtype, grad_of, device="cpu"):
    """Apply both losses to the same arrays (ours on `device`); compare the value and the
    gradients of the arrays whose index is in grad_of."""
    pairs = [pair(a, requires_grad=i in grad_of, device=device) for i, a in enumerate(arrays)]
    out_a = fn_ours(*[p[0] for p in pairs])
    out_b = fn_theirs(*[p[1] for p in pairs])
    close(out_a, out_b, dtype, "loss", device)
    g = rng.standard_normal(out_b.shape).astype(dtype)
    out_a.backward(ag.tensor(g, device=device))
    out_b.backward(torch.tensor(g))
    for i in grad_of:
        close(pairs[i][0].grad, pairs[i][1].grad, dtype, f"grad of argument {i}", device)


def _tensor(lib, arr, device):
    """lib.tensor(arr): Ember's on `device`, torch's on the CPU."""
    return lib.tensor(arr, device=device) if lib is ag else lib.tensor(arr)


def _f(shape, dtype, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


# ----------------------------------------------------------------------------- regression
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,ours,theirs", [
    ("mse", lambda r: nn.MSELoss(reduction=r), lambda r: torch.nn.MSELoss(reduction=r)),
    ("l1", lambda r: nn.L1Loss(reduction=r), lambda r: torch.nn.L1Loss(reduction=r)),
    ("huber", lambda r: nn.HuberLoss(r, delta=0.7), lambda r: torch.nn.HuberLoss(r, 0.7)),
    ("huber_default", lambda r: nn.HuberLoss(r), lambda r: torch.nn.HuberLoss(r)),
    ("smooth_l1", lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5),
     lambda r: torch.nn.SmoothL1Loss(reduction=r, beta=0.5)),
    ("smooth_l1_beta0", lambda r: nn.SmoothL1Loss(reduction=r, beta=0.0),
     lambda r: torch.nn.SmoothL1Loss(reduction=r, beta=0.0)),
])
def test_regression_losses_match_torch(name, ours, theirs, reduction, dtype, device):
    _run(ours(reduction), theirs(reduction), [_f((4, 5), dtype), _f((4, 5), dtype)], dtype,
         grad_of=(0, 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses_match_torch(name, reduction, device):
    w = np.abs(_f((3, 4), np.float64)) + 0.1
    _run(lambda x, t, w: getattr(F, name)(x, t, reduction=reduction, weight=w),
         lambda x, t, w: getattr(TF, name)(x, t, reduction=reduction, weight=w),
         [_f((3, 4), np.float64), _f((3, 4), np.float64), w], np.float64, grad_of=(0, 1),
         device=device)


def test_regression_broadcast_warns_and_mismatch_is_clear():
    x, t = ag.randn(3, 4), ag.randn(3, 1)
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(x, t)
    with pytest.raises(RuntimeError, match=r"mse_loss: .*\(3, 4\).*\(5,\)"):
        F.mse_loss(x, ag.randn(5))
    with pytest.raises(RuntimeError, match="l1_loss: expected a floating point input"):
        F.l1_loss(ag.tensor([[1, 2, 3, 4]] * 3), x)
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")


# ----------------------------------------------------------------------------- binary
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(weighted, reduction, dtype, device):
    x = rng.uniform(0.02, 0.98, (4, 3)).astype(dtype)
    t = rng.uniform(0, 1, (4, 3)).astype(dtype)
    w = rng.uniform(0.5, 2, (3,)).astype(dtype) if weighted else None
    _run(lambda x, t: nn.BCELoss(None if w is None else ag.tensor(w, device=device),
                                 reduction=reduction)(x, t),
         lambda x, t: torch.nn.BCELoss(None if w is None else torch.tensor(w),
                                       reduction=reduction)(x, t),
         [x, t], dtype, grad_of=(0, 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_bce_at_exact_zero_and_one_is_clamped_like_torch(device):
    x = np.array([0.0, 1.0, 0.5, 1e-300])
    t = np.array([1.0, 0.0, 1.0, 1.0])
    _run(F.binary_cross_entropy, TF.binary_cross_entropy, [x, t], np.float64, grad_of=(0,),
         device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight,pos_weight", [(False, False), (True, False), (False, True),
                                               (True, True)])
def test_bce_with_logits_matches_torch(weight, pos_weight, reduction, dtype, device):
    x = _f((5, 3), dtype, 3.0)
    t = rng.uniform(0, 1, (5, 3)).astype(dtype)
    w = rng.uniform(0.5, 2, (5, 3)).astype(dtype) if weight else None
    pw = rng.uniform(0.5, 3, (3,)).astype(dtype) if pos_weight else None

    def make(lib, mod):
        kw = {}
        if w is not None:
            kw["weight"] = _tensor(lib, w, device)
        if pw is not None:
            kw["pos_weight"] = _tensor(lib, pw, device)
        loss = mod.BCEWithLogitsLoss(reduction=reduction, **kw)
        return loss
    _run(make(ag, nn), make(torch, torch.nn), [x, t], dtype, grad_of=(0, 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_bce_with_logits_pos_weight_gradient_checks(device):
    # PyTorch refuses a pos_weight that requires grad; ours differentiates it
    x = ag.tensor(np.random.randn(4, 3), requires_grad=True, device=device)
    t = ag.tensor(np.random.rand(4, 3), requires_grad=True, device=device)
    pw = ag.tensor(np.random.uniform(0.5, 2, 3), requires_grad=True, device=device)
    fn = lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw)
    assert ag.gradcheck(fn, (x, t, pw))
    assert ag.gradgradcheck(fn, (x, t, pw))


@pytest.mark.parametrize("device", DEVICES)
def test_bce_with_logits_is_stable_at_1e4(device):
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    for reduction in REDUCTIONS:
        _run(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
             lambda x, t: TF.binary_cross_entropy_with_logits(x, t, reduction=reduction),
             [x, t], np.float64, grad_of=(0,), device=device)
    pw = np.array([2.0])
    _run(lambda x, t: F.binary_cross_entropy_with_logits(x, t,
                                                         pos_weight=ag.tensor(pw, device=device)),
         lambda x, t: TF.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor(pw)),
         [x, t], np.float64, grad_of=(0,), device=device)


def test_binary_losses_reject_bad_shapes_and_ranges():
    with pytest.raises(ValueError, match=r"binary_cross_entropy: .*\(3, 1\).*\(3,\)"):
        F.binary_cross_entropy(ag.rand(3, 1), ag.rand(3))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: .*\(4,\)"):
        F.binary_cross_entropy_with_logits(ag.randn(4), ag.rand(4, 1))


# ----------------------------------------------------------------------------- classes
CE_CASES = [
    dict(),
    dict(weight=True),
    dict(ignore_index=1),
    dict(weight=True, ignore_index=2),
    dict(label_smoothing=0.1),
    dict(label_smoothing=0.2, weight=True),
    dict(label_smoothing=0.3, weight=True, ignore_index=0),
]


def _ce_kwargs(case, lib, dtype, n_classes, device="cpu"):
    kw = {k: v for k, v in case.items() if k != "weight"}
    if case.get("weight"):
        w = np.linspace(0.5, 2.0, n_classes).astype(dtype)
        kw["weight"] = _tensor(lib, w, device)
    return kw


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2), (4,)])
@pytest.mark.parametrize("case", CE_CASES, ids=lambda c: "-".join(map(str, c.items())) or "plain")
def test_cross_entropy_class_indices_matches_torch(case, shape, reduction, dtype, device):
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    x = _f(shape, dtype, 2.0)
    t = rng.integers(0, n_classes, tshape).astype(np.int64)
    if t.ndim:
        t.flat[0] = 1  # some targets hit the ignored class in the ignore cases
    _run(lambda x, t: nn.CrossEntropyLoss(reduction=reduction,
                                          **_ce_kwargs(case, ag, dtype, n_classes, device))(x, t),
         lambda x, t: torch.nn.CrossEntropyLoss(reduction=reduction,
                                                **_ce_kwargs(case, torch, dtype, n_classes))(x, t),
         [x, t], dtype, grad_of=(0,), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [dict(), dict(weight=True), dict(label_smoothing=0.2),
                                  dict(weight=True, label_smoothing=0.1)],
                         ids=["plain", "weight", "smooth", "weight-smooth"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)])
def test_cross_entropy_class_probabilities_matches_torch(shape, case, reduction, dtype, device):
    x = _f(shape, dtype)
    p = rng.uniform(0.1, 1, shape)
    p = (p / p.sum(1, keepdims=True)).astype(dtype)
    _run(lambda x, t: F.cross_entropy(x, t, reduction=reduction,
                                      **_ce_kwargs(case, ag, dtype, shape[1], device)),
         lambda x, t: TF.cross_entropy(x, t, reduction=reduction,
                                       **_ce_kwargs(case, torch, dtype, shape[1])),
         [x, p], dtype, grad_of=(0, 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_is_stable_at_1e4_and_matches_torch(device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]])
    t = np.array([1, 0, 2])
    for reduction in REDUCTIONS:
        for smoothing in (0.0, 0.1):
            _run(lambda x, t: F.cross_entropy(x, t, reduction=reduction,
                                              label_smoothing=smoothing),
                 lambda x, t: TF.cross_entropy(x, t, reduction=reduction,
                                               label_smoothing=smoothing),
                 [x, t], np.float64, grad_of=(0,), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_all_ignored_mean_is_nan_like_torch(device):
    x, t = ag.randn(2, 3, device=device), ag.tensor([-100, -100], device=device)
    assert np.isnan(F.cross_entropy(x, t).item())


@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_gradcheck_and_gradgradcheck(device):
    x = ag.tensor(np.random.randn(4, 3, 2), requires_grad=True, device=device)
    t = ag.tensor(np.array([[0, 1], [2, 2], [1, -100], [0, 2]]), device=device)
    w = ag.tensor(np.array([0.5, 1.0, 2.0]), device=device)
    for kw in (dict(), dict(weight=w, label_smoothing=0.2), dict(reduction="none"),
               dict(reduction="sum", label_smoothing=0.1)):
        fn = lambda x: F.cross_entropy(x, t, **kw)
        assert ag.gradcheck(fn, (x,))
        assert ag.gradgradcheck(fn, (x,))
    probs = ag.tensor(np.random.dirichlet(np.ones(3), size=4), device=device)
    x2 = ag.tensor(np.random.randn(4, 3), requires_grad=True, device=device)
    assert ag.gradgradcheck(lambda x: F.cross_entropy(x, probs), (x2,))
    # every target a class (no ignore mask is built on the host), 2-D and 3-D
    for x, t in ((x2, ag.tensor([0, 2, 1, 2], device=device)),
                 (x, ag.tensor(np.array([[0, 1], [2, 2], [1, 0], [0, 2]]), device=device))):
        for kw in (dict(), dict(label_smoothing=0.2), dict(reduction="sum"),
                   dict(reduction="none", label_smoothing=0.1), dict(ignore_index=3)):
            fn = lambda x: F.cross_entropy(x, t, **kw)
            assert ag.gradcheck(fn, (x,))
            assert ag.gradgradcheck(fn, (x,))


def test_cross_entropy_errors_name_the_loss_shapes_and_dtypes():
    x = ag.randn(4, 3)
    with pytest.raises(ValueError, match=r"cross_entropy: expected input batch_size \(4\) to "
                       r"match target batch_size \(3\)"):  # PyTorch's class
        F.cross_entropy(x, ag.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError,
                       match=r"cross_entropy: .*got shape \(4,\) and dtype torch\.float32"):
        F.cross_entropy(x, ag.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(RuntimeError, match="cross_entropy: .*dtype torch.bool"):
        F.cross_entropy(x, ag.tensor([True, False, True, False]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, ag.tensor([0, 1, 3, 1]))
    with pytest.raises(RuntimeError, match=r"weight of shape \(3,\)"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 1]), weight=ag.ones(4))
    with pytest.raises(TypeError, match="target to be a Tensor"):
        F.cross_entropy(x, np.array([0, 1, 2, 1]))


@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_float32_stays_float32(device):
    x = ag.randn(4, 3, requires_grad=True, device=device)
    loss = F.cross_entropy(x, ag.tensor([0, 1, 2, 1], device=device),
                           weight=ag.ones(3, device=device), label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == ag.float32 and x.grad.dtype == ag.float32
    assert loss.device.type == x.grad.device.type == ag.device(device).type


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [dict(), dict(weight=True), dict(ignore_index=0),
                                  dict(weight=True, ignore_index=1)],
                         ids=["plain", "weight", "ignore", "weight-ignore"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (3,)])
def test_nll_loss_matches_torch(shape, case, reduction, dtype, device):
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    x = _f(shape, dtype)
    t = rng.integers(0, n_classes, tshape)
    _run(lambda x, t: nn.NLLLoss(reduction=reduction,
                                 **_ce_kwargs(case, ag, dtype, n_classes, device))(x, t),
         lambda x, t: torch.nn.NLLLoss(reduction=reduction,
                                       **_ce_kwargs(case, torch, dtype, n_classes))(x, t),
         [x, t], dtype, grad_of=(0,), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_nll_loss_gradgradcheck_and_composition_with_log_softmax(device):
    x = ag.tensor(np.random.randn(5, 4), requires_grad=True, device=device)
    t = ag.tensor([0, 3, 1, 1, 2], device=device)
    assert ag.gradgradcheck(lambda x: F.nll_loss(F.log_softmax(x, 1), t), (x,))
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(x, 1), t).item(),
                               F.cross_entropy(x, t).item(), rtol=1e-12)


# ----------------------------------------------------------------------------- KL
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(log_target, reduction, dtype, device):
    x = np.log(rng.dirichlet(np.ones(4), size=3)).astype(dtype)
    p = rng.dirichlet(np.ones(4), size=3)
    t = (np.log(p) if log_target else p).astype(dtype)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        _run(nn.KLDivLoss(reduction=reduction, log_target=log_target),
             torch.nn.KLDivLoss(reduction=reduction, log_target=log_target),
             [x, t], dtype, grad_of=(0, 1), device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_kl_div_zero_target_is_zero_like_torch(device):
    x = np.log(np.array([[0.5, 0.5, 1e-9]]))
    t = np.array([[0.5, 0.5, 0.0]])
    _run(lambda x, t: F.kl_div(x, t, reduction="sum"),
         lambda x, t: TF.kl_div(x, t, reduction="sum"),
         [x, t], np.float64, grad_of=(0,), device=device)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ----------------------------------------------------------------------------- gradchecks
GRADCHECKS = [
    ("mse", lambda x, t: F.mse_loss(x, t)),
    ("l1", lambda x, t: F.l1_loss(x, t, reduction="sum")),
    ("huber", lambda x, t: F.huber_loss(x, t, delta=0.5)),
    ("smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, beta=0.5, reduction="none")),
    ("bce", lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid())),
    ("bce_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid())),
    ("bce_logits_pw", lambda x, t: F.binary_cross_entropy_with_logits(
        x, t.sigmoid(), pos_weight=ag.tensor([1.5, 0.5, 2.0], dtype=ag.float64, device=x.device))),
    ("kl", lambda x, t: F.kl_div(x, t.sigmoid(), reduction="batchmean")),
    ("kl_log", lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True)),
    ("soft_ce", lambda x, t: F.cross_entropy(x, t.softmax(1))),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,fn", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_loss_gradcheck_and_gradgradcheck(name, fn, device):
    x = np.random.randn(4, 3)
    t = x + np.random.uniform(0.2, 1.0, (4, 3)) * np.sign(np.random.randn(4, 3))  # no kinks
    xs = (ag.tensor(x, requires_grad=True, device=device),
          ag.tensor(t, requires_grad=True, device=device))
    assert ag.gradcheck(fn, xs)
    assert ag.gradgradcheck(fn, xs)
