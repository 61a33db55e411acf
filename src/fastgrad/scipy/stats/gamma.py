"""The gamma distribution with shape a (scale 1): pdf logpdf (in x and a), cdf (in x)."""
import scipy.stats as _st

from ... import numpy as np
from ..special import gammainc, gammaln


def logpdf(x, a):
    return (a - 1) * np.log(x) - x - gammaln(a)


def pdf(x, a):
    return np.exp(logpdf(x, a))


def cdf(x, a):
    return gammainc(a, x)


rvs = _st.gamma.rvs
