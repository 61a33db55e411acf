"""PyTorch's other names for functions fastgrad already has: acos (arccos), swapdims (swapaxes),
greater (gt), row_stack (vstack), trapz (trapezoid), inverse (linalg.inv), vmap (func.vmap), ...
Each name is the same function object as the one it renames, so the two cannot disagree.

    import fastgrad as torch
    torch.acos(x), torch.greater(a, b), torch.swapdims(x, 0, 1)
"""
from ..ops import elementwise as _elementwise, shape as _shape
from . import arrangement as _arrangement, tensor_methods as _tensor_methods

__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "greater", "greater_equal", "less", "less_equal",
           "negative", "not_equal", "row_stack", "swapdims"]

acos = _elementwise.arccos
asin = _elementwise.arcsin
atan = _elementwise.arctan
acosh = _elementwise.arccosh
asinh = _elementwise.arcsinh
atanh = _elementwise.arctanh
negative = _tensor_methods.neg
greater = _tensor_methods.gt
greater_equal = _tensor_methods.ge
less = _tensor_methods.lt
less_equal = _tensor_methods.le
not_equal = _tensor_methods.ne
swapdims = _shape.swapaxes
row_stack = _arrangement.vstack
