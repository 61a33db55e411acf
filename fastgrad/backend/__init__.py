"""Where an array's work goes: chosen once per op call, from the arrays' type.

numpy.ndarray        -> NumpyBackend (C kernels)
cupy.ndarray         -> CuPy backend (when available)
other array-API type -> Backend(namespace): the reference twins in its namespace
"""
import numpy as np

from .base import KERNELS, Backend
from .numpy_backend import NumpyBackend

NUMPY = NumpyBackend()
_by_namespace = {}
_NOT_ARRAYS = {float, int, bool, complex, type(None), tuple, list, slice, str, np.dtype}


def backend_for(*arrays):
    """The backend for a call's array arguments (scalars and None are ignored)."""
    chosen = None
    for a in arrays:
        t = type(a)
        if t is np.ndarray or t in _NOT_ARRAYS or isinstance(a, (type, np.generic)):
            continue
        backend = _namespace_backend(a)
        if backend is None:
            continue
        if chosen is not None and chosen is not backend:
            raise TypeError(f"cannot mix arrays of {chosen.name} and {backend.name} in one operation")
        chosen = backend
    return chosen if chosen is not None else NUMPY


def _namespace_backend(a):
    get_ns = getattr(a, "__array_namespace__", None)
    if get_ns is None:
        return None
    xp = get_ns()
    backend = _by_namespace.get(xp)
    if backend is None:
        backend = Backend(xp)
        backend.name = getattr(xp, "__name__", type(a).__module__)
        _by_namespace[xp] = backend
    return backend


__all__ = ["Backend", "KERNELS", "NUMPY", "backend_for"]
