"""The chi-squared distribution with df degrees of freedom: pdf logpdf cdf (in x)."""
import numpy as _onp
import scipy.stats as _st

from ... import numpy as np
from ..special import gammainc, gammaln


def logpdf(x, df):
    k = df / 2.0
    return (k - 1) * np.log(x) - x / 2.0 - k * _onp.log(2.0) - gammaln(k)


def pdf(x, df):
    return np.exp(logpdf(x, df))


def cdf(x, df):
    return gammainc(df / 2.0, x / 2.0)


rvs = _st.chi2.rvs
