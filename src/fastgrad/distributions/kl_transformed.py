"""kl_divergence of two TransformedDistributions through the same transforms: a bijection leaves
KL unchanged, so it is the KL of their bases (PyTorch's registered pair)."""
from .kl import kl_divergence, register_kl
from .transformed_distribution import TransformedDistribution


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    if p.transforms != q.transforms:
        raise NotImplementedError("kl_divergence(TransformedDistribution, TransformedDistribution): the transforms "
                                  "differ; only distributions through the same transforms are implemented")
    if p.event_shape != q.event_shape:
        raise NotImplementedError("kl_divergence(TransformedDistribution, TransformedDistribution): the event "
                                  f"shapes differ ({p.event_shape} vs {q.event_shape})")
    return kl_divergence(p.base_dist, q.base_dist)
