"""PyTorch's in-place samplers beside uniform_ and normal_: Tensor.exponential_, geometric_,
cauchy_, log_normal_ and random_.  Each fills the tensor with draws from the default generator
(fastgrad.manual_seed reproduces them) or from `generator=`, and follows the rules of the other
in-place methods (ops/inplace.py); like fill_, the tensor's old values get a zero gradient.

    exponential_(lambd)      density lambd * exp(-lambd x), x >= 0
    geometric_(p)            P(k) = (1 - p)^(k - 1) p, k = 1, 2, ...
    cauchy_(median, sigma)   density 1 / (pi sigma (1 + ((x - median) / sigma)^2))
    log_normal_(mean, std)   exp(N(mean, std^2))
    random_(from, to)        integers uniform in [from, to); random_(to) is [0, to); random_()
                             covers [0, 2^mantissa bits] for floats, [0, max] for integers

    import fastgrad as torch
    torch.manual_seed(0)
    waits = torch.empty(1000).exponential_(2.0)     # mean 0.5
"""
import operator

import numpy as np

from ..ops import methods as _methods
from ..ops.inplace import _random as _filled_by, in_place

__all__ = []


def _floating(op, self):
    if self.dtype.kind != "f":
        raise TypeError(f"{op}: expects a floating-point tensor, got {self.dtype}")


def _positive(op, name, value):
    if not value > 0:
        raise ValueError(f"{op}: argument '{name}' must be positive, got {value}")


def _no_other_keywords(op, kwargs):
    if kwargs:
        raise TypeError(f"{op}: unexpected keyword argument {sorted(kwargs)[0]!r}")


def _exponential(rng, shape, first, _, **kwargs):
    lambd = kwargs.pop("lambd", 1.0) if first is None else first
    _no_other_keywords("exponential_", kwargs)
    _positive("exponential_", "lambd", lambd)
    return rng.exponential(1.0 / lambd, size=shape)


def _geometric(rng, shape, first, _, **kwargs):
    p = kwargs.pop("p", None) if first is None else first
    _no_other_keywords("geometric_", kwargs)
    if p is None:
        raise TypeError("geometric_: missing the probability of success 'p'")
    if not 0 < p < 1:
        raise ValueError(f"geometric_: argument 'p' must lie in (0, 1), got {p}")
    return rng.geometric(p, size=shape)


def _cauchy(rng, shape, first, second, **kwargs):
    median = kwargs.pop("median", 0.0) if first is None else first
    sigma = kwargs.pop("sigma", 1.0) if second is None else second
    _no_other_keywords("cauchy_", kwargs)
    _positive("cauchy_", "sigma", sigma)
    return median + sigma * rng.standard_cauchy(size=shape)


def _log_normal(rng, shape, first, second, **kwargs):
    mean = kwargs.pop("mean", 1.0) if first is None else first
    std = kwargs.pop("std", 2.0) if second is None else second
    _no_other_keywords("log_normal_", kwargs)
    _positive("log_normal_", "std", std)
    return rng.lognormal(mean, std, size=shape)


def _largest_exact(dtype):
    """The largest integer random_() draws for a dtype: 2^(mantissa bits) for floats (every
    integer up to it is exact), the type's maximum for integers, 1 for bool."""
    if dtype == np.bool_:
        return 1
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1)
    return int(np.iinfo(dtype).max)


def _random_integers(dtype):
    def draw(rng, shape, first, second, **kwargs):
        low = kwargs.pop("from", 0) if first is None else first
        high = kwargs.pop("to", None) if second is None else second
        _no_other_keywords("random_", kwargs)
        if high is None:
            return rng.integers(low, _largest_exact(dtype), size=shape, endpoint=True,
                                dtype=np.uint64 if dtype == np.uint64 else np.int64)
        if not low < high:
            raise ValueError(f"random_: expects 'from' < 'to', got from={low} and to={high}")
        if dtype.kind in "biu":
            info = (0, 1) if dtype == np.bool_ else (np.iinfo(dtype).min, np.iinfo(dtype).max)
            if low < info[0] or high - 1 > info[1]:
                raise ValueError(f"random_: [from, to) = [{low}, {high}) does not fit dtype {dtype}")
        return rng.integers(low, high, size=shape)
    return draw


def _random_(self, *args, generator=None, **kwargs):
    """random_(to), random_(from, to) or random_(): uniform integers, in self's dtype."""
    if len(args) > 2:
        raise TypeError(f"random_: takes at most 2 positional arguments (from, to), got {len(args)}")
    bounds = [operator.index(a) if a is not None else None for a in args]
    if len(bounds) == 1:          # random_(to)
        bounds = [0, bounds[0]]
    return _filled_by(_random_integers(np.dtype(self.dtype)))(self, *bounds, generator=generator, **kwargs)


def _floating_sampler(op, draw):
    compute = _filled_by(draw)

    def sample(self, *args, **kwargs):
        _floating(op, self)
        return compute(self, *args, **kwargs)

    return in_place(op, sample)


_methods.bind({
    "exponential_": _floating_sampler("exponential_", _exponential),
    "geometric_": in_place("geometric_", _filled_by(_geometric)),
    "cauchy_": _floating_sampler("cauchy_", _cauchy),
    "log_normal_": _floating_sampler("log_normal_", _log_normal),
    "random_": in_place("random_", _random_),
})
