"""Dirichlet(concentration): distributions over the probability simplex, density
prod_k x_k^(a_k - 1) / B(a) (needs SciPy for lgamma and digamma, as fastgrad.special does)."""
from ..nn.functional import one_hot
from ..ops.selection import where
from ..special import digamma, lgamma, xlogy
from . import constraints
from .distribution import at_least, broadcast_all
from .exponential_family import ExponentialFamily
from .gamma_rsample import standard_gamma_rsample


class Dirichlet(ExponentialFamily):
    """Dir(a): the last axis of `concentration` holds the K concentrations of one event, the
    others are the batch shape; mean a / sum(a).

    >>> import fastgrad as fg
    >>> Dirichlet(fg.tensor([1.0, 3.0])).mean.tolist()
    [0.25, 0.75]
    """
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        self.concentration = at_least(1, "concentration", "Dirichlet", concentration)
        shape = tuple(self.concentration.shape)
        super().__init__(batch_shape=shape[:-1], event_shape=shape[-1:], validate_args=validate_args)

    def _total(self):
        return self.concentration.sum(-1, keepdim=True)

    @property
    def mean(self):
        return self.concentration / self._total()

    @property
    def mode(self):
        """(a - 1) / (sum(a) - K) where every a_k >= 1 (a_k < 1 counted as 1); where every a_k < 1
        the density is unbounded at each corner, and this gives the corner of the largest a_k."""
        excess = (self.concentration - 1).clamp(min=0)
        all_below_one = (self.concentration._data < 1).all(-1, keepdims=True)
        interior = excess / where(all_below_one, 1.0, excess.sum(-1, keepdim=True))
        corner = one_hot(self.concentration.argmax(-1), self.concentration.shape[-1]).to(self.concentration.dtype)
        return where(all_below_one, corner, interior)

    @property
    def variance(self):
        total = self._total()
        return self.concentration * (total - self.concentration) / (total ** 2 * (total + 1))

    def rsample(self, sample_shape=()):
        """Gamma(a_k, 1) draws normalized to sum 1 along the last axis: differentiable in a."""
        draws = standard_gamma_rsample(self._extended_shape(sample_shape), self.concentration)
        return draws / draws.sum(-1, keepdim=True)

    def log_prob(self, value):
        """sum_k (a_k - 1) log(value_k) + lgamma(sum(a)) - sum_k lgamma(a_k)."""
        value = self._checked(value)
        a, value = broadcast_all(self.concentration, value)
        return xlogy(a - 1, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    def entropy(self):
        """log B(a) + (sum(a) - K) digamma(sum(a)) - sum_k (a_k - 1) digamma(a_k)."""
        a = self.concentration
        total = a.sum(-1)
        k = a.shape[-1]
        return (lgamma(a).sum(-1) - lgamma(total) + (total - k) * digamma(total)
                - ((a - 1) * digamma(a)).sum(-1))

    # ---- as an exponential family (ExponentialFamily.entropy, kl_divergence by Bregman divergence) ----

    @property
    def _natural_params(self):
        """(concentration,) for T(x) = log x, carrier 1 / prod(x)."""
        return (self.concentration,)

    def _log_normalizer(self, x):
        """sum(lgamma(x)) - lgamma(sum(x))."""
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
