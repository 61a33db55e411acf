"""kl_divergence pairs of the distributions with vector events (closed forms, PyTorch's registered pairs)."""
from ..special import digamma, lgamma
from .dirichlet import Dirichlet
from .distribution import sum_rightmost
from .independent import Independent
from .kl import kl_divergence, register_kl


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
