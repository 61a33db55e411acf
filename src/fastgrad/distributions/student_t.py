"""StudentT(df, loc, scale): Student's t distribution with df degrees of freedom, shifted and
scaled (needs SciPy for lgamma and digamma, as fastgrad.special does)."""
import math

import numpy as np

from ..ops.selection import where
from ..special import digamma, lgamma
from . import constraints
from .chi2 import Chi2
from .distribution import broadcast_all, draw
from .location_scale import LocAndScale


class StudentT(LocAndScale):
    """loc + scale * t, t of df degrees of freedom; df, loc and scale broadcast to the batch shape.
    The mean exists for df > 1 (NaN otherwise), the variance for df > 2 (infinite for 1 < df <= 2).

    >>> import fastgrad as fg
    >>> StudentT(fg.tensor([3.0, 1.5]), 1.0, 2.0).variance.tolist()
    [12.0, inf]
    """
    arg_constraints = {"df": constraints.positive, **LocAndScale.arg_constraints}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, loc, scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df, validate_args=False)
        super().__init__(loc, scale, validate_args=validate_args)

    @property
    def mean(self):
        return where(self.df._data <= 1, np.nan, self.loc)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df._data
        finite_df = where(df > 2, self.df, 3.0)          # keeps the unused branch finite (and its gradient)
        finite = self.scale ** 2 * finite_df / (finite_df - 2)
        return where(df > 2, finite, where(df > 1, np.inf, np.nan * self.scale.detach()))

    def rsample(self, sample_shape=()):
        """loc + scale * e / sqrt(z / df), e ~ N(0, 1), z ~ Chi2(df): differentiable in all three."""
        e = draw("normal", self._extended_shape(sample_shape), self.loc)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * e * (z / self.df).rsqrt()

    def log_prob(self, value):
        """-(df + 1)/2 log1p(y^2 / df) - log(scale sqrt(df pi) Gamma(df/2) / Gamma((df+1)/2)),
        y = (value - loc) / scale."""
        value = self._checked(value)
        y = (value - self.loc) / self.scale
        normalizer = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + lgamma(0.5 * self.df)
                      - lgamma(0.5 * (self.df + 1)))
        return -0.5 * (self.df + 1) * (y ** 2 / self.df).log1p() - normalizer

    def entropy(self):
        """log(scale) + (df+1)/2 (digamma((df+1)/2) - digamma(df/2)) + log(df)/2 + log B(df/2, 1/2)."""
        half, half_next = 0.5 * self.df, 0.5 * (self.df + 1)
        log_beta = lgamma(half) + math.lgamma(0.5) - lgamma(half_next)
        return (self.scale.log() + half_next * (digamma(half_next) - digamma(half)) + 0.5 * self.df.log()
                + log_beta)
