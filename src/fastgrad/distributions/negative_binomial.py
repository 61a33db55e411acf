"""NegativeBinomial(total_count, probs or logits): the number of successes before total_count
failures, each trial succeeding with probability probs (log_prob needs SciPy for lgamma, as
fastgrad.special does)."""
from ..nn import functional as F
from ..ops.selection import where
from ..special import lgamma
from . import constraints
from .binary_probs import CountAndProbs
from .distribution import draw_from, host


class NegativeBinomial(CountAndProbs):
    """NB(r = total_count, p = probs = sigmoid(logits)), element by element; mean r p / (1 - p).
    P(k) = C(k + r - 1, k) p^k (1 - p)^r; r may be any nonnegative real.

    >>> import fastgrad as fg
    >>> NegativeBinomial(4.0, fg.tensor([0.5, 0.75])).mean.tolist()
    [4.0, 12.0]
    """
    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        super().__init__(total_count, probs, logits, validate_args=validate_args)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape=()):
        """Poisson(Gamma(total_count, scale p / (1 - p))) counts in the parameter's dtype, cut from the graph."""
        shape = self._extended_shape(sample_shape)
        rates = draw_from("standard_gamma", shape, self._param, host(self.total_count)) * self.logits.detach().exp()
        return draw_from("poisson", shape, self._param, host(rates))

    def log_prob(self, value):
        """r log(1 - p) + k log(p) + lgamma(r + k) - lgamma(k + 1) - lgamma(r) (0 where r + k = 0)."""
        value = self._checked(value)
        log_unnormalized = self.total_count * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        log_normalizer = -lgamma(self.total_count + value) + lgamma(1.0 + value) + lgamma(self.total_count)
        empty = (self.total_count._data + value._data) == 0
        return log_unnormalized - where(empty, 0.0, log_normalizer)
