"""Discrete families: Bernoulli, Categorical, OneHotCategorical, Binomial, Multinomial,
Poisson, Geometric (same as torch.distributions'), parametrised by probs or logits."""
from __future__ import annotations

import numbers

import autograd as ag
from autograd.ops.random import binomial, poisson

from . import constraints
from .distribution import (
    BinaryParams,
    Distribution,
    ExponentialFamily,
    broadcast_all,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)


def _bce_with_logits(logits, target):
    """Elementwise binary cross-entropy on logits: softplus(l) - l t (gradient
    sigmoid(l) - t, exactly, at every l)."""
    return ag.logaddexp(ag.zeros_like(logits), logits) - logits * target


def _clamp_by_zero(x):
    # max(x, 0) whose gradient at 0 is 1/2
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _probs_or_logits(self, probs, logits, is_binary):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if probs is not None:
        is_scalar = isinstance(probs, numbers.Number)
        (self.probs,) = broadcast_all(probs) if is_binary or is_scalar else (probs,)
        return self.probs, is_scalar
    is_scalar = isinstance(logits, numbers.Number)
    (self.logits,) = broadcast_all(logits) if is_binary or is_scalar else (logits,)
    return self.logits, is_scalar


def _expand_probs(d, new, batch_shape, param_shape=None):
    """expand() of a probs/logits distribution into `new` (its checked instance): whichever
    of the two `d` holds, expanded to `param_shape` (the batch shape unless the parameter
    has an event dim), kept as `_param` too where `d` keeps one."""
    batch_shape = ag.Size(batch_shape)
    shape = batch_shape if param_shape is None else param_shape
    for name in ("probs", "logits"):
        if name in d.__dict__:
            setattr(new, name, getattr(d, name).expand(shape))
            if "_param" in d.__dict__:
                new._param = getattr(new, name)
    Distribution.__init__(new, batch_shape, validate_args=False)
    new._validate_args = d._validate_args
    return new


def _enumerate(self, n, dtype, device, expand):
    values = ag.arange(n, dtype=dtype, device=device)
    values = values.reshape((-1,) + (1,) * len(self._batch_shape))
    return values.expand((-1,) + tuple(self._batch_shape)) if expand else values


