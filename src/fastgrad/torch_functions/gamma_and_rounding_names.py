"""PyTorch's other names for functions fastgrad has: absolute (abs), fix (trunc), igamma and
igammac (special.gammainc / gammaincc), mvlgamma (special.multigammaln), with their Tensor
methods, and the in-place methods absolute_, fix_, igamma_, igammac_, mvlgamma_, heaviside_,
floor_divide_ and polygamma_.

    igamma(a, x)  = P(a, x) = (1 / Gamma(a)) int_0^x t^(a-1) e^-t dt   (differentiable in x)
    igammac(a, x) = 1 - P(a, x)
    mvlgamma(x, p) = log Gamma_p(x) = p (p - 1) / 4 log(pi) + sum_{j<p} lgamma(x - j / 2)

    import fastgrad as torch
    torch.igamma(torch.tensor([2.0]), torch.tensor([1.0]))     # tensor([0.2642])
"""
from .. import special as _special
from ..ops import methods as _methods
from ..ops.inplace import in_place
from .tensor_methods import _as_tensor

__all__ = ["absolute", "fix", "igamma", "igammac", "mvlgamma"]


def absolute(input):
    """|input| (abs under its other name); differentiable."""
    return _as_tensor(input).abs()


def fix(input):
    """input rounded toward zero (trunc under its other name)."""
    return _as_tensor(input).trunc()


def igamma(input, other):
    """The regularized lower incomplete gamma function P(input, other); differentiable in other
    (PyTorch has no gradient in input either)."""
    return _special.gammainc(input, other)


def igammac(input, other):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other);
    differentiable in other."""
    return _special.gammaincc(input, other)


def mvlgamma(input, p):
    """The log of the multivariate gamma function of dimension p; every element of input must be
    greater than (p - 1) / 2.  Differentiable."""
    x = _as_tensor(input)
    if p < 1:
        raise RuntimeError(f"mvlgamma: p must be at least 1, got {p}")
    if x.numel() and not bool((x > (p - 1) / 2).all()):
        raise RuntimeError(f"mvlgamma: all elements of input must be greater than (p - 1) / 2 = {(p - 1) / 2}")
    result = _special.multigammaln(x, p)
    return result.to(x.dtype) if x.dtype.kind == "f" and result.dtype != x.dtype else result


_NAMED = {"absolute": absolute, "fix": fix, "igamma": igamma, "igammac": igammac, "mvlgamma": mvlgamma}
_methods.bind(_NAMED)
_methods.bind({f"{name}_": in_place(f"{name}_", function) for name, function in _NAMED.items()})
_methods.bind({"heaviside_": in_place("heaviside_", lambda self, values: self.heaviside(values)),
               "polygamma_": in_place("polygamma_", lambda self, n: self.polygamma(n))})
