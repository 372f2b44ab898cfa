"""MultivariateNormal (same as torch.distributions'): parametrised by a covariance,
a precision or a lower Cholesky factor, kept internally as the (unbroadcast) Cholesky
factor of the covariance; rsample, log_prob, entropy and KL between two of them through
triangular solves."""
from __future__ import annotations

import math

import autograd as ag
from autograd._checks import broadcast_shapes

from . import constraints
from .distribution import Distribution, lazy_property
from .kl import register_kl


def _mahalanobis(L, x):
    """x^T (L L^T)^-1 x over the last dim, L and x batch dims broadcast."""
    return ag.linalg.solve_triangular(L, x.unsqueeze(-1), upper=False).squeeze(-1) \
        .pow(2).sum(-1)


def _half_log_det(L):
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of P^-1 without inverting P: with flip() reversing both
    matrix dims, P = flip(Lf Lf^T) for Lf = chol(flip(P)), so P^-1's factor is the inverse
    of the upper-triangular flip(Lf) transposed."""
    Lf = ag.linalg.cholesky(P.flip((-2, -1)))
    L_inv = Lf.flip((-2, -1)).mT
    eye = ag.eye(P.shape[-1], dtype=P.dtype, device=P.device)
    return ag.linalg.solve_triangular(L_inv, eye, upper=False)


class MultivariateNormal(Distribution):
    """Same as torch.distributions.MultivariateNormal: exactly one of covariance_matrix,
    precision_matrix or scale_tril, batch dims broadcast against loc's."""

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        matrix = given[0]
        if matrix.ndim < 2:
            name = ("scale_tril" if scale_tril is not None else "covariance_matrix"
                    if covariance_matrix is not None else "precision_matrix")
            raise ValueError(f"{name} matrix must be at least two-dimensional, with "
                             "optional leading batch dimensions")
        batch = tuple(broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        n = loc.shape[-1]
        expanded = matrix.expand(*batch, -1, -1)
        if scale_tril is not None:
            self.scale_tril = expanded
        elif covariance_matrix is not None:
            self.covariance_matrix = expanded
        else:
            self.precision_matrix = expanded
        self.loc = loc.expand(*batch, -1)
        super().__init__(ag.Size(batch), ag.Size((n,)), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ag.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        n = self.event_shape[0]
        new.loc = self.loc.expand(*batch_shape, n)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(*batch_shape, n, n))
        Distribution.__init__(new, ag.Size(batch_shape), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self, matrix):
        return matrix.expand(*self._batch_shape, *self._event_shape, *self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return self._full(L @ L.mT)

    @lazy_property
    def precision_matrix(self):
        return self._full(ag.cholesky_inverse(self._unbroadcasted_scale_tril))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        var = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return var.expand(*self._batch_shape, *self._event_shape)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = ag.randn(shape, dtype=self.loc.dtype, device=self.loc.device)
        L = self._unbroadcasted_scale_tril
        return self.loc + (L @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _mahalanobis(self._unbroadcasted_scale_tril, diff)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + M) - \
            _half_log_det(self._unbroadcasted_scale_tril)

    def entropy(self):
        n = self._event_shape[0]
        H = 0.5 * n * (1.0 + math.log(2 * math.pi)) + \
            _half_log_det(self._unbroadcasted_scale_tril)
        return H.expand(*self._batch_shape) if self._batch_shape else H


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different "
                         "event shapes cannot be computed")
    Lp, Lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    n = p.event_shape[0]
    batch = tuple(broadcast_shapes(tuple(Lq.shape[:-2]), tuple(Lp.shape[:-2])))
    # tr(Sq^-1 Sp) = ||Lq^-1 Lp||_F^2
    ratio = ag.linalg.solve_triangular(Lq.expand(*batch, n, n), Lp.expand(*batch, n, n),
                                       upper=False)
    trace = ratio.pow(2).sum((-2, -1))
    return _half_log_det(Lq) - _half_log_det(Lp) + \
        0.5 * (trace + _mahalanobis(Lq, q.loc - p.loc) - n)
