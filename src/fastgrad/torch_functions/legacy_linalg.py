"""PyTorch's older linear-algebra functions at the top level (and as Tensor methods), written
with fastgrad.linalg: svd (returning V, not Vh), qr(some=), cholesky_solve, cholesky_inverse,
triangular_solve (returning the solution and a copy of A), lu, lu_solve, lu_unpack,
matrix_power, chain_matmul, frobenius_norm, nuclear_norm, lobpcg, and the Householder forms
geqrf, orgqr and ormqr.  Tensor.eig, symeig and lstsq, removed from PyTorch, raise as there.

    import fastgrad as torch
    U, S, V = torch.svd(A)                          # A = U diag(S) V^T
    X = torch.cholesky_solve(B, torch.linalg.cholesky(A))
    X, _ = torch.triangular_solve(B, U)             # upper=True by default

All but geqrf are differentiable (through the linalg functions they call).
"""
from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from .. import linalg as _linalg
from ..ops import methods as _methods
from ..linalg.lu_and_triangular import _batched_solve, lu_unpack, solve_triangular
from .tensor_methods import _as_tensor

__all__ = ["cholesky_inverse", "cholesky_solve", "frobenius_norm", "geqrf", "lobpcg", "lu",
           "lu_solve", "lu_unpack", "nuclear_norm", "orgqr", "ormqr", "qr", "svd", "triangular_solve"]

SVDResult = namedtuple("SVDResult", ["U", "S", "V"])
QRResult = namedtuple("QRResult", ["Q", "R"])
TriangularSolveResult = namedtuple("TriangularSolveResult", ["solution", "cloned_coefficient"])
GeqrfResult = namedtuple("GeqrfResult", ["a", "tau"])


def svd(input, some=True, compute_uv=True):
    """(U, S, V) with input = U diag(S) V^T (V itself, where linalg.svd gives V^T).  some=True
    gives the reduced factors, some=False square U and V; compute_uv=False gives only S, with U
    and V zero matrices of shapes (..., m, m) and (..., n, n), as PyTorch.

    >>> U, S, V = torch.svd(torch.tensor([[3.0, 0.0], [0.0, 2.0]]))   # S = [3, 2]
    """
    A = _as_tensor(input)
    if not compute_uv:
        S = _linalg.svdvals(A)
        lead, (m, n) = tuple(A.shape[:-2]), tuple(A.shape[-2:])
        return SVDResult(Tensor(np.zeros(lead + (m, m), dtype=A.dtype)), S,
                         Tensor(np.zeros(lead + (n, n), dtype=A.dtype)))
    U, S, Vh = _linalg.svd(A, full_matrices=not some)
    return SVDResult(U, S, Vh.mT)


def _matrices(op, name, x):
    """x as a Tensor of at least 2 dimensions, else ValueError naming op and the argument."""
    x = _as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{op}: argument '{name}' must be a matrix or a batch of matrices, got shape "
                         f"{tuple(x.shape)}")
    return x


def qr(input, some=True):
    """(Q, R) of linalg.qr: mode 'reduced' when some=True, 'complete' otherwise."""
    return QRResult(*_linalg.qr(_matrices("qr", "input", input), mode="reduced" if some else "complete"))


def _factor(op, L):
    L = _as_tensor(L)
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise ValueError(f"{op}: the Cholesky factor must be a square matrix (or a batch of them), got shape "
                         f"{tuple(L.shape)}")
    return L


def cholesky_solve(B, L, upper=False):
    """X with A X = B for A = L L^T given its Cholesky factor L (lower, or upper with
    upper=True: A = U^T U).  Only that triangle of L is read; the gradient is PyTorch's,
    gL = -(gB X^T + X gB^T) L, which also fills the other triangle (the derivative as if L
    were a full matrix there).  Batch axes broadcast.

    >>> X = torch.cholesky_solve(B, torch.linalg.cholesky(A))   # A^-1 B
    """
    L = _factor("cholesky_solve", L)
    B = _matrices("cholesky_solve", "B", B)
    triangle = L.triu() if upper else L.tril()
    other = L - triangle
    factor = triangle + (other - other.detach())    # the triangle's values, a full matrix's gradient
    if upper:     # A = U^T U: U^T Y = B, then U X = Y
        return _batched_solve("cholesky_solve", factor, _batched_solve("cholesky_solve", factor.mT, B))
    return _batched_solve("cholesky_solve", factor.mT, _batched_solve("cholesky_solve", factor, B))


