"""flatten: any nesting of tuples, lists and dicts of arrays and numbers as one
1-d array, and the function that puts such an array back.

    flat, unflatten = flatten({"w": np.ones((2, 2)), "b": np.zeros(2)})
    flat.shape          # (6,): b first (dict keys in sorted order), then w
    unflatten(flat)     # {"b": ..., "w": ...}

Both directions are differentiable: flatten a pytree of Tensors and the
result carries their gradients; unflatten a Tensor and each piece does.
"""
import math

import numpy as np

from .. import numpy as fnp
from ..autograd.tensor import Tensor

__all__ = ["flatten", "flatten_func"]


def _leaves(value):
    """The arrays of a tree in flattening order, and its structure."""
    if type(value) in (list, tuple):
        parts = [_leaves(v) for v in value]
        return [leaf for p in parts for leaf in p[0]], (type(value), [p[1] for p in parts])
    if type(value) is dict:
        keys = sorted(value)
        parts = [_leaves(value[k]) for k in keys]
        return [leaf for p in parts for leaf in p[0]], (dict, keys, [p[1] for p in parts])
    shape = tuple(value.shape) if isinstance(value, (Tensor, np.ndarray)) else ()
    return [value], (None, shape, isinstance(value, (Tensor, np.ndarray)))


def _rebuild(structure, flat, start):
    kind = structure[0]
    if kind is None:
        _, shape, is_array = structure
        size = math.prod(shape)
        piece = flat[start:start + size]
        if is_array:
            return fnp.reshape(piece, shape), start + size
        return piece[0], start + size
    if kind is dict:
        _, keys, parts = structure
        out = {}
        for k, part in zip(keys, parts):
            out[k], start = _rebuild(part, flat, start)
        return out, start
    out = []
    for part in structure[1]:
        item, start = _rebuild(part, flat, start)
        out.append(item)
    return kind(out), start


def flatten(value):
    """(flat 1-d array, unflatten) for a nesting of tuples, lists and dicts.

    Dict keys are taken in sorted order; mixed numeric types are promoted
    together (NumPy's rules)."""
    leaves, structure = _leaves(value)
    pieces = [fnp.ravel(leaf) for leaf in leaves]
    flat = fnp.concatenate(pieces) if pieces else np.zeros(0)

    def unflatten(vector):
        return _rebuild(structure, vector, 0)[0]

    return flat, unflatten


def flatten_func(func, example):
    """(flat_func, unflatten, flat_example): func taking a tree like `example`,
    turned into a function of a 1-d array that returns a 1-d array."""
    flat_example, unflatten = flatten(example)

    def flat_func(flat, *args):
        return flatten(func(unflatten(flat), *args))[0]

    return flat_func, unflatten, flat_example
