"""PyTorch's selections and their scatters: select, split_with_sizes, as_strided, and
select_scatter, slice_scatter, diagonal_scatter, as_strided_scatter (a copy of input with one
selection replaced by src), plus the in-place Tensor.fill_diagonal_ and as_strided_.  All are
differentiable in input and src.

as_strided reads the elements at storage_offset + sum_d i_d * stride[d] of input's row-major
order.  fastgrad has no storage shared between views, so for a transposed or sliced tensor the
strides count positions in the tensor's own row-major order, not in the memory of the tensor it
was cut from (the same as PyTorch for contiguous tensors, where scripts use it).

    select_scatter(x, src, dim, i)   : x with x.select(dim, i) replaced by src
    slice_scatter(x, src, dim, a, b) : x with the slice a:b along dim replaced by src
    diagonal_scatter(x, src, offset) : x with x.diagonal(offset) replaced by src

    import fastgrad as torch
    torch.select_scatter(torch.zeros(2, 3), torch.ones(3), 0, 1)   # row 1 of ones
"""
import operator

import numpy as np

from ..autograd.tensor import Tensor
from ..ops import methods as _methods
from ..ops.broadcast import normalize_axis
from ..ops.inplace import in_place
from .tensor_methods import _as_tensor

__all__ = ["as_strided", "as_strided_scatter", "diagonal_scatter", "select", "select_scatter", "slice_scatter",
           "split_with_sizes"]


def _axis(op, x, dim):
    if x.ndim == 0:
        raise IndexError(f"{op}: cannot select from a 0-d tensor")
    (axis,) = normalize_axis(dim, x.ndim, op)
    return axis


def _position(op, x, axis, index):
    size = x.shape[axis]
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f"{op}: index {index} is out of range for dimension {axis} of size {size}")
    return index % size


def select(input, dim, index):
    """The slice of input at `index` along `dim`, that dimension removed (a view when no graph
    is recorded; input[..., index, ...])."""
    x = _as_tensor(input)
    axis = _axis("select", x, dim)
    return x[(slice(None),) * axis + (_position("select", x, axis, index),)]


def _replaced(op, x, key, src, expected_shape):
    src = _as_tensor(src)
    if tuple(src.shape) != tuple(expected_shape):
        raise RuntimeError(f"{op}: src must have the shape of the part it replaces, {tuple(expected_shape)}, got "
                           f"{tuple(src.shape)}")
    if src.dtype != x.dtype:
        raise RuntimeError(f"{op}: src must have input's dtype {x.dtype}, got {src.dtype}")
    out = x.clone()
    out[key] = src
    return out


def select_scatter(input, src, dim, index):
    """A copy of input whose slice at `index` along `dim` is src (shaped as that slice)."""
    x = _as_tensor(input)
    axis = _axis("select_scatter", x, dim)
    key = (slice(None),) * axis + (_position("select_scatter", x, axis, index),)
    return _replaced("select_scatter", x, key, src, x.shape[:axis] + x.shape[axis + 1:])


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input whose elements start:end:step along `dim` are src."""
    x = _as_tensor(input)
    axis = _axis("slice_scatter", x, dim)
    if step is not None and step <= 0:
        raise ValueError(f"slice_scatter: step must be positive, got {step}")
    part = slice(start, end, step)
    length = len(range(*part.indices(x.shape[axis])))
    key = (slice(None),) * axis + (part,)
    return _replaced("slice_scatter", x, key, src, x.shape[:axis] + (length,) + x.shape[axis + 1:])


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input whose diagonal (as input.diagonal(offset, dim1, dim2): the diagonal's
    elements in src's last dimension) is src."""
    x = _as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"diagonal_scatter: input must be at least 2-D, got {x.ndim}-D")
    (a,), (b,) = (normalize_axis(d, x.ndim, "diagonal_scatter") for d in (dim1, dim2))
    if a == b:
        raise RuntimeError(f"diagonal_scatter: dim1 and dim2 must differ, both are {a}")
    moved = x.movedim((a, b), (-2, -1))
    rows, cols = moved.shape[-2:]
    first_row, first_col = max(-offset, 0), max(offset, 0)
    length = max(min(rows - first_row, cols - first_col), 0)
    steps = np.arange(length)
    key = (Ellipsis, first_row + steps, first_col + steps)
    out = _replaced("diagonal_scatter", moved, key, src, moved.shape[:-2] + (length,))
    return out.movedim((-2, -1), (a, b))


