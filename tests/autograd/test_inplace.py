"""In-place ops and version counters: each scenario runs on autograd and torch and must
give the same gradients, or raise the same exception type."""
import numpy as np
import pytest
import torch

import autograd as ag


def _same(scenario):
    """Run on both libraries; results must agree, or both must raise the same type."""
    res = []
    for lib in (ag, torch):
        try:
            res.append(("ok", scenario(lib)))
        except Exception as e:  # noqa: BLE001 - the exception type is compared
            res.append(("raise", type(e)))
    assert res[0][0] == res[1][0], res
    if res[0][0] == "ok":
        np.testing.assert_allclose(np.asarray(res[0][1], dtype=float),
                                   np.asarray(res[1][1], dtype=float), rtol=1e-6)
    return res[0]


def _x(lib):
    return lib.tensor([1.0, -2.0, 3.0], requires_grad=True)


SCENARIOS = {
    "setitem_then_add_": lambda lib: (lambda x: (
        lambda y: (y.__setitem__(0, 5), y.add_(1), y.sum().backward(), x.grad.tolist())[-1])(
        x * 2))(_x(lib)),
    "iadd_isub_imul_idiv_chain": lambda lib: (lambda x: (
        lambda y: (y.__iadd__(x), y.__isub__(0.5), y.__imul__(x), y.__itruediv__(2.0),
                   y.sum().backward(), x.grad.tolist())[-1])(x * 3))(_x(lib)),
    "add_sub_alpha": lambda lib: (lambda x: (
        lambda y: (y.add_(x, alpha=2), y.sub_(x * x, alpha=0.5), y.sum().backward(),
                   x.grad.tolist())[-1])(x * 1))(_x(lib)),
    "clamp_": lambda lib: (lambda x: (
        lambda y: (y.clamp_(-1.0, 2.5), (y * y).sum().backward(), x.grad.tolist())[-1])(
        x * 1))(_x(lib)),
    "zero_fill_copy": lambda lib: (lambda x: (
        lambda y: (y.zero_(), y.fill_(2.0), (y * x).sum().backward(), x.grad.tolist())[-1])(
        x * 1))(_x(lib)),
    "copy_from_graph": lambda lib: (lambda x: (
        lambda y: (y.copy_(x.exp()), (y * y).sum().backward(), x.grad.tolist())[-1])(
        x * 1))(_x(lib)),
    "setitem_tensor_value": lambda lib: (lambda x: (
        lambda y: (y.__setitem__(slice(1, 3), x[:2] * 4), (y * y).sum().backward(),
                   x.grad.tolist())[-1])(x * 2))(_x(lib)),
    "inplace_on_view_of_non_leaf": lambda lib: (lambda x: (
        lambda y: (y[0:2].mul_(3), y[2:].add_(x[:1]), (y * y).sum().backward(),
                   x.grad.tolist())[-1])(x * 1))(_x(lib)),
    "inplace_on_transposed_view": lambda lib: (lambda x: (
        lambda y: (y.t()[0].mul_(5), (y * y).sum().backward(), x.grad.tolist())[-1])(
        x.reshape(3, 1) * 1))(_x(lib)),
    "leaf_inplace_raises": lambda lib: _x(lib).add_(1),
    "leaf_setitem_raises": lambda lib: _x(lib).__setitem__(0, 1.0),
    "view_of_leaf_inplace_raises": lambda lib: _x(lib)[:2].mul_(2),
    "saved_input_modified_raises": lambda lib: (lambda x: (
        lambda y: (lambda z: (y.add_(1), z.sum().backward()))(y * y))(x * 1))(_x(lib)),
    "saved_output_modified_raises": lambda lib: (lambda x: (
        lambda y: (y.mul_(2), y.sum().backward()))(x.exp()))(_x(lib)),
    "modified_through_view_raises": lambda lib: (lambda x: (
        lambda y: (lambda z: (y.view(3)[0].mul_(2), z.sum().backward()))(y.sin()))(x * 1))(
        _x(lib)),
    "unsaved_input_modified_is_fine": lambda lib: (lambda x: (
        lambda y: (lambda z: (y.add_(1), z.sum().backward(), x.grad.tolist())[-1])(y + 1))(
        x * 1))(_x(lib)),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_inplace_matches_torch(name):
    kind, _ = _same(SCENARIOS[name])
    if name.endswith("raises"):
        assert kind == "raise"
    else:
        assert kind == "ok"


def test_saved_tensor_error_names_the_op():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*exp"):
        y.sum().backward()


def test_manual_sgd_step_under_no_grad_keeps_leaf():
    for lib in (ag, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)


def test_version_counter_bumps_and_is_shared_by_views():
    x = ag.tensor([1.0, 2.0, 3.0])
    v = x[1:]
    before = x._version[0]
    x.add_(1)
    v.mul_(2)
    x[0] = 7.0
    assert x._version[0] == before + 3 and v._version is x._version
    np.testing.assert_allclose(x.numpy(), [7.0, 6.0, 8.0])


def test_integer_view_shares_storage():
    y = ag.tensor([1.0, 2.0])
    v = y[0]
    y.mul_(3)
    assert v.item() == 3.0


def test_inplace_float_result_into_int_tensor_raises_like_torch():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2]).add_(0.5)


def test_inplace_that_would_broadcast_output_raises_like_torch():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.zeros(3).add_(lib.ones(2, 3))


# one rule for every in-place op (torch.can_cast): a result of a higher dtype category than
# the tensor's (float into int, int into bool) raises; a same-category result is written
CAST_CASES = {
    "clamp_float_bound": lambda L: L.arange(4).clamp_(0.5),
    "clamp_min_float": lambda L: L.arange(4).clamp_min_(0.5),
    "clamp_max_float": lambda L: L.arange(4).clamp_max_(1.5),
    "clamp_float_tensor_bound": lambda L: L.arange(4).clamp_(L.tensor([0.5, 0.5, 0.5, 0.5])),
    "clamp_int_bounds": lambda L: L.arange(4).clamp_(1, 2),
    "clamp_int_tensor_bound": lambda L: L.arange(4).clamp_(L.tensor(2)),
    "clamp_f64_bound_into_f32": lambda L: (L.arange(4.0) - 1.5).clamp_(
        L.tensor(0.25, dtype=L.float64)),
    "clamp_f32_bound_into_f64": lambda L: (L.arange(4, dtype=L.float64) - 1.5).clamp_(
        L.tensor([0.3, 0.3, 0.3, 0.3])),
    "exp_int": lambda L: L.arange(4).exp_(),
    "square_bool": lambda L: (L.arange(4) > 1).square_(),
    "mul_bool_by_int": lambda L: (L.arange(4) > 1).mul_(2),
    "add_int32_by_int64": lambda L: L.arange(4, dtype=L.int32).add_(L.arange(4)),
}


@pytest.mark.parametrize("name", list(CAST_CASES))
def test_inplace_result_cast_rule_matches_torch(name):
    outcome = []
    for lib in (ag, torch):
        try:
            out = CAST_CASES[name](lib)
            outcome.append((str(out.dtype), out.tolist()))
        except RuntimeError:
            outcome.append("RuntimeError")
    assert outcome[0] == outcome[1], outcome
