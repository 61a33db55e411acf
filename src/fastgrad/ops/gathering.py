"""Picking elements along a dimension, with PyTorch's names and meanings:
gather scatter index_select masked_fill sort topk argmax argmin.

Each is composed from indexing (x[idx], the put behind x[idx] = v) and where,
so the gradients are theirs: gathered elements send their gradient back to
where they came from (repeated indices add up), scattered ones to the source.
The orderings and indices are computed where the data lives: with CuPy on a
GPU, with NumPy otherwise (other array-API arrays are read on the host).
"""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor, new_tensor
from ..backend import _is_cupy
from .broadcast import normalize_axis
from .selection import where
from .indexing import IndexPut, getitem


def _data(a):
    return a._data if isinstance(a, Tensor) else a


def _namespace(data):
    """CuPy for CuPy arrays, NumPy for everything else."""
    if _is_cupy(data):
        import cupy

        return cupy
    return np


def _values(data):
    """(namespace, array) with the array where the namespace computes: CuPy arrays stay on
    their GPU, any other array is read as NumPy."""
    xp = _namespace(data)
    return xp, (data if xp is not np else np.asarray(data))


def _dim(x, dim, op):
    (axis,) = normalize_axis(dim, max(x.ndim, 1), op)
    return axis


def _along(index, dim, op):
    """The advanced index that takes element index[i, j, ...] along `dim` (take_along_axis)."""
    xp, index = _values(_data(index))
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {index.dtype}")
    parts = []
    for axis, n in enumerate(index.shape):
        if axis == dim:
            parts.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = n
            parts.append(xp.arange(n).reshape(shape))
    return tuple(parts)


def _check_index(x, index, dim, op):
    index = _data(index)
    if index.ndim != x.ndim:
        raise RuntimeError(f"{op}: index has {index.ndim} dimensions, the tensor {x.ndim}")
    for axis, (n, m) in enumerate(zip(index.shape, x.shape)):
        if axis != dim and n > m:
            raise RuntimeError(f"{op}: index has size {n} in dimension {axis}, larger than the tensor's {m}")


def gather(x, dim, index):
    """out[i][j] = x[index[i][j]][j] for dim=0 (x[i][index[i][j]] for dim=1), as torch.gather.

    >>> fg.gather(fg.tensor([[1., 2.], [3., 4.]]), 1, fg.tensor([[1], [0]]))   # [[2.], [3.]]
    """
    dim = _dim(x, dim, "gather")
    _check_index(x, index, dim, "gather")
    return getitem(x, _along(index, dim, "gather"))


def scatter(x, dim, index, src=None, *, value=None):
    """A copy of x with src[i][j] written at x[index[i][j]][j] (dim=0), as torch.scatter.

    `src` may be a Tensor (its leading part of index's shape is used) or a number.
    """
    dim = _dim(x, dim, "scatter")
    _check_index(x, index, dim, "scatter")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a Tensor) or value (a number)")
    idx = _along(index, dim, "scatter")
    shape = np.shape(_data(index))
    if isinstance(src, Tensor) and src.ndim:
        if src.ndim != len(shape) or any(s < n for s, n in zip(src.shape, shape)):
            raise RuntimeError(f"scatter: src of shape {tuple(src.shape)} is smaller than index {shape}")
        if tuple(src.shape) != shape:
            src = getitem(src, tuple(slice(0, n) for n in shape))
    return IndexPut.apply(x, src, idx)


def index_select(x, dim, index):
    """The slices x[..., index[k], ...] along `dim`, as torch.index_select."""
    dim = _dim(x, dim, "index_select")
    _, index = _values(_data(index))
    if index.ndim != 1 or index.dtype.kind not in "iu":
        raise TypeError(f"index_select: index must be a 1-d integer tensor, got shape {index.shape} and "
                        f"dtype {index.dtype}")
    return getitem(x, (slice(None),) * dim + (index,))


def masked_fill(x, mask, value):
    """x with `value` where mask is true (the gradient passes where it is false)."""
    mask = _data(mask)
    if getattr(mask, "dtype", None) is None or mask.dtype.kind != "b":
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {getattr(mask, 'dtype', type(mask))}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {tuple(value.shape)}")
    if not isinstance(value, Tensor):
        value = np.asarray(value, dtype=x.dtype)
    return where(mask, value, x)


