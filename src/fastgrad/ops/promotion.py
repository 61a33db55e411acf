"""PyTorch's type promotion for arithmetic and comparisons on Tensors.

Dtypes fall in categories bool < integer < floating < complex.  The result of x + y (and of
-, *, /, **, the comparisons, maximum, minimum, where, ...) has:

- the dtype of the dimensioned tensors promoted together (int8 with uint8 gives int16, int64
  with float16 gives float16: a higher category wins, whatever its width);
- where a 0-d tensor has a higher category than every dimensioned tensor, the 0-d tensors'
  promoted dtype (int32 data with a float64 0-d tensor gives float64); otherwise 0-d tensors do
  not widen the result (float32 data with a float64 0-d tensor stays float32);
- where a Python number has a higher category still, the default dtype of its category: a float
  gives fastgrad.get_default_dtype() (torch.arange(10) * 0.1 is float32), an int gives int64, a
  complex the complex dtype of the default float;
- for true division, the default float dtype when that dtype is bool or integer.

NumPy scalars count as Python numbers.  Plain arrays (NumPy, CuPy) among the operands keep
NumPy's promotion, and so does code run by fastgrad's NumPy-style transforms (fastgrad.grad,
jacobian, ... in HIPS autograd's style), which is NumPy code with Tensors passed through it;
fastgrad.numpy's functions always promote as NumPy does.

    import fastgrad as torch
    (torch.arange(3) * 0.5).dtype                     # float32
    (torch.ones(2) + torch.tensor(1.0, dtype=torch.float64)).dtype   # float32
"""
import numpy as np

from ..autograd._graph import promotion_free
from ..autograd.tensor import Tensor
from ..dtypes import get_default_dtype
from .shape import astype

BOOL, INTEGER, FLOATING, COMPLEX = range(4)

_numpy_rule = [False]  # True while a NumPy-style transform runs its function


def call_with_numpy_rule(numpy_rule, fn, *args, **kwargs):
    """fn(*args, **kwargs) with NumPy's promotion (numpy_rule=True, for NumPy-style transforms)
    or PyTorch's (False, for torch.func's) on Tensors; the previous rule is restored after."""
    previous = _numpy_rule[0]
    _numpy_rule[0] = numpy_rule
    try:
        return fn(*args, **kwargs)
    finally:
        _numpy_rule[0] = previous


def category(dtype):
    """BOOL, INTEGER, FLOATING or COMPLEX; TypeError for a dtype outside them."""
    kind = dtype.kind
    if kind == "b":
        return BOOL
    if kind in "iu":
        return INTEGER
    if kind == "c":
        return COMPLEX
    if kind == "f" or dtype.name == "bfloat16":
        return FLOATING
    raise TypeError(f"dtype {dtype} has no place in PyTorch's type promotion")


def promote(a, b):
    """Two dtypes promoted: a higher category wins; within one, NumPy's promotion (a float and a
    complex give the complex of the float's precision)."""
    if a is b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb and {ca, cb} != {FLOATING, COMPLEX}:
        return a if ca > cb else b
    if a == b or "bfloat16" not in (a.name, b.name):
        return np.promote_types(a, b)
    other = b if a.name == "bfloat16" else a   # NumPy cannot promote ml_dtypes' bfloat16
    return np.dtype(np.float32) if other == np.float16 else other


def number_dtype(value):
    """The dtype PyTorch gives a Python (or NumPy) number."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(value, (float, np.floating)):
        return np.dtype(get_default_dtype())
    if isinstance(value, (complex, np.complexfloating)):
        return np.dtype(np.complex128 if np.dtype(get_default_dtype()) == np.float64 else np.complex64)
    raise TypeError(f"result_type: arguments must be tensors or numbers, got {type(value).__name__}")


def combine(higher, lower):
    """The dtype of a group of operands joined with a lower-priority group (dimensioned tensors,
    then 0-d tensors, then numbers): the lower decides only when its category is higher."""
    if higher is None:
        return lower
    if lower is None or category(lower) <= category(higher):
        return higher
    if category(lower) == COMPLEX and category(higher) == FLOATING:
        return np.promote_types(higher, np.complex64)
    return promote(higher, lower)


def _grouped(dtypes):
    result = None
    for d in dtypes:
        result = d if result is None else promote(result, d)
    return result


def result_dtype(operands):
    """PyTorch's result dtype for tensors and numbers."""
    tensors = [v for v in operands if isinstance(v, Tensor)]
    dimensioned = _grouped(t.dtype for t in tensors if t.ndim > 0)
    zero_dim = _grouped(t.dtype for t in tensors if t.ndim == 0)
    numbers = _grouped(number_dtype(v) for v in operands if not isinstance(v, Tensor))
    return combine(combine(dimensioned, zero_dim), numbers)


