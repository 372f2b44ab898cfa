"""autograd.distributions against torch.distributions: values and parameter gradients of
log_prob / cdf / icdf / entropy / moments, kl_divergence, shapes, sampling statistics,
validation errors and reparameterised gradients."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd import distributions as D
from tests.conftest import requires_torch, torch

TOL = dict(rtol=1e-10, atol=1e-12)  # float64 closed forms evaluated the same way
# gradients through digamma meet torch's trigamma, an asymptotic series whose truncation
# error is ~1e-9 relative (SciPy's polygamma, which Ember uses, is exact to rounding)
GRAD_TOL = dict(rtol=1e-8, atol=1e-10)
RNG = np.random.default_rng(0)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _real(*shape):
    return RNG.normal(size=shape)


def _unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def _simplex(*shape):
    p = RNG.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


# name, params (name -> array), value generator for log_prob, extra methods to compare
CASES = [
    ("Normal", dict(loc=_real(3), scale=_pos(3)), lambda: _real(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Uniform", dict(low=-_pos(3), high=_pos(3)), lambda: RNG.uniform(-0.4, 0.4, (4, 3)),
     ["cdf", "icdf", "entropy", "mean", "variance", "stddev"]),
    ("Laplace", dict(loc=_real(3), scale=_pos(3)), lambda: _real(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Cauchy", dict(loc=_real(3), scale=_pos(3)), lambda: _real(4, 3),
     ["cdf", "icdf", "entropy", "mode"]),
    ("Exponential", dict(rate=_pos(3)), lambda: _pos(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Gamma", dict(concentration=_pos(3) + 1, rate=_pos(3)), lambda: _pos(4, 3),
     ["entropy", "mean", "variance", "stddev", "mode"]),
    ("Chi2", dict(df=_pos(3) * 3), lambda: _pos(4, 3), ["entropy", "mean", "variance"]),
    ("Beta", dict(concentration1=_pos(3) + 1, concentration0=_pos(3) + 1),
     lambda: _unit(4, 3), ["entropy", "mean", "variance", "mode"]),
    ("Dirichlet", dict(concentration=_pos(2, 4) + 1), lambda: _simplex(3, 2, 4),
     ["entropy", "mean", "variance", "mode"]),
    ("StudentT", dict(df=_pos(3) + 2.5, loc=_real(3), scale=_pos(3)), lambda: _real(4, 3),
     ["entropy", "mean", "variance", "mode"]),
    ("Gumbel", dict(loc=_real(3), scale=_pos(3)), lambda: _real(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("HalfNormal", dict(scale=_pos(3)), lambda: _pos(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "mode"]),
    ("LogNormal", dict(loc=_real(3), scale=_pos(3)), lambda: _pos(4, 3),
     ["cdf", "icdf", "entropy", "mean", "variance", "mode"]),
    ("Bernoulli", dict(probs=_unit(3)), lambda: RNG.integers(0, 2, (4, 3)).astype(float),
     ["entropy", "mean", "variance", "mode"]),
    ("Bernoulli", dict(logits=_real(3)), lambda: RNG.integers(0, 2, (4, 3)).astype(float),
     ["entropy", "mean", "variance"]),
    ("Categorical", dict(probs=_simplex(2, 5)), lambda: RNG.integers(0, 5, (3, 2)),
     ["entropy", "mode"]),
    ("Categorical", dict(logits=_real(2, 5)), lambda: RNG.integers(0, 5, (3, 2)),
     ["entropy", "mode"]),
    ("OneHotCategorical", dict(probs=_simplex(2, 5)),
     lambda: np.eye(5)[RNG.integers(0, 5, (3, 2))], ["entropy", "mean", "variance", "mode"]),
    ("Binomial", dict(total_count=np.array([5.0, 7.0, 9.0]), probs=_unit(3)),
     lambda: RNG.integers(0, 6, (4, 3)).astype(float), ["mean", "variance", "mode"]),
    ("Binomial", dict(total_count=np.array([6.0, 6.0, 6.0]), logits=_real(3)),
     lambda: RNG.integers(0, 7, (4, 3)).astype(float), ["mean", "variance", "entropy"]),
    ("Multinomial", dict(total_count=6, probs=_simplex(2, 4)),
     lambda: RNG.multinomial(6, [0.25] * 4, (3, 2)).astype(float), ["mean", "variance"]),
    ("Poisson", dict(rate=_pos(3) * 3), lambda: RNG.integers(0, 6, (4, 3)).astype(float),
     ["mean", "variance", "mode"]),
    ("Geometric", dict(probs=_unit(3)), lambda: RNG.integers(0, 6, (4, 3)).astype(float),
     ["entropy", "mean", "variance", "mode"]),
]
ICDF_POINTS = np.array([0.1, 0.5, 0.8])


def _build(lib, name, params, grad):
    dist = getattr(lib.distributions if lib is torch else D, name)
    made = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            t = torch.tensor(v, requires_grad=grad) if lib is torch else \
                ag.tensor(v, requires_grad=grad)
            made[k] = t
        else:
            made[k] = v
    return dist(**made), made


def _value(lib, v):
    return torch.tensor(v) if lib is torch else ag.tensor(v)


def _close(e, t, what, tol=TOL):
    e = e.detach().numpy() if isinstance(e, ag.Tensor) else np.asarray(e)
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    assert e.shape == t.shape, f"{what}: shape {e.shape} vs torch {t.shape}"
    np.testing.assert_allclose(e, t, err_msg=what, equal_nan=True, **tol)


def _grads(made, lib):
    return {k: v.grad for k, v in made.items() if hasattr(v, "grad") and v.grad is not None}


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{'-'.join(c[1])}")
def test_family_matches_torch(case):
    name, params, value_fn, methods = case
    value = value_fn()
    ed, em = _build(ag, name, params, True)
    td, tm = _build(torch, name, params, True)
    assert tuple(ed.batch_shape) == tuple(td.batch_shape)
    assert tuple(ed.event_shape) == tuple(td.event_shape)
    e_lp, t_lp = ed.log_prob(_value(ag, value)), td.log_prob(_value(torch, value))
    _close(e_lp, t_lp, f"{name}.log_prob")
    e_lp.sum().backward()
    t_lp.sum().backward()
    for k, g in _grads(tm, torch).items():
        _close(em[k].grad, g, f"{name}.log_prob grad {k}", GRAD_TOL)
    for m in methods:
        if m == "icdf":
            q = np.broadcast_to(ICDF_POINTS[:, None], (3,) + tuple(td.batch_shape)).copy()
            e, t = ed.icdf(_value(ag, q)), td.icdf(_value(torch, q))
        elif m == "cdf":
            e, t = ed.cdf(_value(ag, value)), td.cdf(_value(torch, value))
        elif m == "entropy":
            e, t = ed.entropy(), td.entropy()
        else:
            e, t = getattr(ed, m), getattr(td, m)
        _close(e, t, f"{name}.{m}")


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{'-'.join(c[1])}")
def test_sample_shapes_and_support(case):
    name, params, _, _ = case
    ed, _ = _build(ag, name, params, False)
    td, _ = _build(torch, name, params, False)
    for shape in [(), (5,), (2, 3)]:
        s = ed.sample(shape)
        assert tuple(s.shape) == tuple(td.sample(shape).shape)
        if name not in ("Uniform",):  # the support check itself is tested in log_prob
            assert bool(ed.support.check(s).all())
    expanded = ed.expand((4,) + tuple(ed.batch_shape))
    assert tuple(expanded.batch_shape) == (4,) + tuple(ed.batch_shape)
    assert tuple(expanded.sample().shape) == tuple(td.expand(
        (4,) + tuple(td.batch_shape)).sample().shape)


MOMENT_CASES = [("Normal", dict(loc=np.array([1.5]), scale=np.array([0.7]))),
                ("Gamma", dict(concentration=np.array([2.5]), rate=np.array([1.5]))),
                ("Beta", dict(concentration1=np.array([2.0]), concentration0=np.array([3.0]))),
                ("Poisson", dict(rate=np.array([3.0]))),
                ("Binomial", dict(total_count=np.array([10.0]), probs=np.array([0.3]))),
                ("Geometric", dict(probs=np.array([0.4]))),
                ("Laplace", dict(loc=np.array([0.5]), scale=np.array([2.0]))),
                ("StudentT", dict(df=np.array([6.0]), loc=np.array([0.0]), scale=np.array([1.0]))),
                ("Exponential", dict(rate=np.array([2.0]))),
                ("Gumbel", dict(loc=np.array([1.0]), scale=np.array([2.0])))]


@pytest.mark.parametrize("name,params", MOMENT_CASES, ids=[c[0] for c in MOMENT_CASES])
def test_sample_mean_and_variance(name, params):
    ag.manual_seed(0)
    d, _ = _build(ag, name, params, False)
    n = 200_000
    s = d.sample((n,)).numpy().astype(np.float64)
    mean, var = float(d.mean[0]), float(d.variance[0])
    # the sample mean's standard error is sqrt(var / n): 6 of them is a 1e-9 event
    assert abs(s.mean() - mean) < 6 * math.sqrt(var / n)
    # the sample variance's relative standard error is ~ sqrt((kurtosis - 1) / n); these
    # families' kurtosis is below 10 (StudentT(6): 6), so 6 * sqrt(9 / n) bounds it
    assert abs(s.var() - var) < 6 * math.sqrt(9 / n) * var


def test_categorical_sample_frequencies():
    ag.manual_seed(0)
    p = np.array([0.1, 0.2, 0.3, 0.4])
    s = D.Categorical(probs=ag.tensor(p)).sample((100_000,)).numpy()
    freq = np.bincount(s, minlength=4) / s.size
    assert np.all(np.abs(freq - p) < 6 * np.sqrt(p * (1 - p) / s.size))


KL_PAIRS = [("Normal", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
            ("Bernoulli", dict(probs=_unit(3)), dict(probs=_unit(3))),
            ("Categorical", dict(probs=_simplex(2, 4)), dict(probs=_simplex(2, 4))),
            ("OneHotCategorical", dict(probs=_simplex(2, 4)), dict(logits=_real(2, 4))),
            ("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)),
             dict(concentration1=_pos(3), concentration0=_pos(3))),
            ("Dirichlet", dict(concentration=_pos(2, 3)), dict(concentration=_pos(2, 3))),
            ("Gamma", dict(concentration=_pos(3), rate=_pos(3)),
             dict(concentration=_pos(3), rate=_pos(3))),
            ("Exponential", dict(rate=_pos(3)), dict(rate=_pos(3))),
            ("Laplace", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
            ("Uniform", dict(low=-_pos(3), high=_pos(3)), dict(low=-_pos(3) - 1, high=_pos(3))),
            ("Poisson", dict(rate=_pos(3)), dict(rate=_pos(3))),
            ("Geometric", dict(probs=_unit(3)), dict(probs=_unit(3))),
            ("Gumbel", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
            ("HalfNormal", dict(scale=_pos(3)), dict(scale=_pos(3))),
            ("LogNormal", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
            ("Binomial", dict(total_count=np.array([5.0]), probs=_unit(3)),
             dict(total_count=np.array([5.0]), probs=_unit(3)))]


@requires_torch
@pytest.mark.parametrize("name,pp,qp", KL_PAIRS, ids=[c[0] for c in KL_PAIRS])
def test_kl_divergence_matches_torch(name, pp, qp):
    ep, em = _build(ag, name, pp, True)
    eq, _ = _build(ag, name, qp, False)
    tp, tm = _build(torch, name, pp, True)
    tq, _ = _build(torch, name, qp, False)
    e, t = D.kl_divergence(ep, eq), torch.distributions.kl_divergence(tp, tq)
    _close(e, t, f"kl {name}")
    e.sum().backward()
    t.sum().backward()
    for k, g in _grads(tm, torch).items():
        _close(em[k].grad, g, f"kl {name} grad {k}", GRAD_TOL)


@requires_torch
def test_independent_and_mixture_match_torch():
    loc, scale, logits = _real(2, 3), _pos(2, 3), _real(2)
    value = _real(4, 2, 3)
    e = D.Independent(D.Normal(ag.tensor(loc), ag.tensor(scale)), 1)
    t = torch.distributions.Independent(torch.distributions.Normal(torch.tensor(loc),
                                                                   torch.tensor(scale)), 1)
    assert tuple(e.batch_shape) == (2,) and tuple(e.event_shape) == (3,)
    _close(e.log_prob(ag.tensor(value)), t.log_prob(torch.tensor(value)), "independent")
    _close(e.entropy(), t.entropy(), "independent entropy")
    _close(D.kl_divergence(e, e), torch.distributions.kl_divergence(t, t), "kl independent")
    em = D.MixtureSameFamily(D.Categorical(logits=ag.tensor(logits)),
                             D.Normal(ag.tensor(loc[:, 0]), ag.tensor(scale[:, 0])))
    tm = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=torch.tensor(logits)),
        torch.distributions.Normal(torch.tensor(loc[:, 0]), torch.tensor(scale[:, 0])))
    x = _real(5)
    _close(em.log_prob(ag.tensor(x)), tm.log_prob(torch.tensor(x)), "mixture log_prob")
    _close(em.mean, tm.mean, "mixture mean")
    _close(em.variance, tm.variance, "mixture variance")
    _close(em.cdf(ag.tensor(x)), tm.cdf(torch.tensor(x)), "mixture cdf")
    assert tuple(em.sample((7,)).shape) == (7,)


@requires_torch
@pytest.mark.parametrize("transform", ["exp", "affine", "sigmoid", "tanh", "compose", "power"])
def test_transformed_distribution_matches_torch(transform):
    def make(lib):
        T = lib.distributions.transforms if lib is torch else D.transforms
        return {"exp": [T.ExpTransform()], "affine": [T.AffineTransform(1.5, -2.0)],
                "sigmoid": [T.SigmoidTransform()], "tanh": [T.TanhTransform()],
                "compose": [T.AffineTransform(0.5, 2.0), T.ExpTransform()],
                "power": [T.ExpTransform(), T.PowerTransform(2.0)]}[transform]
    loc, scale = _real(3), _pos(3) * 0.5
    base = D.Normal(ag.tensor(loc, requires_grad=True), ag.tensor(scale))
    tbase = torch.distributions.Normal(torch.tensor(loc, requires_grad=True),
                                       torch.tensor(scale))
    e = D.TransformedDistribution(base, make(ag))
    t = torch.distributions.TransformedDistribution(tbase, make(torch))
    x = t.sample((4,)).detach().numpy()
    _close(e.log_prob(ag.tensor(x)), t.log_prob(torch.tensor(x)), f"{transform} log_prob")
    if transform in ("exp", "affine", "sigmoid", "compose"):
        _close(e.cdf(ag.tensor(x)), t.cdf(torch.tensor(x)), f"{transform} cdf")
    e.log_prob(ag.tensor(x)).sum().backward()
    t.log_prob(torch.tensor(x)).sum().backward()
    _close(base.loc.grad, tbase.loc.grad, f"{transform} grad", GRAD_TOL)


@pytest.mark.parametrize("name,params", [
    ("Normal", dict(loc=_real(3), scale=_pos(3))),
    ("Laplace", dict(loc=_real(3), scale=_pos(3))),
    ("Uniform", dict(low=-_pos(3), high=_pos(3))),
    ("Exponential", dict(rate=_pos(3))),
    ("Gumbel", dict(loc=_real(3), scale=_pos(3))),
    ("Cauchy", dict(loc=_real(3), scale=_pos(3))),
    ("LogNormal", dict(loc=_real(3), scale=_pos(3)))])
def test_rsample_is_differentiable(name, params):
    tensors = [ag.tensor(v, requires_grad=True) for v in params.values()]

    def draw(*ts):
        ag.manual_seed(3)  # the same noise on every call: a deterministic function
        return getattr(D, name)(*ts).rsample((2,))
    assert ag.gradcheck(draw, tensors)


def test_gamma_rsample_gradient_is_the_implicit_derivative():
    # x = F^-1(u; alpha) at fixed u: compare dx/dalpha with a difference of SciPy's inverse
    scipy_special = pytest.importorskip("scipy.special")
    ag.manual_seed(1)
    alpha = ag.tensor(np.array([0.3, 0.8, 1.5, 3.0, 7.0, 25.0, 80.0]), requires_grad=True)
    x = D.Gamma(alpha, ag.ones(7, dtype=ag.float64)).rsample()
    x.sum().backward()
    a, xv = alpha.detach().numpy(), x.detach().numpy()
    u = scipy_special.gammainc(a, xv)
    h = 1e-6 * a
    numeric = (scipy_special.gammaincinv(a + h, u) - scipy_special.gammaincinv(a - h, u)) / (2 * h)
    series = xv < 10  # exact series there; the cube-root approximation beyond
    np.testing.assert_allclose(alpha.grad.numpy()[series], numeric[series], rtol=1e-5)
    np.testing.assert_allclose(alpha.grad.numpy()[~series], numeric[~series], rtol=2e-2)


@requires_torch
def test_validate_args_raise_value_error_as_torch():
    with pytest.raises(ValueError, match="scale"):
        D.Normal(ag.tensor([0.0]), ag.tensor([-1.0]))
    with pytest.raises(ValueError, match="support"):
        D.Exponential(ag.tensor([1.0])).log_prob(ag.tensor([-1.0]))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        D.Bernoulli()
    D.Normal(ag.tensor([0.0]), ag.tensor([-1.0]), validate_args=False)  # allowed
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Exponential(1.0))


def test_register_kl_and_scalar_parameters():
    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, MyNormal)
    def _kl(p, q):
        return ag.tensor(42.0)
    assert float(D.kl_divergence(MyNormal(0.0, 1.0), MyNormal(0.0, 2.0))) == 42.0
    assert float(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0))) == 0.0
    n = D.Normal(0.0, 1.0)
    assert tuple(n.batch_shape) == () and n.loc.dtype == ag.float32
    assert tuple(n.sample((3,)).shape) == (3,)


# ----------------------------------------------------------------------------- MultivariateNormal
def _mvn_params(batch=(2,), n=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=batch + (n, n))
    cov = x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    return rng.normal(size=batch + (n,)), cov


def _mvn(lib, loc, cov, kind, grad=False):
    mod = ag if lib is ag else torch
    loc_t = mod.tensor(loc, requires_grad=grad)
    m_t = mod.tensor(cov if kind != "precision_matrix" else np.linalg.inv(cov),
                     requires_grad=grad)
    arg = mod.linalg.cholesky(m_t) if kind == "scale_tril" else m_t
    dist = (D if lib is ag else torch.distributions).MultivariateNormal(loc_t, **{kind: arg})
    return dist, (loc_t, m_t)


@requires_torch
@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_matches_torch(kind):
    loc, cov = _mvn_params()
    value = RNG.normal(size=(4, 2, 3))
    e, ep = _mvn(ag, loc, cov, kind, grad=True)
    t, tp = _mvn(torch, loc, cov, kind, grad=True)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) == (2,)
    assert tuple(e.event_shape) == tuple(t.event_shape) == (3,)
    for attr in ("mean", "mode", "variance", "covariance_matrix", "precision_matrix",
                 "scale_tril"):
        _close(getattr(e, attr), getattr(t, attr), attr, TOL)
    lp, tlp = e.log_prob(ag.tensor(value)), t.log_prob(torch.tensor(value))
    _close(lp, tlp, "log_prob", TOL)
    _close(e.entropy(), t.entropy(), "entropy", TOL)
    (lp.sum() + e.entropy().sum()).backward()
    (tlp.sum() + t.entropy().sum()).backward()
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **GRAD_TOL)
    # expand keeps the parametrisation
    ex, tx = e.expand((4, 2)), t.expand((4, 2))
    _close(ex.log_prob(ag.tensor(value)), tx.log_prob(torch.tensor(value)), "expand", TOL)


@requires_torch
def test_multivariate_normal_kl_rsample_and_errors():
    (lp, cp), (lq, cq) = _mvn_params(seed=1), _mvn_params(batch=(), seed=2)
    ep, tp = _mvn(ag, lp, cp, "covariance_matrix", grad=True)
    eq, tq = _mvn(ag, lq, cq, "scale_tril")[0], _mvn(torch, lq, cq, "scale_tril")[0]
    tpd = _mvn(torch, lp, cp, "covariance_matrix", grad=True)
    kl, tkl = D.kl_divergence(ep, eq), torch.distributions.kl_divergence(tpd[0], tq)
    _close(kl, tkl, "kl", TOL)
    kl.sum().backward()
    tkl.sum().backward()
    for a, b in zip(tp, tpd[1]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **GRAD_TOL)
    # rsample: the right shape, differentiable, and loc + L eps for the drawn eps
    x = ep.rsample((5,))
    assert tuple(x.shape) == (5, 2, 3) and x.requires_grad

    def draw(loc, cov):
        ag.manual_seed(3)
        return D.MultivariateNormal(loc, covariance_matrix=cov @ cov.mT).rsample((2,))
    loc0, cov0 = _mvn_params(batch=(), n=2, seed=4)
    assert ag.gradcheck(draw, (ag.tensor(loc0, requires_grad=True),
                               ag.tensor(np.linalg.cholesky(cov0), requires_grad=True)))
    # sample moments: 4000 draws, standard error of the mean sqrt(var / 4000) < 0.05
    ag.manual_seed(0)
    big = eq.sample((4000,)).numpy()
    np.testing.assert_allclose(big.mean(0), lq, atol=0.2)
    np.testing.assert_allclose(np.cov(big.T), cq, rtol=0.15, atol=0.3)
    with pytest.raises(ValueError, match="Exactly one"):
        D.MultivariateNormal(ag.zeros(2))
    with pytest.raises(ValueError, match="at least one-dimensional"):
        D.MultivariateNormal(ag.tensor(0.0), covariance_matrix=ag.eye(1))
    with pytest.raises(ValueError, match="covariance_matrix"):
        D.MultivariateNormal(ag.zeros(2), covariance_matrix=-ag.eye(2))
    with pytest.raises(ValueError, match="different event shapes"):
        D.kl_divergence(ep, D.MultivariateNormal(ag.zeros(2), scale_tril=ag.eye(2)))
