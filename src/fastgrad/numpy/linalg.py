"""fastgrad.numpy.linalg: np.linalg's functions, differentiable on Tensors.

inv, det, slogdet, solve and cholesky are primitives (fastgrad/ops/square_matrix.py);
norm, multi_dot, matrix_power and the array-API helpers are composed from
other ops.  Anything else is NumPy's own function (it raises, naming itself,
when called on a Tensor that requires grad).
"""
from collections import namedtuple as _namedtuple

import numpy as _np

from .. import ops as _ops
from .complex import absolute as _abs
from .reductions import as_tensor_input as _t
from .registry import implements, no_out

LinAlgError = _np.linalg.LinAlgError

# Results readable by position or by name, as NumPy's are.
_SlogdetResult = _namedtuple("SlogdetResult", ["sign", "logabsdet"])
_EighResult = _namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
_EigResult = _namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
_SVDResult = _namedtuple("SVDResult", ["U", "S", "Vh"])


@implements(_np.linalg.inv)
def inv(a):
    """Matrix inverse; the gradient is -A^-T g A^-T."""
    return _ops.inv(_t(a))


@implements(_np.linalg.det)
def det(a):
    """Determinant; the gradient is det(A) A^-T."""
    return _ops.det(_t(a))


@implements(_np.linalg.slogdet)
def slogdet(a):
    """(sign, log|det A|); the gradient of the log is A^-T."""
    return _SlogdetResult(*_ops.slogdet(_t(a)))


@implements(_np.linalg.eigh)
def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix.

    Only the triangle named by UPLO ('L' lower, 'U' upper) is read, as in
    NumPy, so the gradient lives in that triangle (for a non-symmetric input
    too).  Through the eigenvectors it needs distinct eigenvalues and a loss
    that does not depend on their signs.
    """
    return _EighResult(*_ops.eigh(_symmetric_from_triangle(_t(a), UPLO), UPLO))


def _symmetric_from_triangle(a, UPLO):
    """The symmetric matrix that NumPy's eigh sees: one triangle of a, mirrored."""
    from .rearrange import tril, triu

    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    part, strict = (tril(a), tril(a, -1)) if UPLO == "L" else (triu(a), triu(a, 1))
    if not _np.iscomplexobj(a._data):
        return _ops.add(part, _ops.swapaxes(strict, -1, -2))
    # Hermitian: the mirrored triangle is conjugated, and the diagonal's imaginary part is not read.
    from .complex import conjugate, real

    diagonal_only = _np.eye(a.shape[-1], dtype=bool)
    return _ops.add(_ops.where(diagonal_only, real(a), strict), conjugate(_ops.swapaxes(strict, -1, -2)))


@implements(_np.linalg.eig)
def eig(a):
    """Eigenvalues and unit-norm eigenvectors of a general square matrix, as NumPy
    (complex unless every eigenvalue is real).

    The gradient needs distinct eigenvalues, and through the eigenvectors a loss
    that does not depend on their phases (each is defined up to one); for a
    real matrix it is real.
    """
    from ..ops.decompositions import eig_packed

    packed = eig_packed(_t(a))
    return _EigResult(packed[..., 0, :], packed[..., 1:, :])


@implements(_np.linalg.eigvals)
def eigvals(a):
    """Eigenvalues of a general square matrix (see eig)."""
    return eig(a)[0]


@implements(_np.linalg.eigvalsh)
def eigvalsh(a, UPLO="L"):
    """Eigenvalues (ascending) of a symmetric matrix; their gradient is V diag(g) V^T."""
    return eigh(a, UPLO)[0]


@implements(_np.linalg.solve)
def solve(a, b):
    """x with a x = b (b a vector when 1-d)."""
    return _ops.solve(_t(a), _t(b))


@implements(_np.linalg.cholesky)
def cholesky(a, /, *, upper=False):
    """Lower Cholesky factor (upper=True: its transpose)."""
    lower = _ops.cholesky(_t(a))
    return _ops.swapaxes(lower, -1, -2) if upper else lower


