"""ContinuousBernoulli(probs or logits): the density C(p) p^x (1 - p)^(1 - x) on [0, 1], with
C(p) = 2 atanh(1 - 2p) / (1 - 2p) (2 where p = 1/2). Near p = 1/2 the closed forms lose their
digits to cancellation, so inside `lims` (default (0.499, 0.501)) Taylor expansions in p - 1/2
are used, as in PyTorch."""
import math

from ..ops.selection import where
from . import constraints
from .bernoulli import binary_cross_entropy_with_logits
from .binary_probs import BinaryProbs
from .distribution import clamp_probs, draw, lazy_property
from .exponential_family import ExponentialFamily


class ContinuousBernoulli(BinaryProbs, ExponentialFamily):
    """CB(p), element by element; reparameterized samples by its inverse cdf.

    >>> import fastgrad as fg
    >>> ContinuousBernoulli(fg.tensor([0.5])).mean.tolist()
    [0.5]
    """
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        super().__init__(probs, logits, validate_args=validate_args)
        if probs is not None:
            self.probs = self._param = clamp_probs(self.probs)
        self._lims = lims

    @lazy_property
    def probs(self):
        """sigmoid(logits), clamped into [eps, 1 - eps]."""
        return clamp_probs(self.logits.sigmoid())

    def _stable(self):
        """Where p is outside lims, and the closed forms are accurate (a boolean array)."""
        p = self.probs._data
        return (p <= self._lims[0]) | (p > self._lims[1])

    def _cut_probs(self):
        """p where stable, else lims[0] (keeps the unused closed-form branch finite)."""
        return where(self._stable(), self.probs, self._lims[0])

    def _log_norm_constant(self):
        """log C(p) = log|log(1 - p) - log p| - log|1 - 2p|; log 2 + (4/3 + 104/45 x) x with
        x = (p - 1/2)^2 near 1/2."""
        cut = self._cut_probs()
        below = cut._data <= 0.5
        log_norm = ((-cut).log1p() - cut.log()).abs().log() - where(
            below, (-2.0 * where(below, cut, 0.0)).log1p(), (2.0 * where(cut._data >= 0.5, cut, 1.0) - 1.0).log())
        x = (self.probs - 0.5) ** 2
        return where(self._stable(), log_norm, math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x)

    @property
    def mean(self):
        """p / (2p - 1) + 1 / (log(1 - p) - log p); 1/2 + (1/3 + 16/45 x^2) x with x = p - 1/2 near 1/2."""
        cut = self._cut_probs()
        exact = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        x = self.probs - 0.5
        return where(self._stable(), exact, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x ** 2) * x)

    @property
    def variance(self):
        """p (p - 1) / (1 - 2p)^2 + 1 / (log(1 - p) - log p)^2; 1/12 - (1/15 - 128/945 x) x with
        x = (p - 1/2)^2 near 1/2."""
        cut = self._cut_probs()
        exact = cut * (cut - 1.0) / (1.0 - 2.0 * cut) ** 2 + 1.0 / ((-cut).log1p() - cut.log()) ** 2
        x = (self.probs - 0.5) ** 2
        return where(self._stable(), exact, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    def rsample(self, sample_shape=()):
        """icdf(u), u uniform: differentiable in the parameter."""
        return self.icdf(draw("uniform", self._extended_shape(sample_shape), self._param))

    def log_prob(self, value):
        """x log p + (1 - x) log(1 - p) + log C(p), through the logits."""
        value = self._checked(value)
        return -binary_cross_entropy_with_logits(self.logits, value) + self._log_norm_constant()

    def cdf(self, value):
        """(p^x (1 - p)^(1 - x) + p - 1) / (2p - 1) (x near 1/2: value itself), 0 below 0 and 1 above 1."""
        value = self._checked(value)
        cut = self._cut_probs()
        inside = where(self._stable(), (cut ** value * (1.0 - cut) ** (1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0),
                       value)
        return where(value._data <= 0.0, 0.0, where(value._data >= 1.0, 1.0, inside))

    def icdf(self, value):
        """(log(1 - p + u (2p - 1)) - log(1 - p)) / (log p - log(1 - p)); u itself near p = 1/2."""
        cut = self._cut_probs()
        exact = (((2.0 * cut - 1.0) * value - cut).log1p() - (-cut).log1p()) / (cut.log() - (-cut).log1p())
        return where(self._stable(), exact, value)

    def entropy(self):
        """mean (log(1 - p) - log p) - log C(p) - log(1 - p)."""
        log_q, log_p = (-self.probs).log1p(), self.probs.log()
        return self.mean * (log_q - log_p) - self._log_norm_constant() - log_q

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(logits,) for T(x) = x."""
        return (self.logits,)

    def _log_normalizer(self, x):
        """log of the integral of exp(x t) over [0, 1] = log(expm1(x) / x); near 0 its series
        x / 2 + x^2 / 24 - x^4 / 2880."""
        small = abs(x._data) < 1e-2
        safe = where(small, 1.0, x)
        series = x / 2 + x ** 2 / 24 - x ** 4 / 2880
        return where(small, series, (safe.expm1() / safe).log())

    _mean_carrier_measure = 0
