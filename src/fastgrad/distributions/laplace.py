"""Laplace(loc, scale): the double exponential, density exp(-|x - loc| / scale) / (2 scale)."""
import math

from ..ops.elementwise import expm1
from .distribution import as_tensor
from .location_scale import LocationScale


class Laplace(LocationScale):
    """Laplace(loc, scale), element by element; loc and scale broadcast to the batch shape.

    >>> import fastgrad as fg
    >>> Laplace(0.0, fg.tensor([1.0, 2.0])).variance.tolist()
    [2.0, 8.0]
    """
    standard_draw = "laplace"

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale ** 2

    def log_prob(self, value):
        """-log(2 scale) - |value - loc| / scale."""
        value = self._checked(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        """1/2 + sign(value - loc) (1 - exp(-|value - loc| / scale)) / 2."""
        value = self._checked(value)
        shifted = value - self.loc
        return 0.5 - 0.5 * shifted.sign() * expm1(-shifted.abs() / self.scale)

    def icdf(self, value):
        """loc - scale sign(value - 1/2) log(1 - 2 |value - 1/2|)."""
        centered = as_tensor(value, like=self.loc) - 0.5
        return self.loc - self.scale * centered.sign() * (-2 * centered.abs()).log1p()

    def entropy(self):
        """1 + log(2 scale)."""
        return 1 + (2 * self.scale).log()
