"""The LU decomposition with partial pivoting, A = P L U, written with NumPy (LAPACK's getrf
conventions: L unit lower triangular (m, k), U upper triangular (k, n), k = min(m, n), the
row interchanges as 1-based int32 pivots), with an analytic backward rule.

The primitive's one output packs, for each matrix of the stack, L's strict lower part and U in
one (m, n) block followed by the k pivots as floats; `split_lu` takes them apart.  The backward
rule is written with the array namespace it is given, so it also runs on Tensors (create_graph).

    packed = lu_packed(A)            # (..., m*n + k)
    factors, pivots = split_lu(np, packed, m, n)
"""
import numpy as np

from ..autograd.primitive import Primitive as Function


def factor_arrays(a):
    """(LU, pivots, permutation) of a NumPy stack a (..., m, n): LU holds L below the diagonal
    and U on and above it; pivots (..., k) int32, 1-based (row j was swapped with row
    pivots[j] - 1 at step j); permutation (..., m) int64 with a[..., permutation, :] = L U."""
    m, n = a.shape[-2:]
    k = min(m, n)
    lead = a.shape[:-2]
    count = int(np.prod(lead, dtype=np.int64))
    lu = np.array(a, dtype=a.dtype, copy=True).reshape((count, m, n))
    rows = np.arange(count)
    pivots = np.zeros((count, k), dtype=np.int32)
    order = np.tile(np.arange(m), (count, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            pivots[:, j] = p + 1
            row_j, row_p = lu[rows, j, :].copy(), lu[rows, p, :].copy()
            lu[rows, j, :], lu[rows, p, :] = row_p, row_j
            order_j, order_p = order[rows, j].copy(), order[rows, p].copy()
            order[rows, j], order[rows, p] = order_p, order_j
            pivot = lu[:, j, j:j + 1]
            # a zero pivot leaves its column (all zeros below it) unscaled, as LAPACK does
            lu[:, j + 1:, j] = np.where(pivot != 0, lu[:, j + 1:, j] / np.where(pivot != 0, pivot, 1), lu[:, j + 1:, j])
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return lu.reshape(lead + (m, n)), pivots.reshape(lead + (k,)), order.reshape(lead + (m,))


def permutation_from_pivots(pivots, m):
    """The row order (..., m) int64 that LAPACK pivots (..., k) (1-based) describe: A[order] = L U."""
    pivots = np.asarray(pivots)
    lead = pivots.shape[:-1]
    flat = pivots.reshape((int(np.prod(lead, dtype=np.int64)), pivots.shape[-1])).astype(np.int64) - 1
    order = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        order_j, order_p = order[rows, j].copy(), order[rows, p].copy()
        order[rows, j], order[rows, p] = order_p, order_j
    return order.reshape(lead + (m,))


def permutation_matrix(order, dtype):
    """P (..., m, m) with P[order[i], i] = 1, so that A = P L U when A[order] = L U."""
    m = order.shape[-1]
    return (order[..., :, None] == np.arange(m)).swapaxes(-1, -2).astype(dtype)


def info_of(lu):
    """LAPACK's info (..., ) int32: 1 + the index of U's first zero diagonal entry, 0 when none."""
    k = min(lu.shape[-2:])
    diagonal = np.diagonal(lu, axis1=-2, axis2=-1)[..., :k]
    zero = diagonal == 0
    if k == 0:
        return np.zeros(lu.shape[:-2], dtype=np.int32)
    return np.where(zero.any(axis=-1), np.argmax(zero, axis=-1) + 1, 0).astype(np.int32)


def split_lu(xp, packed, m, n):
    """(LU (..., m, n), pivots as floats (..., k)) from a packed array or Tensor."""
    lead = tuple(packed.shape[:-1])
    return xp.reshape(packed[..., :m * n], lead + (m, n)), packed[..., m * n:]


def _t(xp, x):
    return xp.swapaxes(x, -1, -2)


def _square_backward(xp, lower, upper, g_lower, g_upper):
    # A = L U with L unit lower, U upper (square, invertible): C = L^-1 dA U^-1 has strict lower
    # part L^-1 dL and upper part dU U^-1, so gA = L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T.
    inner = xp.tril(_t(xp, lower) @ xp.tril(g_lower, -1), -1) + xp.triu(xp.triu(g_upper) @ _t(xp, upper))
    left = xp.linalg.solve(_t(xp, lower), inner)                 # L^-T inner
    return _t(xp, xp.linalg.solve(upper, _t(xp, left)))           # (L^-T inner) U^-T


def lu_backward(xp, lu, order_matrix, g, m, n):
    """gA for A = P L U from the gradient g of the packed (m, n) factor block."""
    k = min(m, n)
    eye = np.eye(m, k, dtype=order_matrix.dtype)
    lower = xp.tril(lu[..., :, :k], -1) + eye
    upper = xp.triu(lu[..., :k, :])
    g_lower, g_upper = xp.tril(g[..., :, :k], -1), xp.triu(g[..., :k, :])
    if m == n:
        core = _square_backward(xp, lower, upper, g_lower, g_upper)
    elif m < n:
        # [X Y] = L [U1 U2]: U2 = L^-1 Y, so gY = L^-T gU2 and L also gets -gY U2^T.
        u1, u2 = upper[..., :, :m], upper[..., :, m:]
        g_y = xp.linalg.solve(_t(xp, lower), g_upper[..., :, m:])
        g_x = _square_backward(xp, lower, u1, g_lower - g_y @ _t(xp, u2), g_upper[..., :, :m])
        core = xp.concatenate([g_x, g_y], axis=-1)
    else:
        # [X; Z] = [L1; L2] U: L2 = Z U^-1, so gZ = gL2 U^-T and U also gets -L2^T gZ.
        l1, l2 = lower[..., :n, :], lower[..., n:, :]
        g_z = _t(xp, xp.linalg.solve(upper, _t(xp, g_lower[..., n:, :])))
        g_x = _square_backward(xp, l1, upper, g_lower[..., :n, :], g_upper - _t(xp, l2) @ g_z)
        core = xp.concatenate([g_x, g_z], axis=-2)
    return xp.matmul(order_matrix, core)


class LuPacked(Function):
    """Partially pivoted LU of a real (..., m, n) stack; one output (..., m*n + k)."""

    @staticmethod
    def forward(ctx, b, a):
        data = np.asarray(a)
        lu, pivots, order = factor_arrays(data)
        m, n = data.shape[-2:]
        lead = data.shape[:-2]
        ctx.dims = (m, n)
        ctx.order_matrix = permutation_matrix(order, data.dtype)
        packed = np.concatenate([lu.reshape(lead + (m * n,)), pivots.astype(data.dtype)], axis=-1)
        ctx.save_for_backward(packed)
        return packed

    @staticmethod
    def backward(ctx, b, g):
        (packed,) = ctx.saved_arrays
        m, n = ctx.dims
        xp = b.xp
        lu, _ = split_lu(xp, packed, m, n)
        g_factors, _ = split_lu(xp, g, m, n)
        return lu_backward(xp, lu, ctx.order_matrix, g_factors, m, n)


def lu_packed(a):
    """The packed LU factorization of a (see the module's docstring)."""
    return LuPacked.apply(a)
