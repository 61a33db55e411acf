"""OneHotCategorical(probs or logits): a Categorical draw written as a one-hot vector of length K."""
import numpy as np

from ..nn.functional import one_hot
from . import constraints
from .categorical_events import CategoricalEvents
from .distribution import as_tensor, at_least, probs_or_logits
from .forwarded import forwarded


class OneHotCategorical(CategoricalEvents):
    """Categorical(probs or logits) with one-hot events: the last axis of the parameter holds the
    K classes (the event shape is (K,)), the others are the batch shape.

    >>> import fastgrad as fg
    >>> OneHotCategorical(probs=fg.tensor([0.0, 1.0])).sample().tolist()
    [0.0, 1.0]
    """
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        given = probs_or_logits("OneHotCategorical", probs, logits)
        at_least(1, "probs" if probs is not None else "logits", "OneHotCategorical", given)
        super().__init__(probs, logits, validate_args=validate_args)

    def _one_hot(self, index):
        return one_hot(index, self._event_shape[0]).to(self._categorical._param.dtype)

    mean = forwarded("probs")

    @property
    def mode(self):
        return self._one_hot(self.probs.argmax(-1))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """One-hot rows in the parameter's dtype, of shape sample_shape + batch_shape + (K,)."""
        return self._one_hot(self._categorical.sample(sample_shape))

    def log_prob(self, value):
        """The Categorical's log_prob of the index of the one in each row."""
        value = self._checked(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot rows along a new first axis (expanded over the batch shape)."""
        k = self._event_shape[0]
        values = as_tensor(np.eye(k).reshape((k,) + (1,) * len(self._batch_shape) + (k,)),
                           like=self._categorical._param)
        return values.expand(k, *self._batch_shape, k) if expand else values
