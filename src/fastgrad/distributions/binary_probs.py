"""BinaryProbs: the probs / logits parametrization shared by Bernoulli, Geometric, Binomial and
NegativeBinomial (a success probability p, or logits = log(p / (1 - p))), each computed from the
other on first use; CountAndProbs adds a count of trials (Binomial, NegativeBinomial)."""
from . import constraints
from .distribution import Distribution, as_tensor, broadcast_all, clamp_probs, lazy_property, probs_or_logits


class BinaryProbs(Distribution):
    """Give exactly one of probs in [0, 1] or logits; the other is derived when asked for."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}

    def __init__(self, probs=None, logits=None, validate_args=None):
        (param,) = broadcast_all(probs_or_logits(type(self).__name__, probs, logits))
        self._store(param, probs is not None)
        super().__init__(batch_shape=tuple(param.shape), validate_args=validate_args)

    def _store(self, param, is_probs):
        if is_probs:
            self.probs = param
        else:
            self.logits = param
        self._param = param

    @lazy_property
    def logits(self):
        """log(p) - log(1 - p), p clamped into [eps, 1 - eps]."""
        p = clamp_probs(self.probs)
        return p.log() - (-p).log1p()

    @lazy_property
    def probs(self):
        """sigmoid(logits)."""
        return self.logits.sigmoid()

    @property
    def param_shape(self):
        return tuple(self._param.shape)


class CountAndProbs(BinaryProbs):
    """total_count and the probability broadcast to the batch shape, the count in the
    probability's dtype (as in PyTorch)."""

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        param = as_tensor(probs_or_logits(type(self).__name__, probs, logits))
        param, total_count = broadcast_all(param, total_count)
        self.total_count = total_count.to(param.dtype)
        self._store(param, probs is not None)
        Distribution.__init__(self, batch_shape=tuple(param.shape), validate_args=validate_args)
