"""LogisticNormal(loc, scale): a Normal vector of K - 1 entries mapped onto the K-simplex by
stick breaking (StickBreakingTransform)."""
from . import constraints
from .distribution import broadcast_all
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform


class LogisticNormal(TransformedDistribution):
    """x ~ Normal(loc, scale) on the last axis (K - 1 independent entries), y = StickBreaking(x) on
    the simplex of K entries; log p(y) = sum log N(x) - log|det J|, reparameterized samples.

    >>> import fastgrad as fg
    >>> LogisticNormal(fg.zeros(3), fg.ones(3)).sample().shape
    (4,)
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        loc, scale = broadcast_all(loc, scale)
        base = Normal(loc, scale, validate_args=False)          # checked as LogisticNormal's
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
