"""Same as torch.distributions.Distribution: the base class (shapes, argument
validation, sample/rsample, log_prob ...) and the helpers the families share."""
from __future__ import annotations

import numbers

import autograd as ag

from . import constraints


class lazy_property:
    """Computed on first access and then cached on the instance (as torch's)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with ag.enable_grad():
            value = self.fn(instance)
        setattr(instance, self.fn.__name__, value)
        return value


def broadcast_all(*values):
    """Numbers and Tensors broadcast to one shape; numbers become Tensors of the first
    Tensor's dtype and device (the default dtype when there is none), as torch's."""
    if not all(isinstance(v, (ag.Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number or "
                         "torch.tensor.")
    like = next((v for v in values if isinstance(v, ag.Tensor)), None)
    if like is None:
        dtype, device = ag.get_default_dtype(), None
    else:
        dtype, device = like.dtype, like.device
        if not like.is_floating_point():
            dtype = ag.get_default_dtype()
    tensors = [v if isinstance(v, ag.Tensor) else ag.tensor(v, dtype=dtype, device=device)
               for v in values]
    return tuple(ag.broadcast_tensors(*tensors))


def _finfo(t):
    return ag.finfo(t.dtype)


def clamp_probs(probs):
    eps = _finfo(probs).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """log(p) (categorical) or log(p / (1 - p)) (binary), with p clamped away from 0, 1."""
    ps = clamp_probs(probs)
    return ps.log() - (-ps).log1p() if is_binary else ps.log()


def logits_to_probs(logits, is_binary=False):
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def _sum_rightmost(value, dim):
    """Sum out the `dim` rightmost dimensions."""
    return value.reshape(tuple(value.shape[:value.ndim - dim]) + (-1,)).sum(-1) if dim > 0 \
        else value


def _broadcast_shape(*shapes):
    """The shape the given shapes broadcast to (ValueError when they do not)."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i, n in enumerate(shape, ndim - len(shape)):
            if n != 1 and out[i] not in (1, n):
                raise ValueError(f"shapes {shapes} cannot be broadcast together")
            out[i] = n if n != 1 else out[i]
    return tuple(out)


def _standard_normal(shape, dtype, device):
    return ag.randn(tuple(shape), dtype=dtype, device=device)


class BinaryParams:
    """probs and logits of a binary event, each computed from the other on first use
    (Bernoulli, Binomial, Geometric, NegativeBinomial give one of the two)."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)


class Distribution:
    """Same as torch.distributions.Distribution."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints: dict = {}

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = ag.Size(batch_shape)
        self._event_shape = ag.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            arg_constraints = self.arg_constraints
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(
                        getattr(type(self), param, None), lazy_property):
                    continue  # a lazily computed parametrisation: not given
                value = getattr(self, param)
                valid = constraint.check(value)
                if not bool(valid.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        raise NotImplementedError

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self)} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self)} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        with ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError

    def sample_n(self, n):
        return self.sample(ag.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def _extended_shape(self, sample_shape=()):
        if not isinstance(sample_shape, ag.Size):
            sample_shape = ag.Size(sample_shape)
        return ag.Size(tuple(sample_shape) + tuple(self._batch_shape) +
                       tuple(self._event_shape))

    def _validate_sample(self, value):
        if not isinstance(value, ag.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.ndim - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{tuple(value.shape)} vs {tuple(self._event_shape)}.")
        actual_shape = tuple(value.shape)
        expected_shape = tuple(self._batch_shape) + tuple(self._event_shape)
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual_shape} vs {expected_shape}.")
        try:
            support = self.support
        except NotImplementedError:
            return
        if support is None:
            return
        valid = support.check(value)
        if not bool(valid.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                "__init__() method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(
            f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
            for p in names)
        return f"{type(self).__name__}({args})"


class ExponentialFamily(Distribution):
    """Same as torch.distributions.ExponentialFamily (entropy through the log normaliser
    is left to the families, which have closed forms)."""
