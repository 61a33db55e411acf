"""PyTorch's questions about dtypes and tensors: is_complex, is_signed, is_nonzero, is_same_size,
and its type promotion (result_type, promote_types, can_cast).

PyTorch promotes by category (bool < integer < floating < complex) before size: an integer and a
float16 give float16 (NumPy would give float64 for int64), and a number or a 0-d tensor decides
the result only when its category is higher than the dimensioned tensors' (a float number with
an integer tensor gives the default float dtype).

    import fastgrad as torch
    torch.result_type(torch.tensor([1, 2]), 1.0)        # float32
    torch.promote_types(torch.int64, torch.float16)     # float16
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..ops import promotion as _promotion

__all__ = ["can_cast", "is_complex", "is_nonzero", "is_same_size", "is_signed", "promote_types", "result_type"]


def _dtype(op, argument, value):
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or (dtype.kind not in "biufc" and dtype.name != "bfloat16"):
        raise TypeError(f"{op}: argument '{argument}' must be a bool, integer, floating or complex dtype, "
                        f"got {value!r}")
    return dtype


def _tensor(op, argument, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: argument '{argument}' must be a Tensor, got {type(value).__name__}")
    return value


def is_complex(input):
    """Whether input's dtype is complex."""
    return _tensor("is_complex", "input", input).dtype.kind == "c"


def is_signed(input):
    """Whether input's dtype can hold negative numbers (False for bool and unsigned integers)."""
    return _tensor("is_signed", "input", input).dtype.kind not in "bu"


def is_nonzero(input):
    """The truth of a one-element tensor; RuntimeError for any other number of elements."""
    x = _tensor("is_nonzero", "input", input)
    if x.numel() != 1:
        which = "no values" if x.numel() == 0 else "more than one value"
        raise RuntimeError(f"is_nonzero: a Boolean value of a tensor with {which} is ambiguous")
    return bool(x._data.reshape(()) != 0)


def is_same_size(input, other):
    """Whether the two tensors have the same shape."""
    return tuple(_tensor("is_same_size", "input", input).shape) == tuple(_tensor("is_same_size", "other", other).shape)


def promote_types(type1, type2):
    """The smallest dtype to which both dtypes cast without leaving their category: within one
    category NumPy's promotion (uint8 and int8 give int16), across categories the higher one's
    dtype (complex of the float's precision when a float meets a complex)."""
    a, b = _dtype("promote_types", "type1", type1), _dtype("promote_types", "type2", type2)
    return _promotion.promote(a, b)


def result_type(tensor1, tensor2):
    """The dtype PyTorch's arithmetic on the two operands (tensors or numbers) gives: fastgrad's
    Tensor arithmetic follows the same rule (ops/promotion.py)."""
    return _promotion.result_dtype((tensor1, tensor2))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow from_ to to: any cast that does not lower the
    category (a float to an integer, a complex to a float, a number to bool are refused)."""
    source, target = _dtype("can_cast", "from_", from_), _dtype("can_cast", "to", to)
    return _promotion.category(source) <= _promotion.category(target)