@implements(_np.linalg.norm)
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms as np.linalg.norm.

    Supported: vector ord None/2, 1, inf, -inf, 0 and any p; matrix ord
    None/'fro', 1, -1, inf, -inf, and through svd 'nuc', 2, -2 (real input).
    """
    x = _t(x)
    if axis is None:
        if ord is None:  # the 2-norm of all elements, whatever the dimension
            return _sqrt_sum_squares(x, None, keepdims)
        if x.ndim not in (1, 2):
            raise ValueError("norm: improper number of dimensions to norm")
        axis = 0 if x.ndim == 1 else (0, 1)
    if isinstance(axis, int) or len(axis) == 1:
        return _vector_norm(x, ord, axis if isinstance(axis, int) else axis[0], keepdims)
    return _matrix_norm(x, ord, tuple(axis), keepdims)


def _sqrt_sum_squares(x, axis, keepdims):
    # NOTE: at x = 0 the gradient is 0/0 (NaN), as for sqrt itself.
    return _ops.sqrt(_ops.sum(_squared_magnitude(x), axis=axis, keepdims=keepdims))


def _squared_magnitude(x):
    if _np.iscomplexobj(x._data if hasattr(x, "_node") else x):
        from .complex import imag, real

        return _ops.add(_ops.mul(real(x), real(x)), _ops.mul(imag(x), imag(x)))
    return _ops.mul(x, x)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return _sqrt_sum_squares(x, axis, keepdims)
    if ord == _np.inf:
        return _ops.max(_abs(x), axis=axis, keepdims=keepdims)
    if ord == -_np.inf:
        return _ops.min(_abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        data = x._data if hasattr(x, "_node") else x
        return _np.sum(data != 0, axis=axis, keepdims=keepdims).astype(x.dtype)
    if ord == 1:
        return _ops.sum(_abs(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    return _ops.pow(_ops.sum(_ops.pow(_abs(x), ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):
    row, col = (a % x.ndim for a in axis)
    if row == col:
        raise ValueError("norm: duplicate axes given")
    if ord is None or ord == "fro":
        return _sqrt_sum_squares(x, (row, col), keepdims)
    if ord in (1, -1, _np.inf, -_np.inf):
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = _ops.sum(_abs(x), axis=summed, keepdims=True)
        pick = _ops.max if ord in (1, _np.inf) else _ops.min
        out = pick(sums, axis=other, keepdims=True)
        if not keepdims:
            out = _ops.squeeze(out, axis=(row, col))
        return out
    if ord in ("nuc", 2, -2):
        moved = _ops.permute(x, [i for i in range(x.ndim) if i not in (row, col)] + [row, col])
        singular = svd(moved, full_matrices=False, compute_uv=False)
        out = {"nuc": _ops.sum, 2: _ops.max, -2: _ops.min}[ord](singular, axis=-1)
        if keepdims:
            for axis in sorted((row, col)):
                out = _ops.unsqueeze(out, axis)
        return out
    raise ValueError(f"norm: invalid norm order {ord!r} for matrices")


@implements(_np.linalg.svd)
def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition A = U diag(S) Vh, NumPy's values (signs included).

    The gradient is the analytic one: through S alone it holds everywhere; through
    U and Vh it needs distinct nonzero singular values, and for complex A a loss
    that does not depend on the singular vectors' phases.  With full_matrices
    the factors of a non-square A are not unique, so only the reduced ones
    (full_matrices=False) are differentiable.  hermitian=True is NumPy's promise that
    A is Hermitian, which lets it choose an algorithm; the result is the same.
    """
    from ..ops.decompositions import svd_packed, unpack_svd
    from .complex import real

    a = _t(a)
    m, n = a.shape[-2], a.shape[-1]
    if compute_uv and full_matrices and m != n:
        raise TypeError("svd: with full_matrices=True the extra singular vectors of a non-square matrix are not "
                        "unique, so have no gradient; use full_matrices=False")
    u, s, vh = unpack_svd(_ops, svd_packed(a), m, n)
    if _np.iscomplexobj(s._data):
        s = real(s)
    return _SVDResult(u, s, vh) if compute_uv else s


