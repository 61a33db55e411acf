"""FisherSnedecor(df1, df2): the F distribution, (X1 / df1) / (X2 / df2) for independent
X1 ~ Chi2(df1), X2 ~ Chi2(df2) (needs SciPy for lgamma, as Gamma does)."""
import numpy as np

from ..ops.selection import where
from ..special import lgamma
from . import constraints
from .distribution import Distribution, broadcast_all
from .gamma import Gamma


class FisherSnedecor(Distribution):
    """F(df1, df2), element by element; density
    x^(df1/2 - 1) (df1/df2)^(df1/2) (1 + df1 x / df2)^(-(df1 + df2)/2) / B(df1/2, df2/2) on x > 0.
    Mean df2 / (df2 - 2) for df2 > 2, variance 2 df2^2 (df1 + df2 - 2) / (df1 (df2 - 2)^2 (df2 - 4))
    for df2 > 4, mode (df1 - 2) df2 / (df1 (df2 + 2)) for df1 > 2 (NaN where undefined, as PyTorch's);
    reparameterized samples, differentiable in both df.

    >>> import fastgrad as fg
    >>> FisherSnedecor(fg.tensor([3.0]), 6.0).mean.tolist()
    [1.5]
    """
    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        super().__init__(batch_shape=tuple(self.df1.shape), validate_args=validate_args)

    @property
    def mean(self):
        defined = self.df2._data > 2
        df2 = where(defined, self.df2, 3.0)          # keeps the unused branch finite (and its gradient)
        return where(defined, df2 / (df2 - 2), np.nan)

    @property
    def mode(self):
        defined = self.df1._data > 2
        df1 = where(defined, self.df1, 3.0)
        return where(defined, (df1 - 2) / df1 * self.df2 / (self.df2 + 2), np.nan)

    @property
    def variance(self):
        defined = self.df2._data > 4
        df2 = where(defined, self.df2, 5.0)
        value = 2 * df2 ** 2 * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2) ** 2 * (df2 - 4))
        return where(defined, value, np.nan)

    def rsample(self, sample_shape=()):
        """g1 / g2 with g_i ~ Gamma(df_i / 2, rate df_i / 2) (each a Chi2(df_i) / df_i), kept above the
        dtype's smallest normal number; differentiable through Gamma's implicit gradient."""
        shape = self._extended_shape(sample_shape)
        half1, half2 = 0.5 * self.df1, 0.5 * self.df2
        numerator = Gamma(half1, half1, validate_args=False).rsample(sample_shape).expand(*shape)
        denominator = Gamma(half2, half2, validate_args=False).rsample(sample_shape).expand(*shape)
        tiny = float(np.finfo(numerator.dtype).tiny)
        return (numerator / denominator).clamp(min=tiny)

    def log_prob(self, value):
        """lgamma((a + b)) - lgamma(a) - lgamma(b) + a log(df1 / df2) + (a - 1) log(x)
        - (a + b) log1p(df1 x / df2), with a = df1 / 2, b = df2 / 2."""
        value = self._checked(value)
        a, b = 0.5 * self.df1, 0.5 * self.df2
        ratio = self.df1 / self.df2
        log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
        return a * ratio.log() + (a - 1) * value.log() - (a + b) * (ratio * value).log1p() - log_beta
