"""The reduced QR decomposition A = Q R of real matrices (Q with orthonormal columns, R upper
triangular), NumPy's (LAPACK's) factors, with an analytic backward rule.

The factors are packed in one output (..., m*k + k*n), k = min(m, n), which `qr` unpacks.
The backward rule is written with the array namespace it is given, so it runs on Tensors
under create_graph and higher derivatives work.
"""
from ..autograd.primitive import Primitive as Function
from .decompositions import save_packed, saved_packed


def _t(xp, x):
    return xp.swapaxes(x, -1, -2)


def _times_inverse_transpose(xp, x, r):
    """x R^-T for a square upper-triangular R (through a solve: R y = x^T, then y^T)."""
    return _t(xp, xp.linalg.solve(r, _t(xp, x)))


def unpack_qr(xp, packed, m, n):
    """(Q, R) from a packed (..., m*k + k*n) array or Tensor."""
    k = min(m, n)
    lead = tuple(packed.shape[:-1])
    return xp.reshape(packed[..., :m * k], lead + (m, k)), xp.reshape(packed[..., m * k:], lead + (k, n))


def _tall_backward(xp, q, r, gq, gr):
    # NOTE: for m >= n (R square and invertible), with M = R gR^T - gQ^T Q made symmetric
    # from its lower triangle (copyltu), gA = (gQ + Q copyltu(M)) R^-T.  Written as the sum
    # of the Q-part and the R-part so each term stays a product of small matrices.
    qgq = _t(xp, q) @ gq
    rgr = r @ _t(xp, gr)
    lower = xp.tril(qgq - _t(xp, qgq) + rgr - _t(xp, rgr))
    through_r = q @ (gr + _times_inverse_transpose(xp, lower, r))
    through_q = _times_inverse_transpose(xp, gq - q @ qgq, r)
    return through_r + through_q


class QrPacked(Function):
    """Reduced QR of a real (..., m, n) matrix, Q (..., m, k) and R (..., k, n) packed."""

    @staticmethod
    def forward(ctx, b, a):
        xp = b.xp
        q, r = xp.linalg.qr(a, mode="reduced")
        return save_packed(ctx, xp, a, q, r)

    @staticmethod
    def backward(ctx, b, g):
        packed, m, n = saved_packed(ctx)
        xp = b.xp
        q, r = unpack_qr(xp, packed, m, n)
        gq, gr = unpack_qr(xp, g, m, n)
        if m >= n:
            return _tall_backward(xp, q, r, gq, gr)
        # Wide: A = [X Y] with X square (m, m), X = Q U and Y = Q V for R = [U V]: V's
        # gradient reaches Y as Q gV, and X's factor Q as Y gV^T.
        u, v, gu, gv = r[..., :m], r[..., m:], gr[..., :m], gr[..., m:]
        gx = _tall_backward(xp, q, u, gq + (q @ v) @ _t(xp, gv), gu)
        return xp.concatenate([gx, q @ gv], axis=-1)


def qr_packed(a):
    return QrPacked.apply(a)
