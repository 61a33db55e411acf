"""kl_divergence pairs of the distributions with vector events (closed forms, PyTorch's registered pairs)."""
from ..special import digamma, lgamma
from .dirichlet import Dirichlet
from .kl import register_kl


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    a, b = p.concentration, q.concentration
    a_total = a.sum(-1)
    expected_log = digamma(a) - digamma(a_total).unsqueeze(-1)
    return (lgamma(a_total) - lgamma(a).sum(-1) - lgamma(b.sum(-1)) + lgamma(b).sum(-1)
            + ((a - b) * expected_log).sum(-1))
