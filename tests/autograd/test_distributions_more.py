"""NegativeBinomial, Pareto, biject_to / transform_to / identity_transform, against
torch.distributions: log_prob and moments with their gradients, sampling moments,
constraint registries."""
import numpy as np
import pytest
import torch
import torch.distributions as TD

import autograd as ag
import autograd.distributions as D


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_negative_binomial_matches_torch(param):
    n = np.array([3.0, 0.5, 7.0])
    p = np.array([0.3, 0.8, 0.05]) if param == "probs" else np.array([-1.0, 0.5, 2.0])
    ours = [ag.tensor(n, requires_grad=True), ag.tensor(p, requires_grad=True)]
    theirs = [torch.tensor(n, requires_grad=True), torch.tensor(p, requires_grad=True)]
    a, b = D.NegativeBinomial(ours[0], **{param: ours[1]}), \
        TD.NegativeBinomial(theirs[0], **{param: theirs[1]})
    value = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 10.0]])
    la, lb = a.log_prob(ag.tensor(value)), b.log_prob(torch.tensor(value))
    _close(la, lb, 1e-10)
    (la.sum() + a.mean.sum() + a.variance.sum()).backward()
    (lb.sum() + b.mean.sum() + b.variance.sum()).backward()
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad, 1e-9)
    _close(a.mode, b.mode)
    assert a.batch_shape == b.batch_shape and a.expand((2, 3)).batch_shape == (2, 3)


def test_negative_binomial_sampling_moments():
    ag.manual_seed(0)
    d = D.NegativeBinomial(ag.tensor([4.0, 1.5]), probs=ag.tensor([0.4, 0.7]))
    s = d.sample((20000,)).numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert (s >= 0).all() and (s == np.round(s)).all()
    assert np.all(np.abs(s.mean(0) - mean) < 4 * np.sqrt(var / 20000))
    with pytest.raises(ValueError):
        D.NegativeBinomial(ag.tensor([1.0]), probs=ag.tensor([0.5]), logits=ag.tensor([0.0]))


def test_pareto_matches_torch_and_rsample_grad():
    scale, alpha = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.7, 2.5])
    ours = [ag.tensor(scale, requires_grad=True), ag.tensor(alpha, requires_grad=True)]
    theirs = [torch.tensor(scale, requires_grad=True), torch.tensor(alpha, requires_grad=True)]
    a, b = D.Pareto(*ours), TD.Pareto(*theirs)
    v = np.array([2.0, 3.0, 0.75])
    la, lb = a.log_prob(ag.tensor(v)), b.log_prob(torch.tensor(v))
    _close(la, lb, 1e-10)
    _close(a.mean, b.mean), _close(a.variance, b.variance), _close(a.entropy(), b.entropy())
    _close(a.cdf(ag.tensor(v)), b.cdf(torch.tensor(v)), 1e-10)
    (la.sum() + a.entropy().sum()).backward(), (lb.sum() + b.entropy().sum()).backward()
    for o, t in zip(ours, theirs):
        _close(o.grad, t.grad, 1e-9)
    ag.manual_seed(1)
    x = D.Pareto(*ours).rsample((5000,))
    assert (x.detach().numpy() >= scale).all()
    x.mean(0).sum().backward()  # differentiable samples: d x / d scale = x / scale
    assert np.isfinite(ours[0].grad.numpy()).all()
    assert D.Pareto(1.0, 2.0).support.check(ag.tensor(1.5)).item()


@pytest.mark.parametrize("make", [
    lambda C: C.positive, lambda C: C.nonnegative, lambda C: C.greater_than(2.0),
    lambda C: C.less_than(-1.0), lambda C: C.unit_interval, lambda C: C.interval(-1.0, 3.0),
    lambda C: C.half_open_interval(0.0, 2.0), lambda C: C.real,
    lambda C: C.independent(C.positive, 1)])
def test_biject_to_and_transform_to_match_torch(make):
    x = np.linspace(-2, 2, 6).reshape(2, 3)
    for ours_reg, theirs_reg in [(D.biject_to, TD.biject_to),
                                 (D.transform_to, TD.transform_to)]:
        t_o, t_t = ours_reg(make(D.constraints)), theirs_reg(make(TD.constraints))
        y_o, y_t = t_o(ag.tensor(x)), t_t(torch.tensor(x))
        _close(y_o, y_t, 1e-10)
        _close(t_o.inv(y_o), torch.tensor(x), 1e-8)
        _close(t_o.log_abs_det_jacobian(ag.tensor(x), y_o),
               t_t.log_abs_det_jacobian(torch.tensor(x), y_t), 1e-10)
        assert make(D.constraints).check(y_o).all()


def test_registry_simplex_identity_and_register():
    y = D.transform_to(D.constraints.simplex)(ag.tensor([[0.1, 2.0, -1.0]]))
    np.testing.assert_allclose(y.sum(-1).numpy(), 1.0)
    with pytest.raises(NotImplementedError, match="Simplex"):
        D.biject_to(D.constraints.simplex)
    x = ag.tensor([1.0, -2.0])
    assert (D.identity_transform(x).numpy() == x.numpy()).all()

    class Odd(D.constraints.Constraint):
        pass
    D.biject_to.register(Odd, lambda c: D.identity_transform)
    assert D.biject_to(Odd()) is D.identity_transform
    with pytest.raises(TypeError):
        D.biject_to.register(3, lambda c: None)
