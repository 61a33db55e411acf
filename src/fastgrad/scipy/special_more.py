"""More of scipy.special with gradients: the exponentially scaled Bessel functions i0e, i1e,
k0e, k1e, the modified Bessel functions of the second kind k0, k1, the normal quantile ndtri,
log_ndtr (accurate far into the left tail), the scaled complementary error function erfcx
(accurate for large x), the Hurwitz zeta function zeta(x, q) (differentiable in q only), and
the Airy function Ai with its derivative (airy_ai, airy_aip: scipy.special.airy's first two
results).  Values are SciPy's; derivatives are written with these functions and
fastgrad.numpy, so second derivatives work.

    from fastgrad.scipy.special import log_ndtr
    log_ndtr(fastgrad.tensor([-40.0]))        # -804.6, where log(ndtr(x)) underflows
"""
import numpy as _onp
import scipy.special as _sp

from .. import numpy as np
from ..extend import defvjp, primitive

__all__ = ["airy_ai", "airy_aip", "erfcx", "i0e", "i1e", "k0", "k0e", "k1", "k1e", "log_ndtr", "ndtri", "zeta"]

_SQRT_2PI = _onp.sqrt(2 * _onp.pi)
_SQRT_PI = _onp.sqrt(_onp.pi)


def _wrap(name, fun, doc):
    wrapped = primitive(fun)
    wrapped.__name__ = name
    wrapped.__doc__ = doc
    return wrapped


i0e = _wrap("i0e", _sp.i0e, "exp(-|x|) I0(x); d/dx = i1e(x) - sign(x) i0e(x).")
i1e = _wrap("i1e", _sp.i1e, "exp(-|x|) I1(x); d/dx = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0.")
k0 = _wrap("k0", _sp.k0, "The modified Bessel function of the second kind K0(x), x > 0; d/dx = -k1(x).")
k1 = _wrap("k1", _sp.k1, "The modified Bessel function of the second kind K1(x), x > 0; d/dx = -k0(x) - k1(x)/x.")
k0e = _wrap("k0e", _sp.k0e, "exp(x) K0(x); d/dx = k0e(x) - k1e(x).")
k1e = _wrap("k1e", _sp.k1e, "exp(x) K1(x); d/dx = k1e(x) (1 - 1/x) - k0e(x).")
ndtri = _wrap("ndtri", _sp.ndtri, "The inverse of the standard normal distribution function on [0, 1]; "
              "d/dp = sqrt(2 pi) exp(ndtri(p)^2 / 2).")
log_ndtr = _wrap("log_ndtr", _sp.log_ndtr, "log of the standard normal distribution function, accurate for very "
                 "negative x; d/dx = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi).")
erfcx = _wrap("erfcx", _sp.erfcx, "exp(x^2) erfc(x), accurate for large x; d/dx = 2 x erfcx(x) - 2/sqrt(pi).")
zeta = _wrap("zeta", _sp.zeta, "The Hurwitz zeta function sum_k (k + q)^-x; d/dq = -x zeta(x + 1, q) (no "
             "derivative in x).")
airy_ai = _wrap("airy_ai", lambda x: _sp.airy(x)[0], "The Airy function Ai(x); d/dx = airy_aip(x).")
airy_aip = _wrap("airy_aip", lambda x: _sp.airy(x)[1], "The derivative Ai'(x) of the Airy function; "
                 "d/dx = x Ai(x).")


def _over_x(y, x, at_zero):
    """y / x, with the limit at_zero where x == 0."""
    zero = x == 0
    return np.where(zero, at_zero, y / np.where(zero, 1.0, x))


defvjp(i0e, lambda ans, x: lambda g: g * (i1e(x) - np.sign(x) * ans))
defvjp(i1e, lambda ans, x: lambda g: g * (i0e(x) - _over_x(ans, x, 0.5) - np.sign(x) * ans))
defvjp(k0, lambda ans, x: lambda g: -g * k1(x))
defvjp(k1, lambda ans, x: lambda g: -g * (k0(x) + ans / x))
defvjp(k0e, lambda ans, x: lambda g: g * (ans - k1e(x)))
defvjp(k1e, lambda ans, x: lambda g: g * (ans - ans / x - k0e(x)))
defvjp(ndtri, lambda ans, p: lambda g: g * _SQRT_2PI * np.exp(ans * ans / 2))
defvjp(log_ndtr, lambda ans, x: lambda g: g * np.exp(-x * x / 2 - ans) / _SQRT_2PI)
defvjp(erfcx, lambda ans, x: lambda g: g * (2 * x * ans - 2 / _SQRT_PI))
defvjp(zeta, None, lambda ans, x, q: lambda g: -g * x * zeta(x + 1, q))
defvjp(airy_ai, lambda ans, x: lambda g: g * airy_aip(x))
defvjp(airy_aip, lambda ans, x: lambda g: g * x * airy_ai(x))
