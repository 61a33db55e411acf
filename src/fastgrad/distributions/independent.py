"""Independent(base_distribution, reinterpreted_batch_ndims): the last batch axes of a distribution
read as event axes, so log_prob and entropy sum over them (a diagonal Normal over vectors is
Independent(Normal(loc, scale), 1))."""
import numbers

from . import constraints
from .distribution import Distribution, sum_rightmost
from .forwarded import forwarded


class Independent(Distribution):
    """base_distribution with its last `reinterpreted_batch_ndims` batch axes moved into the event shape.

    >>> import fastgrad as fg
    >>> from fastgrad.distributions import Normal
    >>> d = Independent(Normal(fg.zeros(4, 3), 1.0), 1)
    >>> d.batch_shape, d.event_shape, d.log_prob(fg.zeros(4, 3)).shape
    ((4,), (3,), (4,))
    """
    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n = reinterpreted_batch_ndims
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be a non-negative int, got {n!r}")
        base_batch = base_distribution.batch_shape
        if n > len(base_batch):
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be at most "
                             f"len(base_distribution.batch_shape) = {len(base_batch)}, got {n}")
        self.base_dist, self.reinterpreted_batch_ndims = base_distribution, int(n)
        split = len(base_batch) - self.reinterpreted_batch_ndims
        super().__init__(batch_shape=base_batch[:split], event_shape=base_batch[split:] + base_distribution.event_shape,
                         validate_args=validate_args)

    has_rsample = forwarded("base_dist.has_rsample")

    @property
    def has_enumerate_support(self):
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @property
    def support(self):
        n = self.reinterpreted_batch_ndims
        return constraints.independent(self.base_dist.support, n) if n else self.base_dist.support

    def expand(self, batch_shape, _instance=None):
        n = self.reinterpreted_batch_ndims
        reinterpreted = self.base_dist.batch_shape[len(self.base_dist.batch_shape) - n:]
        return Independent(self.base_dist.expand(tuple(batch_shape) + reinterpreted), n, validate_args=False)

    mean = forwarded("base_dist.mean")
    mode = forwarded("base_dist.mode")
    variance = forwarded("base_dist.variance")

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        if self.reinterpreted_batch_ndims:
            raise NotImplementedError("Independent.enumerate_support: enumeration over the cartesian product of "
                                      "the reinterpreted axes is not implemented")
        return self.base_dist.enumerate_support(expand)

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
