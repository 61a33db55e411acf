"""Making tensors: tensor(), from_numpy() and the factories (zeros, randn, ...)."""
import numpy as np

from .autograd.tensor import Tensor, new_tensor
from .dtypes import get_default_dtype

_rng = [np.random.default_rng()]


def manual_seed(seed):
    """Seed the generator behind rand, randn and nn initialisers."""
    _rng[0] = np.random.default_rng(seed)


def default_generator():
    return _rng[0]


def as_array(data, dtype, op):
    """An array for a new tensor.

    Arrays (numpy, CuPy, array-API) keep their dtype; Python numbers and lists
    of floats become the default dtype (float32 unless changed)."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray) or _is_cupy(data) or (hasattr(data, "__array_namespace__")
                                                         and not isinstance(data, np.generic)):
        return data if dtype is None else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__} (ragged or non-numeric data)")
    if dtype is not None:
        return arr.astype(dtype)
    if arr.dtype.kind == "f":
        return arr.astype(get_default_dtype())
    return arr


def _is_cupy(data):
    # CuPy arrays have no __array_namespace__; they are recognised by their type.
    return type(data).__module__.split(".", 1)[0] == "cupy"


def tensor(data, dtype=None, requires_grad=False, device=None):
    """A new leaf tensor from data (a number, nested lists, or an array).

    `device` ("cpu", "cuda" or "cuda:N") puts the data there: "cuda" makes a
    CuPy array (CuPy is imported only then).  Without it, an array keeps its
    own type and device.

    >>> tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    if device is not None:
        from .device import move_array

        data, dtype = move_array(as_array(data, dtype, "tensor"), device), None
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return new_tensor(array, False, None)


def _shape(size):
    if len(size) == 1 and not isinstance(size[0], int):
        return tuple(size[0])
    return tuple(size)


def _leaf(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def zeros(*size, dtype=None, requires_grad=False):
    return _leaf(np.zeros(_shape(size), dtype=dtype or get_default_dtype()), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _leaf(np.ones(_shape(size), dtype=dtype or get_default_dtype()), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    size = (size,) if isinstance(size, int) else tuple(size)
    return _leaf(np.full(size, fill_value, dtype=dtype or get_default_dtype()), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return _leaf(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _leaf(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return _leaf(np.full(t.shape, fill_value, dtype=dtype or t.dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, end); integer arguments give int64."""
    if end is None:
        start, end = 0, start
    arr = np.arange(start, end, step)
    if dtype is not None:
        arr = arr.astype(dtype)
    elif arr.dtype.kind == "f":
        arr = arr.astype(get_default_dtype())
    return _leaf(arr, requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return _leaf(np.linspace(start, end, steps, dtype=dtype or get_default_dtype()), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _leaf(np.eye(n, m, dtype=dtype or get_default_dtype()), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    dtype = np.dtype(dtype or get_default_dtype())
    return _leaf(_rng[0].random(_shape(size)).astype(dtype), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal samples."""
    dtype = np.dtype(dtype or get_default_dtype())
    return _leaf(_rng[0].standard_normal(_shape(size)).astype(dtype), requires_grad)


def randint(low, high=None, size=(), dtype=np.int64):
    if high is None:
        low, high = 0, low
    return _leaf(_rng[0].integers(low, high, size=size, dtype=dtype), False)
