"""PyTorch's top-level names for functions of torch.special (also Tensor methods, with in-place
forms): igamma (special.gammainc), igammac (special.gammaincc) and mvlgamma
(special.multigammaln).

    import fastgrad as torch
    torch.igamma(a, x)          # the regularized lower incomplete gamma function P(a, x)
    x.mvlgamma(p=2)

The methods are bound by torch_functions/method_table.py; the in-place forms igamma_, igammac_,
mvlgamma_ and polygamma_ here (the result written back under fastgrad.ops.inplace's rules).
"""
from .. import special as _special
from ..autograd.tensor import Tensor
from ..ops import methods as _methods
from ..ops.inplace import in_place

__all__ = ["igamma", "igammac", "mvlgamma"]


def igamma(input, other):
    """P(a, x) = gamma(a, x) / Gamma(a) with a = input, x = other (special.gammainc);
    differentiable in x."""
    return _special.gammainc(input, other)


def igammac(input, other):
    """Q(a, x) = 1 - P(a, x) (special.gammaincc); differentiable in x."""
    return _special.gammaincc(input, other)


def mvlgamma(input, p):
    """The log of the multivariate gamma function of dimension p (special.multigammaln)."""
    return _special.multigammaln(input, p)


def _method_of(name):
    def compute(self, *args, **kwargs):
        return getattr(Tensor, name)(self, *args, **kwargs)

    return compute


_methods.bind({f"{name}_": in_place(f"{name}_", _method_of(name)) for name in ("igamma", "igammac", "mvlgamma",
                                                                             "polygamma")})
