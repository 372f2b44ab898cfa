"""Same as torch.distributions.constraint_registry: `biject_to` / `transform_to` (with
`identity_transform`): from a constraint, a transform that maps unconstrained reals onto
its support (bijectively for biject_to)."""
from __future__ import annotations

from . import constraints
from .transforms import (
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    SigmoidTransform,
    SoftmaxTransform,
)

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
