"""Weibull(scale, concentration): scale * e^(1 / concentration) for e ~ Exponential(1), density
(k / s) (x / s)^(k - 1) exp(-(x / s)^k) on x > 0 (moments need SciPy for lgamma)."""
import numpy as np

from ..special import lgamma
from . import constraints
from .distribution import broadcast_all, on_device_of
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform


class Weibull(TransformedDistribution):
    """Weibull(s = scale, k = concentration), element by element; reparameterized samples.

    >>> import fastgrad as fg
    >>> Weibull(fg.tensor([2.0]), 1.0).mean.tolist()
    [2.0]
    """
    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(on_device_of(self.scale, np.ones(tuple(self.scale.shape))), validate_args=validate_args)
        transforms = [PowerTransform(self.concentration_reciprocal), AffineTransform(0.0, self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self):
        return self.scale * ((self.concentration - 1) / self.concentration) ** self.concentration_reciprocal

    @property
    def variance(self):
        return self.scale ** 2 * (lgamma(1 + 2 * self.concentration_reciprocal).exp()
                                  - (2 * lgamma(1 + self.concentration_reciprocal)).exp())

    def entropy(self):
        """euler_gamma (1 - 1/k) + log(s / k) + 1."""
        return np.euler_gamma * (1 - self.concentration_reciprocal) + (self.scale * self.concentration_reciprocal).log() + 1
