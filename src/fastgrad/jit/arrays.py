"""Arrays of any backend as a recording sees them: copied, compared and described by key.

A recording works on the arrays of whichever backend its inputs use (NumPy,
CuPy, an array-API library): it copies and compares them in their own
namespace, on their own device, never through NumPy on the host.
"""
import numpy as np

from ..backend import array_device_name, is_array, namespace_of

__all__ = ["copy_array", "device_key", "equal_arrays", "is_array"]


def copy_array(a):
    """A copy of array `a` (or NumPy scalar) in its own library and on its own device."""
    if isinstance(a, (np.ndarray, np.generic)):
        return np.array(a, copy=True)
    copy = getattr(a, "copy", None)
    if copy is not None:  # CuPy
        return copy()
    return namespace_of(a).asarray(a, copy=True)


def equal_arrays(x, y):
    """Same shape, dtype and values (NaN equal to NaN), for two arrays of one library."""
    on_host = isinstance(x, (np.ndarray, np.generic)), isinstance(y, (np.ndarray, np.generic))
    if any(on_host):
        if not all(on_host):
            return False
        try:
            return bool(np.array_equal(x, y, equal_nan=True))
        except TypeError:  # dtypes without NaN
            return bool(np.array_equal(x, y))
    if type(x) is not type(y) or x.shape != y.shape or x.dtype != y.dtype:
        return False
    if array_device_name(x) != array_device_name(y):
        return False
    xp = namespace_of(x)
    same = x == y
    if _has_nan(xp, x.dtype):
        same = same | (xp.isnan(x) & xp.isnan(y))
    return bool(xp.all(same))


def _has_nan(xp, dtype):
    kind = getattr(dtype, "kind", None)  # NumPy's dtypes (CuPy's arrays have them too)
    if kind is not None:
        return kind in "fc"
    return xp.isdtype(dtype, ("real floating", "complex floating"))


def device_key(a):
    """What of a non-NumPy array's place a signature holds: its type and device."""
    return type(a), array_device_name(a)