def _order(xp, data, dim, descending):
    """Indices that sort `data` along `dim`, stably (ties keep their order, also descending)."""
    if descending:
        data = ~data if data.dtype.kind == "b" else -data if data.dtype.kind != "u" else data.max() - data
    if xp is np:
        return np.argsort(data, axis=dim, kind="stable")
    return xp.argsort(data, axis=dim)   # CuPy's sort is always stable


def _indices(xp, indices):
    return new_tensor(indices.astype(xp.int64), False, None)


def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along `dim`; values carry the gradient.  The sort is always
    stable (equal values keep their order), which stable=False allows."""
    dim = _dim(x, dim, "sort")
    xp, data = _values(x._data)
    if x.ndim == 0:
        return x, _indices(xp, xp.zeros((), xp.int64))
    indices = _order(xp, data, dim, descending)
    return gather(x, dim, indices), _indices(xp, indices)


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (or smallest) elements along `dim`, always in sorted
    order (which sorted=False allows)."""
    dim = _dim(x, dim, "topk")
    n = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for a dimension of size {n}")
    xp, data = _values(x._data)
    if x.ndim == 0:
        return x, _indices(xp, xp.zeros((), xp.int64))
    indices = xp.take(_order(xp, data, dim, largest), xp.arange(k), axis=dim)
    return gather(x, dim, indices), _indices(xp, indices)


def _arg(name, x, dim, keepdim):
    xp, data = _values(x._data)
    reduce = getattr(xp, name)
    if dim is None:
        out = xp.asarray(reduce(data.reshape(-1))).reshape((1,) * data.ndim if keepdim else ())
    else:
        out = reduce(data, axis=_dim(x, dim, name), keepdims=keepdim)
    return _indices(xp, xp.asarray(out))


def argmax(x, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when dim is None)."""
    return _arg("argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    return _arg("argmin", x, dim, keepdim)


class ScatterAdd(Function):
    """A copy of x with v added at the advanced index idx, repeated positions adding up:
    the op behind scatter_add.  d/dx = g, d/dv = g[idx]."""

    @staticmethod
    def forward(ctx, b, x, v, idx):
        ctx.idx = idx
        out = x.copy()
        if _is_cupy(out):
            import cupyx

            cupyx.scatter_add(out, idx, v)
        else:
            np.add.at(out, idx, v)
        return out

    @staticmethod
    def backward(ctx, b, g):
        nx, nv = ctx.needs_input_grad[:2]
        return (g if nx else None), (g[ctx.idx] if nv else None)


def scatter_add(x, dim, index, src):
    """A copy of x with src[i][j] added at x[index[i][j]][j] (dim=0), repeated indices adding up,
    as torch.scatter_add; src's leading part of index's shape is used.

    >>> fg.scatter_add(fg.zeros(3), 0, fg.tensor([0, 0, 2]), fg.ones(3))   # [2., 0., 1.]
    """
    dim = _dim(x, dim, "scatter_add")
    _check_index(x, index, dim, "scatter_add")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    if src.dtype != x.dtype:
        raise TypeError(f"scatter_add: src has dtype {src.dtype}, the tensor {x.dtype} (they must match)")
    src, idx = scatter_operands("scatter_add", x, dim, index, src)
    return ScatterAdd.apply(x, src, idx)


def scatter_operands(op, x, dim, index, src):
    """(src cut to index's shape, the advanced index it goes to along `dim`) for scatter_add and
    scatter_reduce: src at least as large as index in every dimension, index within x along dim."""
    shape = np.shape(_data(index))
    if src.ndim != len(shape) or any(s < n for s, n in zip(src.shape, shape)):
        raise RuntimeError(f"{op}: src of shape {tuple(src.shape)} is smaller than index {shape}")
    if tuple(src.shape) != shape:
        src = getitem(src, tuple(slice(0, n) for n in shape))
    idx = _along(index, dim, op)
    _, flat = _values(_data(index))
    if flat.size and (flat.min() < -x.shape[dim] or flat.max() >= x.shape[dim]):
        raise IndexError(f"{op}: index out of range for dimension {dim} of size {x.shape[dim]}")
    return src, idx
