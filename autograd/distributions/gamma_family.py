"""The families sampled through Gamma draws: Gamma, Chi2, Dirichlet, Beta, StudentT, and
NegativeBinomial (a Gamma-Poisson mixture), same as torch.distributions'; rsample
differentiates through standard_gamma."""
from __future__ import annotations

import math
import numbers

import autograd as ag
from autograd.ops.random import poisson, standard_gamma

from . import constraints
from .continuous import _batch_of, _expand_params
from .discrete import _expand_counted, _init_counted
from .distribution import (
    BinaryParams,
    Distribution,
    ExponentialFamily,
    broadcast_all,
    lazy_property,
)


class Gamma(ExponentialFamily):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        batch = _batch_of(concentration, rate)
        super().__init__(self.concentration.shape if batch is None else batch,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_params(self, Gamma, ("concentration", "rate"), batch_shape, _instance)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=ag.finfo(value.dtype).tiny)

    def log_prob(self, value):
        value = ag.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (ag.xlogy(self.concentration, self.rate) + ag.xlogy(self.concentration - 1, value)
                - self.rate * value - ag.lgamma(self.concentration))

    def entropy(self):
        c = self.concentration
        return c - self.rate.log() + ag.lgamma(c) + (1.0 - c) * ag.digamma(c)


class Chi2(Gamma):
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        if isinstance(df, numbers.Number):
            df = ag.tensor(float(df))
        super().__init__(0.5 * df, ag.full_like(df, 0.5), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = ag.Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) +
                                                      tuple(self.event_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        gammas = standard_gamma(self.concentration.expand(shape))
        out = gammas / gammas.sum(-1, keepdim=True)
        tiny = ag.finfo(out.dtype).tiny
        return out.clamp(min=tiny, max=1 - ag.finfo(out.dtype).eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (ag.xlogy(c - 1.0, value).sum(-1) + ag.lgamma(c.sum(-1))
                - ag.lgamma(c).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        c = self.concentration
        mode = (c - 1).clamp(min=0.0)
        mode = mode / mode.sum(-1, keepdim=True)
        # where every concentration is below 1 the density peaks at a vertex
        below = (c < 1).all(-1, keepdim=True)
        vertex = (ag.arange(c.shape[-1], device=c.device)
                  == mode.argmax(-1, keepdim=True)).to(mode.dtype)
        return ag.where(below, vertex, mode)

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        c = self.concentration
        k = c.shape[-1]
        a0 = c.sum(-1)
        return (ag.lgamma(c).sum(-1) - ag.lgamma(a0) - (k - a0) * ag.digamma(a0)
                - ((c - 1.0) * ag.digamma(c)).sum(-1))


class Beta(ExponentialFamily):
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        c1, c0 = broadcast_all(concentration1, concentration0)
        self._dirichlet = Dirichlet(ag.stack([c1, c0], -1), validate_args=validate_args)
        batch = _batch_of(concentration1, concentration0)
        super().__init__(self._dirichlet._batch_shape if batch is None else batch,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = ag.Size(batch_shape)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(ag.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()


class StudentT(Distribution):
    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        batch = _batch_of(df, loc, scale)
        super().__init__(self.df.shape if batch is None else batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _expand_params(self, StudentT, ("df", "loc", "scale"), batch_shape, _instance)
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return ag.where(self.df > 1, self.loc, ag.full_like(self.loc, math.nan))

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2).clamp(min=ag.finfo(df.dtype).tiny)
        return ag.where(df > 2, finite,
                        ag.where(df > 1, ag.full_like(df, math.inf), ag.full_like(df, math.nan)))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = ag.randn(tuple(shape), dtype=self.df.dtype, device=self.df.device)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * x * ag.rsqrt(z / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + ag.lgamma(0.5 * self.df) - ag.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * ag.log1p(y ** 2.0 / self.df) - z

    def entropy(self):
        lbeta = ag.lgamma(0.5 * self.df) + math.lgamma(0.5) - ag.lgamma(0.5 * (self.df + 1))
        return (self.scale.log() + 0.5 * (self.df + 1) *
                (ag.digamma(0.5 * (self.df + 1)) - ag.digamma(0.5 * self.df))
                + 0.5 * self.df.log() + lbeta)


def _logsigmoid(x):
    return -ag.logaddexp(ag.zeros_like(x), -x)


class NegativeBinomial(BinaryParams, Distribution):
    """Same as torch.distributions.NegativeBinomial(total_count, probs=None, logits=None):
    the number of successes before total_count failures, success probability probs."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        _init_counted(self, total_count, probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_counted(self, self._get_checked_instance(NegativeBinomial, _instance),
                               batch_shape)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ag.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        # the Gamma-Poisson mixture: rate ~ Gamma(total_count, exp(-logits))
        return Gamma(self.total_count, ag.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=()):
        with ag.no_grad():
            return poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized = (self.total_count * _logsigmoid(-self.logits)
                            + value * _logsigmoid(self.logits))
        log_norm = (-ag.lgamma(self.total_count + value) + ag.lgamma(1.0 + value)
                    + ag.lgamma(self.total_count))
        log_norm = log_norm.masked_fill((self.total_count + value) == 0.0, 0.0)
        return log_unnormalized - log_norm