def _adjoint(x):
    """The conjugate transpose of the last two axes (the transpose when real)."""
    x = _ops.swapaxes(x, -1, -2)
    if _np.iscomplexobj(x._data):
        from .complex import conjugate

        return conjugate(x)
    return x


@implements(_np.linalg.pinv)
def pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """Moore-Penrose pseudo-inverse V diag(1/S) U^H, singular values below
    rcond * max(S) (NumPy's default rcond) treated as 0; hermitian as svd's."""
    a = _t(a)
    u, s, vh = svd(a, full_matrices=False)
    cutoff = rcond if rcond is not None else (rtol if rtol is not None else
                                              max(a.shape[-2:]) * _np.finfo(a.dtype).eps)
    # One cutoff per matrix of the stack (a number, or an array of the stack's shape, as NumPy's).
    keep = s._data > _np.asarray(cutoff)[..., None] * _np.max(s._data, axis=-1, keepdims=True)
    inverse = _ops.where(keep, _ops.div(1.0, _ops.where(keep, s, 1.0)), 0.0)
    return _ops.matmul(_ops.mul(_adjoint(vh), _ops.unsqueeze(inverse, -2)), _adjoint(u))


@implements(_np.linalg.multi_dot)
def multi_dot(arrays, *, out=None):
    """Chain of matrix products, left to right."""
    no_out("multi_dot", out)
    arrays = [_t(a) for a in arrays]
    result = arrays[0]
    for a in arrays[1:]:
        result = _ops.matmul(result, a)
    return result


@implements(_np.linalg.matrix_power)
def matrix_power(a, n):
    """A**n by repeated products (n >= 0; negative n inverts first)."""
    a = _t(a)
    if n < 0:
        a, n = _ops.inv(a), -n
    if n == 0:
        eye = _np.broadcast_to(_np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return _ops.add(_ops.mul(a, 0), eye)
    result = a
    for _ in range(n - 1):
        result = _ops.matmul(result, a)
    return result


@implements(_np.linalg.matrix_transpose)
def matrix_transpose(x, /):
    """Swap the last two axes."""
    return _ops.swapaxes(_t(x), -1, -2)


@implements(_np.linalg.vector_norm)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The array-API vector norm (over all elements when axis is None)."""
    x = _t(x)
    if axis is None:
        flat = _ops.reshape(x, (-1,))
        out = _vector_norm(flat, ord, 0, False)
        return _ops.reshape(out, (1,) * x.ndim) if keepdims else out
    if isinstance(axis, tuple) and len(axis) > 1:
        if ord in (2, None):
            return _sqrt_sum_squares(x, axis, keepdims)
        raise TypeError("vector_norm: several axes are supported with ord=2 only")
    return _vector_norm(x, ord, axis if isinstance(axis, int) else axis[0], keepdims)


@implements(_np.linalg.matrix_norm)
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """The array-API matrix norm over the last two axes."""
    return _matrix_norm(_t(x), ord, (-2, -1), keepdims)


@implements(_np.linalg.matmul)
def matmul(x1, x2, /):
    return _ops.matmul(x1, x2)


@implements(_np.linalg.outer)
def outer(x1, x2, /):
    return _ops.mul(_ops.reshape(_t(x1), (-1, 1)), _ops.reshape(_t(x2), (1, -1)))


@implements(_np.linalg.trace)
def trace(x, /, *, offset=0, dtype=None):
    from .products import trace as _trace

    return _trace(x, offset, -2, -1, dtype)


@implements(_np.linalg.diagonal)
def diagonal(x, /, *, offset=0):
    from .rearrange import diagonal as _diagonal

    return _diagonal(x, offset, -2, -1)


def __getattr__(name):
    return getattr(_np.linalg, name)
