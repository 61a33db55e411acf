"""PyTorch's index_add (module function and Tensor method, index_add_ in place) and
Tensor.sum_to_size: adding slices into a tensor, and summing a tensor down to a shape it
broadcasts from.  Both are differentiable.

    import fastgrad as torch
    totals = torch.zeros(3, 4).index_add_(0, torch.tensor([0, 2, 0]), rows)   # rows 0 and 2 added to row 0
    grad.sum_to_size(bias.shape)
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, reductions as _reductions, shape as _shape
from ..ops.gathering import ScatterAdd
from ..ops.inplace import in_place as _in_place

__all__ = ["index_add"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source[..., k, ...] added to input[..., index[k], ...]
    along `dim` (repeated indices add up); source has input's shape except len(index) along dim.

    >>> torch.index_add(torch.zeros(3), 0, torch.tensor([0, 0, 2]), torch.ones(3))   # [2., 0., 1.]
    """
    x = _as_tensor(input)
    if not isinstance(source, Tensor):
        raise TypeError(f"index_add: argument 'source' must be a Tensor, got {type(source).__name__}")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"index_add: argument 'dim' must be an int, got {dim!r}")
    if x.ndim == 0:
        raise RuntimeError("index_add: input must have at least 1 dimension, got a 0-d tensor")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"index_add: argument 'dim' = {dim} is out of range for a tensor of {x.ndim} dimensions")
    dim = int(dim) % x.ndim
    picked = host_data("index_add", "index", index._data if isinstance(index, Tensor) else index)
    if picked.ndim != 1 or picked.dtype.kind not in "iu":
        raise TypeError(f"index_add: argument 'index' must be a 1-d integer tensor, got shape {picked.shape} and "
                        f"dtype {picked.dtype}")
    expected = tuple(x.shape[:dim]) + (picked.shape[0],) + tuple(x.shape[dim + 1:])
    if tuple(source.shape) != expected:
        raise RuntimeError(f"index_add: argument 'source' must have shape {expected} (input's, with len(index) "
                           f"along dim {dim}), got {tuple(source.shape)}")
    if source.dtype != x.dtype:
        raise TypeError(f"index_add: argument 'source' has dtype {source.dtype}, input {x.dtype} (they must match)")
    length = x.shape[dim]
    if picked.size and (picked.min() < -length or picked.max() >= length):
        raise IndexError(f"index_add: argument 'index' is out of range for dimension {dim} of size {length}")
    if alpha != 1:
        source = source * alpha
    return ScatterAdd.apply(x, source, (slice(None),) * dim + (picked.astype(np.int64),))


def _sum_to_size(self, *size):
    """self summed down to `size` (a shape self's shape broadcasts from): the leading dimensions
    and those of length 1 in size are summed.

    >>> torch.ones(2, 3).sum_to_size(1, 3)   # tensor([[2., 2., 2.]])
    """
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"sum_to_size: argument 'size' must hold ints, got {size!r}")
    size = tuple(int(n) for n in size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(n != m and n != 1 for n, m in zip(size, shape[lead:])):
        raise RuntimeError(f"sum_to_size: size {size} is not expandable to the tensor's size {shape}")
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size) if n == 1 and shape[lead + i] != 1)
    if not axes:
        return self
    return _shape.reshape(_reductions.sum(self, axis=axes, keepdims=True), size)


_methods.bind({"index_add": index_add, "index_add_": _in_place("index_add_", index_add), "sum_to_size": _sum_to_size})
