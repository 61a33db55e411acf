"""Writing values into chosen places of a tensor, with PyTorch's names (module functions where
PyTorch has them, Tensor methods, and the in-place forms): index_copy, index_fill, index_put,
masked_scatter and put.  Each returns a new tensor (the in-place forms write it back, with
the rules of other in-place ops) and is differentiable: the places written take their
gradient from the values, the others from the input.

    x.index_fill_(1, torch.tensor([0, 2]), -1.0)
    x.index_put_((rows, cols), torch.tensor(1.0), accumulate=True)
    x.masked_scatter(mask, source)     # mask's true places, in order, from source's elements
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from ..ops import methods as _methods
from ..ops.gathering import ScatterAdd
from ..ops.indexing import IndexPut
from ..ops.inplace import in_place as _in_place
from .accumulation import _as_tensor, _checked_index, _checked_source

__all__ = ["index_copy", "index_fill", "index_put"]


def _indices(op, x, index):
    return host_data(op, "index", index._data if isinstance(index, Tensor) else index)


def index_copy(input, dim, index, source):
    """A copy of input with source[..., k, ...] written at input[..., index[k], ...] along `dim`
    (with a repeated index, which write is kept is not defined, as in PyTorch)."""
    x = _as_tensor(input)
    dim, picked = _checked_index("index_copy", x, dim, index)
    source = _checked_source("index_copy", x, dim, picked.shape[0], source)
    return IndexPut.apply(x, source, (slice(None),) * dim + (picked,))


def index_fill(input, dim, index, value):
    """A copy of input with `value` (a number or a 0-d tensor) in the slices index names along `dim`."""
    x = _as_tensor(input)
    dim, picked = _checked_index("index_fill", x, dim, index)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill: argument 'value' must be a number or a 0-d tensor, got shape "
                               f"{tuple(value.shape)}")
        value = value.astype(x.dtype)
    else:
        value = np.asarray(value, dtype=x.dtype)
    return IndexPut.apply(x, value, (slice(None),) * dim + (picked,))


def index_put(input, indices, values, accumulate=False):
    """input[indices] = values as a new tensor (indices a tuple of index tensors); with
    accumulate, values are added, repeated places adding up."""
    x = _as_tensor(input)
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put: argument 'indices' must be a tuple of tensors, got {type(indices).__name__}")
    if len(indices) > x.ndim:
        raise IndexError(f"index_put: {len(indices)} index tensors for a tensor of {x.ndim} dimensions")
    idx = []
    for i in indices:
        array = _indices("index_put", x, i)
        if array.dtype.kind not in "iub":
            raise IndexError(f"index_put: index tensors must be integer or bool, got dtype {array.dtype}")
        idx.append(array)
    idx = tuple(idx)
    values = values if isinstance(values, Tensor) else Tensor(np.asarray(values, dtype=x.dtype))
    if values.dtype != x.dtype:
        raise RuntimeError(f"index_put: values have dtype {values.dtype}, the tensor {x.dtype} (they must match)")
    target_shape = np.empty(x.shape, bool)[idx].shape
    try:
        np.broadcast_shapes(tuple(values.shape), target_shape)
    except ValueError:
        raise RuntimeError(f"index_put: values of shape {tuple(values.shape)} cannot be broadcast to the indexed "
                           f"shape {target_shape}") from None
    if not accumulate:
        return IndexPut.apply(x, values, idx)
    if tuple(values.shape) != target_shape:
        values = values.expand(*target_shape)
    return ScatterAdd.apply(x, values, idx)


def _masked_scatter(self, mask, source):
    """A copy of self with the places where mask (broadcast to self's shape) is true filled, in
    row-major order, with source's first elements."""
    m = _indices("masked_scatter", self, mask)
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        m = np.broadcast_to(m, self.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: mask of shape {m.shape} cannot be broadcast to {tuple(self.shape)}") \
            from None
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter: argument 'source' must be a Tensor, got {type(source).__name__}")
    if source.dtype != self.dtype:
        raise RuntimeError(f"masked_scatter: source has dtype {source.dtype}, the tensor {self.dtype}")
    count = int(m.sum())
    if count > source.numel():
        raise RuntimeError(f"masked_scatter: the mask selects {count} places, source has {source.numel()} elements")
    return IndexPut.apply(self, source.reshape(-1)[:count], np.nonzero(m))


def _put(self, index, source, accumulate=False):
    """A copy of self with source written (added, with accumulate) at the positions `index`
    names in self flattened."""
    flat_index = _indices("put", self, index).reshape(-1)
    if flat_index.dtype.kind not in "iu":
        raise TypeError(f"put: index must be an integer tensor, got dtype {flat_index.dtype}")
    n = self.numel()
    if flat_index.size and (flat_index.min() < -n or flat_index.max() >= n):
        raise IndexError(f"put: index out of range for a tensor of {n} elements")
    if not isinstance(source, Tensor) or source.numel() != flat_index.size:
        raise RuntimeError(f"put: source must be a Tensor with one element per index ({flat_index.size})")
    flat = index_put(self.reshape(-1), (Tensor(flat_index.astype(np.int64)),), source.reshape(-1), accumulate)
    return flat.reshape(self.shape)


_methods.bind({
    "index_copy": index_copy, "index_copy_": _in_place("index_copy_", index_copy),
    "index_fill": index_fill, "index_fill_": _in_place("index_fill_", index_fill),
    "index_put": index_put, "index_put_": _in_place("index_put_", index_put),
    "masked_scatter": _masked_scatter, "masked_scatter_": _in_place("masked_scatter_", _masked_scatter),
    "put": _put, "put_": _in_place("put_", _put),
})
