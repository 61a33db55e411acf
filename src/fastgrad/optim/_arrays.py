"""Small array helpers for optimizer state: zeros shaped like a parameter, in its namespace."""
import numpy as np

from ..backend import backend_for


def zeros_like(a):
    if type(a) is np.ndarray:
        return np.zeros(a.shape, dtype=a.dtype)  # C-contiguous even when `a` is a view
    return backend_for(a).xp.zeros_like(a)


def full_like(a, value):
    if type(a) is np.ndarray:
        return np.full(a.shape, value, dtype=a.dtype)
    return backend_for(a).xp.full_like(a, value)


def datas(params):
    return [p.data for p in params]


def grads(params):
    return [p.grad for p in params]
