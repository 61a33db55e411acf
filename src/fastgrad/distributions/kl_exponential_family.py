"""kl_divergence between two members of one exponential family without a closed form of their own
(two Wisharts, say): the Bregman divergence of the family's log-normalizer."""
from .exponential_family import ExponentialFamily, bregman_divergence
from .kl import register_kl


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_exponential_families(p, q):
    if type(p) is not type(q):
        raise NotImplementedError(f"No KL(p || q) is implemented for p of type {type(p).__name__} and q of type "
                                  f"{type(q).__name__} (two different exponential families)")
    return bregman_divergence(p, q)
