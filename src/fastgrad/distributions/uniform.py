"""Uniform(low, high): the continuous uniform distribution on [low, high)."""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..special import xlogy
from . import constraints
from .distribution import Distribution, broadcast_all, draw


class Uniform(Distribution):
    """U(low, high), element by element; low and high broadcast to the batch shape.

    >>> import fastgrad as fg
    >>> Uniform(0.0, fg.tensor([1.0, 2.0])).mean.tolist()
    [0.5, 1.0]
    """
    arg_constraints = {"low": constraints.dependent, "high": constraints.dependent}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(batch_shape=tuple(self.low.shape), validate_args=validate_args)
        if self._validate_args and not np.all(self.low._data < self.high._data):
            raise ValueError(f"Uniform is not defined when low >= high (low={self.low}, high={self.high})")

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()):
        """low + u (high - low), u ~ U(0, 1): differentiable in low and high."""
        u = draw("uniform", self._extended_shape(sample_shape), self.low)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        """-log(high - low) inside [low, high), -inf outside."""
        value = self._checked(value)
        xp = namespace_of(self.low._data)
        inside = (self.low._data <= value._data) & (self.high._data > value._data)
        outside = Tensor(xp.where(inside, xp.zeros((), dtype=self.low.dtype), xp.full((), -np.inf, dtype=self.low.dtype)))
        return outside - (self.high - self.low).log()

    def cdf(self, value):
        value = self._checked(value)
        return ((value - self.low) / (self.high - self.low)).clamp(0.0, 1.0)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def expected_log(self, reflected=False):
        """E[log x] = (high log high - low log low) / (high - low) - 1 (for low >= 0); with
        reflected=True, E[log(1 - x)] (for high <= 1)."""
        low, high = (1 - self.high, 1 - self.low) if reflected else (self.low, self.high)
        return (xlogy(high, high) - xlogy(low, low)) / (high - low) - 1

    def entropy(self):
        """log(high - low)."""
        return (self.high - self.low).log()
