"""Bernoulli(probs or logits): a 0/1 draw per element, 1 with probability probs = sigmoid(logits)."""
import numpy as np

from ..autograd.tensor import Tensor
from ..nn import functional as F
from . import constraints
from .binary_probs import BinaryProbs
from .distribution import as_tensor, broadcast_all, draw
from .exponential_family import ExponentialFamily
from .forwarded import forwarded


def binary_cross_entropy_with_logits(logits, target):
    """softplus(logits) - target * logits, elementwise, differentiable in both (softplus written
    as -logsigmoid(-x), which is stable for large |x|)."""
    return -F.logsigmoid(-logits) - target * logits


class Bernoulli(BinaryProbs, ExponentialFamily):
    """P(1) = probs, P(0) = 1 - probs; give probs in [0, 1] or logits = log(probs / (1 - probs)).

    >>> import fastgrad as fg
    >>> Bernoulli(logits=fg.tensor([0.0])).probs.tolist()
    [0.5]
    """
    support = constraints.boolean
    has_enumerate_support = True

    mean = forwarded("probs")

    @property
    def mode(self):
        p = self.probs._data
        return Tensor(np.where(p == 0.5, np.nan, (p >= 0.5)).astype(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """0.0 / 1.0 draws in the parameter's dtype, cut from the graph."""
        shape = self._extended_shape(sample_shape)
        u = draw("uniform", shape, self._param)
        return Tensor((u._data < np.broadcast_to(self.probs._data, shape)).astype(self._param.dtype))

    def log_prob(self, value):
        """value log(p) + (1 - value) log(1 - p), through the logits (stable)."""
        value = self._checked(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value)

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        """[0, 1] along a new first axis (expanded over the batch shape)."""
        values = as_tensor(np.arange(2).reshape((-1,) + (1,) * len(self._batch_shape)), like=self._param)
        return values.expand(2, *self._batch_shape) if expand else values

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(logits,) for T(x) = x."""
        return (self.logits,)

    def _log_normalizer(self, x):
        """log(1 + exp(x))."""
        return F.softplus(x)

    _mean_carrier_measure = 0
