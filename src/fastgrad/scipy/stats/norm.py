"""The normal distribution N(loc, scale^2): pdf logpdf cdf logcdf sf logsf."""
import scipy.stats as _st

from ... import numpy as np
from ._ndtr import log_ndtr, ndtr, standard_logpdf


def logpdf(x, loc=0.0, scale=1.0):
    return standard_logpdf((x - loc) / scale) - np.log(scale)


def pdf(x, loc=0.0, scale=1.0):
    return np.exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    return ndtr((x - loc) / scale)


def logcdf(x, loc=0.0, scale=1.0):
    return log_ndtr((x - loc) / scale)


def sf(x, loc=0.0, scale=1.0):
    return ndtr((loc - x) / scale)


def logsf(x, loc=0.0, scale=1.0):
    return log_ndtr((loc - x) / scale)


rvs = _st.norm.rvs
