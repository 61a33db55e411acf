"""Exponential(rate): waiting times of a Poisson process, density rate exp(-rate x) on x >= 0."""
import numpy as np

from . import constraints
from .distribution import broadcast_all, draw
from .exponential_family import ExponentialFamily


class Exponential(ExponentialFamily):
    """Exp(rate), element by element; reparameterized samples e / rate with e ~ Exp(1).

    >>> import fastgrad as fg
    >>> Exponential(fg.tensor([0.5, 2.0])).mean.tolist()
    [2.0, 0.5]
    """
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(batch_shape=tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate ** -2

    def rsample(self, sample_shape=()):
        """e / rate, e ~ Exp(1): differentiable in rate."""
        return draw("exponential", self._extended_shape(sample_shape), self.rate) / self.rate

    def expected_log(self):
        """E[log x] = -euler_gamma - log(rate)."""
        return -np.euler_gamma - self.rate.log()

    def log_prob(self, value):
        """log(rate) - rate value."""
        value = self._checked(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """1 - exp(-rate value)."""
        value = self._checked(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        """-log(1 - value) / rate."""
        return -(-value).log1p() / self.rate

    def entropy(self):
        """1 - log(rate)."""
        return 1 - self.rate.log()

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(-rate,) for T(x) = x."""
        return (-self.rate,)

    def _log_normalizer(self, x):
        """-log(-x)."""
        return -(-x).log()

    _mean_carrier_measure = 0
