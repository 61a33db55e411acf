"""Binomial(total_count, probs or logits): successes in total_count independent trials (log_prob
needs SciPy for lgamma, as fastgrad.special does)."""
import numpy as np

from ..nn import functional as F
from ..special import lgamma
from . import constraints
from .binary_probs import CountAndProbs
from .distribution import as_tensor, broadcast_all, draw_from, host


class Binomial(CountAndProbs):
    """Binomial(n = total_count, p = probs = sigmoid(logits)), element by element; n and the
    probability broadcast to the batch shape (n in the probability's dtype, as in PyTorch).

    >>> import fastgrad as fg
    >>> Binomial(10, fg.tensor([0.2, 0.5])).mean.tolist()
    [2.0, 5.0]
    """
    arg_constraints = {"total_count": constraints.nonnegative_integer, **CountAndProbs.arg_constraints}
    has_enumerate_support = True

    @property
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """Success counts in the probability's dtype, of shape sample_shape + batch_shape, cut from the graph."""
        trials = host(self.total_count).astype(np.int64)
        return draw_from("binomial", self._extended_shape(sample_shape), self.probs, trials, host(self.probs))

    def log_prob(self, value):
        """log C(n, value) + value log(p) + (n - value) log(1 - p), through the logits:
        value * logits - n * softplus(logits)."""
        value = self._checked(value)
        n, logits, value = broadcast_all(self.total_count, self.logits, value)
        log_choose = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_choose + value * logits - n * F.softplus(logits)

    def _common_count(self, op):
        counts = host(self.total_count)
        if counts.size and counts.min() != counts.max():
            raise NotImplementedError(f"Binomial.{op}: total_count differs across the batch; it needs one count")
        return int(counts.max()) if counts.size else 0

    def enumerate_support(self, expand=True):
        """0 .. n along a new first axis (expanded over the batch shape); one n for the whole batch."""
        n = self._common_count("enumerate_support")
        values = as_tensor(np.arange(n + 1).reshape((-1,) + (1,) * len(self._batch_shape)), like=self._param)
        return values.expand(n + 1, *self._batch_shape) if expand else values

    def entropy(self):
        """-sum_k P(k) log P(k) over k = 0 .. n; one n for the whole batch."""
        self._common_count("entropy")
        log_p = self.log_prob(self.enumerate_support(expand=False))
        return -(log_p.exp() * log_p).sum(0)
