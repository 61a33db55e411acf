"""PyTorch's functions that flip, flatten, stack, split and tile by position: fliplr, flipud,
ravel, column_stack, hsplit, vsplit, dsplit, tile (all differentiable), and the index makers
tril_indices, triu_indices and unravel_index.

    import fastgrad as torch
    torch.fliplr(x), torch.hsplit(x, 2), torch.column_stack([a, b])
    rows, cols = torch.tril_indices(3, 3)
"""
import operator

import numpy as np

from ..autograd.tensor import Tensor
from ..ops import shape as _shape, tiling as _tiling
from .arrangement import _tensors, hstack
from .everyday import tensor_split
from .tensor_methods import _as_tensor, flip

__all__ = ["column_stack", "dsplit", "fliplr", "flipud", "hsplit", "ravel", "tril_indices", "triu_indices",
           "unravel_index", "vsplit"]


def _at_least(op, x, ndim):
    x = _as_tensor(x)
    if x.ndim < ndim:
        raise RuntimeError(f"{op}: argument 'input' must have at least {ndim} dimension(s), got {x.ndim}")
    return x


def fliplr(input):
    """input with its columns (dimension 1) reversed; input must be at least 2-D."""
    return flip(_at_least("fliplr", input, 2), (1,))


def flipud(input):
    """input with its rows (dimension 0) reversed; input must be at least 1-D."""
    return flip(_at_least("flipud", input, 1), (0,))


def ravel(input):
    """input flattened to one dimension."""
    return _shape.reshape(_as_tensor(input), (-1,))


def tile(input, dims):
    """input repeated dims[i] times along each dimension; with fewer dims than dimensions the
    leading ones repeat once, with more the input gains leading dimensions of length 1."""
    x = _as_tensor(input)
    dims = (dims,) if isinstance(dims, int) else tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in dims):
        raise RuntimeError(f"tile: argument 'dims' must be non-negative, got {dims}")
    return _tiling.repeat(x, *((1,) * (x.ndim - len(dims)) + dims))


def column_stack(tensors):
    """The tensors joined side by side: 0-d and 1-d ones as columns, the others along dimension 1."""
    columns = [_shape.reshape(t, (-1, 1)) if t.ndim <= 1 else t for t in _tensors("column_stack", tensors)]
    return hstack(columns)


def _split_by_position(op, dim_of, min_ndim):
    def function(input, indices_or_sections):
        x = _at_least(op, input, min_ndim)
        dim = dim_of(x)
        if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
            sections = int(indices_or_sections)
            if sections <= 0 or x.shape[dim] % sections:
                raise RuntimeError(f"{op}: dimension {dim} of size {x.shape[dim]} cannot be split into "
                                   f"{sections} equal parts")
        return tuple(tensor_split(x, indices_or_sections, dim))

    function.__name__ = op
    function.__doc__ = (f"input split along dimension {dim_of.__doc__} into equal parts (an int that must divide "
                        "its length) or at the given indices; a tuple of views.")
    return function


def _columns(x):
    """1 (0 for a 1-d tensor)"""
    return 1 if x.ndim > 1 else 0


def _rows(x):
    """0"""
    return 0


def _depth(x):
    """2"""
    return 2


hsplit = _split_by_position("hsplit", _columns, 1)
vsplit = _split_by_position("vsplit", _rows, 2)
dsplit = _split_by_position("dsplit", _depth, 3)


def _triangle_indices(op, numpy_indices):
    def function(row, col, offset=0, *, dtype=np.int64, device=None, layout=None):
        for name, value in (("row", row), ("col", col), ("offset", offset)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"{op}: argument '{name}' must be an int, got {type(value).__name__}")
        if row < 0 or col < 0:
            raise RuntimeError(f"{op}: arguments 'row' and 'col' must be non-negative, got {row} and {col}")
        if np.dtype(dtype).kind not in "iu":
            raise TypeError(f"{op}: argument 'dtype' must be an integer dtype, got {dtype}")
        indices = np.stack(numpy_indices(row, k=offset, m=col)).astype(dtype).reshape(2, -1)
        result = Tensor(indices)
        return result if device is None else result.to(device)

    function.__name__ = op
    function.__doc__ = (f"The row and column indices (a 2 x N tensor, row-major order) of the "
                        f"{op[:4]}angle of a row x col matrix; offset moves the diagonal up (> 0) or down.")
    return function


tril_indices = _triangle_indices("tril_indices", np.tril_indices)
triu_indices = _triangle_indices("triu_indices", np.triu_indices)


def unravel_index(indices, shape):
    """The coordinates in `shape` of flat (row-major) indices: a tuple of int64 tensors of indices'
    shape, one per dimension.  Indices wrap modulo the number of elements (-1 is the last)."""
    flat = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if flat.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: argument 'indices' must hold integers, got dtype {flat.dtype}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(not isinstance(n, (int, np.integer)) or n < 0 for n in shape):
        raise ValueError(f"unravel_index: argument 'shape' must hold non-negative ints, got {shape}")
    total = int(np.prod(shape, dtype=np.int64))
    if total == 0 and flat.size:
        raise ValueError("unravel_index: a shape with no elements has no coordinates")
    coordinates = np.unravel_index(np.mod(flat.astype(np.int64), max(total, 1)), shape) if shape else ()
    return tuple(Tensor(np.asarray(c, dtype=np.int64)) for c in coordinates)
