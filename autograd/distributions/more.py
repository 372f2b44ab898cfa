"""NegativeBinomial and Pareto (same as torch.distributions'), and the constraint registries
`biject_to` / `transform_to` with `identity_transform`: from a constraint, a transform that
maps unconstrained reals onto its support (bijectively for biject_to)."""
from __future__ import annotations

import autograd as ag
from autograd.ops.random import poisson

from . import constraints
from .continuous import Exponential
from .discrete import _expand_counted, _init_counted
from .distribution import (
    BinaryParams,
    Distribution,
    broadcast_all,
    lazy_property,
)
from .gamma_family import Gamma
from .transformed import TransformedDistribution
from .transforms import (
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    SigmoidTransform,
    SoftmaxTransform,
)


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


class Pareto(TransformedDistribution):
    """Same as torch.distributions.Pareto(scale, alpha): scale * exp(Exponential(alpha))."""

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        transforms = [ExpTransform(), AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Pareto, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.alpha = self.alpha.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


identity_transform = ComposeTransform([])


class ConstraintRegistry:
    """Same as torch.distributions.constraint_registry.ConstraintRegistry: constraint
    (instance or class) -> factory(constraint) -> Transform; `register` adds one."""

    def __init__(self):
        self._registry = {}

    def register(self, constraint, factory=None):
        if factory is None:
            return lambda factory: self.register(constraint, factory)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not (isinstance(constraint, type) and issubclass(constraint, constraints.Constraint)):
            raise TypeError("Expected constraint to be either a Constraint subclass or "
                            f"instance, but got {constraint}")
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint):
        for cls in type(constraint).__mro__:
            if cls in self._registry:
                return self._registry[cls](constraint)
        raise NotImplementedError(f"Cannot transform {type(constraint).__name__} constraints")


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _register_both(constraint, factory):
    biject_to.register(constraint, factory)
    transform_to.register(constraint, factory)


_register_both(constraints.real, lambda c: identity_transform)
biject_to.register(constraints.independent, lambda c: IndependentTransform(
    biject_to(c.base_constraint), c.reinterpreted_batch_ndims))
transform_to.register(constraints.independent, lambda c: IndependentTransform(
    transform_to(c.base_constraint), c.reinterpreted_batch_ndims))
# positive and nonnegative are greater_than(0) / greater_than_eq(0): exp then a shift by 0
_register_both(constraints.greater_than, lambda c: ComposeTransform(
    [ExpTransform(), AffineTransform(c.lower_bound, 1)]))
_register_both(constraints.greater_than_eq, lambda c: ComposeTransform(
    [ExpTransform(), AffineTransform(c.lower_bound, 1)]))
_register_both(constraints.less_than, lambda c: ComposeTransform(
    [ExpTransform(), AffineTransform(c.upper_bound, -1)]))


def _interval(c):
    lower_is_0 = isinstance(c.lower_bound, (int, float)) and c.lower_bound == 0
    upper_is_1 = isinstance(c.upper_bound, (int, float)) and c.upper_bound == 1
    if lower_is_0 and upper_is_1:
        return SigmoidTransform()
    return ComposeTransform([SigmoidTransform(),
                             AffineTransform(c.lower_bound, c.upper_bound - c.lower_bound)])


_register_both(constraints.interval, _interval)
_register_both(constraints.half_open_interval, _interval)
transform_to.register(constraints.simplex, lambda c: SoftmaxTransform())
