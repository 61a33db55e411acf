"""Transforms onto matrices: unconstrained square matrices onto lower Cholesky factors
(LowerCholeskyTransform) and positive definite matrices (PositiveDefiniteTransform), and
unconstrained vectors onto Cholesky factors of correlation matrices (CorrCholeskyTransform).

    L = CorrCholeskyTransform()(fastgrad.randn(6))      # 4 x 4, L @ L.mT has a unit diagonal
"""
import math

import numpy as np

from ..linalg import cholesky
from ..nn import functional as F
from . import constraints
from .distribution import as_tensor
from .transforms import Transform


def _with_diagonal(a, fn):
    """The strictly lower triangle of a, plus fn(diagonal of a) on the diagonal."""
    return a.tril(-1) + fn(a.diagonal(dim1=-2, dim2=-1)).diag_embed()


class LowerCholeskyTransform(Transform):
    """A square matrix onto a lower-triangular one with a positive diagonal: the strictly lower
    triangle kept, the diagonal exponentiated, the upper triangle dropped (so not injective).

    >>> LowerCholeskyTransform()(fastgrad.zeros(2, 2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    domain, codomain = constraints.independent(constraints.real, 2), constraints.lower_cholesky

    def _call(self, x):
        return _with_diagonal(x, lambda d: d.exp())

    def _inverse(self, y):
        return _with_diagonal(y, lambda d: d.log())

    def __eq__(self, other):
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = object.__hash__


class PositiveDefiniteTransform(Transform):
    """A square matrix x onto L L^T, L = LowerCholeskyTransform()(x); the inverse takes the Cholesky
    factor and logs its diagonal."""
    domain, codomain = constraints.independent(constraints.real, 2), constraints.positive_definite

    def _call(self, x):
        lower = LowerCholeskyTransform()(x)
        return lower @ lower.transpose(-2, -1)

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(cholesky(y))

    def __eq__(self, other):
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = object.__hash__


def _size_of(length, op):
    """n with n (n - 1) / 2 == length: the matrix whose strictly lower triangle has `length` entries."""
    n = int(round((1 + math.sqrt(1 + 8 * length)) / 2))
    if n * (n - 1) // 2 != length:
        raise ValueError(f"CorrCholeskyTransform.{op}: a vector of {length} entries is not the strictly lower "
                         f"triangle of a square matrix (needs n (n - 1) / 2 entries)")
    return n


def _placement(n, like):
    """The 0/1 matrix (n (n-1)/2, n * n) that puts a vector on the strictly lower triangle, row by row."""
    rows, cols = np.tril_indices(n, -1)
    place = np.zeros((rows.size, n * n))
    place[np.arange(rows.size), rows * n + cols] = 1.0
    return as_tensor(place, like=like)


class CorrCholeskyTransform(Transform):
    """A vector of n (n - 1) / 2 reals onto the n x n lower Cholesky factor L of a correlation
    matrix (L L^T has a unit diagonal). The entries, row by row over the strictly lower triangle,
    become partial correlations z = tanh(x) in (-1, 1); row i of L breaks the unit length among its
    entries: L_ij = z_ij sqrt(1 - sum_{k<j} L_ik^2) for j < i, and L_ii takes what is left,
    sqrt(1 - sum_{k<i} L_ik^2).

    log|det J| = sum over the entries of log(1 - tanh(x)^2) + 1/2 sum_{i, j<i} log(1 - sum_{k<j} L_ik^2).
    """
    domain, codomain, bijective = constraints.real_vector, constraints.corr_cholesky, True

    def _call(self, x):
        n = _size_of(x.shape[-1], "__call__")
        eps = float(np.finfo(x.dtype).eps)
        z = x.tanh().clamp(min=-1 + eps, max=1 - eps)
        partial = (z @ _placement(n, x)).reshape(*x.shape[:-1], n, n)
        remaining = (1 - partial ** 2).sqrt().cumprod(-1)               # sqrt(1 - sum_{k<=j} L_ik^2)
        before = F.pad(remaining[..., :-1], (1, 0), value=1.0)         # the same, for k < j
        unit = partial + as_tensor(np.eye(n), like=x)
        return unit * before

    def _inverse(self, y):
        n = y.shape[-1]
        rows, cols = np.tril_indices(n, -1)
        used = F.pad((y ** 2).cumsum(-1)[..., :-1], (1, 0), value=0.0)  # sum_{k<j} L_ik^2
        partial = y[..., rows, cols] / (1 - used[..., rows, cols]).sqrt()
        eps = float(np.finfo(y.dtype).eps)
        return partial.clamp(min=-1 + eps, max=1 - eps).atanh()

    def log_abs_det_jacobian(self, x, y):
        n = y.shape[-1]
        rows, cols = np.tril_indices(n, -1)
        used = F.pad((y ** 2).cumsum(-1)[..., :-1], (1, 0), value=0.0)
        stick = 0.5 * (1 - used[..., rows, cols]).log().sum(-1)
        tanh = 2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))
        return tanh.sum(-1) + stick

    def forward_shape(self, shape):
        return tuple(shape[:-1]) + (_size_of(shape[-1], "forward_shape"),) * 2

    def inverse_shape(self, shape):
        if len(shape) < 2 or shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform.inverse_shape: expected square matrices, got shape {tuple(shape)}")
        n = shape[-1]
        return tuple(shape[:-2]) + (n * (n - 1) // 2,)

    def __eq__(self, other):
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = object.__hash__