def _is_number(v):
    return isinstance(v, (bool, int, float, complex, np.generic))


def _follows_torch(operands):
    """Whether PyTorch's rule applies: outside NumPy-style transforms, with Tensors of NumPy
    dtypes and numbers only (no plain arrays)."""
    if _numpy_rule[0]:
        return False
    for v in operands:
        if isinstance(v, Tensor):
            if not isinstance(v.dtype, np.dtype):
                return False   # an array-API library's dtypes: its own rules
        elif not _is_number(v):
            return False   # a plain array: NumPy's rule
    return True


def _cast(v, dtype):
    """An operand in the result dtype: a Tensor cast (differentiably), a number left weak (a
    Python number, so NumPy keeps the tensor's dtype); an integer outside an integer dtype's range
    wraps, as in PyTorch."""
    if isinstance(v, Tensor):
        return v if v.dtype == dtype else astype(v, dtype)
    if isinstance(v, np.generic):
        v = v.item()
    if dtype.name == "bfloat16":   # ml_dtypes' bfloat16 promotes a Python number to float64: give it the dtype
        return np.asarray(v, dtype)
    if type(v) is int and dtype.kind in "iu" and -2 ** 63 <= v < 2 ** 64:
        info = np.iinfo(dtype)
        if not info.min <= v <= info.max:
            return np.array(v % 2 ** 64, dtype=np.uint64).astype(dtype)
    return v


def operands(*values, division=False):
    """The operands cast to PyTorch's result dtype (true division: at least the default float);
    unchanged where NumPy's rule applies (see the module's docstring)."""
    if (len(values) == 2 and promotion_free(values[0], values[1], division)) or not _follows_torch(values):
        return values
    dtype = result_dtype(values)
    if division and category(dtype) < FLOATING:
        dtype = np.dtype(get_default_dtype())
    return tuple(_cast(v, dtype) for v in values)


def in_place_operand(name, target, other, division=False):
    """`other` cast for `target <op>= other`: PyTorch computes in the result dtype and refuses a
    result of a higher category than the target's (an integer tensor cannot take a float)."""
    if promotion_free(target, other, division) or not _follows_torch((target, other)):
        return other
    dtype = result_dtype((target, other))
    if division and category(dtype) < FLOATING:
        dtype = np.dtype(get_default_dtype())
    if category(dtype) > category(target.dtype):
        raise RuntimeError(f"{name}: result type {dtype} can't be cast to the desired output type {target.dtype}")
    return _cast(other, dtype)


def pair(x, y):
    """(x, y) in PyTorch's result dtype: the compiled operators' slow path (their dtypes differ)."""
    return operands(x, y)


def division_pair(x, y):
    """(x, y) for x / y in PyTorch's result dtype, at least the default float."""
    return operands(x, y, division=True)


def _is_bool(v):
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, Tensor) and v.dtype == np.bool_)


def subtraction_pair(x, y):
    """(x, y) for x - y; PyTorch refuses a bool operand."""
    if (_is_bool(x) or _is_bool(y)) and _follows_torch((x, y)):
        raise RuntimeError("sub: subtraction with a bool tensor or number is not supported; to invert a mask, "
                           "use ~ or logical_not()")
    return operands(x, y)


def power_pair(base, exponent):
    """(base, exponent) for base ** exponent; PyTorch refuses a bool power of bools unless the exponent
    is a Python bool."""
    if _is_bool(base) and _is_bool(exponent) and isinstance(exponent, Tensor) and _follows_torch((base, exponent)):
        raise RuntimeError("pow: a bool tensor raised to a bool tensor is not supported")
    return operands(base, exponent)


def reflected_power_pair(exponent, base):
    """power_pair for base ** exponent called as exponent.__rpow__(base)."""
    if _is_bool(base) and _is_bool(exponent) and _follows_torch((base, exponent)):
        raise RuntimeError("pow: a bool number raised to a bool tensor is not supported")
    return operands(exponent, base)