def split_with_sizes(input, split_sizes, dim=0):
    """input cut along `dim` into pieces of the given sizes, which must add up to its length."""
    x = _as_tensor(input)
    axis = _axis("split_with_sizes", x, dim)
    sizes = [operator.index(s) for s in split_sizes]
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[axis]:
        raise RuntimeError(f"split_with_sizes: split_sizes {sizes} must be non-negative and add up to the length "
                           f"{x.shape[axis]} of dimension {axis}")
    return x.split(sizes, axis)


def _strided_positions(op, x, size, stride, storage_offset):
    """The row-major positions in x that as_strided(x, size, stride, storage_offset) reads, an
    int64 array of shape size."""
    size, stride = tuple(operator.index(n) for n in size), tuple(operator.index(n) for n in stride)
    offset = 0 if storage_offset is None else operator.index(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError(f"{op}: {len(size)} sizes but {len(stride)} strides")
    if any(n < 0 for n in size) or any(n < 0 for n in stride) or offset < 0:
        raise RuntimeError(f"{op}: sizes, strides and storage_offset must be non-negative, got {size}, {stride}, "
                           f"{offset}")
    positions = np.full(size, offset, dtype=np.int64)
    for axis, (n, step) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = n
        positions = positions + np.arange(n, dtype=np.int64).reshape(shape) * step
    if positions.size and positions.max() >= x.numel():
        raise RuntimeError(f"{op}: size {size}, stride {stride} and storage_offset {offset} reach element "
                           f"{positions.max()}, beyond the tensor's {x.numel()} elements")
    return positions


def as_strided(input, size, stride, storage_offset=None):
    """The tensor of shape size whose element i holds input's element (in row-major order)
    storage_offset + sum_d i_d * stride[d]; differentiable (repeated elements add their
    gradients).

    >>> as_strided(arange(9.0), (2, 2), (1, 2), 1)     # [[1, 3], [2, 4]]
    """
    x = _as_tensor(input)
    return x.reshape(-1)[_strided_positions("as_strided", x, size, stride, storage_offset)]


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of input whose elements as_strided(input, size, stride, storage_offset) reads are
    src (of shape size)."""
    x = _as_tensor(input)
    positions = _strided_positions("as_strided_scatter", x, size, stride, storage_offset)
    flat = _replaced("as_strided_scatter", x.reshape(-1), positions, src, positions.shape)
    return flat.reshape(tuple(x.shape))


def _diagonal_filled(self, fill_value, wrap=False):
    if self.ndim < 2:
        raise RuntimeError(f"fill_diagonal_: the tensor must be at least 2-D, got {self.ndim}-D")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError(f"fill_diagonal_: all dimensions of a tensor of more than 2 must be equal, got "
                           f"{tuple(self.shape)}")
    mask = np.zeros(self.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    from ..ops.selection import where

    return where(Tensor(mask), fill_value, self)


def _as_strided_in_place():
    from .method_table import reshaping_in_place

    return reshaping_in_place("as_strided_", lambda self, size, stride, storage_offset=None:
                              as_strided(self, size, stride, storage_offset))


_methods.bind({"as_strided": as_strided, "as_strided_scatter": as_strided_scatter,
               "as_strided_": _as_strided_in_place()})
_methods.bind({"select": select, "select_scatter": select_scatter, "slice_scatter": slice_scatter,
               "diagonal_scatter": diagonal_scatter, "split_with_sizes": split_with_sizes,
               "fill_diagonal_": in_place("fill_diagonal_", _diagonal_filled)})
