"""fastgrad.special: PyTorch's torch.special, differentiable.

    import fastgrad as torch
    torch.special.gammaln(x)
    torch.special.xlogy(p, q)

The gamma, Bessel and inverse-error functions (gammaln, digamma, polygamma, multigammaln,
erfc, erfinv, i0, i1, gammainc, gammaincc, bessel_j0, bessel_j1) are fastgrad.scipy.special's,
so they need SciPy (installed with scikit-learn or `pip install scipy`; without it they raise
ImportError); the others are composed from fastgrad's own ops.  fastgrad.lgamma, digamma,
polygamma, erfc, erfinv, logit, xlogy, i0 and sinc are these functions at the top level, and
Tensor methods, as in PyTorch.  The scaled and second-kind Bessel functions, Airy, zeta and
the normal tails (ndtri, log_ndtr, erfcx) are in bessel_and_tails.py (SciPy's values
too), the orthogonal polynomials (NumPy recurrences, no gradient) in polynomials.py.
"""
import math

import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..torch_functions.everyday import erf, logsumexp
from ..ops import elementwise as _elementwise, methods as _methods
from ..ops.activations import sigmoid as _sigmoid
from ..ops.selection import where as _where
from ..torch_functions.tensor_methods import log_softmax, softmax
from .arguments import floating as _floating

