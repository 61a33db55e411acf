"""PyTorch's elementwise number functions that fastgrad lacked under these names: positive,
deg2rad, rad2deg, signbit, copysign, float_power, rsub (differentiable where PyTorch's are),
gcd, lcm and isin (integer and membership results, no gradient), and scalar_tensor.

    import fastgrad as torch
    torch.copysign(x, -1.0), torch.float_power(x, 2), torch.gcd(a, b), torch.isin(a, [1, 2])
"""
import math

import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..dtypes import get_default_dtype
from ..ops import elementwise as _elementwise, shape as _shape
from .dtype_rules import result_type
from .tensor_methods import _as_tensor

__all__ = ["copysign", "deg2rad", "float_power", "gcd", "isin", "lcm", "positive", "rad2deg", "rsub",
           "scalar_tensor", "signbit"]


def _floating(x):
    """x itself when floating or complex, else cast to the default float dtype (PyTorch's rule for
    functions whose integer inputs give float results)."""
    x = _as_tensor(x)
    return x if x.dtype.kind in "fc" else _shape.astype(x, get_default_dtype())


def _plain(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def positive(input):
    """input itself (unary +); refused for bool tensors, as PyTorch does."""
    x = _as_tensor(input)
    if x.dtype == np.bool_:
        raise TypeError("positive: argument 'input' is a bool tensor, for which unary + is not defined")
    return x


def deg2rad(input):
    """Degrees to radians: input * pi / 180 (integer inputs give the default float dtype)."""
    return _floating(input) * (math.pi / 180.0)


def rad2deg(input):
    """Radians to degrees: input * 180 / pi (integer inputs give the default float dtype)."""
    return _floating(input) * (180.0 / math.pi)


def signbit(input):
    """True where the sign bit is set (negative numbers and -0.0); a bool tensor, no gradient."""
    x = _as_tensor(input)
    if x.dtype.kind == "c":
        raise TypeError("signbit: argument 'input' is complex, which has no sign bit")
    return Tensor(np.signbit(x._data))


def copysign(input, other):
    """|input| with the sign of other (-0.0 counts as negative); differentiable in input (the
    gradient with respect to other is zero, as in PyTorch)."""
    x = _as_tensor(input)
    if x.dtype.kind == "c" or (isinstance(other, Tensor) and other.dtype.kind == "c"):
        raise TypeError("copysign: arguments 'input' and 'other' must be real")
    dtype = result_type(x, other)
    target = dtype if dtype.kind == "f" else np.dtype(get_default_dtype())
    x = x if x.dtype == target else _shape.astype(x, target)
    negative = np.signbit(_plain(other))
    factor = np.where(negative, -1.0, 1.0).astype(x.dtype)
    return _elementwise.abs(x) * factor


def float_power(input, exponent):
    """input ** exponent computed in double precision (complex128 when either is complex);
    differentiable in both."""
    def widened(v):
        if not isinstance(v, Tensor):
            return v
        return _shape.astype(v, np.complex128 if v.dtype.kind == "c" else np.float64)

    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power: at least one of 'input' and 'exponent' must be a tensor")
    base = widened(input) if isinstance(input, Tensor) else _new_tensor(np.float64(input))
    return base ** widened(exponent)


def _integer_pair(op, input, other):
    a, b = _plain(input), _plain(other)
    for name, v in (("input", a), ("other", b)):
        if np.asarray(v).dtype.kind not in "iu":
            raise TypeError(f"{op}: argument '{name}' must be an integer tensor, got dtype {np.asarray(v).dtype}")
    return a, b


def gcd(input, other):
    """Elementwise greatest common divisor of integer tensors (non-negative; gcd(0, 0) = 0)."""
    return Tensor(np.asarray(np.gcd(*_integer_pair("gcd", input, other))))


def lcm(input, other):
    """Elementwise least common multiple of integer tensors (non-negative; 0 when either is 0)."""
    return Tensor(np.asarray(np.lcm(*_integer_pair("lcm", input, other))))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor of elements' shape: True where the element is among test_elements (False
    with invert=True).  Either argument may be a number."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: at least one of 'elements' and 'test_elements' must be a tensor")
    found = np.isin(_plain(elements), _plain(test_elements), assume_unique=assume_unique, invert=invert)
    return Tensor(np.asarray(found))


def rsub(input, other, *, alpha=1):
    """other - alpha * input (input - other with the operands swapped), differentiable in both."""
    x = _as_tensor(input)
    if x.dtype == np.bool_:
        raise TypeError("rsub: argument 'input' is a bool tensor; subtraction of bools is not defined")
    return other - (x if alpha == 1 else x * alpha)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A 0-d tensor holding the number s, of the default float dtype unless dtype is given."""
    if isinstance(s, Tensor) or np.ndim(s) != 0:
        raise TypeError(f"scalar_tensor: argument 's' must be a number, got {type(s).__name__}")
    return _new_tensor(s, dtype=get_default_dtype() if dtype is None else dtype, device=device,
                       requires_grad=requires_grad)
