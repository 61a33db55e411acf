"""Wishart(df, covariance_matrix | precision_matrix | scale_tril): the distribution of sums of df
outer products x x^T of N(0, Sigma) vectors, over p x p positive definite matrices (needs SciPy
for lgamma and digamma, as Gamma does)."""
import math
import warnings

import numpy as np

from .. import linalg
from ..ops.selection import where
from . import constraints
from .distribution import as_tensor, at_least, draw
from .exponential_family import ExponentialFamily
from .gamma import Gamma
from .multivariate_gamma import _shifted, multivariate_digamma, multivariate_lgamma
from .multivariate_normal import CovarianceForms, diagonal, given_form, half_log_det


class Wishart(CovarianceForms, ExponentialFamily):
    """W(df nu, Sigma) over p x p matrices X (nu > p - 1); give exactly one of Sigma
    (covariance_matrix), its inverse (precision_matrix) or its lower Cholesky factor L (scale_tril).

        log p(X) = (nu - p - 1)/2 log|X| - tr(Sigma^-1 X)/2 - nu p/2 log 2 - nu/2 log|Sigma| - log Gamma_p(nu/2)

    mean nu Sigma, variance nu (Sigma_ij^2 + Sigma_ii Sigma_jj), mode (nu - p - 1) Sigma for
    nu > p + 1 (NaN otherwise); reparameterized samples by Bartlett's decomposition
    X = L A A^T L^T (A lower triangular, A_ii^2 ~ Chi2(nu - i), A_ij ~ N(0, 1) below the diagonal),
    differentiable in df (Gamma's implicit gradient) and the matrix.

    >>> import fastgrad as fg
    >>> Wishart(fg.tensor(5.0), fg.eye(2)).mean.tolist()
    [[5.0, 0.0], [0.0, 5.0]]
    """
    support = constraints.positive_definite
    has_rsample = True

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        name, matrix = given_form("Wishart", covariance_matrix, precision_matrix, scale_tril)
        matrix = at_least(2, name, "Wishart", matrix)
        p = matrix.shape[-1]
        if matrix.shape[-2] != p:
            raise ValueError(f"Wishart: `{name}` must be square matrices, got shape {tuple(matrix.shape)}")
        df = as_tensor(df, like=matrix)
        batch_shape = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(df.shape))
        self.df = df.expand(*batch_shape)
        self.__dict__[name] = matrix.expand(*batch_shape, p, p)
        self.arg_constraints = {**Wishart._matrix_constraints, "df": constraints.greater_than(p - 1)}
        super().__init__(batch_shape=batch_shape, event_shape=(p, p), validate_args=validate_args)
        if self.df.numel() and bool(np.any(np.asarray(self.df._data) < p)):
            warnings.warn("Wishart: df below the dimension p; singular samples are likely for p - 1 < df < p",
                          UserWarning, stacklevel=2)

    _matrix_constraints = {"covariance_matrix": constraints.positive_definite,
                           "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}

    def _df(self):
        return self.df.unsqueeze(-1).unsqueeze(-1)

    @property
    def mean(self):
        return self._df() * self.covariance_matrix

    @property
    def mode(self):
        p = self._event_shape[0]
        defined = self.df._data > p + 1
        factor = where(defined, self.df - p - 1, np.nan).unsqueeze(-1).unsqueeze(-1)
        return factor * self.covariance_matrix

    @property
    def variance(self):
        sigma = self.covariance_matrix
        d = diagonal(sigma)
        return self._df() * (sigma ** 2 + d.unsqueeze(-1) * d.unsqueeze(-2))

    def rsample(self, sample_shape=()):
        """L A A^T L^T (Bartlett's decomposition)."""
        p = self._event_shape[0]
        shape = self._extended_shape(sample_shape)
        half_dfs = _shifted(0.5 * self.df, p)                              # (nu - i) / 2
        squares = Gamma(half_dfs, 0.5, validate_args=False).rsample(sample_shape)   # Chi2(nu - i)
        below = draw("normal", shape, self.df).tril(-1)
        bartlett = below + squares.sqrt().diag_embed()
        factor = self.scale_tril @ bartlett
        return factor @ factor.mT

    def log_prob(self, value):
        """Differentiable in value as a full matrix (symmetric gradient, as PyTorch's):
        d/dX = (nu - p - 1)/2 X^-1 - Sigma^-1 / 2."""
        value = self._checked(value)
        p = self._event_shape[0]
        nu = self.df
        log_det_value = linalg.slogdet(value)[1]
        trace = (self.precision_matrix * value).sum((-2, -1))                # tr(Sigma^-1 X), both symmetric
        return (0.5 * (nu - p - 1) * log_det_value - 0.5 * trace - 0.5 * nu * p * math.log(2)
                - nu * half_log_det(self.scale_tril) - multivariate_lgamma(0.5 * nu, p))

    def entropy(self):
        """(p + 1)/2 log|Sigma| + p (p + 1)/2 log 2 + log Gamma_p(nu/2) - (nu - p - 1)/2 psi_p(nu/2) + nu p/2."""
        p = self._event_shape[0]
        nu = self.df
        return ((p + 1) * half_log_det(self.scale_tril) + 0.5 * p * (p + 1) * math.log(2)
                + multivariate_lgamma(0.5 * nu, p) - 0.5 * (nu - p - 1) * multivariate_digamma(0.5 * nu, p)
                + 0.5 * nu * p)

    @property
    def _natural_params(self):
        """(-Sigma^-1 / 2, (nu - p - 1) / 2), for T(X) = (X, log|X|)."""
        p = self._event_shape[0]
        return -0.5 * self.precision_matrix, 0.5 * (self.df - p - 1)

    def _log_normalizer(self, precision_part, df_part):
        """nu/2 log|Sigma| + nu p/2 log 2 + log Gamma_p(nu/2), with Sigma^-1 = -2 eta1, nu = 2 eta2 + p + 1."""
        p = self._event_shape[0]
        nu = 2 * df_part + p + 1
        return (-nu * half_log_det(linalg.cholesky(-2 * precision_part)) + 0.5 * nu * p * math.log(2)
                + multivariate_lgamma(0.5 * nu, p))

    _mean_carrier_measure = 0
