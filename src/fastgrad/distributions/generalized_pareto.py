"""GeneralizedPareto(loc, scale, concentration): the limit law of exceedances over a high threshold,
with cdf 1 - (1 + c z)^(-1/c), z = (x - loc) / scale (1 - exp(-z) at c = 0)."""
import math

import numpy as np

from ..ops.selection import where
from . import constraints
from .distribution import Distribution, broadcast_all, draw


class GeneralizedPareto(Distribution):
    """GPD(loc, scale, concentration c), element by element, on [loc, loc - scale / c] for c < 0 and
    [loc, inf) for c >= 0. With t(z) = log1p(c z) / c (t = z at c = 0):

        log p(x) = -log(scale) - t(z) - log1p(c z),   F(x) = 1 - exp(-t(z)),
        F^-1(u) = loc + scale expm1(-c log1p(-u)) / c

    mean loc + scale / (1 - c) for c < 1 (infinite otherwise), variance
    scale^2 / ((1 - c)^2 (1 - 2 c)) for c < 1/2 (NaN otherwise, as PyTorch's), entropy
    log(scale) + c + 1; reparameterized samples (the quantile function of a uniform draw).

    >>> import fastgrad as fg
    >>> GeneralizedPareto(0.0, 1.0, fg.tensor([0.0, 0.5])).mean.tolist()
    [1.0, 2.0]
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(batch_shape=tuple(self.loc.shape), validate_args=validate_args)

    @property
    def support(self):
        c = self.concentration
        bounded = c._data < 0
        width = where(bounded, -self.scale / where(bounded, c, -1.0), math.inf)
        return constraints.interval(self.loc, self.loc + width)

    def _nonzero_concentration(self):
        """(c == 0 as an array, c with its zeros replaced by 1), so every branch stays finite."""
        zero = self.concentration._data == 0
        return zero, where(zero, 1.0, self.concentration)

    def _t(self, z):
        """log1p(c z) / c; at c = 0 its first-order series z - c z^2 / 2, so the gradient in c is right there."""
        zero, c = self._nonzero_concentration()
        return where(zero, z - self.concentration * z ** 2 / 2, (c * z).log1p() / c)

    @property
    def mean(self):
        finite = self.concentration._data < 1
        c = where(finite, self.concentration, 0.0)
        return where(finite, self.loc + self.scale / (1 - c), math.inf)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        finite = self.concentration._data < 0.5
        c = where(finite, self.concentration, 0.0)
        return where(finite, self.scale ** 2 / ((1 - c) ** 2 * (1 - 2 * c)), np.nan)

    def entropy(self):
        return self.scale.log() + self.concentration + 1

    def log_prob(self, value):
        value = self._checked(value)
        z = (value - self.loc) / self.scale
        return -self.scale.log() - self._t(z) - (self.concentration * z).log1p()

    def cdf(self, value):
        value = self._checked(value)
        return -(-self._t((value - self.loc) / self.scale)).expm1()

    def icdf(self, value):
        t = -(-value).log1p()
        zero, c = self._nonzero_concentration()
        series = t + self.concentration * t ** 2 / 2          # expm1(c t) / c to first order in c, at c = 0
        return self.loc + self.scale * where(zero, series, (c * t).expm1() / c)

    def rsample(self, sample_shape=()):
        """icdf(u) for u uniform on [0, 1): differentiable in loc, scale and concentration."""
        return self.icdf(draw("uniform", self._extended_shape(sample_shape), self.loc))
