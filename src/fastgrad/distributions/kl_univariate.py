"""kl_divergence pairs of the univariate continuous distributions beyond Normal and Uniform
(closed forms, PyTorch's registered pairs): most are KL(p || q) = -entropy(p) - E_p[log q(x)],
with E_p[log q] written from p's mean, variance or expected log; infinite where q gives zero
density to part of p's support."""
import math

from ..ops.elementwise import erf
from ..ops.selection import where
from ..special import digamma, lgamma, xlogy
from .beta import Beta, log_beta
from .distribution import LOG_SQRT_2PI
from .exponential import Exponential
from .gamma import Gamma
from .kl import infinite, kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .normal import Normal
from .uniform import Uniform


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    gap = (p.loc - q.loc).abs()
    return (q.scale / p.scale).log() - 1 + (gap + p.scale * (-gap / p.scale).exp()) / q.scale


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p, q):
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    a, b, c, d = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    digamma_total = digamma(a + b)
    return (log_beta(c, d) - log_beta(a, b) + (a - c) * (digamma(a) - digamma_total)
            + (b - d) * (digamma(b) - digamma_total))


@register_kl(Exponential, Normal)
@register_kl(Laplace, Normal)
@register_kl(Gamma, Normal)
@register_kl(Beta, Normal)
def _kl_to_normal(p, q):
    cross_entropy = q.scale.log() + LOG_SQRT_2PI + (p.variance + (p.mean - q.loc) ** 2) / (2 * q.scale ** 2)
    return cross_entropy - p.entropy()


@register_kl(Exponential, Gamma)
@register_kl(Gamma, Gamma)
@register_kl(Beta, Gamma)
def _kl_to_gamma(p, q):
    c, r = q.concentration, q.rate
    expected_log_q = xlogy(c, r) - lgamma(c) + (c - 1) * p.expected_log() - r * p.mean
    return -expected_log_q - p.entropy()


@register_kl(Gamma, Exponential)
@register_kl(Beta, Exponential)
def _kl_to_exponential(p, q):
    return q.rate * p.mean - q.rate.log() - p.entropy()


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = (q.high - q.low).log() - p.entropy()
    return where((q.low._data > 0) | (q.high._data < 1), math.inf, result)


@register_kl(Uniform, Exponential)
@register_kl(Uniform, Gamma)
def _kl_uniform_positive(p, q):
    """Infinite where the Uniform reaches below 0, outside q's support."""
    kl = (_kl_to_exponential if isinstance(q, Exponential) else _kl_to_gamma)(p, q)
    return where(p.low._data < 0, math.inf, kl)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    a, b = q.concentration1, q.concentration0
    expected_log_q = (a - 1) * p.expected_log() + (b - 1) * p.expected_log(reflected=True) - log_beta(a, b)
    return where((p.low._data < 0) | (p.high._data > 1), math.inf, -expected_log_q - p.entropy())


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    gap = p.loc - q.loc
    mean_abs_gap = (p.scale * math.sqrt(2 / math.pi) * (-(gap ** 2) / (2 * p.scale ** 2)).exp()
                    + gap * erf(gap / (p.scale * math.sqrt(2))))
    return (2 * q.scale).log() + mean_abs_gap / q.scale - p.entropy()


# q has zero density on part of p's support
for _p, _q in [(Normal, Uniform), (Normal, Exponential), (Normal, Gamma), (Normal, Beta), (Laplace, Exponential),
               (Laplace, Gamma), (Laplace, Beta), (Laplace, Uniform), (Exponential, Beta), (Exponential, Uniform),
               (Gamma, Beta), (Gamma, Uniform)]:
    register_kl(_p, _q)(infinite)
