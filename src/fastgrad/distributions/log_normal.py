"""LogNormal(loc, scale): exp of a Normal(loc, scale) variable, on x > 0."""
from ..ops.elementwise import expm1
from . import constraints
from .location_scale import LocAndScale
from .normal import Normal


class LogNormal(LocAndScale):
    """exp(N(loc, scale^2)), element by element; reparameterized samples exp(loc + scale * eps).

    >>> import fastgrad as fg
    >>> LogNormal(fg.tensor([0.0, 1.0]), 0.5).sample((4,)).shape
    (4, 2)
    """
    support = constraints.positive
    has_rsample = True

    @property
    def base_dist(self):
        """The Normal(loc, scale) whose exp this is."""
        return Normal(self.loc, self.scale, validate_args=False)

    @property
    def mean(self):
        return (self.loc + self.scale ** 2 / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale ** 2).exp()

    @property
    def variance(self):
        s2 = self.scale ** 2
        return expm1(s2) * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape=()):
        """exp(loc + scale * eps), eps ~ N(0, 1): differentiable in loc and scale."""
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        """Normal(loc, scale).log_prob(log value) - log value."""
        log_value = self._checked(value).log()
        return self.base_dist.log_prob(log_value) - log_value

    def cdf(self, value):
        return self.base_dist.cdf(self._checked(value).log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        """The Normal's entropy + loc."""
        return self.base_dist.entropy() + self.loc
