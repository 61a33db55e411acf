"""CenteredAtLoc (mean and mode are loc: Normal, Laplace, MultivariateNormal), LocAndScale (a
real loc and a positive scale broadcast together: LocationScale, LogNormal) and LocationScale,
the shared part of distributions of loc + scale * e with e from a fixed standard distribution
(Normal, Laplace)."""
from . import constraints
from .distribution import Distribution, broadcast_all, draw


class CenteredAtLoc:
    """Mixin for distributions whose mean and mode are their `loc`."""

    @property
    def mean(self):
        return self.loc

    mode = mean


class LocAndScale(Distribution):
    """A real `loc` and a positive `scale`, broadcast to one shape: the batch shape."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape=tuple(self.loc.shape), validate_args=validate_args)


class LocationScale(CenteredAtLoc, LocAndScale):
    """loc and scale broadcast to the batch shape; mean and mode loc; reparameterized samples
    loc + scale * e with e from the generator's standard draw named by `standard_draw`."""
    support = constraints.real
    has_rsample = True
    standard_draw = None

    def rsample(self, sample_shape=()):
        """loc + scale * e, e a standard draw: differentiable in loc and scale."""
        return self.loc + draw(self.standard_draw, self._extended_shape(sample_shape), self.loc) * self.scale
