"""Where an array's work goes: chosen once per op call, from the arrays' types.

numpy.ndarray        -> NumpyBackend: the C kernels
cupy.ndarray         -> CupyBackend: CuPy fused kernels and cuBLAS (CuPy imported lazily)
other array-API type -> Backend(namespace): the reference twins in that array's namespace

Arrays of two backends (or two devices) in one call raise a TypeError that
names both devices; nothing is ever copied between them silently.
"""
import numpy as np

from .base import KERNELS, Backend
from .reference.devices import same_device  # noqa: F401
from .numpy_backend import NumpyBackend

NUMPY = NumpyBackend()

# type -> backend, or None for arguments that are not arrays (numbers, dtypes, ...)
_by_type = {np.ndarray: NUMPY}
_by_namespace = {}
_NOT_ARRAYS = (float, int, bool, complex, type(None), tuple, list, slice, str, bytes, np.dtype,
               type(Ellipsis))
for _t in _NOT_ARRAYS:
    _by_type[_t] = None


def backend_for(*arrays):
    """The backend for a call's array arguments (numbers, None and the like are ignored).

    Raises TypeError when the arrays belong to different backends or devices,
    e.g. a CuPy array with a NumPy array.

    Example::

        backend_for(np.ones(3)).name                 # 'numpy'
        backend_for(cupy.ones(3), 2.0).name          # 'cupy'
    """
    chosen = None
    chosen_array = None
    for a in arrays:
        t = type(a)
        try:
            backend = _by_type[t]
        except KeyError:
            backend = _backend_of_type(t, a)
        if backend is None:
            continue
        if chosen is None:
            chosen, chosen_array = backend, a
        elif backend is not chosen:
            raise TypeError(_mixed_message(chosen, chosen_array, backend, a))
        elif backend.name == "cupy" and a.device.id != chosen_array.device.id:
            raise TypeError(_mixed_message(chosen, chosen_array, backend, a))
    return chosen if chosen is not None else NUMPY


def is_array(a):
    """True for an array of any backend (NumPy, CuPy, an array-API library); False for numbers,
    NumPy scalars, None, tuples and other Python objects."""
    t = type(a)
    try:
        return _by_type[t] is not None
    except KeyError:
        return _backend_of_type(t, a) is not None


def namespace_of(a):
    """The array namespace of `a`: numpy for NumPy arrays and non-arrays, cupy for CuPy
    arrays (which have no __array_namespace__), else a.__array_namespace__().

    Example::

        namespace_of(np.ones(2)) is np                # True
        namespace_of(cupy.ones(2)) is cupy            # True
    """
    return backend_for(a).xp


def array_device_name(a):
    """The device an array reports, in its own library's words: 'cpu' for NumPy arrays,
    'cuda:N' for CuPy arrays, str(a.device) for other array-API arrays (e.g. array_api_strict's
    'CPU_DEVICE'). Error messages that name an array's device use it; fastgrad.devices.device_of
    maps it onto fastgrad's own device names.
    """
    if isinstance(a, (np.ndarray, np.generic)):
        return "cpu"
    dev = getattr(a, "device", None)
    if dev is None:
        return "cpu"
    if isinstance(dev, str):
        return dev
    if _is_cupy(a):
        return f"cuda:{dev.id}"
    return str(dev)


def _is_cupy(a):
    """True for a CuPy array, known by its type (CuPy arrays have no __array_namespace__)."""
    t = type(a)
    return t.__module__.split(".", 1)[0] == "cupy" and t.__name__ == "ndarray"


def host_data(op, name, data):
    """`data` as a NumPy array, for the functions that compute on the host; CuPy data is refused
    by name (np.asarray would raise a message that names neither)."""
    if _is_cupy(data):
        raise TypeError(f"{op}: argument '{name}' holds CuPy data; {op} works on NumPy data only "
                        "(move it with .cpu() first)")
    return np.asarray(data)


def _backend_of_type(t, a):
    """Classify a type seen for the first time (the answer is cached per type)."""
    if issubclass(t, np.ndarray):
        backend = NUMPY
    elif issubclass(t, (np.generic, type)) or isinstance(a, _NOT_ARRAYS):
        backend = None
    elif _is_cupy(a):
        from .cupy_backend import cupy_backend

        backend = cupy_backend()
    else:
        get_ns = getattr(a, "__array_namespace__", None)
        if get_ns is None:
            backend = None
        else:
            backend = _namespace_backend(get_ns(), t)
    _by_type[t] = backend
    return backend


def _namespace_backend(xp, t):
    backend = _by_namespace.get(xp)
    if backend is None:
        backend = Backend(xp)
        backend.name = getattr(xp, "__name__", t.__module__)
        _by_namespace[xp] = backend
    return backend


def _describe(backend, a):
    kind = {"numpy": "a NumPy array", "cupy": "a CuPy array"}.get(backend.name, f"a {backend.name} array")
    return f"{kind} (device {array_device_name(a)})"


def _mixed_message(b1, a1, b2, a2):
    return (f"cannot mix {_describe(b1, a1)} and {_describe(b2, a2)} in one operation; "
            "move the tensors to one device first (tensor.to(device), .cuda() or .cpu())")


__all__ = ["Backend", "KERNELS", "NUMPY", "array_device_name", "backend_for", "host_data", "namespace_of"]
