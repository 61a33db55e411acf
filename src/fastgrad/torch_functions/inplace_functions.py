"""PyTorch's module-level in-place functions, torch.relu_(x), torch.exp_(x), torch.clamp_(x, 0,
1), ...: each is the Tensor method of the same name called on its first argument (so they share
its checks and its rules for graphs and version counters), made from one list.

    import fastgrad as torch
    torch.sigmoid_(x)          # x.sigmoid_(), returns x
"""
from ..autograd.tensor import Tensor

NAMES = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ as_strided_ asin_ asinh_ atan_ "
    "atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ expm1_ fix_ floor_ "
    "frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ "
    "reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_"
).split()


def _module_level(name):
    def function(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: argument 'input' must be a Tensor, got {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = f"input.{name}(...): {name[:-1]} written into input, which is returned."
    return function


globals().update({name: _module_level(name) for name in NAMES})
__all__ = list(NAMES)
