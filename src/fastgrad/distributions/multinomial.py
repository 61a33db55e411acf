"""Multinomial(total_count, probs or logits): counts of each of K classes in total_count
independent Categorical draws (log_prob and entropy need SciPy for lgamma, as fastgrad.special does)."""
import math
import numbers

import numpy as np

from ..creation import default_generator
from ..ops.selection import where
from ..special import lgamma
from . import constraints
from .binomial import Binomial
from .categorical_events import CategoricalEvents
from .distribution import _shape, broadcast_all, host, on_device_of


class Multinomial(CategoricalEvents):
    """Counts over the last axis (K classes) of total_count draws from Categorical(probs or logits);
    mean n p, variance n p (1 - p) per class.

    >>> import fastgrad as fg
    >>> Multinomial(10, probs=fg.tensor([0.2, 0.8])).mean.tolist()
    [2.0, 8.0]
    """
    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if isinstance(total_count, bool) or not isinstance(total_count, numbers.Integral):
            raise NotImplementedError(f"Multinomial: total_count must be one int for the whole batch (an "
                                      f"inhomogeneous total_count is not supported), got {total_count!r}")
        self.total_count = int(total_count)
        super().__init__(probs, logits, validate_args=validate_args)

    @property
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """Counts in the probabilities' dtype, of shape sample_shape + batch_shape + (K,), cut from the graph."""
        shape = self._extended_shape(_shape(sample_shape))
        probs = np.asarray(host(self.probs), dtype=np.float64)
        probs = np.broadcast_to(probs / probs.sum(-1, keepdims=True), shape)
        return on_device_of(self.probs, default_generator().multinomial(self.total_count, probs))

    def log_prob(self, value):
        """lgamma(n + 1) - sum_k lgamma(x_k + 1) + sum_k x_k log p_k (0 log 0 = 0)."""
        value = self._checked(value)
        logits, value = broadcast_all(self.logits, value)
        logits = where((value._data == 0) & (logits._data == -np.inf), 0.0, logits)
        return lgamma(value.sum(-1) + 1) - lgamma(value + 1).sum(-1) + (logits * value).sum(-1)

    def entropy(self):
        """n H(Categorical) - lgamma(n + 1) + sum_k E[lgamma(x_k + 1)], x_k ~ Binomial(n, p_k)."""
        n = self.total_count
        binomial = Binomial(n, probs=self.probs, validate_args=False)
        counts = binomial.enumerate_support(expand=False)[1:]
        weights = lgamma(counts + 1)
        expected = (binomial.log_prob(counts).exp() * weights).sum(0).sum(-1)
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected
