"""torch.linalg's triangular solves, LU factorizations and the `_ex` forms that report errors
in an `info` tensor instead of raising, differentiable.

    import fastgrad as torch
    LU, pivots = torch.linalg.lu_factor(A)          # A = P L U, pivots 1-based int32 as LAPACK's
    X = torch.linalg.lu_solve(LU, pivots, B)        # A X = B, gradients to B and (through LU) A
    P, L, U = torch.linalg.lu(A)
    X = torch.linalg.solve_triangular(U, B, upper=True)

The factorization is partial pivoting written with NumPy (ops/lu_decomposition.py); its
gradient needs U to be invertible (a full-rank A).  Triangular solves read only the triangle
asked for, so only that triangle gets a gradient, as in PyTorch.  Real matrices only.
"""
from collections import namedtuple

import numpy as np

from .. import numpy as _fnp
from ..autograd.tensor import Tensor
from . import LinAlgError, _as_tensor, _matrix, _square, cholesky, inv
from ..ops import shape as _shape
from ..ops.lu_decomposition import (factor_arrays, info_of, lu_packed, permutation_from_pivots, permutation_matrix, split_lu)

__all__ = ["cholesky_ex", "inv_ex", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack", "solve_ex",
           "solve_triangular"]

LUFactorResult = namedtuple("LUFactorResult", ["LU", "pivots"])
LUFactorExResult = namedtuple("LUFactorExResult", ["LU", "pivots", "info"])
LUResult = namedtuple("LUResult", ["P", "L", "U"])
CholeskyExResult = namedtuple("CholeskyExResult", ["L", "info"])
InvExResult = namedtuple("InvExResult", ["inverse", "info"])
SolveExResult = namedtuple("SolveExResult", ["result", "info"])


def _real(op, A, name="A"):
    A = _matrix(op, A, name)
    if A.dtype.kind == "c":
        raise TypeError(f"linalg.{op}: complex matrices are not supported (argument '{name}')")
    return A


def _batched_solve(op, T, B):
    """T^-1 B for square T (..., n, n) and matrices B (..., n, k), the batch axes broadcast."""
    if B.ndim < 2:
        raise ValueError(f"linalg.{op}: argument 'B' must be a matrix or a batch of matrices, got shape "
                         f"{tuple(B.shape)}")
    if B.shape[-2] != T.shape[-1]:
        raise ValueError(f"linalg.{op}: A of shape {tuple(T.shape)} and B of shape {tuple(B.shape)} do not match "
                         f"(A has {T.shape[-1]} columns, B has {B.shape[-2]} rows)")
    lead = np.broadcast_shapes(tuple(T.shape[:-2]), tuple(B.shape[:-2]))
    T = T if tuple(T.shape[:-2]) == lead else _shape.broadcast_to(T, lead + tuple(T.shape[-2:]))
    B = B if tuple(B.shape[:-2]) == lead else _shape.broadcast_to(B, lead + tuple(B.shape[-2:]))
    if 0 in lead or 0 in tuple(B.shape[-2:]):   # an empty result, still joined to T and B's graph
        return (T.sum() * 0 + B.sum() * 0) + Tensor(np.zeros(lead + tuple(B.shape[-2:]), dtype=B.dtype))
    return _fnp.linalg.solve(T, B)


