"""kl_divergence pairs of the count and one-hot distributions (closed forms, PyTorch's registered pairs)."""
import math

import numpy as np

from ..ops.selection import where
from ..special import xlogy
from .bernoulli import Bernoulli
from .binomial import Binomial
from .distribution import host
from .kl import _kl_bernoulli_bernoulli, infinite, kl_divergence, register_kl
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return xlogy(p.rate, p.rate / q.rate) - p.rate + q.rate


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """n KL(Bernoulli(p) || Bernoulli(q)) for equal counts; infinite where p has more trials."""
    p_count, q_count = np.broadcast_arrays(host(p.total_count), host(q.total_count))
    if np.any(p_count < q_count):
        raise NotImplementedError("kl_divergence(Binomial, Binomial): p.total_count < q.total_count is not implemented")
    kl = p.total_count * _kl_bernoulli_bernoulli(p, q)
    return where(np.broadcast_to(p_count > q_count, tuple(kl.shape)), math.inf, kl)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_one_hot(p, q):
    return kl_divergence(p._categorical, q._categorical)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return q.rate - xlogy(p.probs, q.rate) - p.entropy()


register_kl(Poisson, Bernoulli)(infinite)
register_kl(Poisson, Binomial)(infinite)
