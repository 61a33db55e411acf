"""scipy.special with gradients.

Each function is SciPy's on plain arrays; on Tensors being differentiated its
derivative below applies (written with fastgrad.numpy and these functions,
so second derivatives work).  Integer orders (n in polygamma, jn, yn, the
order v of iv) and the first arguments of gammainc/betainc are not
differentiated: asking for those gradients raises.
"""
import numpy as _onp
import scipy.special as _sp

from .. import numpy as np
from ..extend import defvjp, primitive
from ._logsumexp import logsumexp  # noqa: F401

_SQRT_PI = _onp.sqrt(_onp.pi)


def _wrap(name):
    fun = primitive(getattr(_sp, name))
    fun.__name__ = name
    fun.__doc__ = f"scipy.special.{name}, differentiable on Tensors."
    return fun


gamma, gammaln, digamma, polygamma, multigammaln, rgamma, gammasgn = map(
    _wrap, ["gamma", "gammaln", "digamma", "polygamma", "multigammaln", "rgamma", "gammasgn"])
psi = digamma
beta, betaln, betainc, gammainc, gammaincc = map(_wrap, ["beta", "betaln", "betainc", "gammainc", "gammaincc"])
erf, erfc, erfinv, erfcinv, expit, logit = map(_wrap, ["erf", "erfc", "erfinv", "erfcinv", "expit", "logit"])
i0, i1, iv, ive = map(_wrap, ["i0", "i1", "iv", "ive"])
j0, j1, jn, y0, y1, yn = map(_wrap, ["j0", "j1", "jn", "y0", "y1", "yn"])


# ---- the gamma family -----------------------------------------------------------
defvjp(gamma, lambda ans, x: lambda g: g * ans * digamma(x))
defvjp(gammaln, lambda ans, x: lambda g: g * digamma(x))
defvjp(digamma, lambda ans, x: lambda g: g * polygamma(1, x))
defvjp(polygamma, None, lambda ans, n, x: lambda g: g * polygamma(n + 1, x))
defvjp(multigammaln, lambda ans, a, d: lambda g: g * np.sum(
    digamma(np.expand_dims(a, -1) - np.arange(d) / 2.0), axis=-1))
defvjp(rgamma, lambda ans, x: lambda g: -g * ans * digamma(x))
defvjp(gammasgn, lambda ans, x: lambda g: g * 0.0)   # piecewise constant
defvjp(beta,
       lambda ans, a, b: lambda g: g * ans * (digamma(a) - digamma(a + b)),
       lambda ans, a, b: lambda g: g * ans * (digamma(b) - digamma(a + b)))
defvjp(betaln,
       lambda ans, a, b: lambda g: g * (digamma(a) - digamma(a + b)),
       lambda ans, a, b: lambda g: g * (digamma(b) - digamma(a + b)))
# The regularized incomplete functions, in their last argument.
defvjp(betainc, None, None,
       lambda ans, a, b, x: lambda g: g * x ** (a - 1) * (1 - x) ** (b - 1) / beta(a, b))
defvjp(gammainc, None, lambda ans, a, x: lambda g: g * np.exp(-x) * x ** (a - 1) / gamma(a))
defvjp(gammaincc, None, lambda ans, a, x: lambda g: -g * np.exp(-x) * x ** (a - 1) / gamma(a))

# ---- error function and logistic --------------------------------------------------
defvjp(erf, lambda ans, x: lambda g: g * 2.0 / _SQRT_PI * np.exp(-x ** 2))
defvjp(erfc, lambda ans, x: lambda g: -g * 2.0 / _SQRT_PI * np.exp(-x ** 2))
defvjp(erfinv, lambda ans, x: lambda g: g * _SQRT_PI / 2 * np.exp(ans ** 2))
defvjp(erfcinv, lambda ans, x: lambda g: -g * _SQRT_PI / 2 * np.exp(ans ** 2))
defvjp(expit, lambda ans, x: lambda g: g * ans * (1 - ans))
defvjp(logit, lambda ans, x: lambda g: g / (x * (1 - x)))

# ---- Bessel functions (recurrences for the derivatives) ---------------------------
defvjp(i0, lambda ans, x: lambda g: g * i1(x))
defvjp(i1, lambda ans, x: lambda g: g * (i0(x) - np.where(x == 0, 0.5, ans / np.where(x == 0, 1.0, x))))
defvjp(iv, None, lambda ans, v, x: lambda g: g * (iv(v - 1, x) + iv(v + 1, x)) / 2)
defvjp(ive, None, lambda ans, v, x: lambda g: g * ((ive(v - 1, x) + ive(v + 1, x)) / 2 - ans * np.sign(x)))
defvjp(j0, lambda ans, x: lambda g: -g * j1(x))
defvjp(j1, lambda ans, x: lambda g: g * (j0(x) - jn(2, x)) / 2)
defvjp(jn, None, lambda ans, n, x: lambda g: g * (jn(n - 1, x) - jn(n + 1, x)) / 2)
defvjp(y0, lambda ans, x: lambda g: -g * y1(x))
defvjp(y1, lambda ans, x: lambda g: g * (y0(x) - yn(2, x)) / 2)
defvjp(yn, None, lambda ans, n, x: lambda g: g * (yn(n - 1, x) - yn(n + 1, x)) / 2)

# ---- scaled and second-kind Bessel functions, normal tails, Hurwitz zeta (special_more.py) --------
from .special_more import erfcx, i0e, i1e, k0, k0e, k1, k1e, log_ndtr, ndtri, zeta  # noqa: E402,F401
