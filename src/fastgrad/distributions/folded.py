"""Folded: |x| for x from a distribution symmetric about 0 with a positive scale (the shared part
of HalfNormal and HalfCauchy): the density doubles on x >= 0."""
import math

from ..ops.selection import where
from . import constraints
from .forwarded import forwarded
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class Folded(TransformedDistribution):
    """|x|, x ~ symmetric(0, scale) of the class named by `symmetric`; reparameterized where it is."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    symmetric = None

    def __init__(self, scale, validate_args=None):
        super().__init__(self.symmetric(0.0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    scale = forwarded("base_dist.scale")

    @property
    def mode(self):
        return self.scale * 0

    def log_prob(self, value):
        """The symmetric density's log + log 2 on value >= 0, -inf below."""
        value = self._checked(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return where(value._data >= 0, log_prob, -math.inf)

    def cdf(self, value):
        """2 F(value) - 1, F the symmetric distribution's cdf."""
        return 2 * self.base_dist.cdf(self._checked(value)) - 1

    def icdf(self, value):
        return self.base_dist.icdf((value + 1) / 2)

    def entropy(self):
        """The symmetric distribution's entropy - log 2."""
        return self.base_dist.entropy() - math.log(2)
