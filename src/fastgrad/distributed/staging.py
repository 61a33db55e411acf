"""Arrays of other libraries (CuPy, array-API arrays) through host memory, for MPI."""
import numpy as np


def to_host(array):
    """A C-contiguous NumPy copy of `array` (a CuPy array, or an array-API array on any device)."""
    get = getattr(array, "get", None)
    if get is not None and hasattr(array, "__cuda_array_interface__"):
        return np.ascontiguousarray(get())
    from ..devices import move_array

    return np.array(move_array(array, "cpu"), order="C", copy=True)


def write_back(array, host):
    """Copy the NumPy array `host` into `array` in place, on the array's own device."""
    if isinstance(array, np.ndarray):
        array[...] = host
        return
    from ..backend import namespace_of

    xp = namespace_of(array)
    if hasattr(array, "__cuda_array_interface__"):    # CuPy: asarray copies to the current GPU
        array[...] = xp.asarray(host)
    else:
        array[...] = xp.asarray(host, device=array.device)
