"""Kumaraswamy(concentration1, concentration0): density a b x^(a - 1) (1 - x^a)^(b - 1) on
(0, 1), (1 - u^(1/b))^(1/a) for u uniform (moments and entropy need SciPy for lgamma and digamma)."""
import numpy as np

from ..ops.selection import where
from ..special import digamma, lgamma
from . import constraints
from .distribution import broadcast_all, on_device_of
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform


def _moment(a, b, n):
    """E[x^n] = b B(1 + n/a, b)."""
    first = 1 + n / a
    return b * (lgamma(first) + lgamma(b) - lgamma(first + b)).exp()


class Kumaraswamy(TransformedDistribution):
    """Kumaraswamy(a = concentration1, b = concentration0), element by element; reparameterized samples.

    >>> import fastgrad as fg
    >>> Kumaraswamy(fg.tensor([1.0]), 1.0).mean.tolist()
    [0.5]
    """
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        shape = tuple(self.concentration0.shape)
        base = Uniform(on_device_of(self.concentration0, np.zeros(shape)), on_device_of(self.concentration0, np.ones(shape)),
                       validate_args=validate_args)
        transforms = [PowerTransform(self.concentration0.reciprocal()), AffineTransform(1.0, -1.0),
                      PowerTransform(self.concentration1.reciprocal())]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        return _moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        """((a - 1) / (a b - 1))^(1/a) for a, b >= 1 (NaN otherwise)."""
        a, b = self.concentration1, self.concentration0
        defined = (a._data >= 1) & (b._data >= 1) & ((a._data > 1) | (b._data > 1))
        safe_a, safe_b = where(defined, a, 2.0), where(defined, b, 2.0)
        mode = ((safe_a - 1) / (safe_a * safe_b - 1)) ** safe_a.reciprocal()
        return where(defined, mode, np.nan)

    @property
    def variance(self):
        return _moment(self.concentration1, self.concentration0, 2) - self.mean ** 2

    def entropy(self):
        """(1 - 1/b) + (1 - 1/a) H_b - log(a b), H_b = digamma(b + 1) + euler_gamma."""
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        harmonic = digamma(self.concentration0 + 1) + np.euler_gamma
        return t0 + t1 * harmonic - self.concentration1.log() - self.concentration0.log()
