"""fastgrad.linalg: PyTorch's torch.linalg, differentiable, over fastgrad.numpy.linalg's ops.

    import fastgrad as torch
    torch.linalg.vector_norm(x, dim=1)
    Q, R = torch.linalg.qr(A)
    X = torch.linalg.solve(A, B)

norm, vector_norm, matrix_norm, solve, inv, det, slogdet, svd, svdvals, qr, cholesky, eigh,
eigvalsh, eig, eigvals, pinv, lstsq, matrix_power, multi_dot, cross, vecdot and matmul are
differentiable; matrix_rank counts (no gradient).  Arguments and results follow PyTorch
(dim=, keepdim=, named results); batches of matrices are stacked on the leading dimensions.
Triangular solves, LU and the `_ex` forms are in lu_and_triangular.py, cond, diagonal, vander,
tensorinv, tensorsolve, householder_product and matrix_exp in composed.py, and the
LDL^T factorization in ldl.py; all are names of this module.
"""
import math
from collections import namedtuple

import numpy as np

from .. import numpy as _fnp
from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..ops import shape as _shape, vector_norm as _vector_norm
from ..ops.qr_decomposition import qr_packed as _qr_packed, unpack_qr as _unpack_qr

__all__ = ["cholesky", "cross", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals", "vecdot", "vector_norm"]

QRResult = namedtuple("QRResult", ["Q", "R"])
LstsqResult = namedtuple("LstsqResult", ["solution", "residuals", "rank", "singular_values"])
LinAlgError = np.linalg.LinAlgError


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _matrix(op, A, name="A"):
    A = _as_tensor(A)
    if A.ndim < 2:
        raise ValueError(f"linalg.{op}: argument '{name}' must be a matrix or a batch of matrices, got shape "
                         f"{tuple(A.shape)}")
    if A.dtype.kind not in "fc":
        raise TypeError(f"linalg.{op}: argument '{name}' must be a floating-point or complex tensor, got {A.dtype}")
    return A


def _square(op, A, name="A"):
    A = _matrix(op, A, name)
    if A.shape[-1] != A.shape[-2]:
        raise ValueError(f"linalg.{op}: argument '{name}' must be square (or a batch of square matrices), got "
                         f"shape {tuple(A.shape)}")
    return A


def _cast(x, dtype):
    return x if dtype is None else x.to(dtype)


def _dims(op, dim, count):
    if isinstance(dim, int):
        dim = (dim,)
    dim = tuple(dim)
    if len(dim) != count:
        raise ValueError(f"linalg.{op}: argument 'dim' must hold {count} dimension(s), got {dim!r}")
    return dim


# ---- norms ------------------------------------------------------------------------------------

def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x as a vector over `dim` (an int, a tuple, or all elements when None):
    ord 2 (Euclidean; its gradient is 0 where the norm is 0, as PyTorch's), 1, inf, -inf,
    0 (the count of non-zeros) or any other number."""
    x = _cast(_as_tensor(x), dtype)
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise ValueError(f"linalg.vector_norm: argument 'ord' must be a number, got {ord!r}")
    if x.dtype.kind not in "fc":
        raise TypeError(f"linalg.vector_norm: expects a floating-point or complex tensor, got {x.dtype}")
    if isinstance(dim, list):
        dim = tuple(dim)
    if ord < 0 and x.numel() == 0:
        raise ValueError(f"linalg.vector_norm: a norm of order {ord} of an empty tensor is not defined")
    return _vector_norm.norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The ord-norm of A as matrices over the two dimensions `dim`: 'fro', 'nuc', inf, -inf,
    1, -1, 2 or -2 (the last three through the singular values)."""
    A = _cast(_matrix("matrix_norm", A), dtype)
    row, col = (d % A.ndim for d in _dims("matrix_norm", dim, 2))
    if row == col:
        raise ValueError(f"linalg.matrix_norm: the two dims must differ, got {dim!r}")
    if ord == "fro":
        return _vector_norm.norm(A, 2, (row, col), keepdim)
    if ord not in ("nuc", math.inf, -math.inf, 1, -1, 2, -2) or isinstance(ord, bool):
        raise ValueError(f"linalg.matrix_norm: argument 'ord' must be 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2, "
                         f"got {ord!r}")
    return _fnp.linalg.norm(A, ord, (row, col), keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (dim an int, or dim None with ord None or a 1-d A) or a matrix norm
    (dim a pair, or dim None with a 2-d A and ord given); ord None is the 2-norm of all
    elements, or 'fro' for matrices."""
    A = _cast(_as_tensor(A), dtype)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim)
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and no dim, A must be 1-d or 2-d, got {A.ndim}-d")
        dim = 0 if A.ndim == 1 else (0, 1)
    if isinstance(dim, int) or len(tuple(dim)) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim)
    return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim)


# ---- square matrices ----------------------------------------------------------------------------

def inv(A):
    """The inverse of a square matrix (LinAlgError when singular)."""
    return _fnp.linalg.inv(_square("inv", A))


def det(A):
    """The determinant of a square matrix."""
    return _fnp.linalg.det(_square("det", A))


def slogdet(A):
    """(sign, logabsdet): the sign of the determinant and the log of its absolute value."""
    return _fnp.linalg.slogdet(_square("slogdet", A))


def matrix_power(A, n):
    """A multiplied by itself n times (n < 0: the inverse's power; n = 0: the identity)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: argument 'n' must be an int, got {n!r}")
    return _fnp.linalg.matrix_power(_square("matrix_power", A), int(n))


def solve(A, B, *, left=True):
    """X with A X = B (left=False: X A = B).  B is a vector, or a batch of vectors when its
    shape is A's without the last dimension; otherwise a matrix (or a batch)."""
    A = _square("solve", A)
    B = _as_tensor(B)
    if not left:
        return _shape.swapaxes(solve(_shape.swapaxes(A, -1, -2), _shape.swapaxes(B, -1, -2)), -1, -2)
    vectors = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rhs = B.unsqueeze(-1) if vectors else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-1]:
        raise ValueError(f"linalg.solve: A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)} do not match")
    lead = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(rhs.shape[:-2]))
    A = A if tuple(A.shape[:-2]) == lead else _shape.broadcast_to(A, lead + tuple(A.shape[-2:]))
    rhs = rhs if tuple(rhs.shape[:-2]) == lead else _shape.broadcast_to(rhs, lead + tuple(rhs.shape[-2:]))
    X = _fnp.linalg.solve(A, rhs)
    return X.squeeze(-1) if vectors else X


def cholesky(A, *, upper=False):
    """The lower Cholesky factor L of a symmetric positive-definite A = L L^T (upper=True: L^T)."""
    return _fnp.linalg.cholesky(_square("cholesky", A), upper=upper)


def _uplo(op, UPLO):
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.{op}: argument 'UPLO' must be 'L' or 'U', got {UPLO!r}")
    return UPLO


def _symmetric_gradient(A):
    """A's values with the gradient PyTorch gives eigh's input: symmetric, whichever triangle
    is read (fastgrad.numpy's, as NumPy's, puts it all in the triangle read)."""
    half = (A + A.mT) * 0.5
    return A.detach() + (half - half.detach())


def eigh(A, UPLO="L"):
    """(eigenvalues, eigenvectors) of a symmetric matrix, ascending; only the triangle UPLO is
    read, and the gradient is symmetric, as PyTorch's."""
    return _fnp.linalg.eigh(_symmetric_gradient(_square("eigh", A)), _uplo("eigh", UPLO))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending (see eigh)."""
    return eigh(A, UPLO).eigenvalues


def eig(A):
    """(eigenvalues, eigenvectors) of a general square matrix, complex (PyTorch's are always complex)."""
    values, vectors = _fnp.linalg.eig(_square("eig", A))
    return _complex(values), _complex(vectors)


def eigvals(A):
    """The eigenvalues of a general square matrix, complex."""
    return eig(A)[0]


def _complex(x):
    if x.dtype.kind == "c":
        return x
    return x.to(np.complex128 if x.dtype == np.float64 else np.complex64)


# ---- general matrices ---------------------------------------------------------------------------

def svd(A, full_matrices=True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh.  full_matrices=True (PyTorch's default) gives square U
    and Vh; for a non-square A their extra columns are not unique, so then the result is
    differentiable only with full_matrices=False (asking otherwise raises)."""
    A = _matrix("svd", A)
    if driver is not None:
        raise ValueError("linalg.svd: argument 'driver' is for CUDA's solvers; leave it None on the CPU")
    m, n = A.shape[-2:]
    if full_matrices and m != n:
        if A.requires_grad:
            raise ValueError("linalg.svd: full_matrices=True on a non-square matrix has no gradient (the extra "
                             "singular vectors are not unique); pass full_matrices=False")
        u, s, vh = np.linalg.svd(np.asarray(A._data), full_matrices=True)
        return _fnp.linalg._SVDResult(Tensor(u), Tensor(s), Tensor(vh))
    return _fnp.linalg.svd(A, full_matrices=False)


def svdvals(A, *, driver=None):
    """The singular values of A, descending."""
    return svd(A, full_matrices=False, driver=driver).S


def qr(A, mode="reduced"):
    """(Q, R) with A = Q R, Q's columns orthonormal and R upper triangular: mode 'reduced'
    (Q (m, k), R (k, n), k = min(m, n)), 'complete' (Q square; differentiable when m <= n,
    where it is the reduced one) or 'r' (R only; Q is empty)."""
    A = _matrix("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: argument 'mode' must be 'reduced', 'complete' or 'r', got {mode!r}")
    if A.dtype.kind == "c":
        raise TypeError("linalg.qr: complex matrices are not supported")
    m, n = A.shape[-2:]
    if mode == "complete" and m > n:
        if A.requires_grad:
            raise ValueError("linalg.qr: mode='complete' with more rows than columns has no gradient (the extra "
                             "columns of Q are not unique); use mode='reduced'")
        q, r = np.linalg.qr(np.asarray(A._data), mode="complete")
        return QRResult(Tensor(q), Tensor(r))
    if 0 in tuple(A.shape):
        q, r = np.linalg.qr(np.asarray(A._data), mode="reduced")
        return QRResult(Tensor(q), Tensor(r))
    q, r = _unpack_qr(_fnp, _qr_packed(A), m, n)
    if mode == "r":
        return QRResult(Tensor(np.empty((0,), dtype=A.dtype)), r)
    return QRResult(q, r)


def _tolerance(op, A, atol, rtol, singular):
    """The cut below which singular values count as 0: max(atol, rtol * largest), with
    PyTorch's default rtol (eps * max(m, n)) when neither is given; shape (..., 1)."""
    for name, value in (("atol", atol), ("rtol", rtol)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TypeError(f"linalg.{op}: argument '{name}' must be a number or None, got {value!r}")
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else max(A.shape[-2:]) * np.finfo(A.dtype).eps
    largest = singular.max(axis=-1, keepdims=True) if singular.shape[-1] else np.zeros(singular.shape[:-1] + (1,))
    return np.maximum(0.0 if atol is None else atol, rtol * largest)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse; singular values at or below max(atol, rtol * largest)
    count as 0 (PyTorch's default rtol is eps * max(m, n))."""
    A = _matrix("pinv", A)
    singular = np.linalg.svd(np.asarray(A._data), compute_uv=False)
    cut = _tolerance("pinv", A, atol, rtol, singular)
    largest = singular.max(axis=-1, keepdims=True) if singular.shape[-1] else np.ones(singular.shape[:-1] + (1,))
    relative = cut / np.where(largest > 0, largest, 1.0)    # NumPy's cut is relative
    return _fnp.linalg.pinv(A, rcond=relative[..., 0], hermitian=hermitian)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above max(atol, rtol * largest), int64; no gradient."""
    A = _matrix("matrix_rank", A)
    data = np.asarray(A._data)
    singular = np.abs(np.linalg.eigvalsh(data)) if hermitian else np.linalg.svd(data, compute_uv=False)
    cut = _tolerance("matrix_rank", A, atol, rtol, singular)
    return Tensor(np.asarray(np.sum(singular > cut, axis=-1), dtype=np.int64))


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (the minimum-norm one when A is rank-deficient),
    as pinv(A) @ B, differentiable.  As PyTorch's default CPU driver ('gelsy'): rank is filled
    in, residuals and singular_values are empty.  driver 'gelsd' / 'gelss' also give the
    singular values and, for a tall full-rank A, the residuals (squared column norms of
    A X - B); 'gels' gives the residuals and no rank."""
    A = _matrix("lstsq", A)
    B = _as_tensor(B)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise ValueError(f"linalg.lstsq: argument 'driver' must be 'gels', 'gelsy', 'gelsd' or 'gelss', got "
                         f"{driver!r}")
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-2]:
        raise ValueError(f"linalg.lstsq: A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)} do not match")
    rtol = rcond if rcond is not None and rcond > 0 else None
    X = pinv(A, rtol=rtol) @ rhs
    m, n = A.shape[-2:]
    rank = matrix_rank(A, rtol=rtol)
    empty = Tensor(np.empty((0,), dtype=A.dtype))
    residuals, singular = empty, empty
    if driver in ("gelsd", "gelss"):
        singular = svdvals(A.detach())
    if driver in ("gels", "gelsd", "gelss") and m > n and bool(np.all(rank.numpy() == n)):
        residuals = ((A @ X - rhs) ** 2).sum(-2)
    if driver == "gels":    # QR, which assumes full rank and reports none
        rank = Tensor(np.empty((0,), dtype=np.int64))
    if vector:
        X = X.squeeze(-1)
        residuals = residuals.squeeze(-1) if residuals.numel() else residuals
    return LstsqResult(X, residuals, rank, singular)


# ---- products -----------------------------------------------------------------------------------

def matmul(input, other):
    """The matrix product (batched, broadcast), as the @ operator."""
    return _as_tensor(input) @ other


def multi_dot(tensors):
    """The product of a chain of matrices (the first may be a vector, as may the last)."""
    if not isinstance(tensors, (list, tuple)) or len(tensors) < 2:
        raise ValueError("linalg.multi_dot: argument 'tensors' must be a list of at least two tensors")
    return _fnp.linalg.multi_dot([_as_tensor(t) for t in tensors])


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along `dim` (input and other broadcast)."""
    from ..torch_functions.everyday import cross as _cross

    a, b = _as_tensor(input), _as_tensor(other)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return _cross(a.expand(*shape), b.expand(*shape), dim=dim)


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along `dim` (x conjugated when complex; x and y broadcast)."""
    x, y = _as_tensor(x), _as_tensor(y)
    if x.dtype.kind == "c":
        x = x.conj()
    return (x * y).sum(dim)


# ---- triangular solves, LU and the `_ex` forms (lu_and_triangular.py) ---------------------------------------
from .lu_and_triangular import *  # noqa: E402,F401,F403
from . import lu_and_triangular as _linalg_lu  # noqa: E402

__all__ += _linalg_lu.__all__
from .composed import *  # noqa: E402,F401,F403  (cond, diagonal, vander, tensorinv, ...)
from . import composed as _linalg_composed  # noqa: E402

__all__ += _linalg_composed.__all__
from .ldl import *  # noqa: E402,F401,F403  (ldl_factor, ldl_factor_ex, ldl_solve)
from . import ldl as _linalg_ldl  # noqa: E402

__all__ += _linalg_ldl.__all__
