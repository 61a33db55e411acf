"""The Poisson distribution with mean mu: pmf logpmf cdf (in mu)."""
import numpy as _onp
import scipy.stats as _st

from ... import numpy as np
from ..special import gammaincc, gammaln


def logpmf(k, mu):
    return k * np.log(mu) - mu - gammaln(k + 1)


def pmf(k, mu):
    return np.exp(logpmf(k, mu))


def cdf(k, mu):
    return gammaincc(_onp.floor(k) + 1, mu)


rvs = _st.poisson.rvs
