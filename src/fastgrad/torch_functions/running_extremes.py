"""PyTorch's cummax and cummin: the running maximum (minimum) along a dimension and the index
where it was reached, as a (values, indices) pair.  Ties take the latest index and a NaN, once
met, is carried on (with the index of the latest NaN), as in PyTorch.  The values are gathered
from the input at those indices, so the gradient flows to the elements that were selected.

    import fastgrad as torch
    values, indices = torch.cummax(x, dim=0)
"""
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from ..ops import manipulation as _manipulation
from .everyday import _axis
from .tensor_methods import _as_tensor, take_along_dim

__all__ = ["cummax", "cummin"]

CumulativeExtreme = namedtuple("CumulativeExtreme", ["values", "indices"])


def _running_indices(data, axis, better):
    moved = np.moveaxis(data, axis, -1)
    indices = np.zeros(moved.shape, dtype=np.int64)
    if moved.shape[-1] == 0:
        return np.moveaxis(indices, -1, axis)
    best, where = moved[..., 0].copy(), np.zeros(moved.shape[:-1], dtype=np.int64)
    floating = data.dtype.kind == "f"
    for j in range(1, moved.shape[-1]):
        value = moved[..., j]
        take = better(value, best)
        if floating:   # a NaN replaces anything; nothing replaces a NaN but another NaN
            take = np.isnan(value) | (take & ~np.isnan(best))
        best = np.where(take, value, best)
        where = np.where(take, j, where)
        indices[..., j] = where
    return np.moveaxis(indices, -1, axis)


def _cumulative_extreme(op, better):
    def function(input, dim):
        x = _as_tensor(input)
        if x.dtype.kind == "c":
            raise TypeError(f"{op}: argument 'input' is complex, which has no order")
        axis = _axis(x, dim, op)
        if x.ndim == 0:
            return CumulativeExtreme(_manipulation.copy(x), Tensor(np.zeros((), dtype=np.int64)))
        indices = Tensor(_running_indices(x._data, axis, better))
        return CumulativeExtreme(take_along_dim(x, indices, axis), indices)

    function.__name__ = op
    function.__doc__ = (f"The running {op[3:]}imum of input along `dim` and the index where each was reached "
                        "(values, indices); differentiable in the values.")
    return function


cummax = _cumulative_extreme("cummax", np.greater_equal)
cummin = _cumulative_extreme("cummin", np.less_equal)
