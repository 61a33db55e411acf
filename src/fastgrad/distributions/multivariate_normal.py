"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril): the Gaussian over
vectors, computed through the lower Cholesky factor L of the covariance (L L^T = covariance)."""
import math

import numpy as np

from .. import linalg
from . import constraints
from .distribution import Distribution, as_tensor, at_least, draw, lazy_property
from .location_scale import CenteredAtLoc

_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


def diagonal(matrices):
    """The diagonals of a batch of square matrices, differentiably."""
    n = matrices.shape[-1]
    return (matrices * as_tensor(np.eye(n), like=matrices)).sum(-1)


def half_log_det(scale_tril):
    """log det(L L^T) / 2 = sum(log diag(L))."""
    return diagonal(scale_tril).log().sum(-1)


def solve_lower(scale_tril, rhs):
    """L^{-1} rhs for rhs of shape (..., n, k), the batch axes broadcast; only L's lower triangle
    is read (and gets gradients)."""
    lead = np.broadcast_shapes(tuple(scale_tril.shape[:-2]), tuple(rhs.shape[:-2]))
    lower = scale_tril.tril().expand(*lead, *scale_tril.shape[-2:])
    return linalg.solve(lower, rhs.expand(*lead, *rhs.shape[-2:]))

def given_form(distribution, covariance_matrix, precision_matrix, scale_tril):
    """(name, matrix) of the one covariance form given; a ValueError naming `distribution` unless
    exactly one of the three is."""
    given = {name: m for name, m in zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril))
             if m is not None}
    if len(given) != 1:
        raise ValueError(f"{distribution}: exactly one of covariance_matrix, precision_matrix or scale_tril must be "
                         "specified.")
    (name, matrix), = given.items()
    return name, matrix


class CovarianceForms:
    """scale_tril (L), covariance_matrix (L L^T) and precision_matrix (L^-T L^-1) of a distribution
    given one of them (put in its __dict__ by __init__), each of the others computed when first read."""

    @lazy_property
    def scale_tril(self):
        """The lower Cholesky factor L of the covariance."""
        if "covariance_matrix" in self.__dict__:
            return linalg.cholesky(self.covariance_matrix)
        return linalg.cholesky(linalg.inv(self.precision_matrix))

    @lazy_property
    def covariance_matrix(self):
        """L L^T."""
        return self.scale_tril @ self.scale_tril.mT

    @lazy_property
    def precision_matrix(self):
        """The inverse of the covariance, L^-T L^-1."""
        lower = self.scale_tril
        inverse = solve_lower(lower, as_tensor(np.eye(lower.shape[-1]), like=lower))
        return inverse.mT @ inverse


class MultivariateNormal(CovarianceForms, CenteredAtLoc, Distribution):
    """N(loc, covariance) over vectors of length n = loc.shape[-1]; give exactly one of the
    covariance matrix, its inverse (precision_matrix) or its lower Cholesky factor (scale_tril).

    >>> import fastgrad as fg
    >>> d = MultivariateNormal(fg.zeros(2), scale_tril=fg.eye(2) * 2)
    >>> d.batch_shape, d.event_shape, d.variance.tolist()
    ((), (2,), [4.0, 4.0])
    """
    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        name, matrix = given_form("MultivariateNormal", covariance_matrix, precision_matrix, scale_tril)
        loc = at_least(1, "loc", "MultivariateNormal", loc)
        matrix = at_least(2, name, "MultivariateNormal", matrix)
        n = loc.shape[-1]
        if tuple(matrix.shape[-2:]) != (n, n):
            raise ValueError(f"MultivariateNormal: `{name}` must have shape (..., {n}, {n}) to match loc's last "
                             f"axis, got {tuple(matrix.shape)}")
        batch_shape = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self.loc = loc.expand(*batch_shape, n)
        self.__dict__[name] = matrix.expand(*batch_shape, n, n)
        super().__init__(batch_shape=batch_shape, event_shape=(n,), validate_args=validate_args)

    @property
    def variance(self):
        return (self.scale_tril ** 2).sum(-1).expand(*self._batch_shape, *self._event_shape)

    def rsample(self, sample_shape=()):
        """loc + L eps, eps ~ N(0, I): differentiable in loc and the covariance parameter."""
        eps = draw("normal", self._extended_shape(sample_shape), self.loc)
        return self.loc + (self.scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        """-(n log(2 pi) + |L^{-1} (value - loc)|^2) / 2 - sum(log diag(L))."""
        value = self._checked(value)
        whitened = solve_lower(self.scale_tril, (value - self.loc).unsqueeze(-1)).squeeze(-1)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + (whitened ** 2).sum(-1)) - half_log_det(self.scale_tril)

    def entropy(self):
        """n (1 + log(2 pi)) / 2 + sum(log diag(L))."""
        n = self._event_shape[0]
        return (0.5 * n * (1 + math.log(2 * math.pi)) + half_log_det(self.scale_tril)).expand(*self._batch_shape)
