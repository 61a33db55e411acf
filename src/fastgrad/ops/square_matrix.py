"""Linear algebra on square matrices (and stacks of them): inv, det, slogdet,
solve and cholesky, with backward rules written in the same functions so
that higher derivatives work."""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor, new_tensor
from ..backend import backend_for
from .broadcast import unbroadcast
from .elementwise import INPUT, NOTHING, OUTPUT, unary


def _mT(xp, a):
    return xp.matrix_transpose(a)


def _is_complex(a):
    dtype = getattr(a, "dtype", None)
    return getattr(dtype, "kind", "") == "c"


def _square(op, a):
    """a, checked to be a square matrix or a stack of them."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{op}: expected a square matrix (or a stack of them), got shape {tuple(a.shape)}")
    return a


def _symmetric_part(xp, a):
    return 0.5 * (a + _mT(xp, a))


def _scaled_inverse_transpose(xp, scale, a):
    """scale[..., None, None] * A^-T, the gradient of det or log|det| times scale / det."""
    return xp.expand_dims(xp.expand_dims(scale, axis=-1), axis=-1) * _mT(xp, xp.linalg.inv(a))


# The real part of a complex array; its gradient g passes through unchanged
# (the convention of fastgrad.numpy's complex parts: dL/dx - i dL/dy).
_RealPart, _real_part = unary("real", "The real part of a complex array.", lambda b, a: b.xp.real(a), NOTHING,
                              lambda b, g: g)


# d(A^-1) = -A^-1 dA A^-1, so gA = -A^-T g A^-T.
Inv, _ = unary("inv", "Matrix inverse; saves its output.", lambda b, a: b.xp.linalg.inv(_square("inv", a)), OUTPUT,
               lambda b, g, y: -b.matmul(b.matmul(_mT(b.xp, y), g), _mT(b.xp, y)))
# d log|det A| = tr(A^-1 dA).
LogAbsDet, _ = unary("log_abs_det", "log |det A|; saves its input.",
                     lambda b, a: b.xp.linalg.slogdet(_square("slogdet", a))[1], INPUT,
                     lambda b, g, a: _scaled_inverse_transpose(b.xp, g, a))


class Det(Function):
    @staticmethod
    def forward(ctx, b, a):
        d = b.xp.linalg.det(_square("det", a))  # a NumPy scalar for one matrix: apply turns it into a 0-d array
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: d det(A) = det(A) tr(A^-1 dA); uses A^-1, so A must be invertible.
        a, d = ctx.saved_arrays
        return _scaled_inverse_transpose(b.xp, g * d, a)


class Solve(Function):
    @staticmethod
    def forward(ctx, b, a, rhs):
        x = b.xp.linalg.solve(_square("solve", a), rhs)
        ctx.save_for_backward(a, x)
        ctx.shapes = (a.shape, rhs.shape)
        return x

    @staticmethod
    def backward(ctx, b, g):
        # A x = rhs: g_rhs = A^-T g, g_A = -g_rhs x^T.
        a, x = ctx.saved_arrays
        xp = b.xp
        na, nb = ctx.needs_input_grad
        g_rhs = xp.linalg.solve(_mT(xp, a), g)
        g_a = None
        if na:
            if len(ctx.shapes[1]) == 1:
                g_a = -(xp.expand_dims(g_rhs, axis=-1) * xp.expand_dims(x, axis=-2))
            else:
                g_a = -b.matmul(g_rhs, _mT(xp, x))
            g_a = unbroadcast(xp, g_a, ctx.shapes[0])
        return g_a, (unbroadcast(xp, g_rhs, ctx.shapes[1]) if nb else None)


class Cholesky(Function):
    @staticmethod
    def forward(ctx, b, a):
        lower = b.xp.linalg.cholesky(_square("cholesky", a))
        ctx.save_for_backward(lower)
        return lower

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: A = L L^T is symmetric, so the gradient returned is the symmetric
        # one: P = Phi(L^T g) (lower triangle, diagonal halved), then
        # gA = sym(L^-T P L^-1).  It is exact for symmetric perturbations of A.
        (lower,) = ctx.saved_arrays
        xp = b.xp
        n = lower.shape[-1]
        raw = ctx.backend.xp  # constants in the arrays' own namespace
        phi = raw.tril(raw.ones((n, n), dtype=lower.dtype)) - 0.5 * raw.eye(n, dtype=lower.dtype)
        p = b.matmul(_mT(xp, lower), g) * phi
        upper = _mT(xp, lower)
        left = xp.linalg.solve(upper, p)                       # L^-T P
        return _symmetric_part(xp, _mT(xp, xp.linalg.solve(upper, _mT(xp, left))))  # sym(L^-T P L^-1)


def inv(a):
    """Matrix inverse A^-1; d(A^-1) = -A^-1 dA A^-1.

    >>> fg.inv(fg.tensor([[2.0, 0.0], [0.0, 4.0]]))   # [[0.5, 0], [0, 0.25]]
    """
    return Inv.apply(a)


def det(a):
    """Determinant; d det(A) / dA = det(A) A^-T (A invertible)."""
    return Det.apply(a)


def logabsdet(a):
    """log |det A|; its gradient is A^-T."""
    return LogAbsDet.apply(a)


def slogdet(a):
    """(sign, log|det A|) as np.linalg.slogdet; only the second carries a gradient.

    >>> sign, logdet = fg.slogdet(fg.tensor([[2.0, 0.0], [0.0, -3.0]]))   # -1, log 6
    """
    data = a._data if isinstance(a, Tensor) else a
    sign = backend_for(data).xp.linalg.slogdet(data)[0]
    sign = np.asarray(sign) if isinstance(sign, np.generic) else sign
    return new_tensor(sign, False, None), LogAbsDet.apply(a)


def solve(a, b):
    """x with A x = b (b a vector when 1-d, else a stack of columns, as NumPy 2).

    g_b = A^-T g_x and g_A = -g_b x^T.
    """
    return Solve.apply(a, b)


def cholesky(a):
    """Lower-triangular L with A = L L^T, for symmetric positive definite A.

    The gradient is the symmetric one (exact for symmetric changes of A).
    """
    return Cholesky.apply(a)


class EighPacked(Function):
    """Symmetric eigendecomposition, packed in one output of shape (..., n + 1, n):
    row 0 holds the eigenvalues w, rows 1.. the eigenvectors V (as columns)."""

    @staticmethod
    def forward(ctx, b, a, UPLO="L"):
        _square("eigh", a)
        xp = b.xp
        # The triangle LAPACK reads decides the eigenvectors' signs, so it is passed on.
        w, v = xp.linalg.eigh(a) if UPLO == "L" else xp.linalg.eigh(a, UPLO=UPLO)
        packed = xp.concat([xp.expand_dims(w, axis=-2), v], axis=-2) if not hasattr(xp, "concatenate") else \
            xp.concatenate([xp.expand_dims(w, axis=-2), v], axis=-2)
        ctx.save_for_backward(packed)
        return packed

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: gA = conj(V) (diag(g_w) + F * (V^T g_V)) V^T with F_ij = 1 / (w_j - w_i)
        # off the diagonal (so distinct eigenvalues are needed for g_V), then made
        # Hermitian (symmetric when real): exact for Hermitian changes of A.  For
        # complex A this is the conjugate-of-Wirtinger convention of fastgrad.numpy.
        (packed,) = ctx.saved_arrays
        xp = b.xp
        raw = ctx.backend.xp
        w, v = packed[..., 0, :], packed[..., 1:, :]
        gw, gv = g[..., 0, :], g[..., 1:, :]
        n = v.shape[-1]
        eye = raw.eye(n, dtype=v.dtype)
        gaps = xp.expand_dims(w, axis=-2) - xp.expand_dims(w, axis=-1)   # w_j - w_i
        f = (1 - eye) / (gaps + eye)
        inner = xp.expand_dims(gw, axis=-2) * eye + f * b.matmul(_mT(xp, v), gv)
        if _is_complex(v):
            full = b.matmul(b.matmul(xp.conj(v), inner), _mT(xp, v))
            return 0.5 * (full + xp.conj(_mT(xp, full)))
        return _symmetric_part(xp, b.matmul(b.matmul(v, inner), _mT(xp, v)))


def eigh(a, UPLO="L"):
    """(w, V): eigenvalues (ascending) and eigenvectors of a symmetric matrix
    (LAPACK reads the triangle UPLO, 'L' or 'U', of `a`).

    The gradient is the symmetric one; gradients through V need distinct
    eigenvalues (and a loss that does not depend on each vector's sign).

    >>> w, v = fg.eigh(fg.tensor([[2.0, 1.0], [1.0, 2.0]]))   # w = [1, 3]
    """
    packed = EighPacked.apply(a, UPLO=UPLO)
    w = packed[..., 0, :]
    if _is_complex(packed):   # the eigenvalues of a Hermitian matrix are real
        w = _real_part(w)
    return w, packed[..., 1:, :]
