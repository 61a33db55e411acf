"""RelaxedOneHotCategorical(temperature, probs or logits): the Concrete / Gumbel-softmax
relaxation of a OneHotCategorical, points of the simplex with reparameterized samples;
ExpRelaxedCategorical is its log (its base)."""
import math

from . import constraints
from .categorical_events import CategoricalEvents
from .distribution import as_tensor, broadcast_all, clamp_probs, draw
from .relaxed_bernoulli import Relaxed, Tempered
from .transforms import ExpTransform


class ExpRelaxedCategorical(Tempered, CategoricalEvents):
    """log_softmax((logits + g) / temperature), g standard Gumbel draws: the log of a
    RelaxedOneHotCategorical draw (the last axis holds the K classes)."""
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature, like=self._categorical._param)

    def rsample(self, sample_shape=()):
        """(logits + g) / temperature normalized by its logsumexp, g = -log(-log u): differentiable."""
        u = clamp_probs(draw("uniform", self._extended_shape(sample_shape), self.logits))
        scores = (self.logits - (-u.log()).log()) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def log_prob(self, value):
        """lgamma(K) + (K - 1) log t + sum_k (s_k - logsumexp(s)), s = logits - t value."""
        k = self._categorical._num_events
        value = self._checked(value)
        logits, value = broadcast_all(self.logits, value)
        score = logits - value * self.temperature
        score = (score - score.logsumexp(-1, keepdim=True)).sum(-1)
        return score + (k - 1) * self.temperature.log() + math.lgamma(k)


class RelaxedOneHotCategorical(Relaxed):
    """exp of an ExpRelaxedCategorical draw: points of the simplex, differentiable in probs / logits.

    >>> import fastgrad as fg
    >>> RelaxedOneHotCategorical(fg.tensor(0.5), logits=fg.zeros(4)).rsample((2,)).shape
    (2, 4)
    """
    arg_constraints = CategoricalEvents.arg_constraints
    support = constraints.simplex
    relaxed_base, transform = ExpRelaxedCategorical, ExpTransform