__all__ = ["bessel_j0", "bessel_j1", "digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1",
           "gammainc", "gammaincc", "gammaln", "i0", "i1", "log1p", "log_softmax", "logit", "logsumexp",
           "multigammaln", "ndtr", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy"]


def _scipy():
    from ..scipy import special   # SciPy is optional: imported on first use, ImportError naming it

    return special


def _from_scipy(name, doc):
    def function(input):
        return getattr(_scipy(), name)(_floating(name, input))

    function.__name__ = name
    function.__doc__ = doc
    return function


gammaln = _from_scipy("gammaln", "log|Gamma(x)|; d/dx = digamma(x).")
digamma = _from_scipy("digamma", "d/dx log Gamma(x); its derivative is polygamma(1, x).")
psi = digamma
erfc = _from_scipy("erfc", "1 - erf(x), accurate where erf(x) is near 1; d/dx = -2/sqrt(pi) exp(-x^2).")
erfinv = _from_scipy("erfinv", "The inverse of erf on (-1, 1); d/dx = sqrt(pi)/2 exp(erfinv(x)^2).")
i0 = _from_scipy("i0", "The modified Bessel function of the first kind, order 0; d/dx = i1(x).")
i1 = _from_scipy("i1", "The modified Bessel function of the first kind, order 1.")
bessel_j0 = _from_scipy("j0", "The Bessel function of the first kind, order 0; d/dx = -j1(x).")
bessel_j1 = _from_scipy("j1", "The Bessel function of the first kind, order 1.")
bessel_j0.__name__, bessel_j1.__name__ = "bessel_j0", "bessel_j1"


def _order(op, n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"special.{op}: argument 'n' must be a non-negative int, got {n!r}")
    return int(n)


def polygamma(n, input):
    """The n-th derivative of digamma (n = 0: digamma itself)."""
    n = _order("polygamma", n)
    x = _floating("polygamma", input)
    y = digamma(x) if n == 0 else _scipy().polygamma(n, x)
    return y if y.dtype == x.dtype else y.to(x.dtype)   # SciPy's polygamma computes in double


def multigammaln(input, p):
    """The log of the multivariate gamma function of dimension p (input > (p - 1) / 2)."""
    p = _order("multigammaln", p)
    x = _floating("multigammaln", input)
    if p < 1:
        raise ValueError(f"special.multigammaln: argument 'p' must be at least 1, got {p}")
    if x.numel() and not bool(np.all(np.asarray(x._data) > (p - 1) / 2)):
        raise ValueError(f"special.multigammaln: all elements must be greater than (p - 1) / 2 = {(p - 1) / 2}")
    y = _scipy().multigammaln(x, p)
    return y if y.dtype == x.dtype else y.to(x.dtype)   # SciPy's multigammaln computes in double


def _incomplete(name, doc):
    def function(input, other):
        a, x = _floating(name, input), _floating(name, other, "other")
        if a.requires_grad:
            raise ValueError(f"special.{name}: the gradient with respect to argument 'input' (the shape a) is not "
                             "implemented, as in PyTorch; detach it")
        return getattr(_scipy(), name)(a.detach(), x)

    function.__name__ = name
    function.__doc__ = doc
    return function


gammainc = _incomplete("gammainc", "The regularized lower incomplete gamma function P(a, x); differentiable in x.")
gammaincc = _incomplete("gammaincc",
                        "The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x); differentiable in x.")


# ---- composed from fastgrad's ops --------------------------------------------------------------

def expit(input):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return _sigmoid(_floating("expit", input))


def logit(input, eps=None):
    """log(x / (1 - x)); with eps, x is first clamped to [eps, 1 - eps] (no gradient outside)."""
    x = _floating("logit", input)
    if eps is not None:
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 0.5:
            raise ValueError(f"special.logit: argument 'eps' must be a number in [0, 0.5], got {eps!r}")
        x = x.clamp(eps, 1 - eps)
    return x.log() - (-x).log1p()


def _second(op, other, like):
    if isinstance(other, Tensor):
        return _floating(op, other, "other")
    return _new_tensor(np.asarray(other, dtype=like.dtype))


class _XLogY(Function):
    """x * log(y) (log1p when ctx.shifted), 0 where x == 0 unless y is NaN, with PyTorch's
    gradients: d/dx = log(y), 0 where x == 0 and y is outside the log's domain; d/dy = x / y."""

    @staticmethod
    def forward(ctx, b, x, y, shifted):
        xp = b.xp
        ctx.shifted = shifted
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            product = x * (xp.log1p(y) if shifted else xp.log(y))
        return xp.where((x == 0) & (y == y), xp.zeros_like(product), product)

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        xp = b.xp
        shifted = ctx.shifted
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                outside = (x == 0) & (y <= (-1.0 if shifted else 0.0))
                gx = xp.where(outside, 0.0, g * (xp.log1p(y) if shifted else xp.log(y)))
            if ctx.needs_input_grad[1]:
                gy = g * x / ((1.0 + y) if shifted else y)
        return gx, gy, None


def _x_times(op, input, other, shifted):
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        y = _floating(op, other, "other")
        x = _new_tensor(np.asarray(input, dtype=y.dtype))
    else:
        x = _floating(op, input)
        y = _second(op, other, x)
    return _XLogY.apply(x, y, shifted)


def xlogy(input, other):
    """x * log(y), 0 where x == 0 (NaN where y is NaN); either may be a number."""
    return _x_times("xlogy", input, other, False)


def xlog1py(input, other):
    """x * log1p(y), 0 where x == 0 (NaN where y is NaN); either may be a number."""
    return _x_times("xlog1py", input, other, True)


class _Entr(Function):
    """-x log(x) for x > 0, 0 at 0, -inf for x < 0; d/dx = -(1 + log(x)) (inf at 0 and NaN
    below, as PyTorch's)."""

    @staticmethod
    def forward(ctx, b, x):
        xp = b.xp
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            inside = -x * xp.log(xp.where(x > 0, x, xp.ones_like(x)))
        return xp.where(x > 0, inside, xp.where(x == 0, xp.zeros_like(x), xp.where(x < 0, -np.inf, x)))

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g * (1.0 + b.xp.log(x))


def entr(input):
    """-x log(x) for x > 0, 0 at 0, -inf for x < 0 (NaN stays NaN)."""
    return _Entr.apply(_floating("entr", input))


def sinc(input):
    """sin(pi x) / (pi x), 1 at 0 (where its gradient is 0)."""
    x = _floating("sinc", input)
    zero = x == 0
    scaled = _where(zero, 1.0, x) * math.pi
    return _where(zero, 1.0, scaled.sin() / scaled)


def ndtr(input):
    """The standard normal distribution function: (1 + erf(x / sqrt(2))) / 2."""
    return 0.5 * (1.0 + erf(_floating("ndtr", input) * (1.0 / math.sqrt(2.0))))


def exp2(input):
    """2 ** x."""
    return 2.0 ** _floating("exp2", input)


def expm1(input):
    """exp(x) - 1, accurate near 0."""
    return _elementwise.expm1(_floating("expm1", input))


def log1p(input):
    """log(1 + x), accurate near 0."""
    return _floating("log1p", input).log1p()


def round(input, *, decimals=0):
    """Round half to even, to `decimals` places (zero gradient, as PyTorch)."""
    x = input if isinstance(input, Tensor) else _new_tensor(input)
    return x.round(decimals=decimals) if decimals else x.round()


# ---- at the top level, and Tensor methods, as PyTorch ----------------------------------------

lgamma = gammaln


def _polygamma_method(self, n):
    return polygamma(n, self)


TOP_LEVEL = {"lgamma": lgamma, "digamma": digamma, "polygamma": polygamma, "erfc": erfc, "erfinv": erfinv,
             "logit": logit, "xlogy": xlogy, "i0": i0, "sinc": sinc}
_methods.bind({**{name: f for name, f in TOP_LEVEL.items() if name != "polygamma"},
               "polygamma": _polygamma_method})

# ---- Bessel, Airy, zeta, normal tails and orthogonal polynomials (their own modules) -----------
from .bessel_and_tails import *  # noqa: E402,F401,F403
from .polynomials import *  # noqa: E402,F401,F403
from . import bessel_and_tails as _bessel_and_tails, polynomials as _polynomials  # noqa: E402

__all__ += _bessel_and_tails.__all__ + _polynomials.__all__
