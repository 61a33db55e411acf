"""PyTorch's diagonal, diag_embed and block_diag: reading a diagonal out of a tensor, and
building tensors whose diagonals (or diagonal blocks) are given.  All three are
differentiable (the gradient goes to the elements read or placed); diagonal and diag_embed
are Tensor methods too.

    import fastgrad as torch
    torch.diagonal(x, offset=1, dim1=-2, dim2=-1)    # x[..., i, i + 1]
    torch.diag_embed(v)                              # (..., n) -> (..., n, n), v on the diagonal
    torch.block_diag(a, b)                           # [[a, 0], [0, b]]
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..dtypes import get_default_dtype
from ..ops import methods as _methods, shape as _shape
from ..ops.indexing import IndexPut

__all__ = ["block_diag", "diag_embed", "diagonal"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _int(op, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: argument '{name}' must be an int, got {value!r}")
    return int(value)


def _plane(op, dim1, dim2, ndim):
    """dim1 and dim2 as non-negative dimensions of a tensor of `ndim` dimensions, distinct."""
    dims = []
    for name, d in (("dim1", dim1), ("dim2", dim2)):
        d = _int(op, name, d)
        if not -ndim <= d < ndim:
            raise IndexError(f"{op}: argument '{name}' = {d} is out of range for a tensor of {ndim} dimensions "
                             f"(expected one in [{-ndim}, {ndim - 1}])")
        dims.append(d % ndim)
    if dims[0] == dims[1]:
        raise RuntimeError(f"{op}: arguments 'dim1' and 'dim2' name the same dimension ({dim1}, {dim2})")
    return dims


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal input[..., i, i + offset] of the planes spanned by dim1 and dim2, as the
    last dimension (offset > 0 above the main diagonal, < 0 below).

    >>> torch.diagonal(torch.tensor([[1., 2.], [3., 4.]]))   # tensor([1., 4.])
    """
    x = _as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"diagonal: input must have at least 2 dimensions, got {x.ndim}")
    a1, a2 = _plane("diagonal", dim1, dim2, x.ndim)
    return _fnp().diagonal(x, _int("diagonal", "offset", offset), a1, a2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor with one more dimension whose planes (dim1, dim2) hold input's last dimension
    on their diagonal `offset` (zeros elsewhere): out.diagonal(offset, dim1, dim2) == input.

    >>> torch.diag_embed(torch.tensor([1., 2.]))   # tensor([[1., 0.], [0., 2.]])
    """
    x = _as_tensor(input)
    offset = _int("diag_embed", "offset", offset)
    if x.ndim == 0:
        raise RuntimeError("diag_embed: input must have at least 1 dimension, got a 0-d tensor")
    a1, a2 = _plane("diag_embed", dim1, dim2, x.ndim + 1)
    length = x.shape[-1]
    size = length + abs(offset)
    steps = np.arange(length)
    rows, cols = (steps, steps + offset) if offset >= 0 else (steps - offset, steps)
    zeros = Tensor(np.zeros(tuple(x.shape[:-1]) + (size, size), dtype=x.dtype))
    placed = IndexPut.apply(zeros, x, (Ellipsis, rows, cols))   # the plane is the last two dimensions
    return _fnp().moveaxis(placed, [-2, -1], [a1, a2])


def block_diag(*tensors):
    """The matrix with the given tensors on its diagonal as blocks, zeros elsewhere; a 0-d
    tensor is a 1x1 block and a 1-d tensor of n elements a 1xn block.  The result has the
    tensors' promoted dtype.

    >>> torch.block_diag(torch.ones(1, 2), torch.tensor(3.))   # [[1, 1, 0], [0, 0, 3]]
    """
    blocks = []
    for i, t in enumerate(tensors):
        t = _as_tensor(t)
        if t.ndim > 2:
            raise RuntimeError(f"block_diag: argument 'tensors' must hold tensors of at most 2 dimensions, "
                               f"tensor {i} has {t.ndim}")
        blocks.append(_shape.reshape(t, (1, -1)) if t.ndim < 2 else t)
    if not blocks:
        return Tensor(np.zeros((1, 0), dtype=get_default_dtype()))   # PyTorch: an empty (1, 0) tensor
    dtype = np.result_type(*(b.dtype for b in blocks))
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        if b.dtype != dtype:
            b = _shape.astype(b, dtype)
        n, m = b.shape
        pieces = [Tensor(np.zeros((n, left), dtype=dtype)), b,
                  Tensor(np.zeros((n, width - left - m), dtype=dtype))]
        rows.append(_shape.concatenate(pieces, axis=1))
        left += m
    return _shape.concatenate(rows, axis=0)


_methods.bind({"diagonal": diagonal, "diag_embed": diag_embed})
