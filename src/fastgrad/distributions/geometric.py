"""Geometric(probs or logits): the number of failures before the first success of independent
trials that succeed with probability probs, P(k) = (1 - p)^k p."""
import numpy as np

from ..ops.selection import where
from . import constraints
from .bernoulli import binary_cross_entropy_with_logits
from .binary_probs import BinaryProbs
from .distribution import draw


class Geometric(BinaryProbs):
    """Geometric(p), element by element, p in (0, 1]; mean 1/p - 1.

    >>> import fastgrad as fg
    >>> Geometric(fg.tensor([0.5, 0.25])).mean.tolist()
    [1.0, 3.0]
    """
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(probs, logits, validate_args=validate_args)
        if self._validate_args and probs is not None and not np.all(self.probs._data > 0):
            raise ValueError(f"Expected parameter probs (Tensor of shape {tuple(self.probs.shape)}) of distribution "
                             f"{self!r} to be positive but found invalid values:\n{self.probs}")

    @property
    def mean(self):
        return 1 / self.probs - 1

    @property
    def mode(self):
        return self.probs * 0

    @property
    def variance(self):
        return (1 / self.probs - 1) / self.probs

    def sample(self, sample_shape=()):
        """floor(log(u) / log(1 - p)), u uniform in (0, 1): failure counts in the parameter's dtype."""
        u = draw("uniform", self._extended_shape(sample_shape), self._param)
        u = u.clamp(min=float(np.finfo(u.dtype).tiny))
        return (u.log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value):
        """value log(1 - p) + log(p), with 0 log(0) = 0 where p = 1."""
        value = self._checked(value)
        certain = (self.probs._data == 1) & (value._data == 0)
        probs = where(certain, 0.0, self.probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        """The Bernoulli(p) entropy / p."""
        return binary_cross_entropy_with_logits(self.logits, self.probs) / self.probs
