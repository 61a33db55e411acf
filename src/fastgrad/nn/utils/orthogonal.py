"""The orthogonal parametrization behind nn.utils.parametrizations.orthogonal.

A matrix W of shape (..., n, k) (seen transposed when n < k, so that n >= k) is computed from an
unconstrained matrix X of the same shape by one of three maps, each onto matrices with
orthonormal columns:

- "matrix_exp": A = L - L^T with L the lower triangle of X (padded with zero columns to n x n),
  W = expm(A)[:, :k]  (the exponential of a skew-symmetric matrix is orthogonal);
- "cayley": the same A, W = (I - A/2)^{-1} (I + A/2) [:, :k];
- "householder": the columns of X below the diagonal are Householder vectors v_j (with 1 on the
  diagonal), W = H_1 ... H_k I_{n,k} with H_j = I - 2 v_j v_j^T / (v_j^T v_j), each column j then
  multiplied by the diagonal entry X_jj truncated to an integer (its sign, +-1).

With use_trivialization=True (the default) a buffer `base` (an n x n orthogonal matrix) multiplies
the result, W = base @ map(X): assigning a value Q sets base to Q (orthogonalized by QR when it is
not orthogonal, completed with random columns when n > k) and X to -I, the point every map sends
to I_{n,k}; so the weight is Q right after registration.  Every step is a differentiable op.
"""
import numpy as np

from ...autograd import capture
from ...autograd.tensor import Tensor
from ...creation import default_generator
from ..modules.module import Module

MAPS = ("matrix_exp", "cayley", "householder")


def _transposed(x):
    return x.transpose(-2, -1)


def _identity_columns(like, n, k):
    """I_{n,k} as a constant array of like's dtype and batch shape."""
    eye = np.eye(n, k, dtype=like.dtype)
    return np.broadcast_to(eye, tuple(like.shape[:-2]) + (n, k)).copy()


def _diagonal_signs(x):
    """The diagonal of x (..., n, k) truncated to integers, as a row (..., 1, k) of x's dtype."""
    return np.trunc(np.diagonal(np.asarray(x), axis1=-2, axis2=-1))[..., None, :].astype(x.dtype)


def _householder_product(vectors, tau):
    """H_1 ... H_k I_{n,k}, H_j = I - tau_j v_j v_j^T, v_j the j-th column of `vectors` (..., n, k)."""
    n, k = vectors.shape[-2:]
    q = Tensor(_identity_columns(vectors._data, n, k))
    for j in reversed(range(k)):
        v = vectors[..., :, j:j + 1]
        q = q - (tau[..., j:j + 1].unsqueeze(-1) * v) @ (_transposed(v) @ q)
    return q


def _qr_orthogonal(a):
    """The Q of a = QR with R's diagonal made non-negative (columns of Q flipped to match)."""
    q, r = np.linalg.qr(a)
    signs = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    return q * signs[..., None, :]


def _is_orthogonal(q):
    k = q.shape[-1]
    tolerance = 10 * q.shape[-2] * np.finfo(q.dtype).eps
    return np.allclose(np.swapaxes(q, -1, -2) @ q, np.eye(k, dtype=q.dtype), atol=tolerance)


def _householder_vectors(q):
    """X whose householder map (without base) is q (orthonormal columns, n >= k): LAPACK's QR
    reflectors below the diagonal and the signs of R's diagonal on it (a reflection LAPACK skips,
    tau = 0, is one the map makes, so its sign is flipped)."""
    flat = q.reshape((-1,) + q.shape[-2:])
    out = np.empty_like(flat)
    for i, matrix in enumerate(flat):
        reflectors, tau = np.linalg.qr(matrix.astype(np.float64), mode="raw")
        x = reflectors.T.copy()                        # geqrf's layout: (n, k)
        diagonal = np.sign(np.diagonal(x)).copy()
        diagonal[tau == 0] *= -1
        np.fill_diagonal(x, diagonal)
        out[i] = x
    return out.reshape(q.shape)


class Orthogonal(Module):
    """The parametrization registered by orthogonal(): forward(X) is the orthogonal matrix of X
    (see the module docstring), right_inverse(Q) the X (and base) that give Q."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight._data.dtype.kind == "c":
            raise NotImplementedError("orthogonal: complex weights are not supported")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2:]
        transposed = n < k
        if transposed:
            X = _transposed(X)
            n, k = k, n
        if self.orthogonal_map == "householder":
            below = X.tril(-1)
            tau = 2.0 / (1.0 + (below * below).sum(-2))
            q = _householder_product(below + Tensor(_identity_columns(X._data, n, k)), tau)
            q = q * Tensor(capture.run(_diagonal_signs, X._data))
        else:
            lower = X.tril()
            if n != k:
                from ... import cat

                lower = cat([lower, Tensor(np.zeros(tuple(X.shape[:-2]) + (n, n - k), dtype=X._data.dtype))], -1)
            a = lower - _transposed(lower)
            if self.orthogonal_map == "matrix_exp":
                from ... import matrix_exp

                q = matrix_exp(a)
            else:
                from ... import linalg

                eye = Tensor(_identity_columns(X._data, n, n))
                q = linalg.solve(eye - 0.5 * a, eye + 0.5 * a)
            if n != k:
                q = q[..., :k]
        if "base" in self._buffers:
            q = self.base @ q
        return _transposed(q) if transposed else q

    def right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"orthogonal: expected a matrix or batch of matrices of shape {self.shape}, got a tensor "
                             f"of shape {tuple(Q.shape)}")
        value = np.asarray((Q.detach() if isinstance(Q, Tensor) else Tensor(Q))._data)
        n, k = value.shape[-2:]
        transposed = n < k
        if transposed:
            value = np.swapaxes(value, -1, -2)
            n, k = k, n
        if "base" not in self._buffers:
            if self.orthogonal_map != "householder":
                raise NotImplementedError("orthogonal: a value cannot be assigned to the matrix_exp or cayley "
                                          "parametrizations when use_trivialization=False")
            x = _householder_vectors(value).astype(value.dtype)
            return Tensor(np.swapaxes(x, -1, -2).copy() if transposed else x)
        if n == k:
            base = value.copy() if _is_orthogonal(value) else _qr_orthogonal(value)
        else:
            extra = default_generator().standard_normal(value.shape[:-2] + (n, n - k)).astype(value.dtype)
            base = _qr_orthogonal(np.concatenate([value, extra], axis=-1))
        self.base = Tensor(base.astype(value.dtype))
        minus_identity = -np.eye(*self.shape[-2:], dtype=value.dtype)
        return Tensor(np.broadcast_to(minus_identity, self.shape).copy())
