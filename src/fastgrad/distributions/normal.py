"""Normal(loc, scale): the Gaussian distribution, with reparameterized samples loc + scale * eps."""
import math

from ..ops.elementwise import erf
from .distribution import LOG_SQRT_2PI, as_tensor
from .exponential_family import ExponentialFamily
from .location_scale import LocationScale


class Normal(LocationScale, ExponentialFamily):
    """N(loc, scale^2), element by element; loc and scale broadcast to the batch shape.

    >>> import fastgrad as fg
    >>> d = Normal(fg.tensor([0.0, 1.0]), 2.0)
    >>> d.batch_shape, d.sample((5,)).shape
    ((2,), (5, 2))
    """
    standard_draw = "normal"

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def log_prob(self, value):
        """-(value - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))."""
        value = self._checked(value)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - LOG_SQRT_2PI

    def cdf(self, value):
        """(1 + erf((value - loc) / (scale sqrt(2)))) / 2."""
        value = self._checked(value)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        """loc + scale sqrt(2) erfinv(2 value - 1) (erfinv from SciPy, an optional dependency)."""
        from ..special import erfinv
        return self.loc + self.scale * erfinv(2 * as_tensor(value, like=self.loc) - 1) * math.sqrt(2)

    def entropy(self):
        """1/2 + log(sqrt(2 pi)) + log(scale)."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(loc / scale^2, -1 / (2 scale^2)) for T(x) = (x, x^2)."""
        return self.loc / self.scale ** 2, -0.5 * self.scale ** -2

    def _log_normalizer(self, x, y):
        """-x^2 / (4 y) + log(pi / -y) / 2."""
        return -0.25 * x ** 2 / y + 0.5 * (-math.pi / y).log()

    _mean_carrier_measure = 0
