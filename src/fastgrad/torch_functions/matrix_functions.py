"""PyTorch's matrix functions that fastgrad lacked under these names: logdet, matrix_exp (the
matrix exponential, differentiable), inverse, pinverse, diagflat and vander.

    import fastgrad as torch
    torch.matrix_exp(A)             # batched (..., n, n); gradients through A
    torch.logdet(A)                 # nan for a negative determinant, -inf for a zero one
"""
import math

import numpy as np

from ..autograd.tensor import Tensor
from ..linalg import inv as inverse, pinv as _pinv, slogdet as _slogdet
from ..ops import linalg as _ops_linalg, shape as _shape
from .tensor_methods import _as_tensor, diag as _diag

__all__ = ["diagflat", "inverse", "logdet", "matrix_exp", "pinverse", "vander"]

_TAYLOR_DEGREE = 18   # with the scaled matrix's 1-norm at most 1 the remainder is below 1/19! ~ 8e-18


def _square_float(op, A):
    A = _as_tensor(A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: argument 'A' must be a batch of square matrices (..., n, n), got shape "
                           f"{tuple(A.shape)}")
    if A.dtype.kind not in "fc":
        raise TypeError(f"{op}: argument 'A' must be floating or complex, got dtype {A.dtype}")
    return A


def logdet(input):
    """log(det(A)) of square matrices (batched): nan where the determinant is negative, -inf where
    it is zero; differentiable through log|det A|."""
    A = _square_float("logdet", input)
    sign, logabs = _slogdet(A)
    with np.errstate(divide="ignore", invalid="ignore"):
        return logabs + np.log(sign._data.astype(logabs.dtype))


def matrix_exp(A):
    """The matrix exponential exp(A) = sum_k A^k / k! of square matrices (batched).

    Scaling and squaring: A / 2^s (1-norm at most 1) goes through a degree-18 Taylor polynomial
    (Horner's rule), which is squared s times.  It is written with differentiable matrix products,
    so the gradient (and create_graph) follows the same steps."""
    A = _square_float("matrix_exp", A)
    n = A.shape[-1]
    if n == 0 or A.numel() == 0:
        return A * 1
    norm = float(np.abs(np.asarray(A._data)).sum(axis=-2).max())
    squarings = max(0, math.ceil(math.log2(norm))) if norm > 0 else 0
    X = A * (0.5 ** squarings) if squarings else A
    identity = np.eye(n, dtype=A.dtype)
    result = identity + X * (1.0 / _TAYLOR_DEGREE)
    for k in range(_TAYLOR_DEGREE - 1, 0, -1):
        result = identity + _ops_linalg.matmul(X, result) * (1.0 / k)
    for _ in range(squarings):
        result = _ops_linalg.matmul(result, result)
    return result


def pinverse(input, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse; singular values at or below rcond times the largest count
    as 0 (linalg.pinv with rtol=rcond)."""
    return _pinv(input, rtol=rcond)


def diagflat(input, offset=0):
    """The flattened input on the `offset`-th diagonal of a square matrix (differentiable)."""
    return _diag(_shape.reshape(_as_tensor(input), (-1,)), offset)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor: columns x^(N-1), ..., x, 1 (x^0 first with
    increasing=True); N defaults to len(x).  Differentiable (each column is the previous times x)."""
    x = _as_tensor(x)
    if x.ndim != 1:
        raise RuntimeError(f"vander: argument 'x' must be a 1-D tensor, got {x.ndim}-D")
    N = x.shape[0] if N is None else N
    if not isinstance(N, int) or isinstance(N, bool) or N < 0:
        raise ValueError(f"vander: argument 'N' must be a non-negative int, got {N!r}")
    if x.dtype == np.bool_:
        x = _shape.astype(x, np.int64)
    if N == 0:
        return Tensor(np.zeros((x.shape[0], 0), dtype=x.dtype))
    columns = [Tensor(np.ones_like(x._data))]
    for _ in range(1, N):
        columns.append(columns[-1] * x)
    return _shape.stack(columns if increasing else columns[::-1], axis=1)
