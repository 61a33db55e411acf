"""PyTorch's older linear-algebra functions, written with fastgrad.linalg: qr(A, some), svd(A,
some, compute_uv) (V, not V^H), cholesky_solve, cholesky_inverse, triangular_solve,
frobenius_norm and nuclear_norm, with their Tensor methods; all differentiable.  Tensor.eig,
Tensor.lstsq and Tensor.symeig, which PyTorch removed, raise with the name to use instead.

    cholesky_solve(B, L)      = (L L^H)^-1 B          (L = cholesky(A))
    cholesky_inverse(L)       = (L L^H)^-1

(the factor is used as given, as in PyTorch's gradients: every entry of it gets one, so pass a
triangular matrix)
    triangular_solve(b, A)    = (A^-1 b, A) for upper-triangular A (the other triangle unused)

    import fastgrad as torch
    Q, R = torch.qr(A)
    U, S, V = torch.svd(A)        # A = U diag(S) V^T
"""
from collections import namedtuple

from .. import linalg
from ..ops import methods as _methods
from .tensor_methods import _as_tensor

__all__ = ["cholesky_inverse", "cholesky_solve", "frobenius_norm", "nuclear_norm", "qr", "svd", "triangular_solve"]

QR = namedtuple("qr", ["Q", "R"])
SVD = namedtuple("svd", ["U", "S", "V"])
TriangularSolution = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def _matrices(op, name, x):
    if x.ndim < 2:
        raise RuntimeError(f"{op}: argument '{name}' must be a matrix or a batch of matrices, got {x.ndim}-D")
    return x


def _square(op, name, x):
    _matrices(op, name, x)
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{op}: argument '{name}' must be square, got shape {tuple(x.shape)}")
    return x


def qr(input, some=True):
    """(Q, R) with input = Q R, Q with orthonormal columns and R upper triangular; some=False
    gives the complete square Q (linalg.qr's mode 'complete')."""
    q, r = linalg.qr(_matrices("qr", "input", _as_tensor(input)), mode="reduced" if some else "complete")
    return QR(q, r)


def _hermitian_transpose(x):
    return x.mT.conj() if x.dtype.kind == "c" else x.mT


def svd(input, some=True, compute_uv=True):
    """(U, S, V) with input = U diag(S) V^H (V itself, unlike linalg.svd's Vh); some=False gives
    square U and V; compute_uv=False gives S with zero U and V, as PyTorch does."""
    x = _matrices("svd", "input", _as_tensor(input))
    if not compute_uv:   # square zero U and V, whatever some says (PyTorch's shapes)
        m, n = x.shape[-2:]
        batch = tuple(x.shape[:-2])
        return SVD(x.new_zeros(batch + (m, m)), linalg.svdvals(x), x.new_zeros(batch + (n, n)))
    u, s, vh = linalg.svd(x, full_matrices=not some)
    return SVD(u, s, _hermitian_transpose(vh))


def _gram(factor, upper):
    """L L^H (or U^H U with upper=True) of a Cholesky factor."""
    factor_h = _hermitian_transpose(factor)
    return factor_h @ factor if upper else factor @ factor_h


def cholesky_solve(input, input2, upper=False):
    """The solution X of A X = input, A given by its Cholesky factor input2 (lower L with
    A = L L^H, or upper U with A = U^H U when upper=True)."""
    b = _matrices("cholesky_solve", "input", _as_tensor(input))
    factor = _square("cholesky_solve", "input2", _as_tensor(input2))
    return linalg.solve(_gram(factor, upper), b)


def cholesky_inverse(input, upper=False):
    """The inverse of A from its Cholesky factor input (A = L L^H, or U^H U with upper=True)."""
    factor = _square("cholesky_inverse", "input", _as_tensor(input))
    return linalg.inv(_gram(factor, upper))


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """(X, A) with op(T) X = b, T the upper (or lower) triangle of A, its diagonal taken as ones
    when unitriangular, op(T) = T^T when transpose.  The other triangle of A is not read."""
    rhs = _matrices("triangular_solve", "b", _as_tensor(b))
    a = _square("triangular_solve", "A", _as_tensor(A))
    triangle = a.triu() if upper else a.tril()
    if unitriangular:
        triangle = triangle.triu(1) if upper else triangle.tril(-1)
        triangle = triangle + _identity_like(triangle)
    if transpose:
        triangle = triangle.mT
    return TriangularSolution(linalg.solve(triangle, rhs), a.clone())


def _identity_like(x):
    """The identity of x's matrix size and dtype (broadcasting over its batch)."""
    from ..creation import eye

    return eye(x.shape[-1], dtype=x.dtype)


def _two_dims(op, dim):
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"{op}: dim must name two dimensions, got {dim!r}")
    return dims


def frobenius_norm(input, dim, keepdim=False):
    """sqrt(sum |x|^2) over the two dimensions dim."""
    return linalg.matrix_norm(_as_tensor(input), "fro", _two_dims("frobenius_norm", dim), keepdim)


def nuclear_norm(input, dim=(-2, -1), keepdim=False):
    """The sum of the singular values of the matrices over the two dimensions dim."""
    if isinstance(dim, bool):          # nuclear_norm(input, keepdim)
        dim, keepdim = (-2, -1), dim
    return linalg.matrix_norm(_as_tensor(input), "nuc", _two_dims("nuclear_norm", dim), keepdim)


def _removed(name, replacement):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"{name}: Tensor.{name} was removed from PyTorch; use {replacement}")

    method.__name__ = name
    return method


_methods.bind({
    "qr": qr, "svd": svd, "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
    "triangular_solve": triangular_solve,
    "eig": _removed("eig", "fastgrad.linalg.eig(A)"),
    "lstsq": _removed("lstsq", "fastgrad.linalg.lstsq(A, B)"),
    "symeig": _removed("symeig", "fastgrad.linalg.eigh(A)"),
})
