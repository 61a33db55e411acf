"""kl_divergence(p, q) = E_p[log p(x) - log q(x)], closed forms per pair of distribution types,
with PyTorch's registry (`register_kl`) and its formulas for the pairs of Normal, Uniform,
Bernoulli and Categorical it defines (infinite where q gives zero mass to p's support)."""
import math

import numpy as np

from ..autograd.tensor import Tensor
from ..nn import functional as F
from ..ops.selection import where
from .bernoulli import Bernoulli
from .categorical import Categorical
from .normal import Normal
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY = {}


def register_kl(type_p, type_q):
    """Decorator: fn(p, q) computes KL(p || q) for p of type_p and q of type_q (or subclasses)."""
    for kind in (type_p, type_q):
        if not isinstance(kind, type):
            raise TypeError(f"register_kl: expected distribution classes, got {kind!r}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn
    return decorator


def _lookup(type_p, type_q):
    """The registered function of the closest (type_p, type_q) ancestors, or None."""
    best, best_rank = None, None
    for (p, q), fn in _KL_REGISTRY.items():
        if issubclass(type_p, p) and issubclass(type_q, q):
            rank = (type_p.__mro__.index(p), type_q.__mro__.index(q))
            if best_rank is None or rank < best_rank:
                best, best_rank = fn, rank
    return best


def kl_divergence(p, q):
    """KL(p || q), of the broadcast batch shape of p and q.

    >>> import fastgrad as fg
    >>> kl_divergence(Normal(0.0, 1.0), Normal(0.0, 1.0)).item()
    0.0
    """
    fn = _lookup(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p of type {type(p).__name__} and q of type "
                                  f"{type(q).__name__}")
    return fn(p, q)


def infinite(p, q):
    """KL(p || q) where q has zero density on part of p's support: infinite, of p's batch shape."""
    return Tensor(np.full(p.batch_shape, math.inf, dtype=p.mean.dtype))


def _data(t):
    return t._data


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (_data(q.low) > _data(p.low)) | (_data(q.high) < _data(p.high))
    return where(outside, math.inf, result)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t2 = width ** 2 / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2) ** 2
    return t1 + 0.5 * (t2 + t3) / q.scale ** 2


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = where(_data(p.probs) == 0, 0.0, where(_data(q.probs) == 0, math.inf, t1))
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = where(_data(p.probs) == 1, 0.0, where(_data(q.probs) == 1, math.inf, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    shape = tuple(t.shape)
    t = where(np.broadcast_to(_data(q.probs) == 0, shape), math.inf, t)
    t = where(np.broadcast_to(_data(p.probs) == 0, shape), 0.0, t)
    return t.sum(-1)
