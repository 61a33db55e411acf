"""Chi2(df): the chi-squared distribution with df degrees of freedom, Gamma(df / 2, rate 1/2)."""
from . import constraints
from .gamma import Gamma


class Chi2(Gamma):
    """Gamma(df / 2, 1/2): sums of df squared standard normals; reparameterized like Gamma.

    >>> import fastgrad as fg
    >>> Chi2(fg.tensor([1.0, 4.0])).mean.tolist()
    [1.0, 4.0]
    """
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self):
        return self.concentration * 2
