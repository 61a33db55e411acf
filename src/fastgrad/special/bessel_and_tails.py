"""torch.special's Bessel, Airy, zeta and tail-accurate normal functions: ndtri, log_ndtr,
erfcx, i0e, i1e, zeta, modified_bessel_i0/i1/k0/k1, scaled_modified_bessel_k0/k1,
bessel_y0/y1, spherical_bessel_j0 and airy_ai.

    import fastgrad as torch
    torch.special.log_ndtr(torch.tensor([-40.0]))     # -804.61, where log(ndtr(x)) is -inf
    torch.special.zeta(2.0, torch.tensor([1.0]))      # pi^2 / 6

The values are SciPy's (fastgrad.scipy.special, imported on first use as the rest of
fastgrad.special's gamma and Bessel functions are); spherical_bessel_j0 is sin(x)/x from
fastgrad's own ops.  Gradients: ndtri, log_ndtr, erfcx, i0e, i1e and zeta (in q only; asking
for x's raises NotImplementedError, as in PyTorch) have PyTorch's.  PyTorch gives the Bessel
and Airy functions no gradient; fastgrad gives them their derivatives (I0' = I1,
K0' = -K1, Y0' = -Y1, Ai' ..., tested against central differences).
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..dtypes import get_default_dtype
from ..ops import promotion as _promotion
from ..ops.selection import where as _where
from .arguments import floating as _floating

__all__ = ["airy_ai", "bessel_y0", "bessel_y1", "erfcx", "i0e", "i1e", "log_ndtr", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "ndtri", "scaled_modified_bessel_k0",
           "scaled_modified_bessel_k1", "spherical_bessel_j0", "zeta"]


def _scipy_special():
    from ..scipy import special   # SciPy is optional: imported on first use, ImportError naming it
    from ..scipy import special_more

    return special, special_more


def _keeping_dtype(y, x):
    return y if y.dtype == x.dtype else y.to(x.dtype)


def _unary(name, module_index, scipy_name, doc):
    def function(input):
        x = _floating(name, input)
        return _keeping_dtype(getattr(_scipy_special()[module_index], scipy_name)(x), x)

    function.__name__ = name
    function.__doc__ = doc
    return function


ndtri = _unary("ndtri", 1, "ndtri", "The quantile of the standard normal distribution: x with ndtr(x) = p, for p "
               "in [0, 1] (-inf at 0, inf at 1); d/dp = sqrt(2 pi) exp(x^2 / 2).\n\n"
               "    >>> torch.special.ndtri(torch.tensor([0.5, 0.975]))   # [0, 1.96]")
log_ndtr = _unary("log_ndtr", 1, "log_ndtr", "log(ndtr(x)), accurate where ndtr(x) underflows (x -> -inf) and "
                  "where it is near 1; d/dx = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi).")
erfcx = _unary("erfcx", 1, "erfcx", "The scaled complementary error function exp(x^2) erfc(x), accurate for large "
               "x (about 1 / (x sqrt(pi))); d/dx = 2 x erfcx(x) - 2/sqrt(pi).")
i0e = _unary("i0e", 1, "i0e", "exp(-|x|) I0(x), the exponentially scaled modified Bessel function of order 0; "
             "d/dx = i1e(x) - sign(x) i0e(x).")
i1e = _unary("i1e", 1, "i1e", "exp(-|x|) I1(x), the exponentially scaled modified Bessel function of order 1; "
             "d/dx = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0.")
modified_bessel_i0 = _unary("modified_bessel_i0", 0, "i0", "I0(x), the modified Bessel function of the first kind "
                            "of order 0; d/dx = I1(x) (PyTorch gives no gradient).")
modified_bessel_i1 = _unary("modified_bessel_i1", 0, "i1", "I1(x), the modified Bessel function of the first kind "
                            "of order 1; d/dx = I0(x) - I1(x)/x (PyTorch gives no gradient).")
modified_bessel_k0 = _unary("modified_bessel_k0", 1, "k0", "K0(x), the modified Bessel function of the second kind "
                            "of order 0 (x > 0; inf at 0, NaN below); d/dx = -K1(x) (PyTorch gives no gradient).")
modified_bessel_k1 = _unary("modified_bessel_k1", 1, "k1", "K1(x), the modified Bessel function of the second kind "
                            "of order 1 (x > 0); d/dx = -K0(x) - K1(x)/x (PyTorch gives no gradient).")
scaled_modified_bessel_k0 = _unary("scaled_modified_bessel_k0", 1, "k0e", "exp(x) K0(x); d/dx = exp(x) (K0(x) - "
                                   "K1(x)) (PyTorch gives no gradient).")
scaled_modified_bessel_k1 = _unary("scaled_modified_bessel_k1", 1, "k1e", "exp(x) K1(x); d/dx = exp(x) (K1(x) (1 - "
                                   "1/x) - K0(x)) (PyTorch gives no gradient).")
bessel_y0 = _unary("bessel_y0", 0, "y0", "Y0(x), the Bessel function of the second kind of order 0 (x > 0; -inf at "
                   "0, NaN below); d/dx = -Y1(x) (PyTorch gives no gradient).")
bessel_y1 = _unary("bessel_y1", 0, "y1", "Y1(x), the Bessel function of the second kind of order 1 (x > 0); "
                   "d/dx = Y0(x) - Y1(x)/x (PyTorch gives no gradient).")
airy_ai = _unary("airy_ai", 1, "airy_ai", "Ai(x), the Airy function of the first kind (the solution of y'' = x y "
                 "that decays as x -> inf); d/dx = Ai'(x) (PyTorch gives no gradient).")


def spherical_bessel_j0(input):
    """j0(x) = sin(x) / x, the spherical Bessel function of the first kind of order 0 (1 at 0,
    where its gradient is 0, and 0 at +-inf); d/dx = (cos(x) - j0(x)) / x.  PyTorch gives no gradient.

    >>> torch.special.spherical_bessel_j0(torch.tensor([0.0, 3.14159265]))   # [1, ~0]
    """
    x = _floating("spherical_bessel_j0", input)
    zero, infinite = x == 0, x.abs() == np.inf
    safe = _where(zero | infinite, 1.0, x)
    return _where(zero, 1.0, _where(infinite, 0.0, safe.sin() / safe))


def zeta(input, other):
    """The Hurwitz zeta function zeta(x, q) = sum_{k >= 0} (k + q)^-x (x = input, q = other; the
    Riemann zeta function at q = 1): inf at x = 1, NaN for x < 1.  Either may be a number.
    Differentiable in q (d/dq = -x zeta(x + 1, q)); a gradient in x raises NotImplementedError,
    as in PyTorch.

    >>> torch.special.zeta(torch.tensor([2.0]), 1.0)   # pi^2 / 6
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _new_tensor(input)
    dtype = _promotion.result_dtype([input, other])
    if dtype.kind in "biu":
        dtype = np.dtype(get_default_dtype())
    x = _floating("zeta", input).to(dtype) if isinstance(input, Tensor) else _new_tensor(np.asarray(input, dtype))
    q = _floating("zeta", other, "other").to(dtype) if isinstance(other, Tensor) else _new_tensor(np.asarray(other, dtype))
    return _keeping_dtype(_scipy_special()[1].zeta(x, q), x)
