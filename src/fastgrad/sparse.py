"""Sparse COO tensors as PyTorch scripts make and use them (torch.sparse_coo_tensor, to_sparse,
torch.sparse.mm, torch.spmm), stored densely.

fastgrad has no sparse kernels: a tensor in the sparse_coo layout keeps its values in an ordinary
dense array, so every op takes it as it is and returns PyTorch's results (sparse @ dense is
dense; gradients flow through to_sparse and sparse_coo_tensor's values), at a dense tensor's
memory and speed.  It suits graphs of thousands of nodes (the GCN examples), not millions.
indices(), values() and _nnz() describe the nonzero entries, as a coalesced PyTorch tensor's do.
"""
import numpy as np

from .autograd.tensor import Tensor
from .ops import gathering, methods

__all__ = ["SparseTensor", "layout", "mm", "sparse_coo", "sparse_coo_tensor", "spmm", "strided", "sum"]


class layout:
    """A tensor layout: fastgrad.strided (dense) or fastgrad.sparse_coo."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


strided, sparse_coo = layout("strided"), layout("sparse_coo")


class SparseTensor(Tensor):
    """A tensor in the sparse_coo layout (stored densely: see the module's docstring)."""

    __slots__ = ()
    is_sparse = True
    layout = sparse_coo

    def to_dense(self):
        """The same values in the strided layout (differentiable)."""
        return self * 1

    def to_sparse(self, sparse_dim=None):
        return self

    def coalesce(self):
        return self

    def is_coalesced(self):
        return True

    def indices(self):
        """(ndim, nnz) int64 indices of the nonzero entries, in row-major order."""
        return Tensor(np.stack(np.nonzero(self._data)).astype(np.int64).reshape(self.ndim, -1))

    def values(self):
        """The nonzero entries, in indices() order (differentiable)."""
        return _nonzero_values(self)

    def _nnz(self):
        return int(np.count_nonzero(self._data))

    def __repr__(self):
        return (f"tensor(indices={self.indices().tolist()},\n       values={self.values().tolist()},\n"
                f"       size={tuple(self.shape)}, nnz={self._nnz()}, layout=torch.sparse_coo)")


def _nonzero_values(t):
    """t's nonzero entries in row-major order, gathered (so gradients reach t)."""
    flat = t.reshape(-1)
    positions = np.flatnonzero(t._data.reshape(-1))
    return gathering.index_select(flat, 0, positions)


def _sparse_view(dense):
    """`dense` (a Tensor, perhaps in a graph) in the sparse_coo layout, the graph kept (a leaf
    that requires grad is first copied by an op, so that its gradient reaches it)."""
    if dense._node is None and dense._requires_grad:
        dense = dense * 1
    s = SparseTensor(dense._data)
    s._node, s._requires_grad, s._version = dense._node, dense._requires_grad, dense._version
    return s


def to_sparse(self, sparse_dim=None):
    """The tensor in the sparse_coo layout (differentiable; stored densely)."""
    if sparse_dim is not None and sparse_dim != self.ndim:
        raise NotImplementedError(f"to_sparse: sparse_dim={sparse_dim} (hybrid tensors) is not supported; "
                                  f"every dimension ({self.ndim}) is sparse")
    return _sparse_view(self)


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, requires_grad=False,
                      check_invariants=None, is_coalesced=None):
    """A sparse COO tensor: values[k] at position indices[:, k] of a tensor of `size` (entries at
    one position are summed, as coalescing does).  size defaults to one past the largest index."""
    op = "sparse_coo_tensor"
    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu" or idx.ndim != 2:
        raise TypeError(f"{op}: argument 'indices' must be a 2-d integer array (ndim, nnz), got "
                        f"{idx.dtype} of shape {idx.shape}")
    vals = values if isinstance(values, Tensor) else Tensor(np.asarray(values))
    if vals.ndim != 1 or vals.shape[0] != idx.shape[1]:
        raise ValueError(f"{op}: argument 'values' must hold one value per index column ({idx.shape[1]}), got "
                         f"shape {tuple(vals.shape)}")
    if size is None:
        size = tuple(int(i) + 1 for i in idx.max(axis=1)) if idx.size else (0,) * idx.shape[0]
    size = tuple(int(s) for s in size)
    if len(size) != idx.shape[0]:
        raise ValueError(f"{op}: size {size} has {len(size)} dimensions, the indices {idx.shape[0]}")
    if idx.size and ((idx < 0).any() or (idx.max(axis=1) >= np.array(size)).any()):
        raise ValueError(f"{op}: an index is outside size {size}")
    if dtype is not None:
        vals = vals.to(dtype)
    flat = np.ravel_multi_index(tuple(idx.astype(np.int64)), size) if idx.size else np.zeros(0, np.int64)
    dense = gathering.scatter_add(Tensor(np.zeros(int(np.prod(size)), vals.dtype)), 0, flat, vals).reshape(size)
    result = _sparse_view(dense)
    if requires_grad:
        result.requires_grad_()
    return result


def mm(mat1, mat2):
    """torch.sparse.mm: the matrix product of a sparse (or dense) matrix and a matrix."""
    return mat1 @ mat2


spmm = mm


def sum(input, dim=None):  # noqa: A001  (torch.sparse.sum)
    """torch.sparse.sum: the sum over `dim` (every dimension when None)."""
    return input.sum() if dim is None else input.sum(dim)


methods.bind({
    "to_sparse": to_sparse,
    "to_dense": lambda self: self,
    "is_sparse": False,
    "layout": strided,
})