def _triangle(A, upper, unitriangular):
    """The triangle of A that a triangular solve reads (the diagonal replaced by ones when
    unitriangular), differentiable in those entries only."""
    if unitriangular:
        n = A.shape[-1]
        part = A.triu(1) if upper else A.tril(-1)
        return part + Tensor(np.eye(n, dtype=A.dtype))
    return A.triu() if upper else A.tril()


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (left=False: X A = B) for a triangular A: only A's upper (upper=True) or
    lower triangle is read, and its diagonal is taken as ones with unitriangular=True.
    Batch axes broadcast.  gB = A^-T gX, gA = -gB X^T on the triangle read.

    >>> U = torch.tensor([[2.0, 1.0], [0.0, 4.0]])
    >>> torch.linalg.solve_triangular(U, torch.tensor([[3.0], [4.0]]), upper=True)   # [[1], [1]]
    """
    if not isinstance(upper, bool):
        raise TypeError(f"linalg.solve_triangular: argument 'upper' must be a bool, got {upper!r}")
    A = _square("solve_triangular", A)
    B = _as_tensor(B)
    if B.dtype != A.dtype:
        raise TypeError(f"linalg.solve_triangular: A and B must have the same dtype, got {A.dtype} and {B.dtype}")
    T = _triangle(A, upper, unitriangular)
    if not left:
        if B.ndim < 2:
            raise ValueError(f"linalg.solve_triangular: argument 'B' must be a matrix or a batch of matrices, got "
                             f"shape {tuple(B.shape)}")
        return _batched_solve("solve_triangular", T.mT, B.mT).mT
    return _batched_solve("solve_triangular", T, B)


# ---- LU ------------------------------------------------------------------------------------------

def _pivoting(op, pivot):
    if not pivot:
        raise RuntimeError(f"linalg.{op}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """(LU, pivots, info): the partially pivoted factorization A = P L U of a (..., m, n) A in
    LAPACK's compact form: L (unit diagonal, not stored) below the diagonal of LU and U on and
    above it; pivots (..., min(m, n)) int32, 1-based (row i was swapped with row pivots[i]);
    info (...) int32, 0 or 1 + the index of U's first zero diagonal entry.  check_errors=True
    raises LinAlgError where info > 0.  LU is differentiable (U invertible)."""
    A = _real("lu_factor_ex", A)
    _pivoting("lu_factor_ex", pivot)
    m, n = A.shape[-2:]
    packed = lu_packed(A)
    factors, pivots = split_lu(_fnp, packed, m, n)
    pivots = Tensor(np.asarray(pivots._data).astype(np.int32))
    info = Tensor(info_of(np.asarray(factors._data)))
    if check_errors and bool(np.any(info.numpy() > 0)):
        raise LinAlgError(f"linalg.lu_factor_ex: U[{int(info.numpy().max()) - 1}, {int(info.numpy().max()) - 1}] "
                          "is zero: the matrix is singular")
    return LUFactorExResult(factors, pivots, info)


def lu_factor(A, *, pivot=True):
    """(LU, pivots) of lu_factor_ex; raises LinAlgError for a singular A (U with a zero on its
    diagonal), which lu_solve could not use.

    >>> LU, pivots = torch.linalg.lu_factor(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))   # pivots [2, 2]
    """
    factors, pivots, info = lu_factor_ex(A, pivot=pivot)
    bad = info.numpy()
    if bool(np.any(bad > 0)):
        j = int(bad.max()) - 1
        raise LinAlgError(f"linalg.lu_factor: U[{j}, {j}] is zero, so lu_solve would divide by zero; use "
                          "linalg.lu or linalg.lu_factor_ex to factor a singular matrix")
    return LUFactorResult(factors, pivots)


def _order(op, pivots, m):
    pivots = _as_tensor(pivots)
    if pivots.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'pivots' must be an integer tensor, got {pivots.dtype}")
    data = np.asarray(pivots._data)
    if data.size and (data.min() < 1 or data.max() > m):
        raise ValueError(f"{op}: argument 'pivots' must hold 1-based row numbers in [1, {m}]")
    return permutation_from_pivots(data, m)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from lu_factor's compact form: A = P L U with P (..., m, m) a permutation,
    L (..., m, k) unit lower and U (..., k, n) upper triangular, k = min(m, n).  Differentiable
    in LU_data.  unpack_data=False leaves L and U empty; unpack_pivots=False leaves P empty."""
    LU = _real("lu_unpack", LU_data, "LU_data")
    m, n = LU.shape[-2:]
    k = min(m, n)
    pivots = _as_tensor(LU_pivots)
    if tuple(pivots.shape) != tuple(LU.shape[:-2]) + (k,):
        raise ValueError(f"lu_unpack: argument 'LU_pivots' must have shape {tuple(LU.shape[:-2]) + (k,)}, got "
                         f"{tuple(pivots.shape)}")
    empty = Tensor(np.empty((0,), dtype=LU.dtype))
    P = Tensor(permutation_matrix(_order("lu_unpack", pivots, m), LU.dtype)) if unpack_pivots else empty
    if not unpack_data:
        return LUResult(P, empty, empty)
    L = LU[..., :, :k].tril(-1) + Tensor(np.eye(m, k, dtype=LU.dtype))
    U = LU[..., :k, :].triu()
    return LUResult(P, L, U)


