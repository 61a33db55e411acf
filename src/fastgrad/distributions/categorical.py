"""Categorical(probs or logits): one of K classes per batch element."""
import numpy as np

from ..autograd.tensor import Tensor
from ..ops.gathering import gather
from . import constraints
from .distribution import Distribution, _shape, at_least, clamp_probs, draw, lazy_property, probs_or_logits


class Categorical(Distribution):
    """P(k) = probs[..., k] (normalized along the last axis) or softmax(logits)[..., k]; the
    last axis holds the K classes, the others are the batch shape.

    >>> import fastgrad as fg
    >>> Categorical(probs=fg.tensor([1.0, 3.0])).probs.tolist()
    [0.25, 0.75]
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        probs_or_logits(type(self).__name__, probs, logits)
        if probs is not None:
            probs = at_least(1, "probs", type(self).__name__, probs)
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            logits = at_least(1, "logits", type(self).__name__, logits)
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = tuple(self._param.shape[:-1])
        super().__init__(batch_shape=batch_shape, validate_args=validate_args)

    @lazy_property
    def logits(self):
        """log(probs), probs clamped into [eps, 1 - eps]."""
        return clamp_probs(self.probs).log()

    @lazy_property
    def probs(self):
        """softmax(logits) along the last axis."""
        return self.logits.softmax(-1)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return tuple(self._param.shape)

    @property
    def mean(self):
        return Tensor(np.full(self._extended_shape(), np.nan, dtype=self._param.dtype))

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=()):
        """Class indices (int64) of shape sample_shape + batch_shape, by inverse CDF of the probs."""
        sample_shape = _shape(sample_shape)
        k = self._num_events
        cdf = np.cumsum(np.asarray(self.probs._data, dtype=np.float64).reshape(-1, k), axis=-1)
        u = np.asarray(draw("uniform", sample_shape + (cdf.shape[0],), self._param)._data, dtype=np.float64)
        picked = (u[..., None] * cdf[:, -1:] >= cdf).sum(-1)
        return Tensor(np.minimum(picked, k - 1).astype(np.int64).reshape(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        """logits[..., value] (normalized logits), value broadcast against the batch shape."""
        value = self._checked(value)
        index = np.asarray(value._data if isinstance(value, Tensor) else value).astype(np.int64)[..., None]
        shape = np.broadcast_shapes(index.shape, tuple(self.logits.shape[:-1]) + (1,))
        logits = self.logits.expand(*shape[:-1], self._num_events)
        return gather(logits, -1, np.broadcast_to(index, shape)).squeeze(-1)

    def entropy(self):
        """-sum(probs * logits), the logits clamped at the dtype's lowest finite value."""
        lowest = float(np.finfo(self.logits.dtype).min)
        return -(self.logits.clamp(min=lowest) * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """0 .. K-1 along a new first axis (expanded over the batch shape)."""
        values = Tensor(np.arange(self._num_events).reshape((-1,) + (1,) * len(self._batch_shape)))
        return values.expand(self._num_events, *self._batch_shape) if expand else values
