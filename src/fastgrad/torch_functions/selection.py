"""PyTorch's masked_select, take, kthvalue, unique_consecutive and combinations, module
functions (and Tensor methods, except combinations).  Which elements are taken is computed from the
data; the values are then picked differentiably, so the gradient goes to the elements taken.

    import fastgrad as torch
    torch.masked_select(x, x > 0)
    values, indices = torch.kthvalue(x, 2, dim=1)
"""
import itertools
import operator

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import gathering as _gathering, indexing as _indexing, methods as _methods, shape as _shape
from ..ops.broadcast import normalize_axis
from ..ops.methods import ValuesIndices

__all__ = ["combinations", "kthvalue", "masked_select", "take", "unique_consecutive"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _host(op, name, x):
    return host_data(op, name, x._data if isinstance(x, Tensor) else x)


def masked_select(input, mask):
    """The elements of input where `mask` (a bool tensor; both broadcast) is true, as a 1-d
    tensor in row-major order."""
    x = _as_tensor(input)
    keep = _host("masked_select", "mask", mask)
    if keep.dtype != np.bool_:
        raise TypeError(f"masked_select: argument 'mask' must be a bool tensor, got {keep.dtype}")
    try:
        shape = np.broadcast_shapes(tuple(x.shape), keep.shape)
    except ValueError:
        raise ValueError(f"masked_select: input of shape {tuple(x.shape)} and mask of shape {keep.shape} "
                         "do not broadcast") from None
    if tuple(x.shape) != shape:
        x = _shape.broadcast_to(x, shape)
    return _indexing.getitem(_shape.reshape(x, (-1,)), np.broadcast_to(keep, shape).reshape(-1))


def take(input, index):
    """The elements of input, read as a 1-d tensor in row-major order, at `index` (an integer
    tensor; negative indices count from the end); the result has index's shape.

    >>> torch.take(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([0, -1]))   # tensor([1., 4.])
    """
    x = _as_tensor(input)
    picked = _host("take", "index", index)
    if picked.dtype.kind not in "iu":
        raise TypeError(f"take: argument 'index' must be an integer tensor, got {picked.dtype}")
    size = x.numel()
    if picked.size and (picked.min() < -size or picked.max() >= size):
        bad = picked[(picked < -size) | (picked >= size)].flat[0]
        raise IndexError(f"take: argument 'index' holds {bad}, out of range for a tensor of {size} elements")
    return _indexing.getitem(_shape.reshape(x, (-1,)), picked.astype(np.int64))


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element (k counts from 1) along `dim`."""
    x = _as_tensor(input)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"kthvalue: argument 'k' must be an int, got {k!r}")
    (axis,) = normalize_axis(dim, max(x.ndim, 1), "kthvalue")
    size = x.shape[axis] if x.ndim else 1
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue: k = {k} is out of range for dimension {dim} of size {size}")
    if x.ndim == 0:
        return ValuesIndices(x, Tensor(np.zeros((), dtype=np.int64)))
    data = _host("kthvalue", "input", x)
    # NaN sorts last, as PyTorch's kthvalue places it.
    order = np.argsort(data, axis=axis, kind="stable")
    picked = np.take(order, [int(k) - 1], axis=axis).astype(np.int64)
    values = _gathering.gather(x, axis, picked)
    if not keepdim:
        values, picked = _shape.squeeze(values, axis), picked.squeeze(axis)
    return ValuesIndices(values, Tensor(picked))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The input with each run of equal consecutive elements (slices along `dim` when given)
    kept once; with return_inverse, the position of each element's run, and with
    return_counts, the length of each run (int64).  No gradient (as PyTorch)."""
    data = _host("unique_consecutive", "input", _as_tensor(input))
    if dim is None:
        flat = data.reshape(-1)
        starts = np.ones(flat.shape[0], dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = data.shape
    else:
        if data.ndim == 0:
            raise IndexError("unique_consecutive: a 0-d tensor has no dimension to compare along")
        (axis,) = normalize_axis(operator.index(dim), data.ndim, "unique_consecutive")
        moved = np.moveaxis(data, axis, 0).reshape(data.shape[axis], -1)
        starts = np.ones(moved.shape[0], dtype=bool)
        starts[1:] = np.any(moved[1:] != moved[:-1], axis=1)
        values = np.compress(starts, data, axis=axis)
        inverse_shape = (data.shape[axis],)
    result = [Tensor(np.ascontiguousarray(values))]
    if return_inverse:
        result.append(Tensor((np.cumsum(starts) - 1).astype(np.int64).reshape(inverse_shape)))
    if return_counts:
        edges = np.flatnonzero(np.append(starts, True))
        result.append(Tensor(np.diff(edges).astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def combinations(input, r=2, with_replacement=False):
    """The r-element combinations of a 1-d tensor's elements, as rows (itertools' order)."""
    x = _as_tensor(input)
    if x.ndim != 1:
        raise ValueError(f"combinations: expects a 1-d tensor, got {x.ndim}-d")
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0:
        raise ValueError(f"combinations: argument 'r' must be a non-negative int, got {r!r}")
    if r == 0:   # PyTorch: an empty 1-d tensor
        return Tensor(np.empty((0,), dtype=x.dtype))
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(choose(range(x.shape[0]), int(r))), dtype=np.int64).reshape(-1, int(r))
    if rows.shape[0] == 0:
        return Tensor(np.empty((0, int(r)), dtype=x.dtype))
    return _indexing.getitem(x, rows)


_methods.bind({"take": take, "masked_select": masked_select, "kthvalue": kthvalue,
               "unique_consecutive": unique_consecutive})