def lu(A, *, pivot=True):
    """(P, L, U) with A = P L U (partial pivoting): P (..., m, m) a permutation, L (..., m, k)
    unit lower triangular, U (..., k, n) upper triangular, k = min(m, n).  L and U are
    differentiable where A has full rank.

    >>> P, L, U = torch.linalg.lu(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))   # P swaps the rows
    """
    A = _real("lu", A)
    _pivoting("lu", pivot)
    factors, pivots, _ = lu_factor_ex(A)
    return lu_unpack(factors, pivots)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B for A = P L U given as lu_factor's (LU, pivots); adjoint=True solves
    A^T X = B, left=False solves X A = B (X A^T = B with adjoint).  Batch axes broadcast.
    Differentiable in B and in LU (and through it in lu_factor's A)."""
    LU = _real("lu_solve", LU, "LU")
    B = _as_tensor(B)
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise ValueError(f"linalg.lu_solve: argument 'LU' must be square, got shape {tuple(LU.shape)}")
    if B.ndim < 2:
        raise ValueError(f"linalg.lu_solve: argument 'B' must be a matrix or a batch of matrices, got shape "
                         f"{tuple(B.shape)}")
    if not left:
        return lu_solve(LU, pivots, B.mT, left=True, adjoint=not adjoint).mT
    pivots = _as_tensor(pivots)
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise ValueError(f"linalg.lu_solve: argument 'pivots' must have shape {tuple(LU.shape[:-1])}, got "
                         f"{tuple(pivots.shape)}")
    P = Tensor(permutation_matrix(_order("linalg.lu_solve", pivots, n), LU.dtype))
    if not adjoint:   # X = U^-1 L^-1 P^T B
        Y = solve_triangular(LU, P.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(LU, Y, upper=True)
    # A^T = U^T L^T P^T: X = P L^-T U^-T B
    Y = solve_triangular(LU.mT, B, upper=False)
    return P @ solve_triangular(LU.mT, Y, upper=True, unitriangular=True)


# ---- the forms that report errors in `info` --------------------------------------------------------

def _repaired(A, bad):
    """A with the identity in place of the matrices flagged bad (so that a factorization of the
    others can run); the flagged ones' results are not meaningful."""
    if not bool(np.any(bad)):
        return A
    eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), tuple(A.shape))
    flags = Tensor(np.asarray(bad)[..., None, None])
    return A.where(~flags, Tensor(eye.copy()))


def _raise_for(op, info, what):
    if bool(np.any(info > 0)):
        raise LinAlgError(f"linalg.{op}: {what} (info = {int(info.max())})")


def _singular_info(A):
    return info_of(factor_arrays(np.asarray(A._data))[0])


def inv_ex(A, *, check_errors=False):
    """(inverse, info): info (...) int32 is 0 where A is invertible and 1 + the index of the
    first zero pivot of its LU factorization where it is singular (that inverse is not
    meaningful); check_errors=True raises LinAlgError instead."""
    A = _real("inv_ex", _square("inv_ex", A))
    info = _singular_info(A)
    if check_errors:
        _raise_for("inv_ex", info, "the matrix is singular")
    return InvExResult(inv(_repaired(A, info > 0)), Tensor(info))


def solve_ex(A, B, *, left=True, check_errors=False):
    """(result, info): linalg.solve's X with info as inv_ex's (the result is not meaningful
    where info > 0); check_errors=True raises LinAlgError instead."""
    from . import solve

    A = _real("solve_ex", _square("solve_ex", A))
    info = _singular_info(A)
    if check_errors:
        _raise_for("solve_ex", info, "the matrix is singular")
    return SolveExResult(solve(_repaired(A, info > 0), B, left=left), Tensor(info))


def _cholesky_info(data):
    """LAPACK's potrf info of each matrix: 0, or the order of the first leading minor that is
    not positive-definite."""
    n = data.shape[-1]
    flat = data.reshape((-1, n, n))
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for i, matrix in enumerate(flat):
        try:
            np.linalg.cholesky(matrix)
            continue
        except np.linalg.LinAlgError:
            pass
        for order in range(1, n + 1):
            try:
                np.linalg.cholesky(matrix[:order, :order])
            except np.linalg.LinAlgError:
                info[i] = order
                break
    return info.reshape(data.shape[:-2])


def cholesky_ex(A, *, upper=False, check_errors=False):
    """(L, info): linalg.cholesky's factor, and info (...) int32: 0, or the order of the first
    leading minor of A that is not positive-definite (there L is zero here, not PyTorch's
    partial factor); check_errors=True raises LinAlgError instead.  Differentiable as cholesky."""
    A = _real("cholesky_ex", _square("cholesky_ex", A))
    data = np.asarray(A._data)
    try:
        np.linalg.cholesky(data)
        info = np.zeros(data.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        info = _cholesky_info(data)
    if check_errors:
        _raise_for("cholesky_ex", info, "the matrix is not positive-definite")
    L = cholesky(_repaired(A, info > 0), upper=upper)
    if bool(np.any(info > 0)):
        L = L * Tensor((info == 0)[..., None, None].astype(A.dtype))
    return CholeskyExResult(L, Tensor(info))
