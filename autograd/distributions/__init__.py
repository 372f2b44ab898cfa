"""Same as torch.distributions: probability distributions with sampling (rsample is
differentiable where torch's is), log_prob, entropy, transforms and kl_divergence, written
in Tensor ops so gradients flow to their parameters."""
from . import constraints, transforms
from .constraint_registry import biject_to, identity_transform, transform_to
from .continuous import Cauchy, Exponential, Gumbel, HalfNormal, Laplace, Normal, Uniform
from .discrete import (
    Bernoulli,
    Binomial,
    Categorical,
    Geometric,
    Multinomial,
    OneHotCategorical,
    Poisson,
)
from .distribution import Distribution, ExponentialFamily
from .gamma_family import Beta, Chi2, Dirichlet, Gamma, NegativeBinomial, StudentT
from .kl import kl_divergence, register_kl
from .multivariate import MultivariateNormal
from .transformed import (
    Independent,
    LogNormal,
    MixtureSameFamily,
    Pareto,
    TransformedDistribution,
)
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    PowerTransform,
    SigmoidTransform,
    SoftmaxTransform,
    TanhTransform,
    Transform,
)

__all__ = [
    "AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
    "Chi2", "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential",
    "ExponentialFamily", "Gamma", "Geometric", "Gumbel", "HalfNormal", "Independent",
    "IndependentTransform", "Laplace", "LogNormal", "MixtureSameFamily", "Multinomial",
    "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "PowerTransform",
    "SigmoidTransform", "SoftmaxTransform",
    "StudentT", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
    "NegativeBinomial", "Pareto", "biject_to", "identity_transform", "transform_to",
    "constraints", "kl", "kl_divergence", "register_kl", "transforms",
]