def cholesky_inverse(L, upper=False):
    """A^-1 for A = L L^T (A = U^T U with upper=True) from its Cholesky factor."""
    L = _factor("cholesky_inverse", L)
    n = L.shape[-1]
    eye = Tensor(np.broadcast_to(np.eye(n, dtype=L.dtype), tuple(L.shape)).copy())
    return cholesky_solve(eye, L, upper=upper)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """(solution, cloned_coefficient): X with A X = b (A^T X = b with transpose=True) for a
    triangular A (its upper triangle by default), and a copy of A.  Batch axes broadcast."""
    A, b = _matrices("triangular_solve", "A", A), _matrices("triangular_solve", "b", b)
    if transpose:
        X = solve_triangular(A.mT, b, upper=not upper, unitriangular=unitriangular)
    else:
        X = solve_triangular(A, b, upper=upper, unitriangular=unitriangular)
    return TriangularSolveResult(X, A.clone())


def lu(A, pivot=True, get_infos=False):
    """(A_LU, pivots) of linalg.lu_factor_ex, and its infos with get_infos=True (then a singular
    A does not raise)."""
    factors, pivots, infos = _linalg.lu_factor_ex(A, pivot=pivot)
    if get_infos:
        return factors, pivots, infos
    if bool(np.any(infos.numpy() > 0)):
        raise _linalg.LinAlgError("lu: the matrix is singular (U has a zero on its diagonal); pass get_infos=True "
                                  "to factor it anyway")
    return factors, pivots


def lu_solve(b, LU_data, LU_pivots):
    """X with A X = b for A given as lu's (LU_data, LU_pivots)."""
    return _linalg.lu_solve(LU_data, LU_pivots, b)


def _householder_arrays(a):
    """LAPACK's geqrf of a NumPy stack (..., m, n): R on and above the diagonal, the reflectors'
    vectors below it (their leading 1 not stored), and tau (..., min(m, n))."""
    m, n = a.shape[-2:]
    k = min(m, n)
    lead = a.shape[:-2]
    count = int(np.prod(lead, dtype=np.int64))
    work = np.array(a, copy=True).reshape((count, m, n))
    tau = np.zeros((count, k), dtype=a.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            alpha = work[:, j, j].copy()
            tail = np.linalg.norm(work[:, j + 1:, j], axis=-1)
            active = tail > 0
            norm = np.hypot(alpha, tail)
            beta = np.where(alpha >= 0, -norm, norm)
            tau[:, j] = np.where(active, (beta - alpha) / beta, 0)
            scale = np.where(active, 1 / (alpha - beta), 0)
            work[:, j + 1:, j] *= scale[:, None]
            work[:, j, j] = np.where(active, beta, alpha)
            v = np.concatenate([np.ones((count, 1), dtype=a.dtype), work[:, j + 1:, j]], axis=-1)   # (count, m - j)
            rest = work[:, j:, j + 1:]
            work[:, j:, j + 1:] = rest - tau[:, j, None, None] * v[:, :, None] * (v[:, None, :] @ rest)
    return work.reshape(lead + (m, n)), tau.reshape(lead + (k,))


def geqrf(input):
    """(a, tau): the QR decomposition in LAPACK's Householder form: R on and above the diagonal of
    a; below it, the vectors v_i of the reflectors H_i = I - tau_i v_i v_i^T (v_i's leading 1 not
    stored), with Q = H_1 ... H_k.  Not differentiable (as in PyTorch); orgqr rebuilds Q."""
    A = _as_tensor(input)
    if A.ndim < 2 or A.dtype.kind != "f":
        raise ValueError(f"geqrf: argument 'input' must be a real floating-point matrix (or a batch), got shape "
                         f"{tuple(A.shape)} and dtype {A.dtype}")
    a, tau = _householder_arrays(np.asarray(A._data))
    return GeqrfResult(Tensor(a), Tensor(tau))


def orgqr(input, tau):
    """The first n columns of Q = H_1 ... H_k from geqrf's form (linalg.householder_product)."""
    return _linalg.householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False):
    """Q C, Q^T C, C Q or C Q^T (left, transpose) for C = other and the full (square) Q of
    geqrf's form (input, tau), applying the reflectors one at a time; differentiable."""
    A, tau, C = _as_tensor(input), _as_tensor(tau), _as_tensor(other)
    if A.ndim < 2 or C.ndim != A.ndim or tau.ndim != A.ndim - 1:
        raise ValueError(f"ormqr: shapes input {tuple(A.shape)}, tau {tuple(tau.shape)} and other "
                         f"{tuple(C.shape)} do not fit")
    size = C.shape[-2] if left else C.shape[-1]
    k = tau.shape[-1]
    if A.shape[-2] != size or k > min(A.shape[-2], A.shape[-1]):
        raise ValueError(f"ormqr: input {tuple(A.shape)} must have {size} rows and at least tau's {k} columns")
    m = A.shape[-2]
    below = Tensor(np.tril(np.ones((m, k), dtype=A.dtype), -1))
    reflectors = A[..., :, :k] * below + Tensor(np.eye(m, k, dtype=A.dtype))
    # Q C = H_1 (H_2 (... H_k C)); Q^T C = H_k (... (H_1 C)); C Q = ((C H_1) H_2) ...; C Q^T the reverse.
    order = range(k - 1, -1, -1) if left != transpose else range(k)
    for i in order:
        v, t = reflectors[..., :, i:i + 1], tau[..., i, None, None]
        C = C - (t * v) @ (v.mT @ C) if left else C - ((C @ v) * t) @ v.mT
    return C


