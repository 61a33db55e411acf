"""PyTorch's functions on the parts of floating-point numbers: frexp, ldexp, nextafter, and the
tests isposinf, isneginf and isreal (with their Tensor methods and ldexp_ / nextafter_).

    x = mantissa * 2**exponent, 0.5 <= |mantissa| < 1       (frexp; 0 gives (0, 0))
    ldexp(x, n) = x * 2**n

    import fastgrad as torch
    mantissa, exponent = torch.frexp(torch.tensor([8.0, -3.0]))   # [0.5, -0.75], [4, 2]
"""
from collections import namedtuple

import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor, new_tensor
from ..backend import namespace_of
from ..ops import methods as _methods
from ..ops.inplace import in_place
from .operator_forms import same_dtype_in_place
from .tensor_methods import _as_tensor

__all__ = ["frexp", "isneginf", "isposinf", "isreal", "ldexp", "nextafter"]

MantissaExponent = namedtuple("frexp", ["mantissa", "exponent"])


def _floating(op, name, x):
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: argument '{name}' must be a floating-point tensor, got {x.dtype}")
    return x


def _exponent(data):
    xp = namespace_of(data)
    return xp.frexp(data)[1].astype(xp.int32)


def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1) (0, inf
    and NaN keep exponent 0).  The mantissa is differentiable: its gradient is the incoming one
    divided by 2**exponent.

    >>> frexp(tensor([8.0]))     # (tensor([0.5]), tensor([4], dtype=int32))
    """
    x = _floating("frexp", "input", _as_tensor(input))
    exponent = capture.run(_exponent, x._data)
    scale = capture.run(_inverse_power_of_two, exponent, x.dtype)
    return MantissaExponent(x * Tensor(scale), new_tensor(exponent, False, None))


def _inverse_power_of_two(exponent, dtype):
    xp = namespace_of(exponent)
    return xp.ldexp(xp.ones(exponent.shape, dtype=dtype), -exponent)


def ldexp(input, other):
    """input * 2**other (integers give the default float dtype); differentiable in both (the
    gradient in other is ln 2 * result)."""
    x = _as_tensor(input)
    return x * (2.0 ** _as_tensor(other))


def _next(x, y):
    xp = namespace_of(x)
    return xp.asarray(xp.nextafter(x, y))


def nextafter(input, other):
    """The next floating-point number after input in the direction of other, elementwise (in
    input's dtype); no gradient.

    >>> nextafter(tensor([1.0]), tensor([2.0])) - 1     # the float32 spacing at 1
    """
    x = _floating("nextafter", "input", _as_tensor(input))
    y = _floating("nextafter", "other", _as_tensor(other))
    if x.dtype != y.dtype:
        raise RuntimeError(f"nextafter: input and other must have the same dtype, got {x.dtype} and {y.dtype}")
    return new_tensor(capture.run(_next, x._data, y._data), False, None)


def _positive_infinity(data):
    return namespace_of(data).asarray(data == np.inf)


def _negative_infinity(data):
    return namespace_of(data).asarray(data == -np.inf)


def _real_valued(data):
    xp = namespace_of(data)
    return xp.asarray(xp.imag(data) == 0) if data.dtype.kind == "c" else xp.ones(data.shape, dtype=bool)


def _test(name, kernel, doc):
    def test(input):
        x = _as_tensor(input)
        if name != "isreal" and x.dtype.kind == "c":
            raise TypeError(f"{name}: argument 'input' must be real, got {x.dtype}")
        return new_tensor(capture.run(kernel, x._data), False, None)

    test.__name__ = name
    test.__doc__ = doc
    return test


isposinf = _test("isposinf", _positive_infinity, "True where input is +inf (a bool tensor).")
isneginf = _test("isneginf", _negative_infinity, "True where input is -inf (a bool tensor).")
isreal = _test("isreal", _real_valued, "True where input's imaginary part is 0 (everywhere for real dtypes).")

_methods.bind({"frexp": frexp, "ldexp": ldexp, "nextafter": nextafter, "isposinf": isposinf, "isneginf": isneginf,
               "isreal": isreal, "ldexp_": same_dtype_in_place("ldexp_", ldexp),
               "nextafter_": in_place("nextafter_", nextafter)})
