"""Gamma(concentration, rate): density r^c x^(c - 1) exp(-r x) / Gamma(c) on x > 0 (needs SciPy
for lgamma and digamma, as fastgrad.special does)."""
from ..autograd.grad_mode import is_grad_enabled
from ..special import digamma, gammainc, lgamma, xlogy
from . import constraints
from .distribution import broadcast_all
from .exponential_family import ExponentialFamily
from .gamma_rsample import standard_gamma_rsample


class Gamma(ExponentialFamily):
    """Gamma(concentration c, rate r), element by element; mean c / r, variance c / r^2.

    >>> import fastgrad as fg
    >>> Gamma(fg.tensor([2.0, 3.0]), 2.0).mean.tolist()
    [1.0, 1.5]
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(batch_shape=tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2

    def rsample(self, sample_shape=()):
        """z / rate, z ~ Gamma(concentration, 1): differentiable in both (z through its implicit gradient)."""
        return standard_gamma_rsample(self._extended_shape(sample_shape), self.concentration) / self.rate

    def expected_log(self):
        """E[log x] = digamma(c) - log(r)."""
        return digamma(self.concentration) - self.rate.log()

    def log_prob(self, value):
        """c log(r) + (c - 1) log(value) - r value - lgamma(c)."""
        value = self._checked(value)
        c, r, value = broadcast_all(self.concentration, self.rate, value)
        return xlogy(c, r) + xlogy(c - 1, value) - r * value - lgamma(c)

    def entropy(self):
        """c - log(r) + lgamma(c) + (1 - c) digamma(c)."""
        c = self.concentration
        return c - self.rate.log() + lgamma(c) + (1 - c) * digamma(c)

    def cdf(self, value):
        """P(c, r value), the regularized lower incomplete gamma function; differentiable in rate and
        value. Its derivative in the concentration is not implemented (as in PyTorch, whose backward
        fails there): with a concentration that requires grad, call it under no_grad or detach it."""
        value = self._checked(value)
        if self.concentration.requires_grad and is_grad_enabled():
            raise ValueError(f"{type(self).__name__}.cdf: the gradient with respect to the concentration is not "
                             "implemented (as in PyTorch); detach the concentration or use no_grad()")
        return gammainc(self.concentration.detach(), self.rate * value)

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(concentration - 1, -rate) for T(x) = (log x, x)."""
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x, y):
        """lgamma(x + 1) - (x + 1) log(-y)."""
        return lgamma(x + 1) - (x + 1) * (-y).log()

    _mean_carrier_measure = 0