class Bernoulli(BinaryParams, ExponentialFamily):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        param, is_scalar = _probs_or_logits(self, probs, logits, True)
        self._param = param
        super().__init__(ag.Size() if is_scalar else param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_probs(self, self._get_checked_instance(Bernoulli, _instance),
                             batch_shape)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ag.where(self.probs == 0.5, ag.full_like(mode, float("nan")), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            return ag.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        return _enumerate(self, 2, self._param.dtype, self._param.device, expand)


class Categorical(Distribution):
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch = self._param.shape[:-1] if self._param.ndim > 1 else ag.Size()
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Categorical, _instance)
        new._num_events = self._num_events
        _expand_probs(self, new, batch_shape, tuple(batch_shape) + (self._num_events,))
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return ag.full(tuple(self._extended_shape()), float("nan"), dtype=self.probs.dtype,
                       device=self.probs.device)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=()):
        sample_shape = ag.Size(sample_shape)
        n = 1
        for s in sample_shape:
            n *= s
        probs_2d = self.probs.reshape(-1, self._num_events)
        with ag.no_grad():
            samples_2d = ag.multinomial(probs_2d, max(n, 1), True).T
        return samples_2d[:n].reshape(tuple(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ag.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        logits = self.logits.clamp(min=ag.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        return _enumerate(self, self._num_events, ag.int64, self._param.device, expand)


class _OverCategorical(Distribution):
    """A distribution over an inner Categorical (`self._categorical`, set by __init__ and
    expand): its parameters are the Categorical's."""

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape


class OneHotCategorical(_OverCategorical):
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        param = self._categorical._param
        super().__init__(self._categorical.batch_shape, param.shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, ag.Size(batch_shape), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        probs = self._categorical.probs
        return self._one_hot(probs.argmax(-1)).to(probs.dtype)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    def _one_hot(self, indices):
        n = self.event_shape[0]
        return ag.arange(n, device=indices.device) == indices.unsqueeze(-1)

    def sample(self, sample_shape=()):
        indices = self._categorical.sample(sample_shape)
        return self._one_hot(indices).to(self._categorical.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = ag.eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((n,) + (1,) * len(self.batch_shape) + (n,))
        return values.expand((n,) + tuple(self.batch_shape) + (n,)) if expand else values


def _init_counted(d, total_count, probs, logits, validate_args):
    """__init__ of a distribution of counts given total_count and probs or logits
    (Binomial, NegativeBinomial)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if probs is not None:
        d.total_count, d.probs = broadcast_all(total_count, probs)
        d.total_count = d.total_count.type_as(d.probs)
    else:
        d.total_count, d.logits = broadcast_all(total_count, logits)
        d.total_count = d.total_count.type_as(d.logits)
    d._param = d.probs if probs is not None else d.logits
    Distribution.__init__(d, d._param.shape, validate_args=validate_args)


def _expand_counted(d, new, batch_shape):
    """expand() of such a distribution into `new` (its checked instance)."""
    new.total_count = d.total_count.expand(ag.Size(batch_shape))
    return _expand_probs(d, new, batch_shape)


class Binomial(BinaryParams, Distribution):
    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        _init_counted(self, total_count, probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_counted(self, self._get_checked_instance(Binomial, _instance),
                               batch_shape)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        normalize_term = (n * _clamp_by_zero(self.logits)
                          + n * ag.log1p(ag.exp(-self.logits.abs())) - ag.lgamma(n + 1))
        return (value * self.logits - ag.lgamma(value + 1) - ag.lgamma(n - value + 1)
                - normalize_term)

    def entropy(self):
        total_count = int(self.total_count.max())
        if not total_count == self.total_count.min():
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(ag.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = int(self.total_count.max())
        if not total_count == self.total_count.min():
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`.")
        return _enumerate(self, 1 + total_count, self._param.dtype, self._param.device, expand)


class Multinomial(_OverCategorical):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, numbers.Number):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, ag.Size(batch_shape), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.independent(
            constraints.integer_interval(0, self.total_count), 1)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        sample_shape = ag.Size(sample_shape)
        samples = self._categorical.sample(ag.Size((self.total_count,)) + sample_shape)
        # (total, *sample, *batch) -> (*sample, *batch, total): count each category
        samples = samples.permute(*range(1, samples.ndim), 0)
        counts = ag.zeros(tuple(self._extended_shape(sample_shape)), dtype=self.probs.dtype,
                          device=self.probs.device)
        return counts.scatter_add(-1, samples, ag.ones_like(samples, dtype=counts.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = ag.lgamma(value.sum(-1) + 1)
        log_factorial_xs = ag.lgamma(value + 1).sum(-1)
        # 0 * -inf is 0 here: a category of zero probability seen zero times
        logits = ag.where((value == 0) & (logits == -float("inf")), ag.zeros_like(logits), logits)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)


class Poisson(ExponentialFamily):
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch = ag.Size() if isinstance(rate, numbers.Number) else self.rate.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = ag.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return ag.xlogy(value, rate) - rate - ag.lgamma(value + 1)


class Geometric(BinaryParams, Distribution):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        param, is_scalar = _probs_or_logits(self, probs, logits, True)
        super().__init__(ag.Size() if is_scalar else param.shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            if not bool((self.probs > 0).all()):
                raise ValueError(
                    f"Expected parameter probs ({type(self.probs).__name__} of shape "
                    f"{tuple(self.probs.shape)}) of distribution {self!r} to satisfy the "
                    f"constraint Interval(lower_bound=0.0, upper_bound=1.0), but found "
                    f"invalid values:\n{self.probs}")

    def expand(self, batch_shape, _instance=None):
        return _expand_probs(self, self._get_checked_instance(Geometric, _instance),
                             batch_shape)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ag.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        tiny = ag.finfo(self.probs.dtype).tiny
        with ag.no_grad():
            u = ag.rand(shape, dtype=self.probs.dtype, device=self.probs.device).clamp(min=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # a certain success seen at once has probability 1: 0 * log(0) is 0 there
        probs = ag.where((probs == 1) & (value == 0), ag.zeros_like(probs), probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs) / self.probs
