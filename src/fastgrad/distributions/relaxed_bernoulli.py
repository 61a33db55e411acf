"""RelaxedBernoulli(temperature, probs or logits): the Concrete / Gumbel-softmax relaxation of a
Bernoulli, values in (0, 1) with reparameterized samples, sharper as temperature goes to 0;
LogitRelaxedBernoulli is the same in logit space (its base)."""
from . import constraints
from .binary_probs import BinaryProbs
from .distribution import as_tensor, broadcast_all, clamp_probs, draw
from .forwarded import forwarded
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform


class Tempered:
    """Mixin: a `temperature` that expand() keeps as it is (it is not batch-shaped)."""

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new.temperature = self.temperature
        return new


class LogitRelaxedBernoulli(Tempered, BinaryProbs):
    """(logit(u) + logit(p)) / temperature for u uniform: the logit of a RelaxedBernoulli draw."""
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature, like=self._param)

    def rsample(self, sample_shape=()):
        """(log u - log(1 - u) + log p - log(1 - p)) / temperature, u and p clamped into [eps, 1 - eps]."""
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(*shape))
        u = clamp_probs(draw("uniform", shape, self._param))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        """log(t) + d - 2 log(1 + exp(d)), d = logits - t value."""
        value = self._checked(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class Relaxed(TransformedDistribution):
    """The shared part of RelaxedBernoulli and RelaxedOneHotCategorical: a relaxed base pushed
    through one transform, its temperature, probs and logits read from the base."""
    has_rsample = True
    relaxed_base = transform = None

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = self.relaxed_base(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, self.transform(), validate_args=validate_args)

    temperature = forwarded("base_dist.temperature")
    logits = forwarded("base_dist.logits")
    probs = forwarded("base_dist.probs")


class RelaxedBernoulli(Relaxed):
    """sigmoid of a LogitRelaxedBernoulli draw: values in (0, 1), differentiable in probs / logits.

    >>> import fastgrad as fg
    >>> RelaxedBernoulli(fg.tensor(0.5), probs=fg.tensor([0.2, 0.9])).rsample((3,)).shape
    (3, 2)
    """
    arg_constraints = BinaryProbs.arg_constraints
    support = constraints.unit_interval
    relaxed_base, transform = LogitRelaxedBernoulli, SigmoidTransform
