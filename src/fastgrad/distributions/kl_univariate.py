"""kl_divergence pairs of the univariate continuous distributions beyond Normal and Uniform
(closed forms, PyTorch's registered pairs): each KL(p || q) is -entropy(p) - E_p[log q(x)],
with E_p[log q] written from p's moments."""
import math

from ..ops.elementwise import erf
from .distribution import LOG_SQRT_2PI
from .exponential import Exponential
from .kl import register_kl
from .laplace import Laplace
from .normal import Normal


def _normal_cross_entropy(q, mean, variance):
    """-E_p[log q(x)] for q Normal, from p's mean and variance."""
    return q.scale.log() + LOG_SQRT_2PI + (variance + (mean - q.loc) ** 2) / (2 * q.scale ** 2)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    gap = (p.loc - q.loc).abs()
    return (q.scale / p.scale).log() - 1 + (gap + p.scale * (-gap / p.scale).exp()) / q.scale


@register_kl(Exponential, Normal)
@register_kl(Laplace, Normal)
def _kl_to_normal(p, q):
    return _normal_cross_entropy(q, p.mean, p.variance) - p.entropy()


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    gap = p.loc - q.loc
    mean_abs_gap = (p.scale * math.sqrt(2 / math.pi) * (-(gap ** 2) / (2 * p.scale ** 2)).exp()
                    + gap * erf(gap / (p.scale * math.sqrt(2))))
    return (2 * q.scale).log() + mean_abs_gap / q.scale - p.entropy()
