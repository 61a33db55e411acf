"""torch.linalg's functions that are compositions of other differentiable ops: cond, diagonal,
vander, tensorinv, tensorsolve, householder_product and matrix_exp.

    import fastgrad as torch
    torch.linalg.cond(A)                       # s_max / s_min
    torch.linalg.tensorsolve(A, B)             # X with tensordot(A, X, X.ndim) = B
    Q = torch.linalg.householder_product(V, tau)

Their gradients are those of the ops they are written with.
"""
import math

import numpy as np

from ..autograd.tensor import Tensor
from . import _as_tensor, _matrix, _square, inv, matrix_norm, solve, svdvals
from .lu_and_triangular import inv_ex
from ..torch_functions.diagonals import diagonal as _diagonal
from ..torch_functions.matrix_functions import matrix_exp as _matrix_exp

__all__ = ["cond", "diagonal", "householder_product", "matrix_exp", "tensorinv", "tensorsolve", "vander"]


def cond(A, p=None):
    """The condition number of A in the norm p: for p None or 2, s_max / s_min (the singular
    values; any (m, n) A), for -2, s_min / s_max; for 'fro', 'nuc', inf, -inf, 1 or -1 (square
    A only), norm(A, p) * norm(A^-1, p), inf where A is singular ('nuc' through the singular
    values: sum(s) * sum(1/s)).  Empty matrices give 0.

    >>> torch.linalg.cond(torch.tensor([[2.0, 0.0], [0.0, 0.5]]))   # 4
    """
    A = _matrix("cond", A)
    if p is None or (not isinstance(p, str) and p in (2, -2) and not isinstance(p, bool)):
        s = svdvals(A)
        if s.shape[-1] == 0:
            return s.sum(-1)
        largest, smallest = s[..., 0], s[..., -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return smallest / largest if p == -2 else largest / smallest
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1) or isinstance(p, bool):
        raise ValueError(f"linalg.cond: argument 'p' must be None, 2, -2, 'fro', 'nuc', inf, -inf, 1 or -1, got {p!r}")
    A = _square("cond", A)
    if A.shape[-1] == 0:
        return A.sum((-2, -1))
    if p == "nuc":   # sum(s) * sum(1 / s), through the singular values as PyTorch
        s = svdvals(A)
        with np.errstate(divide="ignore", invalid="ignore"):
            return s.sum(-1) * (1.0 / s).sum(-1)
    inverse, info = inv_ex(A)
    singular = Tensor(info.numpy() > 0)
    return matrix_norm(A, p).where(~singular, math.inf) * matrix_norm(inverse, p).where(~singular, 1.0)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal (offset above it when positive, below when negative) of each matrix of A
    over the dimensions dim1, dim2, as the last dimension (torch.diagonal with other defaults)."""
    return _diagonal(_as_tensor(A), offset, dim1, dim2)


def vander(x, *, N=None):
    """The Vandermonde matrices of the vectors x (..., n): (..., n, N), column j holding x ** j
    (increasing powers, unlike torch.vander); N defaults to n.

    >>> torch.linalg.vander(torch.tensor([1.0, 2.0, 3.0]))   # [[1, 1, 1], [1, 2, 4], [1, 3, 9]]
    """
    x = _as_tensor(x)
    if x.ndim < 1:
        raise ValueError("linalg.vander: argument 'x' must have at least one dimension, got a 0-d tensor")
    N = x.shape[-1] if N is None else N
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N <= 1:
        raise ValueError(f"linalg.vander: argument 'N' must be an int greater than 1, got {N!r}")
    from ..torch_functions.tensor_methods import stack

    columns = [x * 0 + 1]
    for _ in range(1, int(N)):
        columns.append(columns[-1] * x)
    return stack(columns, -1)


def _product(shape):
    return int(np.prod(shape, dtype=np.int64))


def tensorinv(A, ind=2):
    """The inverse of A for tensordot over ind dimensions: A^-1 has shape A.shape[ind:] +
    A.shape[:ind], and prod(A.shape[:ind]) must equal prod(A.shape[ind:])."""
    A = _as_tensor(A)
    if isinstance(ind, bool) or not isinstance(ind, (int, np.integer)) or ind <= 0:
        raise ValueError(f"linalg.tensorinv: argument 'ind' must be a positive int, got {ind!r}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if _product(rows) != _product(cols):
        raise ValueError(f"linalg.tensorinv: the product of the first {ind} dimensions {rows} must equal that of the "
                         f"others {cols}")
    return inv(A.reshape(_product(rows), _product(cols))).reshape(*(cols + rows))


def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, dims=X.ndim) = B: X has shape A.shape[B.ndim:], and the dimensions
    listed in dims (if any) are first moved to the end of A."""
    A, B = _as_tensor(A), _as_tensor(B)
    if dims is not None:
        dims = [d % A.ndim for d in ((dims,) if isinstance(dims, int) else dims)]
        A = A.permute(*([d for d in range(A.ndim) if d not in dims] + dims))
    if tuple(A.shape[:B.ndim]) != tuple(B.shape):
        raise ValueError(f"linalg.tensorsolve: the first dimensions of A {tuple(A.shape)} must be B's "
                         f"{tuple(B.shape)}")
    result_shape = tuple(A.shape[B.ndim:])
    rows = _product(B.shape)
    if rows != _product(result_shape):
        raise ValueError(f"linalg.tensorsolve: A of shape {tuple(A.shape)} is not square once its first {B.ndim} "
                         "dimensions are flattened")
    return solve(A.reshape(rows, rows), B.reshape(rows)).reshape(*result_shape)


def householder_product(A, tau):
    """The first n columns of H_1 H_2 ... H_k, H_i = I - tau_i v_i v_i^T, with v_i the i-th
    column of A (..., m, n) below the diagonal and 1 on it (LAPACK's orgqr; k = tau.shape[-1]
    <= n <= m).  Differentiable in A and tau.

    >>> torch.linalg.householder_product(*torch.geqrf(A))   # Q of A's QR decomposition
    """
    A, tau = _matrix("householder_product", A), _as_tensor(tau)
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else -1
    if not n <= m:
        raise ValueError(f"linalg.householder_product: argument 'A' must have at least as many rows as columns, got "
                         f"shape {tuple(A.shape)}")
    if tau.ndim != A.ndim - 1 or not 0 <= k <= n or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise ValueError(f"linalg.householder_product: argument 'tau' must have shape {tuple(A.shape[:-2])} + (k,) "
                         f"with k <= {n}, got {tuple(tau.shape)}")
    if tau.dtype != A.dtype:
        raise TypeError(f"linalg.householder_product: A and tau must have the same dtype, got {A.dtype} and "
                        f"{tau.dtype}")
    unit = np.eye(m, dtype=A.dtype)
    below = np.tril(np.ones((m, n), dtype=A.dtype), -1)
    reflectors = A * Tensor(below) + Tensor(unit[:, :n])      # column i is v_i
    Q = Tensor(np.broadcast_to(unit[:, :n], tuple(A.shape)).copy())
    for i in range(k - 1, -1, -1):   # Q <- H_i Q, from the last reflector to the first
        v = reflectors[..., :, i:i + 1]
        Q = Q - (tau[..., i, None, None] * v) @ (v.mT @ Q)
    return Q


def matrix_exp(A):
    """The matrix exponential of square matrices (batched), differentiable: torch.matrix_exp."""
    return _matrix_exp(A)
