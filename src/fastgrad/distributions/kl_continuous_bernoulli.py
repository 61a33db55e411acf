"""kl_divergence pairs of ContinuousBernoulli (closed forms, PyTorch's registered pairs); infinite
where q gives zero density to part of p's support. With the uniform distribution the pair is
infinite exactly where the supports stop covering each other: U(0, 1) and U(0, 2) give finite
values (PyTorch's comparisons are inclusive there and give inf)."""
import math

from ..ops.selection import where
from .beta import Beta
from .continuous_bernoulli import ContinuousBernoulli
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .kl import infinite, register_kl
from .kl_univariate import _kl_to_exponential, _kl_to_normal
from .laplace import Laplace
from .normal import Normal
from .pareto import Pareto
from .uniform import Uniform


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    return (p.mean * (p.logits - q.logits) + p._log_norm_constant() + (-p.probs).log1p() - q._log_norm_constant()
            - (-q.probs).log1p())


def _cross_entropy_to_continuous_bernoulli(p, q):
    """-E_p[log q(x)] = -E_p[x] logits_q - log(1 - p_q) - log C(p_q)."""
    return -p.mean * q.logits - (-q.probs).log1p() - q._log_norm_constant()


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return _cross_entropy_to_continuous_bernoulli(p, q) - p.entropy()


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    kl = _cross_entropy_to_continuous_bernoulli(p, q) - p.entropy()
    return where((p.low._data < 0) | (p.high._data > 1), math.inf, kl)


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    kl = (q.high - q.low).log() - p.entropy()
    return where((q.low._data > 0) | (q.high._data < 1), math.inf, kl)


register_kl(ContinuousBernoulli, Normal)(_kl_to_normal)
register_kl(ContinuousBernoulli, Exponential)(_kl_to_exponential)

# q has zero density on part of p's support
for _p, _q in [(ContinuousBernoulli, Pareto), (Exponential, ContinuousBernoulli), (Gamma, ContinuousBernoulli),
               (Gumbel, ContinuousBernoulli), (Laplace, ContinuousBernoulli), (Normal, ContinuousBernoulli),
               (Pareto, ContinuousBernoulli)]:
    register_kl(_p, _q)(infinite)
