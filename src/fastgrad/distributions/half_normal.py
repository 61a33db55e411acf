"""HalfNormal(scale): |x| for x ~ Normal(0, scale)."""
import math

from .folded import Folded
from .normal import Normal


class HalfNormal(Folded):
    """|N(0, scale^2)|, element by element; mean scale sqrt(2 / pi).

    >>> import fastgrad as fg
    >>> HalfNormal(fg.tensor([1.0, 2.0])).cdf(fg.tensor([0.0, 0.0])).tolist()
    [0.0, 0.0]
    """
    symmetric = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale ** 2 * (1 - 2 / math.pi)
