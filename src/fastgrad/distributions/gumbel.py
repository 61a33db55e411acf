"""Gumbel(loc, scale): the type-I extreme value distribution, loc - scale log(-log u) for u uniform."""
import math

import numpy as np

from . import constraints
from .distribution import broadcast_all, on_device_of
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform


class Gumbel(TransformedDistribution):
    """Gumbel(loc, scale), element by element: density exp(-(z + exp(-z))) / scale, z = (x - loc) / scale.

    >>> import fastgrad as fg
    >>> Gumbel(fg.tensor([0.0, 1.0]), 1.0).mode.tolist()
    [0.0, 1.0]
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        info = np.finfo(self.loc.dtype)
        shape = tuple(self.loc.shape)
        base = Uniform(on_device_of(self.loc, np.full(shape, info.tiny)),
                       on_device_of(self.loc, np.full(shape, 1 - info.eps)), validate_args=validate_args)
        minus_one = on_device_of(self.scale, -np.ones(shape))
        transforms = [ExpTransform().inv, AffineTransform(0.0, minus_one), ExpTransform().inv,
                      AffineTransform(self.loc, -self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def log_prob(self, value):
        """-z - exp(-z) - log(scale), z = (value - loc) / scale."""
        value = self._checked(value)
        z = (self.loc - value) / self.scale
        return z - z.exp() - self.scale.log()

    @property
    def mean(self):
        return self.loc + self.scale * np.euler_gamma

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.pi / math.sqrt(6) * self.scale

    @property
    def variance(self):
        return self.stddev ** 2

    def entropy(self):
        """log(scale) + 1 + euler_gamma."""
        return self.scale.log() + (1 + np.euler_gamma)
