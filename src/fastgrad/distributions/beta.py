"""Beta(concentration1, concentration0): density x^(a - 1) (1 - x)^(b - 1) / B(a, b) on [0, 1]
(needs SciPy for lgamma and digamma, as fastgrad.special does)."""
from ..ops.shape import stack
from ..special import digamma, lgamma, xlogy
from . import constraints
from .dirichlet import Dirichlet
from .distribution import broadcast_all
from .exponential_family import ExponentialFamily
from .gamma_rsample import standard_gamma_rsample


def log_beta(a, b):
    """log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)."""
    return lgamma(a) + lgamma(b) - lgamma(a + b)


class Beta(ExponentialFamily):
    """Beta(a = concentration1, b = concentration0), element by element; mean a / (a + b).

    >>> import fastgrad as fg
    >>> Beta(fg.tensor([1.0, 3.0]), 1.0).mean.tolist()
    [0.5, 0.75]
    """
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(batch_shape=tuple(self.concentration1.shape), validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        """The first coordinate of Dirichlet((a, b))'s mode: (a - 1) / (a + b - 2) for a, b >= 1."""
        pair = stack([self.concentration1, self.concentration0], axis=-1)
        return Dirichlet(pair, validate_args=False).mode[..., 0]

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total ** 2 * (total + 1))

    def rsample(self, sample_shape=()):
        """x / (x + y) with x ~ Gamma(a, 1), y ~ Gamma(b, 1): differentiable in a and b."""
        shape = self._extended_shape(sample_shape)
        x, y = standard_gamma_rsample(shape, self.concentration1), standard_gamma_rsample(shape, self.concentration0)
        return x / (x + y)

    def expected_log(self):
        """E[log x] = digamma(a) - digamma(a + b)."""
        return digamma(self.concentration1) - digamma(self.concentration1 + self.concentration0)

    def log_prob(self, value):
        """(a - 1) log(value) + (b - 1) log(1 - value) - log B(a, b)."""
        value = self._checked(value)
        a, b, value = broadcast_all(self.concentration1, self.concentration0, value)
        return xlogy(a - 1, value) + xlogy(b - 1, 1 - value) - log_beta(a, b)

    def entropy(self):
        """log B(a, b) - (a - 1) digamma(a) - (b - 1) digamma(b) + (a + b - 2) digamma(a + b)."""
        a, b = self.concentration1, self.concentration0
        return log_beta(a, b) - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b)

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(concentration1, concentration0) for T(x) = (log x, log(1 - x)), carrier 1 / (x (1 - x))."""
        return self.concentration1, self.concentration0

    def _log_normalizer(self, x, y):
        """log B(x, y)."""
        return lgamma(x) + lgamma(y) - lgamma(x + y)
