"""Pareto(scale, alpha): scale * exp(e) for e ~ Exponential(alpha), density alpha scale^alpha /
x^(alpha + 1) on x >= scale."""
import math

from ..ops.selection import where
from . import constraints
from .distribution import broadcast_all
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform


class Pareto(TransformedDistribution):
    """Pareto(scale, alpha), element by element; the mean is finite for alpha > 1, the variance
    for alpha > 2 (infinite otherwise); reparameterized samples.

    >>> import fastgrad as fg
    >>> Pareto(fg.tensor([1.0]), 3.0).mean.tolist()
    [1.5]
    """
    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=False)        # alpha is checked as Pareto's
        super().__init__(base, [ExpTransform(), AffineTransform(0.0, self.scale)], validate_args=validate_args)

    @property
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        """alpha scale / (alpha - 1), infinite for alpha <= 1 (with a zero gradient there)."""
        finite = self.alpha._data > 1
        a = where(finite, self.alpha, 2.0)
        return where(finite, a * self.scale / (a - 1), math.inf)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        """scale^2 alpha / ((alpha - 1)^2 (alpha - 2)), infinite for alpha <= 2 (with a zero gradient there)."""
        finite = self.alpha._data > 2
        a = where(finite, self.alpha, 3.0)
        return where(finite, self.scale ** 2 * a / ((a - 1) ** 2 * (a - 2)), math.inf)

    def entropy(self):
        """log(scale / alpha) + 1 + 1 / alpha."""
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())
