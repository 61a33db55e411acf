"""kl_divergence pairs of the distributions with vector events (closed forms, PyTorch's registered pairs)."""
from ..special import digamma, lgamma
from .dirichlet import Dirichlet
from .distribution import sum_rightmost
from .independent import Independent
from .kl import kl_divergence, register_kl
from .low_rank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal, half_log_det, solve_lower


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    a, b = p.concentration, q.concentration
    a_total = a.sum(-1)
    expected_log = digamma(a) - digamma(a_total).unsqueeze(-1)
    return (lgamma(a_total) - lgamma(a).sum(-1) - lgamma(b.sum(-1)) + lgamma(b).sum(-1)
            + ((a - b) * expected_log).sum(-1))


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    n = p.reinterpreted_batch_ndims
    if n != q.reinterpreted_batch_ndims:
        raise NotImplementedError("kl_divergence(Independent, Independent): the two reinterpret different numbers "
                                  f"of batch axes ({n} and {q.reinterpreted_batch_ndims})")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), n)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """log(det q / det p) / 2 + (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - n) / 2, through
    the Cholesky factors: tr(Sq^-1 Sp) = |Lq^-1 Lp|^2 (Frobenius)."""
    if p.event_shape != q.event_shape:
        raise ValueError(f"kl_divergence(MultivariateNormal, MultivariateNormal): event shapes {p.event_shape} and "
                         f"{q.event_shape} differ")
    n = p.event_shape[0]
    trace = (solve_lower(q.scale_tril, p.scale_tril) ** 2).sum((-2, -1))
    mahalanobis = (solve_lower(q.scale_tril, (q.loc - p.loc).unsqueeze(-1)) ** 2).sum((-2, -1))
    return half_log_det(q.scale_tril) - half_log_det(p.scale_tril) + 0.5 * (trace + mahalanobis - n)


# The closed form above reads only loc, scale_tril and event_shape, which LowRankMultivariateNormal has too.
for _p, _q in [(LowRankMultivariateNormal, LowRankMultivariateNormal), (MultivariateNormal, LowRankMultivariateNormal),
               (LowRankMultivariateNormal, MultivariateNormal)]:
    register_kl(_p, _q)(_kl_mvn_mvn)
