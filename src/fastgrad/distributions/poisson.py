"""Poisson(rate): counts of events at mean rate, P(k) = rate^k exp(-rate) / k! (log_prob needs
SciPy for lgamma, as fastgrad.special does)."""
from ..special import lgamma, xlogy
from . import constraints
from .distribution import broadcast_all, draw_from
from .exponential_family import ExponentialFamily


class Poisson(ExponentialFamily):
    """Poisson(rate), element by element; mean and variance rate.

    >>> import fastgrad as fg
    >>> Poisson(fg.tensor([2.5])).mode.tolist()
    [2.0]
    """
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(batch_shape=tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        """Counts in rate's dtype, of shape sample_shape + batch_shape, cut from the graph."""
        return draw_from("poisson", self._extended_shape(sample_shape), self.rate, self.rate)

    def log_prob(self, value):
        """value log(rate) - rate - lgamma(value + 1)."""
        value = self._checked(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(log rate,) for T(k) = k, carrier 1 / k!."""
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        """exp(x)."""
        return x.exp()
