"""InverseGamma(concentration, rate): 1 / x for x ~ Gamma(concentration, rate), density
r^c y^(-c - 1) exp(-r / y) / Gamma(c) on y > 0 (needs SciPy for lgamma and digamma, as Gamma does)."""
import math

from ..ops.selection import where
from ..special import digamma, lgamma
from . import constraints
from .distribution import broadcast_all
from .forwarded import forwarded
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform


class InverseGamma(TransformedDistribution):
    """InverseGamma(concentration c, rate r), element by element; mean r / (c - 1) for c > 1,
    variance r^2 / ((c - 1)^2 (c - 2)) for c > 2 (infinite otherwise); reparameterized samples
    (Gamma's implicit gradient, then 1 / x).

    >>> import fastgrad as fg
    >>> InverseGamma(fg.tensor([3.0]), 4.0).mean.tolist()
    [2.0]
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        concentration, rate = broadcast_all(concentration, rate)
        base = Gamma(concentration, rate, validate_args=False)      # checked as InverseGamma's
        super().__init__(base, PowerTransform(-1.0), validate_args=validate_args)

    concentration = forwarded("base_dist.concentration")
    rate = forwarded("base_dist.rate")

    @property
    def mean(self):
        """r / (c - 1), infinite for c <= 1 (with a zero gradient there)."""
        finite = self.concentration._data > 1
        c = where(finite, self.concentration, 2.0)
        return where(finite, self.rate / (c - 1), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """r^2 / ((c - 1)^2 (c - 2)), infinite for c <= 2 (with a zero gradient there)."""
        finite = self.concentration._data > 2
        c = where(finite, self.concentration, 3.0)
        return where(finite, self.rate ** 2 / ((c - 1) ** 2 * (c - 2)), math.inf)

    def entropy(self):
        """c + log(r) + lgamma(c) - (1 + c) digamma(c)."""
        c = self.concentration
        return c + self.rate.log() + lgamma(c) - (1 + c) * digamma(c)
