"""PyTorch's bitwise functions on integer and bool tensors: bitwise_and, bitwise_or,
bitwise_xor, bitwise_not, bitwise_left_shift and bitwise_right_shift, their Tensor methods and
in-place forms, and the operators & | ^ ~ << >> (with their reflected and in-place forms).

The result has PyTorch's promoted dtype (a bool tensor and a Python int give int64).  A shift
by a negative amount or by at least the width of the type gives 0 (left), or 0 / -1 by the
sign (right), as PyTorch's do.  Floating and complex tensors are refused: bits of a float are
not numbers.  The results carry no gradient.

    import fastgrad as torch
    torch.bitwise_and(torch.tensor([12, 10]), 6)     # tensor([4, 2])
    mask = (x > 0) & (x < 1)                         # bool & bool
    flags = torch.tensor([1, 2]) << 3                # tensor([ 8, 16])
"""
import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor, new_tensor
from ..backend import namespace_of
from ..ops import methods as _methods
from ..ops.inplace import in_place
from .dtype_rules import result_type
from .operator_forms import reflected, same_dtype_in_place

__all__ = ["bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor"]


def _kind(value):
    """'b', 'i', 'u', 'f' or 'c' for a tensor (of any array library) or a Python number."""
    if not isinstance(value, Tensor):
        return np.asarray(value).dtype.kind
    try:
        return np.dtype(value.dtype).kind
    except TypeError:   # another library's dtype object (array-api-strict): by its name
        return np.dtype(str(value.dtype).rsplit(".", 1)[-1]).kind


def _is_array(value):
    return not isinstance(value, Tensor) and (isinstance(value, np.ndarray) or hasattr(value, "__array_namespace__"))


def _operands(op, input, other):
    """The two operands as arrays of PyTorch's result dtype, in the tensors' array library,
    after checking that both are integers or bools.  An array (NumPy's or another library's)
    counts as a tensor."""
    input, other = (Tensor(v) if _is_array(v) else v for v in (input, other))
    tensors = [v for v in (input, other) if isinstance(v, Tensor)]
    if not tensors:
        raise TypeError(f"{op}: at least one of 'input' and 'other' must be a tensor")
    for name, value in (("input", input), ("other", other)):
        if _kind(value) not in "biu":
            described = value.dtype if isinstance(value, Tensor) else type(value).__name__
            raise TypeError(f"{op}: argument '{name}' must be an integer or bool tensor or number, got {described}")
    if len(tensors) == 2 and input.dtype == other.dtype:
        dtype = input.dtype
    else:
        dtype = np.dtype(result_type(input, other))
    xp = namespace_of(tensors[0]._data)
    return [_cast(v, dtype, xp) for v in (input, other)], dtype


def _cast(value, dtype, xp):
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype == dtype else capture.run(_astype, data, dtype)
    return xp.asarray(value, dtype=dtype)


def _astype(data, dtype):
    return namespace_of(data).astype(data, dtype)


def _and(x, y):
    xp = namespace_of(x)
    return xp.asarray(xp.bitwise_and(x, y))


def _or(x, y):
    xp = namespace_of(x)
    return xp.asarray(xp.bitwise_or(x, y))


def _xor(x, y):
    xp = namespace_of(x)
    return xp.asarray(xp.bitwise_xor(x, y))


def _shift(x, y, left):
    """x shifted by y bits; amounts outside [0, width) give 0 (left) or the sign's fill (right)."""
    xp = namespace_of(x)
    width = x.dtype.itemsize * 8
    inside = (y >= 0) & (y < width)
    amount = xp.where(inside, y, xp.zeros_like(y))
    if left:
        return xp.asarray(xp.where(inside, xp.left_shift(x, amount), xp.zeros_like(x)))
    fill = xp.right_shift(x, width - 1) if x.dtype.kind == "i" else xp.zeros_like(x)
    return xp.asarray(xp.where(inside, xp.right_shift(x, amount), fill))


def _left(x, y):
    return _shift(x, y, True)


def _right(x, y):
    return _shift(x, y, False)


def _not(x):
    xp = namespace_of(x)
    if str(x.dtype).rsplit(".", 1)[-1] == "bool":   # NumPy's and other libraries' bool dtypes
        return xp.asarray(xp.logical_not(x))
    invert = getattr(xp, "bitwise_invert", None) or xp.bitwise_not
    return xp.asarray(invert(x))


def _binary(name, kernel, doc, bool_allowed=True):
    def function(input, other):
        (x, y), dtype = _operands(name, input, other)
        if not bool_allowed and dtype == np.bool_:
            raise TypeError(f"{name}: shifts are not defined for bool tensors")
        return new_tensor(capture.run(kernel, x, y), False, None)

    function.__name__ = name
    function.__doc__ = doc
    return function


bitwise_and = _binary("bitwise_and", _and, """input AND other, bit by bit (logical and for bools).

    >>> bitwise_and(tensor([12, 10]), 6)     # tensor([4, 2])
    """)
bitwise_or = _binary("bitwise_or", _or, """input OR other, bit by bit (logical or for bools).

    >>> bitwise_or(tensor([12, 10]), 1)      # tensor([13, 11])
    """)
bitwise_xor = _binary("bitwise_xor", _xor, """input XOR other, bit by bit (logical xor for bools).

    >>> bitwise_xor(tensor([12, 10]), 6)     # tensor([10, 12])
    """)
bitwise_left_shift = _binary("bitwise_left_shift", _left, """input * 2**other for integers: the bits of
    input moved left by other places (0 when other is negative or at least the type's width).

    >>> bitwise_left_shift(tensor([1, 3]), 2)     # tensor([ 4, 12])
    """, bool_allowed=False)
bitwise_right_shift = _binary("bitwise_right_shift", _right, """floor(input / 2**other) for integers:
    the bits of input moved right by other places, the sign bit filling in (shifts outside
    [0, width) give 0, or -1 for a negative input).

    >>> bitwise_right_shift(tensor([-8, 9]), 2)     # tensor([-2,  2])
    """, bool_allowed=False)


def bitwise_not(input):
    """NOT input, bit by bit: -input - 1 for signed integers, logical not for bools.

    >>> bitwise_not(tensor([0, 5]))     # tensor([-1, -6])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"bitwise_not: argument 'input' must be a Tensor, got {type(input).__name__}")
    if _kind(input) not in "biu":
        raise TypeError(f"bitwise_not: argument 'input' must be an integer or bool tensor, got {input.dtype}")
    return new_tensor(capture.run(_not, input._data), False, None)


_BINARY = {"and": bitwise_and, "or": bitwise_or, "xor": bitwise_xor, "lshift": bitwise_left_shift,
           "rshift": bitwise_right_shift}

_methods.bind({f.__name__: f for f in (*_BINARY.values(), bitwise_not)})
_methods.bind({f"{f.__name__}_": same_dtype_in_place(f"{f.__name__}_", f) for f in _BINARY.values()})
_methods.bind({"bitwise_not_": in_place("bitwise_not_", bitwise_not), "__invert__": bitwise_not})
_methods.bind({f"__{op}__": f for op, f in _BINARY.items()})
_methods.bind({f"__r{op}__": reflected(f) for op, f in _BINARY.items()})
_methods.bind({f"__i{op}__": same_dtype_in_place(f"__i{op}__", f) for op, f in _BINARY.items()})
