"""HIPS autograd's container names: tuple, list, dict, isinstance, type.

In fastgrad, Python's own tuples, lists and dicts of Tensors are
differentiable already (grad, vjp and jacobian take and return them), so
tuple, list and dict are Python's.  isinstance and type look through a
Tensor at the array it holds, so code written for NumPy arrays
(`isinstance(x, np.ndarray)`) takes the same branch while it is being
differentiated.

    from fastgrad.builtins import isinstance
    isinstance(t, np.ndarray)      # True for a Tensor holding a NumPy array
"""
import builtins as _builtins

from .autograd.tensor import Tensor as _Tensor

tuple = _builtins.tuple
list = _builtins.list
dict = _builtins.dict

__all__ = ["dict", "isinstance", "list", "tuple", "type"]


def isinstance(obj, classinfo):
    """Python's isinstance, where a Tensor also counts as an instance of its data's type."""
    if _builtins.isinstance(obj, _Tensor) and _builtins.isinstance(obj._data, classinfo):
        return True
    return _builtins.isinstance(obj, classinfo)


def type(obj):
    """Python's type, where a Tensor gives the type of the array it holds."""
    if _builtins.isinstance(obj, _Tensor):
        return _builtins.type(obj._data)
    return _builtins.type(obj)
