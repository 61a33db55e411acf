"""The Dirichlet distribution: pdf logpdf (in x and alpha); rvs is SciPy's."""
import scipy.stats as _st

from ... import numpy as np
from ..special import gammaln


def logpdf(x, alpha):
    return np.sum((alpha - 1) * np.log(x), axis=-1) + gammaln(np.sum(alpha, axis=-1)) - np.sum(
        gammaln(alpha), axis=-1)


def pdf(x, alpha):
    return np.exp(logpdf(x, alpha))


rvs = _st.dirichlet.rvs
