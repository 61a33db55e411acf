"""Small array helpers for the optimizers: a gradient's array, and state shaped like a parameter."""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import backend_for


def grad_array(g):
    """The array of a gradient: `g` itself, or `g._data` when the gradient is a Tensor."""
    return g if type(g) is np.ndarray else g._data if isinstance(g, Tensor) else g


def zeros_like(a):
    if type(a) is np.ndarray:
        return np.zeros(a.shape, dtype=a.dtype)  # C-contiguous even when `a` is a view
    return backend_for(a).xp.zeros_like(a)


def full_like(a, value):
    if type(a) is np.ndarray:
        return np.full(a.shape, value, dtype=a.dtype)
    return backend_for(a).xp.full_like(a, value)
