"""PyTorch's binary elementwise functions, and the operators // and %, in PyTorch's result dtype
(ops/promotion.py: an int64 tensor with a float32 one, or with a Python float, gives float32):

- atan2 (arctan2), hypot, logaddexp, logaddexp2: floating results; integer operands give the
  default float dtype, as PyTorch's true division does;
- fmax, fmin, fmod, remainder: in the promoted dtype, integers staying integers;
- floor_divide and x // y: floor(x / y) in the promoted dtype, with no gradient (PyTorch defines
  none); x % y is remainder;
- x //= y and x %= y in place, refusing a result of a higher category than x's (an integer
  tensor cannot take a float result), as PyTorch does.

Integer // and % by zero raise ZeroDivisionError, as in PyTorch.  Plain arrays among the
operands, and code run by NumPy-style transforms, keep NumPy's rule (fastgrad.numpy's functions
always do).

    import fastgrad as torch
    torch.arange(6) // 4            # tensor([0, 0, 0, 0, 1, 1])
    (torch.arange(6) % 2.5).dtype   # float32
    torch.atan2(torch.arange(3), torch.ones(3, dtype=torch.int64)).dtype   # float32
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, promotion as _promotion
from ..ops.inplace import in_place as _in_place
from .operator_forms import reflected

__all__ = ["arctan2", "atan2", "floor_divide", "fmax", "fmin", "fmod", "hypot", "logaddexp", "logaddexp2",
           "remainder"]


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _promoted(input, other, floating=False):
    """(input, other) cast to PyTorch's result dtype (at least the default float when `floating`),
    input a Tensor (a number first, as in remainder(5, x), becomes a 0-d tensor of that dtype)."""
    input, other = _promotion.operands(input, other, division=floating)
    if not isinstance(input, Tensor):
        number = isinstance(input, (bool, int, float, complex, np.generic))
        input = _new_tensor(input, dtype=other.dtype if number and isinstance(other, Tensor) else None)
    return input, other


def _plain(x):
    return x._data if isinstance(x, Tensor) else x


def _without_gradient(op, name, input, other, check_zero=True):
    """op(xp)(input, other) on the arrays, with no gradient; with check_zero, a zero divisor raises."""
    a, b = _plain(input), _plain(other)
    xp = namespace_of(a)
    if check_zero and bool((xp.asarray(b) == 0).any()):
        raise ZeroDivisionError(f"{name}: integer division by zero")
    with np.errstate(divide="ignore", invalid="ignore"):   # a float x // 0 is +-inf or NaN, silently
        return Tensor(xp.asarray(op(xp)(a, b)))


def _is_integral(t):
    return t.dtype.kind in "biu"


def _floating(name, doc):
    def function(input, other):
        return getattr(_fnp(), name)(*_promoted(input, other, floating=True))

    function.__name__ = name
    function.__doc__ = doc
    return function


atan2 = _floating("arctan2", "The angle of the point (other, input) in radians, in (-pi, pi]; integer operands "
                             "give the default float dtype.\n\n    torch.atan2(y, x)")
atan2.__name__ = "atan2"
arctan2 = atan2
hypot = _floating("hypot", "sqrt(input**2 + other**2) without overflow in the squares.\n\n"
                           "    torch.hypot(a, b)")
logaddexp = _floating("logaddexp", "log(exp(input) + exp(other)), stable for large arguments.\n\n"
                                   "    torch.logaddexp(a, b)")
logaddexp2 = _floating("logaddexp2", "log2(2**input + 2**other), stable for large arguments.\n\n"
                                     "    torch.logaddexp2(a, b)")


def _in_promoted_dtype(name, divides, doc):
    """PyTorch's `name`: fastgrad.numpy's differentiable function on floats; on integers NumPy's, with
    no gradient (and, when it `divides`, ZeroDivisionError for a zero divisor)."""
    def function(input, other):
        input, other = _promoted(input, other)
        if _is_integral(input):
            return _without_gradient(lambda xp: getattr(xp, name), name, input, other, check_zero=divides)
        return getattr(_fnp(), name)(input, other)

    function.__name__ = name
    function.__doc__ = doc
    return function


fmax = _in_promoted_dtype("fmax", False, "The elementwise maximum, ignoring NaN (the other value where one is "
                                         "NaN); the gradient goes to the value taken.\n\n    torch.fmax(a, b)")
fmin = _in_promoted_dtype("fmin", False, "The elementwise minimum, ignoring NaN (the other value where one is "
                                         "NaN); the gradient goes to the value taken.\n\n    torch.fmin(a, b)")
fmod = _in_promoted_dtype("fmod", True, "The remainder of input / other with the sign of input (C's fmod): "
                                        "input - trunc(input / other) * other; d/dinput = 1, d/dother = "
                                        "-trunc(input / other).\n\n    torch.fmod(x, 2)")
remainder = _in_promoted_dtype("remainder", True, "The remainder of input / other with the sign of other "
                                                  "(Python's %): input - floor(input / other) * other; d/dinput = 1, "
                                                  "d/dother = -floor(input / other).\n\n"
                                                  "    torch.remainder(x, 2), x % 2")


def floor_divide(input, other):
    """floor(input / other) in the promoted dtype (rounding toward -inf), as x // y; not
    differentiable (PyTorch defines no gradient either), so the result does not require grad.
    torch.floor_divide(x, 2), x // 2"""
    input, other = _promoted(input, other)
    return _without_gradient(lambda xp: xp.floor_divide, "floor_divide", input, other,
                           check_zero=_is_integral(input))


_methods.bind({
    "atan2": atan2, "arctan2": arctan2, "hypot": hypot, "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "fmax": fmax, "fmin": fmin, "fmod": fmod, "remainder": remainder, "floor_divide": floor_divide,
    "__floordiv__": floor_divide, "__rfloordiv__": reflected(floor_divide),
    "__mod__": remainder, "__rmod__": reflected(remainder),
    # x //= y, x %= y: ops/inplace.py's in_place refuses a result x's dtype cannot hold (PyTorch's rule)
    "__ifloordiv__": _in_place("floor_divide_", floor_divide), "__imod__": _in_place("remainder_", remainder),
    "floor_divide_": _in_place("floor_divide_", floor_divide),
})
