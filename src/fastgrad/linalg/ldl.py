"""torch.linalg's LDL^T factorization of symmetric matrices with Bunch-Kaufman pivoting
(ldl_factor, ldl_factor_ex) and its solve (ldl_solve), written with NumPy in LAPACK's
sytrf / sytrs conventions (the lower triangle is read and written).

    import fastgrad as torch
    LD, pivots = torch.linalg.ldl_factor(A)      # A symmetric, possibly indefinite
    X = torch.linalg.ldl_solve(LD, pivots, B)

LD holds L (unit diagonal, not stored) below the diagonal and the 1x1 and 2x2 blocks of D on
and just below it; its upper triangle is zero.  pivots (int32, 1-based): k + 1 at a 1x1 block
whose row and column k were swapped with p = pivots[k] - 1; a 2x2 block at rows k, k + 1 has
pivots[k] = pivots[k + 1] = -(p + 1), row k + 1 having been swapped with p.  As in PyTorch there
is no gradient.
"""
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from . import LinAlgError, _as_tensor, _square

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]

LDLFactorResult = namedtuple("LDLFactorResult", ["LD", "pivots"])
LDLFactorExResult = namedtuple("LDLFactorExResult", ["LD", "pivots", "info"])

_ALPHA = (1 + np.sqrt(17.0)) / 8   # Bunch and Kaufman's threshold, which bounds the growth of L


def _interchange(a, k, kk, kp, two_by_two):
    """Swaps rows and columns kk and kp (kk < kp) of the symmetric trailing matrix a[k:, k:],
    kept in a's lower triangle."""
    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
    middle = np.arange(kk + 1, kp)
    a[middle, kk], a[kp, middle] = a[kp, middle].copy(), a[middle, kk].copy()
    a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
    if two_by_two:
        a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]


def _choose_pivot(a, k):
    """(kp, kstep, singular) for step k: kstep 1 keeps a[k, k] (after swapping k with kp),
    kstep 2 uses the 2x2 block at k, k + 1 (after swapping k + 1 with kp)."""
    n = a.shape[0]
    diagonal = abs(a[k, k])
    if k + 1 < n:
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
        column = abs(a[imax, k])
    else:
        imax, column = k, 0.0
    if max(diagonal, column) == 0 or np.isnan(diagonal):
        return k, 1, True
    if diagonal >= _ALPHA * column:
        return k, 1, False
    row = np.max(np.abs(a[imax, k:imax])) if imax > k else 0.0      # row imax, left of the diagonal
    if imax + 1 < n:
        row = max(row, np.max(np.abs(a[imax + 1:, imax])))           # and below it
    if diagonal >= _ALPHA * column * (column / row):
        return k, 1, False
    if abs(a[imax, imax]) >= _ALPHA * row:
        return imax, 1, False
    return imax, 2, False


def _factor_one(matrix):
    """(LD, pivots, info) of one symmetric matrix (its lower triangle)."""
    a = np.tril(np.array(matrix, dtype=matrix.dtype, copy=True))
    n = a.shape[0]
    pivots = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        kp, kstep, singular = _choose_pivot(a, k)
        if singular:
            info = info or k + 1
        kk = k + kstep - 1
        if kp != kk:
            _interchange(a, k, kk, kp, kstep == 2)
        if kstep == 1:
            if k + 1 < n and not singular:
                inverse = 1 / a[k, k]
                x = a[k + 1:, k].copy()
                a[k + 1:, k + 1:] -= np.tril(np.outer(x * inverse, x))
                a[k + 1:, k] = x * inverse
            pivots[k] = kp + 1
        else:
            if k + 2 < n:
                d21 = a[k + 1, k]
                d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
                scale = 1 / (d11 * d22 - 1) / d21
                first, second = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                wk = scale * (d11 * first - second)
                wk1 = scale * (d22 * second - first)
                a[k + 2:, k + 2:] -= np.tril(np.outer(first, wk) + np.outer(second, wk1))
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wk1
            pivots[k] = pivots[k + 1] = -(kp + 1)
        k += kstep
    return a, pivots, info


