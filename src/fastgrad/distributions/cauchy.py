"""Cauchy(loc, scale): the Lorentz distribution, density 1 / (pi scale (1 + ((x - loc) / scale)^2));
no mean and an infinite variance."""
import math

import numpy as np

from .distribution import as_tensor, on_device_of
from .location_scale import LocationScale


class Cauchy(LocationScale):
    """Cauchy(loc, scale), element by element; reparameterized samples loc + scale * e, e standard Cauchy.

    >>> import fastgrad as fg
    >>> Cauchy(0.0, fg.tensor([1.0, 2.0])).cdf(fg.tensor([1.0, 2.0])).tolist()
    [0.75, 0.75]
    """
    standard_draw = "cauchy"

    @property
    def mean(self):
        """Undefined: NaN."""
        return on_device_of(self.loc, np.full(self._extended_shape(), np.nan))

    @property
    def variance(self):
        """Infinite."""
        return on_device_of(self.loc, np.full(self._extended_shape(), np.inf))

    def log_prob(self, value):
        """-log(pi) - log(scale) - log1p(((value - loc) / scale)^2)."""
        value = self._checked(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value):
        """atan((value - loc) / scale) / pi + 1/2."""
        value = self._checked(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        """loc + scale tan(pi (value - 1/2))."""
        return (math.pi * (as_tensor(value, like=self.loc) - 0.5)).tan() * self.scale + self.loc

    def entropy(self):
        """log(4 pi scale)."""
        return math.log(4 * math.pi) + self.scale.log()
