"""Reparameterized Gamma(alpha, 1) draws: a draw z is a function of alpha through its quantile
u = P(alpha, z) held fixed (P the regularized lower incomplete gamma function, Gamma's CDF), so
by the implicit function theorem dz/dalpha = -(dP/dalpha)(alpha, z) / p(z; alpha), p the density."""
import numpy as np

from ..autograd.primitive import Primitive
from ..autograd.tensor import Tensor
from .distribution import draw_from


def standard_gamma_grad(alpha, z):
    """dz/dalpha for draws z of Gamma(alpha, 1) (float64 host arrays of one shape).

    From P(alpha, z) = sum_k z^(alpha + k) e^-z / Gamma(alpha + k + 1), a series of positive terms,
    dP/dalpha = sum_k term_k (log z - digamma(alpha + k + 1)); over the density
    z^(alpha - 1) e^-z / Gamma(alpha), term k is w_k = z^(k + 1) Gamma(alpha) / Gamma(alpha + k + 1),
    with w_0 = z / alpha and w_k = w_(k-1) z / (alpha + k).  The terms past their peak (k near
    z - alpha) fall faster than a Gaussian of width sqrt(z), so max(z - alpha, 0) + 12 sqrt(z + 1) + 40
    of them reach the float64 limit.  The signs of the terms differ, and the sum loses about
    log10(1 / (1 - u)) digits where u = P(alpha, z) is near 1 (the far upper tail: 1e-6 of the
    draws lose 6 digits of 16).
    """
    from scipy.special import digamma   # SciPy, as fastgrad's lgamma and digamma
    log_z = np.log(z)
    terms = int(np.ceil(np.max(np.maximum(z - alpha, 0) + 12 * np.sqrt(z + 1) + 40))) if z.size else 0
    weight = z / alpha
    digamma_k = digamma(alpha + 1)
    total = weight * (log_z - digamma_k)
    for k in range(1, terms):
        weight = weight * z / (alpha + k)
        digamma_k = digamma_k + 1 / (alpha + k)
        total += weight * (log_z - digamma_k)
    return -total


class _StandardGammaDraw(Primitive):
    """The given draws of Gamma(alpha, 1), differentiable in alpha (first derivatives)."""

    @staticmethod
    def forward(ctx, b, alpha, draws):
        ctx.save_for_backward(alpha, draws)
        return draws

    @staticmethod
    def backward(ctx, b, g):
        if isinstance(g, Tensor):
            raise NotImplementedError("Gamma.rsample: second derivatives of a reparameterized gamma draw "
                                      "(create_graph=True) are not implemented")
        alpha, draws = ctx.saved_arrays
        to_host = (lambda a: a.get()) if b.xp is not np else np.asarray
        slope = standard_gamma_grad(to_host(alpha).astype(np.float64), to_host(draws).astype(np.float64))
        return g * b.xp.asarray(slope.astype(g.dtype)), None


def standard_gamma_rsample(shape, concentration):
    """Gamma(concentration, 1) draws of `shape`, differentiable in concentration; kept at or above
    the dtype's smallest normal number (tiny concentrations round draws to 0)."""
    draws = draw_from("standard_gamma", shape, concentration, concentration)
    draws = draws.clamp(min=float(np.finfo(draws.dtype).tiny))
    return _StandardGammaDraw.apply(concentration.expand(*shape), draws)