def _real_symmetric(op, A):
    A = _square(op, A)
    if A.dtype.kind == "c":
        raise TypeError(f"linalg.{op}: complex matrices are not supported")
    return A


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """(LD, pivots, info): the Bunch-Kaufman factorization A = P L D L^T P^T of symmetric
    (..., n, n) matrices (only the lower triangle is read; hermitian changes nothing for real
    matrices).  info (...) int32 is 0, or 1 + the index of the first zero block of D (D is
    singular, so ldl_solve cannot use it); check_errors=True raises LinAlgError then.  No
    gradient, as in PyTorch."""
    A = _real_symmetric("ldl_factor_ex", A)
    data = np.asarray(A._data)
    n = data.shape[-1]
    lead = data.shape[:-2]
    flat = data.reshape((int(np.prod(lead, dtype=np.int64)), n, n))
    results = [_factor_one(matrix) for matrix in flat]
    LD = np.array([r[0] for r in results], dtype=data.dtype).reshape(data.shape)
    pivots = np.array([r[1] for r in results], dtype=np.int32).reshape(lead + (n,))
    info = np.array([r[2] for r in results], dtype=np.int32).reshape(lead)
    if check_errors and bool(np.any(info > 0)):
        raise LinAlgError(f"linalg.ldl_factor_ex: D[{int(info.max()) - 1}, {int(info.max()) - 1}] is zero: the "
                          "matrix is singular")
    return LDLFactorExResult(Tensor(LD), Tensor(pivots), Tensor(info))


def ldl_factor(A, *, hermitian=False):
    """(LD, pivots) of ldl_factor_ex; raises LinAlgError where D is singular.

    >>> LD, pivots = torch.linalg.ldl_factor(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))   # one 2x2 block
    """
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if bool(np.any(info.numpy() > 0)):
        raise LinAlgError(f"linalg.ldl_factor: D[{int(info.numpy().max()) - 1}, {int(info.numpy().max()) - 1}] is "
                          "zero: the matrix is singular")
    return LDLFactorResult(LD, pivots)


def _solve_one(a, pivots, b):
    """X with A X = b for A given as one matrix's (LD, pivots) (LAPACK's sytrs, lower)."""
    b = b.copy()
    n = a.shape[0]
    k = 0
    while k < n:   # L D Y = P^T b, one block at a time
        if pivots[k] > 0:
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] /= a[k, k]
            k += 1
        else:
            kp = -pivots[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(a[k + 2:, k], b[k]) + np.outer(a[k + 2:, k + 1], b[k + 1])
            d21 = a[k + 1, k]
            d11, d22 = a[k, k] / d21, a[k + 1, k + 1] / d21
            denominator = d11 * d22 - 1
            first, second = b[k] / d21, b[k + 1] / d21
            b[k], b[k + 1] = (d22 * first - second) / denominator, (d11 * second - first) / denominator
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y, back from the last block
        if pivots[k] > 0:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= a[k + 1:, k - 1] @ b[k + 1:]
            kp = -pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """X with A X = B for A given as ldl_factor's (LD, pivots); batch axes broadcast.  No
    gradient, as in PyTorch."""
    LD = _real_symmetric("ldl_solve", LD)
    pivots, B = _as_tensor(pivots), _as_tensor(B)
    n = LD.shape[-1]
    if pivots.dtype.kind not in "iu" or tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise ValueError(f"linalg.ldl_solve: argument 'pivots' must be an integer tensor of shape "
                         f"{tuple(LD.shape[:-1])}, got {pivots.dtype} {tuple(pivots.shape)}")
    if B.ndim < 2 or B.shape[-2] != n:
        raise ValueError(f"linalg.ldl_solve: argument 'B' must be a matrix (or a batch) with {n} rows, got shape "
                         f"{tuple(B.shape)}")
    if B.dtype != LD.dtype:
        raise TypeError(f"linalg.ldl_solve: LD and B must have the same dtype, got {LD.dtype} and {B.dtype}")
    lead = np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2]))
    factors = np.broadcast_to(np.asarray(LD._data), lead + (n, n))
    rows = np.broadcast_to(np.asarray(pivots._data), lead + (n,))
    rhs = np.broadcast_to(np.asarray(B._data), lead + tuple(B.shape[-2:]))
    magnitudes = np.abs(rows.astype(np.int64))
    if rows.size and (magnitudes.min() < 1 or magnitudes.max() > n):
        raise ValueError(f"linalg.ldl_solve: argument 'pivots' must hold row numbers in [1, {n}] (negated for 2x2 "
                         "blocks)")
    count = int(np.prod(lead, dtype=np.int64))
    out = np.empty(lead + tuple(B.shape[-2:]), dtype=B.dtype)
    flat_out = out.reshape((count,) + tuple(B.shape[-2:]))
    flat_factors = factors.reshape((count, n, n))
    flat_rows = rows.reshape((count, n))
    flat_rhs = rhs.reshape((count,) + tuple(B.shape[-2:]))
    for i in range(count):
        flat_out[i] = _solve_one(flat_factors[i], flat_rows[i], flat_rhs[i])
    return Tensor(out)
