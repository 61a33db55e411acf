"""BinaryProbs: the probs / logits parametrization shared by Bernoulli and Binomial (a success
probability p, or logits = log(p / (1 - p))), each computed from the other on first use."""
from . import constraints
from .distribution import Distribution, clamp_probs, lazy_property


class BinaryProbs(Distribution):
    """Give exactly one of probs in [0, 1] or logits; the other is derived when asked for."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}

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