def frobenius_norm(input, dim, keepdim=False):
    """sqrt(sum x^2) over the one or two dimensions `dim` (linalg.vector_norm)."""
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not 1 <= len(dims) <= 2:
        raise ValueError(f"frobenius_norm: argument 'dim' must name one or two dimensions, got {dim!r}")
    return _linalg.vector_norm(input, 2, dims, keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    """The sum of the singular values of the matrices over `dim` (a pair; the whole 2-D input
    when omitted).  nuclear_norm(input, keepdim) is accepted as in PyTorch."""
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    A = _as_tensor(input)
    if dim is None:
        if A.ndim != 2:
            raise ValueError(f"nuclear_norm: without dim the input must be 2-D, got {A.ndim}-D")
        dim = (0, 1)
    return _linalg.matrix_norm(A, "nuc", tuple(dim), keepdim)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None, tracker=None,
           ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """(E, X): the k largest (largest=False: smallest) eigenvalues E, in that order, and the
    eigenvectors X (..., m, k) of the symmetric (..., m, m) A, or of A x = E B x with B
    symmetric positive-definite (then X^T B X = I).  k defaults to X's column count, or 1.

    The result is the one LOBPCG converges to, computed here directly from a dense symmetric
    eigendecomposition (of L^-1 A L^-T with B = L L^T), so the options that steer the
    iteration (X's values, n, iK, niter, tol, method, tracker, ortho_*) change nothing.
    Differentiable in A and B (the symmetric gradient, as PyTorch's); the eigenvectors' signs
    are arbitrary.  As PyTorch, m must be at least 3 k.

    >>> E, X = torch.lobpcg(A, k=2)   # the two largest eigenpairs of A
    """
    A = _as_tensor(A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"lobpcg: argument 'A' must be a square matrix (or a batch of them), got shape "
                         f"{tuple(A.shape)}")
    if X is not None:
        k = _as_tensor(X).shape[-1]
    k = 1 if k is None else k
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"lobpcg: argument 'k' must be a positive int, got {k!r}")
    m = A.shape[-1]
    if m < 3 * max(k, n or k):
        raise ValueError(f"lobpcg: the number of A rows (={m}) is smaller than 3 x the number of requested "
                         f"eigenpairs (={max(k, n or k)})")
    if B is None:
        values, vectors = _linalg.eigh(A)
    else:
        L = _linalg.cholesky(_as_tensor(B))
        inner = solve_triangular(L, solve_triangular(L, A, upper=False).mT, upper=False)   # L^-1 A L^-T
        values, vectors = _linalg.eigh(inner)
        vectors = solve_triangular(L.mT, vectors, upper=True)
    if largest is None or largest:
        return values[..., -k:].flip(-1), vectors[..., :, -k:].flip(-1)
    return values[..., :k], vectors[..., :, :k]


def _removed(name, replacement):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"{name}: Tensor.{name} was removed from PyTorch (deprecated since 1.9); use "
                           f"{replacement}")

    method.__name__ = name
    return method


_methods.bind({"eig": _removed("eig", "fastgrad.linalg.eig(A)"),
               "symeig": _removed("symeig", "fastgrad.linalg.eigh(A)"),
               "lstsq": _removed("lstsq", "fastgrad.linalg.lstsq(A, B)")})
