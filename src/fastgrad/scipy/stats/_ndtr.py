"""The standard normal CDF and its logarithm, with gradients."""
import numpy as _onp
import scipy.special as _sp

from ... import numpy as np
from ...extend import defvjp, primitive

_LOG_SQRT_2PI = 0.5 * _onp.log(2 * _onp.pi)


def standard_logpdf(z):
    return -0.5 * z ** 2 - _LOG_SQRT_2PI


ndtr = primitive(_sp.ndtr)
log_ndtr = primitive(_sp.log_ndtr)
defvjp(ndtr, lambda ans, z: lambda g: g * np.exp(standard_logpdf(z)))
defvjp(log_ndtr, lambda ans, z: lambda g: g * np.exp(standard_logpdf(z) - ans))
