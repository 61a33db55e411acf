"""Student's t distribution with df degrees of freedom: pdf logpdf cdf logcdf
(cdf and logcdf are differentiable in x and loc, not in df or scale)."""
import numpy as _onp
import scipy.stats as _st

from ... import numpy as np
from ...extend import defvjp, primitive
from ..special import gammaln


def logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return (gammaln((df + 1) / 2.0) - gammaln(df / 2.0) - 0.5 * np.log(df * _onp.pi) - np.log(scale)
            - (df + 1) / 2.0 * np.log1p(z ** 2 / df))


def pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(logpdf(x, df, loc, scale))


_cdf = primitive(_st.t.cdf)
_logcdf = primitive(_st.t.logcdf)


def _dz(ans, x, df, loc=0.0, scale=1.0):
    return lambda g: g * pdf(x, df, loc, scale)


def _dloc(ans, x, df, loc=0.0, scale=1.0):
    return lambda g: -g * pdf(x, df, loc, scale)


def _log(make):
    def of_log(ans, x, df, loc=0.0, scale=1.0):
        return lambda g: make(ans, x, df, loc, scale)(g) / np.exp(ans)
    return of_log


defvjp(_cdf, _dz, None, _dloc)
defvjp(_logcdf, _log(_dz), None, _log(_dloc))


def cdf(x, df, loc=0.0, scale=1.0):
    return _cdf(x, df, loc, scale)


def logcdf(x, df, loc=0.0, scale=1.0):
    return _logcdf(x, df, loc, scale)


rvs = _st.t.rvs
