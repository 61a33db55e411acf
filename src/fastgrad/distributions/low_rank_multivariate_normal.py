"""LowRankMultivariateNormal(loc, cov_factor, cov_diag): the Gaussian over vectors of length n
whose covariance is W W^T + diag(D), W of shape (n, m) with m small: its log-density, entropy
and samples cost O(n m^2) through the m x m capacitance matrix K = I + W^T D^-1 W (the Woodbury
identity and the matrix determinant lemma)."""
import math

import numpy as np

from .. import linalg
from . import constraints
from .distribution import Distribution, as_tensor, at_least, draw, lazy_property
from .location_scale import CenteredAtLoc
from .multivariate_normal import diagonal, solve_lower


def _plus_identity(matrices):
    return matrices + as_tensor(np.eye(matrices.shape[-1]), like=matrices)


def _diag_embed(vectors):
    return vectors.unsqueeze(-1) * as_tensor(np.eye(vectors.shape[-1]), like=vectors)


class LowRankMultivariateNormal(CenteredAtLoc, Distribution):
    """N(loc, cov_factor cov_factor^T + diag(cov_diag)); loc (..., n), cov_factor (..., n, m),
    cov_diag (..., n), their batch axes broadcast together.

    >>> import fastgrad as fg
    >>> d = LowRankMultivariateNormal(fg.zeros(3), fg.ones(3, 1), fg.ones(3))
    >>> d.event_shape, d.variance.tolist()
    ((3,), [2.0, 2.0, 2.0])
    """
    arg_constraints = {"loc": constraints.real_vector, "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        name = "LowRankMultivariateNormal"
        loc = at_least(1, "loc", name, loc)
        cov_factor, cov_diag = at_least(2, "cov_factor", name, cov_factor), at_least(1, "cov_diag", name, cov_diag)
        n, m = loc.shape[-1], cov_factor.shape[-1]
        if cov_factor.shape[-2] != n:
            raise ValueError(f"{name}: cov_factor must be a batch of {n} x m matrices, got shape {tuple(cov_factor.shape)}")
        if cov_diag.shape[-1] != n:
            raise ValueError(f"{name}: cov_diag must be a batch of vectors of length {n}, got shape "
                             f"{tuple(cov_diag.shape)}")
        try:
            batch_shape = np.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                              tuple(cov_diag.shape[:-1]))
        except ValueError:
            raise ValueError(f"{name}: incompatible batch shapes: loc {tuple(loc.shape)}, cov_factor "
                             f"{tuple(cov_factor.shape)}, cov_diag {tuple(cov_diag.shape)}") from None
        self.loc = loc.expand(*batch_shape, n)
        self.cov_factor = cov_factor.expand(*batch_shape, n, m)
        self.cov_diag = cov_diag.expand(*batch_shape, n)
        self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag = cov_factor, cov_diag
        super().__init__(batch_shape=batch_shape, event_shape=(n,), validate_args=validate_args)

    @lazy_property
    def _capacitance_tril(self):
        """The lower Cholesky factor of K = I + W^T D^-1 W (m x m)."""
        w_over_d = self._unbroadcasted_cov_factor.mT / self._unbroadcasted_cov_diag.unsqueeze(-2)
        return linalg.cholesky(_plus_identity(w_over_d @ self._unbroadcasted_cov_factor))

    def _log_det(self):
        """log det(W W^T + D) = log det K + sum(log D)."""
        return 2 * diagonal(self._capacitance_tril).log().sum(-1) + self._unbroadcasted_cov_diag.log().sum(-1)

    @property
    def variance(self):
        return ((self._unbroadcasted_cov_factor ** 2).sum(-1) + self._unbroadcasted_cov_diag).expand(
            *self._batch_shape, *self._event_shape)

    @lazy_property
    def scale_tril(self):
        """The lower Cholesky factor of the covariance: sqrt(D) chol(I + D^-1/2 W W^T D^-1/2)."""
        root_d = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / root_d
        n = self._event_shape[0]
        return (root_d * linalg.cholesky(_plus_identity(scaled @ scaled.mT))).expand(*self._batch_shape, n, n)

    @lazy_property
    def covariance_matrix(self):
        """W W^T + diag(D)."""
        w = self._unbroadcasted_cov_factor
        n = self._event_shape[0]
        return (w @ w.mT + _diag_embed(self._unbroadcasted_cov_diag)).expand(*self._batch_shape, n, n)

    @lazy_property
    def precision_matrix(self):
        """diag(1/D) - A^T A, A = L_K^-1 W^T D^-1 (Woodbury)."""
        w_over_d = self._unbroadcasted_cov_factor.mT / self._unbroadcasted_cov_diag.unsqueeze(-2)
        a = solve_lower(self._capacitance_tril, w_over_d)
        n = self._event_shape[0]
        return (_diag_embed(self._unbroadcasted_cov_diag.reciprocal()) - a.mT @ a).expand(*self._batch_shape, n, n)

    def rsample(self, sample_shape=()):
        """loc + W e_W + sqrt(D) e_D, e_W (m,) and e_D (n,) standard normal: differentiable in all three."""
        shape = self._extended_shape(sample_shape)
        eps_w = draw("normal", shape[:-1] + (self.cov_factor.shape[-1],), self.loc)
        eps_d = draw("normal", shape, self.loc)
        return (self.loc + (self._unbroadcasted_cov_factor @ eps_w.unsqueeze(-1)).squeeze(-1)
                + self._unbroadcasted_cov_diag.sqrt() * eps_d)

    def log_prob(self, value):
        """-(n log(2 pi) + log det + x^T (W W^T + D)^-1 x) / 2, x = value - loc, the quadratic form
        as sum(x^2 / D) - |L_K^-1 W^T D^-1 x|^2."""
        value = self._checked(value)
        x = value - self.loc
        w_over_d = self._unbroadcasted_cov_factor.mT / self._unbroadcasted_cov_diag.unsqueeze(-2)
        projected = solve_lower(self._capacitance_tril, (w_over_d @ x.unsqueeze(-1)))
        mahalanobis = (x ** 2 / self._unbroadcasted_cov_diag).sum(-1) - (projected ** 2).sum((-2, -1))
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + self._log_det() + mahalanobis)

    def entropy(self):
        """(n (1 + log(2 pi)) + log det) / 2."""
        n = self._event_shape[0]
        return (0.5 * (n * (1 + math.log(2 * math.pi)) + self._log_det())).expand(*self._batch_shape)
