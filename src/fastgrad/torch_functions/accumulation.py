"""PyTorch's index_add, scatter_reduce and index_reduce (module functions and Tensor methods,
with their in-place forms) and Tensor.sum_to_size: adding or reducing elements and slices
into a tensor, and summing a tensor down to a shape it broadcasts from.  All are
differentiable.

    import fastgrad as torch
    totals = torch.zeros(3, 4).index_add_(0, torch.tensor([0, 2, 0]), rows)   # rows 0 and 2 added to row 0
    grad.sum_to_size(bias.shape)
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, reductions as _reductions, shape as _shape
from ..ops.gathering import ScatterAdd, _check_index, _dim, scatter_operands
from ..ops.scatter_reduce import scatter_reduce as _scatter_reduce
from ..ops.inplace import in_place as _in_place

__all__ = ["index_add", "index_reduce", "scatter_reduce"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source[..., k, ...] added to input[..., index[k], ...]
    along `dim` (repeated indices add up); source has input's shape except len(index) along dim.

    >>> torch.index_add(torch.zeros(3), 0, torch.tensor([0, 0, 2]), torch.ones(3))   # [2., 0., 1.]
    """
    x = _as_tensor(input)
    dim, picked = _checked_index("index_add", x, dim, index)
    source = _checked_source("index_add", x, dim, picked.shape[0], source)
    if alpha != 1:
        source = source * alpha
    return ScatterAdd.apply(x, source, (slice(None),) * dim + (picked,))


def _checked_index(op, x, dim, index):
    """dim (an int in range) and index (a 1-d integer array in range along it) of index_add/index_reduce."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: argument 'dim' must be an int, got {dim!r}")
    if x.ndim == 0:
        raise RuntimeError(f"{op}: input must have at least 1 dimension, got a 0-d tensor")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"{op}: argument 'dim' = {dim} is out of range for a tensor of {x.ndim} dimensions")
    dim = int(dim) % x.ndim
    picked = host_data(op, "index", index._data if isinstance(index, Tensor) else index)
    if picked.ndim != 1 or picked.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'index' must be a 1-d integer tensor, got shape {picked.shape} and "
                        f"dtype {picked.dtype}")
    length = x.shape[dim]
    if picked.size and (picked.min() < -length or picked.max() >= length):
        raise IndexError(f"{op}: argument 'index' is out of range for dimension {dim} of size {length}")
    return dim, picked.astype(np.int64)


def _checked_source(op, x, dim, n, source):
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}: argument 'source' must be a Tensor, got {type(source).__name__}")
    expected = tuple(x.shape[:dim]) + (n,) + tuple(x.shape[dim + 1:])
    if tuple(source.shape) != expected:
        raise RuntimeError(f"{op}: argument 'source' must have shape {expected} (input's, with len(index) "
                           f"along dim {dim}), got {tuple(source.shape)}")
    if source.dtype != x.dtype:
        raise TypeError(f"{op}: argument 'source' has dtype {source.dtype}, input {x.dtype} (they must match)")
    return source


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of input with src[i][j] reduced into input[index[i][j]][j] (dim=0) by `reduce`
    ("sum", "prod", "mean", "amax" or "amin"), input's own values taking part unless
    include_self=False; src's leading part of index's shape is used.

    >>> torch.zeros(3).scatter_reduce(0, torch.tensor([0, 0, 2]), torch.tensor([1., 5., 2.]), "amax")
    tensor([5., 0., 2.])
    """
    x = _as_tensor(input)
    dim = _dim(x, dim, "scatter_reduce")
    _check_index(x, index, dim, "scatter_reduce")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce: argument 'src' must be a Tensor, got {type(src).__name__}")
    if src.dtype != x.dtype:
        raise TypeError(f"scatter_reduce: argument 'src' has dtype {src.dtype}, input {x.dtype} (they must match)")
    src, idx = scatter_operands("scatter_reduce", x, dim, index, src)
    return _scatter_reduce(x, src, idx, reduce, include_self)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of input with the slices source[..., k, ...] reduced into input[..., index[k], ...]
    along `dim` by `reduce` ("prod", "mean", "amax" or "amin"; index_add sums), input's own
    values taking part unless include_self=False."""
    x = _as_tensor(input)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce: argument 'reduce' must be one of prod, mean, amax, amin, got {reduce!r}")
    dim, picked = _checked_index("index_reduce", x, dim, index)
    source = _checked_source("index_reduce", x, dim, picked.shape[0], source)
    return _scatter_reduce(x, source, (slice(None),) * dim + (picked,), reduce, include_self)


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


_methods.bind({"index_add": index_add, "index_add_": _in_place("index_add_", index_add), "sum_to_size": _sum_to_size,
               "scatter_reduce": scatter_reduce, "scatter_reduce_": _in_place("scatter_reduce_", scatter_reduce),
               "index_reduce": index_reduce, "index_reduce_": _in_place("index_reduce_", index_reduce)})
