"""HalfCauchy(scale): |x| for x ~ Cauchy(0, scale)."""
import numpy as np

from .cauchy import Cauchy
from .distribution import on_device_of
from .folded import Folded
from .forwarded import forwarded


class HalfCauchy(Folded):
    """|Cauchy(0, scale)|, element by element; infinite mean and variance.

    >>> import fastgrad as fg
    >>> HalfCauchy(fg.tensor([1.0])).cdf(fg.tensor([1.0])).tolist()
    [0.5]
    """
    symmetric = Cauchy

    @property
    def mean(self):
        return on_device_of(self.scale, np.full(self._extended_shape(), np.inf))

    variance = forwarded("base_dist.variance")
