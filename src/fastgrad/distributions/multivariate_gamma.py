"""The multivariate gamma function's log and its derivative (Wishart, LKJCholesky), written with
lgamma and digamma so that they are differentiable (needs SciPy, as fastgrad.special does)."""
import math

import numpy as np

from ..special import digamma, lgamma
from .distribution import as_tensor


def _shifted(a, p):
    """a[..., None] - (0, 1/2, ..., (p - 1)/2): the arguments of the product's factors."""
    return a.unsqueeze(-1) - as_tensor(np.arange(p) / 2, like=a)


def multivariate_lgamma(a, p):
    """log Gamma_p(a) = p (p - 1) / 4 log(pi) + sum_{i<p} lgamma(a - i/2), for a Tensor a > (p - 1)/2."""
    return p * (p - 1) / 4 * math.log(math.pi) + lgamma(_shifted(a, p)).sum(-1)


def multivariate_digamma(a, p):
    """d/da log Gamma_p(a) = sum_{i<p} digamma(a - i/2)."""
    return digamma(_shifted(a, p)).sum(-1)
