"""The second recording's check: a function replayed only after two recordings of it agree.

Each step of a recording is identified by what it runs and by every value it
reads that is not made by an earlier step (a constant of the recording).  A
value computed outside the recorded ops from the inputs (from a tensor's
array with NumPy, say) is such a constant, and would be frozen by a replay;
it shows up as a constant that differs between two calls of the same
signature with different inputs, and the function is refused.  So is Python
control flow that took another way on the second call.  Until two recordings
on different inputs have agreed, a recording is replayed only for the inputs
it was checked on.
"""
import numpy as np

from ..autograd._graph import TensorBase
from .arrays import copy_array, equal_arrays, is_array
from .errors import EAGER_HINT, CaptureError

_VALUES = (bool, int, str, bytes, complex, type(None), np.dtype, slice, range, set, frozenset)


def check_same_work(first, second, name):
    """Raise CaptureError when two recordings of one signature differ."""
    a, b = first.fingerprints, second.fingerprints
    for i, (x, y) in enumerate(zip(a, b)):
        if not same(x, y):
            what = x[0] if x[0] == y[0] else f"{x[0]} the first time, {y[0]} the second"
            what += _which_argument(x, y)
            raise CaptureError(
                f"jit: {name!r} did different work on two calls with the same signature, at step {i} "
                f"({what}).  A value computed outside fastgrad's ops from the inputs (with NumPy on a "
                "tensor's array, say), or Python state read by the function that changed between the "
                "calls, would be frozen by a replay.  Compute it with fastgrad ops, pass it as an argument "
                f"(named in static_argnums for a Python value), {EAGER_HINT}")
    if len(a) != len(b):
        raise CaptureError(
            f"jit: {name!r} ran {len(a)} steps on one call and {len(b)} on another with the same signature "
            "(Python control flow that depends on state outside the arguments); pass that state as an "
            f"argument named in static_argnums, {EAGER_HINT}")


def _which_argument(x, y):
    """', its keyword argument 'stats'' when the steps are one op's forward and an argument differs."""
    if x[0] != y[0] or not x[0].endswith(" forward"):
        return ""
    for i, (a, b) in enumerate(zip(x[2], y[2])):
        if not same(a, b):
            return f", its argument {i}"
    for key in x[3]:
        if key in y[3] and not same(x[3][key], y[3][key]):
            return f", its keyword argument {key!r}"
    return ""


def same(x, y):
    """x and y are the same step description (arrays compared by value, objects by identity)."""
    if x is y:
        return True
    kind = type(x)
    if kind is not type(y):
        return False
    if kind is np.ndarray or isinstance(x, np.generic) or is_array(x):
        return x.shape == y.shape and x.dtype == y.dtype and equal_arrays(x, y)
    if kind is tuple or kind is list:
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if kind is dict:
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, TensorBase):  # tensors made inside the function (fastgrad.tensor(0.5)): by value
        return same(x._data, y._data)
    if kind is float:
        return x == y or (x != x and y != y)
    if isinstance(x, _VALUES):
        return x == y
    if type(x).__eq__ is not object.__eq__:  # values of other libraries (an array-API dtype)
        return (x == y) is True
    return False  # functions, classes, optimizers, backends: the very same object, checked above


def copy_inputs(leaves):
    """The values of a call's dynamic inputs, kept to tell whether a later call has the same ones."""
    return [copy_array(x._data if isinstance(x, TensorBase) else x) for x in leaves]


def same_inputs(copies, leaves):
    return all(equal_arrays(c, x._data if isinstance(x, TensorBase) else x) for c, x in zip(copies, leaves))
