"""LKJCholesky(dim, concentration): the LKJ distribution over dim x dim correlation matrices C,
density proportional to det(C)^(concentration - 1), written over their lower Cholesky factors L
(needs SciPy for lgamma, as Beta does)."""
import math

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn import functional as F
from ..special import lgamma
from . import constraints
from .beta import Beta
from .distribution import Distribution, as_tensor, draw
from .multivariate_gamma import multivariate_lgamma
from .multivariate_normal import diagonal


class LKJCholesky(Distribution):
    """LKJ(eta) on the Cholesky factor L of a correlation matrix of size dim (dim >= 2, eta > 0):

        log p(L) = sum_{i=1}^{dim-1} (dim - i - 1 + 2 (eta - 1)) log L_ii - log c(eta),
        log c(eta) = (dim - 1)/2 log(pi) + log Gamma_{dim-1}(eta + (dim - 2)/2) - (dim - 1) lgamma(eta + (dim - 1)/2)

    (rows counted from 0; the exponent is det(C)^(eta - 1) = prod L_ii^(2 (eta - 1)) times the
    Jacobian of C -> L). eta = 1 is uniform over correlation matrices; larger eta concentrates
    near the identity. Samples (not reparameterized) by the onion method: row k of L is
    (sqrt(y) u, sqrt(1 - y)) with u uniform on the unit sphere of R^k and
    y ~ Beta(k/2, eta + (dim - 2)/2 - (k - 1)/2). Every correlation then has the LKJ marginal
    2 B - 1, B ~ Beta(eta - 1 + dim/2, eta - 1 + dim/2), whatever its row (PyTorch 2.13's sampler
    gives the correlations of the rows after the second a larger variance than that for dim >= 3,
    so the two libraries' draws differ in distribution there; log_prob is the same).

    >>> import fastgrad as fg
    >>> LKJCholesky(3, fg.tensor([0.5, 2.0])).sample().shape
    (2, 3, 3)
    """
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if isinstance(dim, bool) or int(dim) != dim or dim < 2:
            raise ValueError(f"LKJCholesky: expected dim to be an integer of at least 2, got {dim!r}")
        self.dim = int(dim)
        self.concentration = as_tensor(concentration)
        super().__init__(batch_shape=tuple(self.concentration.shape), event_shape=(self.dim, self.dim),
                         validate_args=validate_args)

    def _row_betas(self):
        """The onion method's Beta(k/2, eta + (dim - 2)/2 - (k - 1)/2) for rows k = 1 .. dim - 1."""
        k = as_tensor(np.arange(1, self.dim, dtype=np.float64), like=self.concentration)
        eta = self.concentration.unsqueeze(-1)
        return Beta(0 * eta + k / 2, eta + (self.dim - 2) / 2 - (k - 1) / 2, validate_args=False)

    def sample(self, sample_shape=()):
        with no_grad():
            shape = self._extended_shape(sample_shape)
            y = self._row_betas().sample(sample_shape)                          # rows 1 .. dim - 1
            directions = draw("normal", shape, self.concentration).tril(-1)
            lengths = (directions ** 2).sum(-1, keepdim=True).sqrt()
            lengths = lengths + (lengths == 0).to(lengths.dtype)     # row 0 has no entries below the diagonal
            radius = F.pad(y.sqrt(), (1, 0), value=0.0).unsqueeze(-1)
            on_diagonal = F.pad((1 - y).clamp(min=0).sqrt(), (1, 0), value=1.0)
            return directions / lengths * radius + on_diagonal.diag_embed()

    def log_prob(self, value):
        value = self._checked(value)
        d, eta = self.dim, self.concentration
        exponents = (d - 1 - as_tensor(np.arange(1, d, dtype=np.float64), like=eta)
                     + 2 * (eta.unsqueeze(-1) - 1))
        unnormalized = (exponents * diagonal(value)[..., 1:].log()).sum(-1)
        log_normalizer = (0.5 * (d - 1) * math.log(math.pi) + multivariate_lgamma(eta + 0.5 * (d - 2), d - 1)
                          - (d - 1) * lgamma(eta + 0.5 * (d - 1)))
        return unnormalized - log_normalizer
