"""scipy.linalg with gradients: sqrtm, solve_sylvester, solve_triangular and
solve_banded (the last two composed from fastgrad.numpy); anything else is
SciPy's own function."""
import numpy as onp
import scipy.linalg as _sla

from .. import numpy as np
from ..autograd.tensor import Tensor
from ..extend import defvjp, primitive

sqrtm = primitive(lambda A, disp=True, blocksize=64: _sla.sqrtm(A))
sqrtm.__name__ = "sqrtm"


def _sqrtm_vjp(ans, A, disp=True, blocksize=64):
    # d(S S) = dS S + S dS = dA: the adjoint solves S^T X + X S^T = G (Sylvester), gA = X.
    def gradient(g):
        return solve_sylvester(np.transpose(ans), np.transpose(ans), g)
    return gradient


_solve_sylvester = primitive(_sla.solve_sylvester)


def solve_sylvester(a, b, q):
    """X with a X + X b = q."""
    return _solve_sylvester(a, b, q)


def _sylvester_vjp(argnum, ans, args, kwargs):
    a, b, q = args
    # X = L(q) with L^{-1}(X) = a X + X b; the adjoint of L solves a^T Y + Y b^T = g.
    def gradient(g):
        y = solve_sylvester(np.transpose(a), np.transpose(b), g)
        if argnum == 0:
            return -np.dot(y, np.transpose(ans))
        if argnum == 1:
            return -np.dot(np.transpose(ans), y)
        return y
    return gradient


defvjp(sqrtm, _sqrtm_vjp)
from ..extend import defvjp_argnum  # noqa: E402

defvjp_argnum(_solve_sylvester, _sylvester_vjp)


def solve_triangular(a, b, trans=0, lower=False, **kwargs):
    """x with a x = b for triangular a (composed: the gradient of a solve)."""
    a_used = np.tril(a) if lower else np.triu(a)
    if trans in (1, "T"):
        a_used = np.transpose(a_used)
    return np.linalg.solve(a_used, b)


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """x with A x = b, A given by its diagonals in `ab` (SciPy's banded storage:
    A[i, j] = ab[u + i - j, j] with (l, u) = l_and_u).  SciPy's own on plain
    arrays; on Tensors the band is expanded into the dense matrix and solved with
    np.linalg.solve, whose gradient (in ab and b, to any order) applies; that
    costs O(n^3) where SciPy's banded solve is O(n (l + u)^2)."""
    if not any(isinstance(x, Tensor) for x in (ab, b)):
        return _sla.solve_banded(l_and_u, ab, b, overwrite_ab=overwrite_ab, overwrite_b=overwrite_b,
                                 check_finite=check_finite)
    lower, upper = l_and_u
    rows, n = onp.shape(ab._data if isinstance(ab, Tensor) else ab)
    if rows != lower + upper + 1:
        raise ValueError(f"solve_banded: ab has {rows} rows; (l, u) = {tuple(l_and_u)} needs {lower + upper + 1}")
    i, j = onp.indices((n, n))
    band_row = upper + i - j
    inside = (band_row >= 0) & (band_row < rows)
    dense = np.where(inside, np.asarray(ab)[onp.clip(band_row, 0, rows - 1), j], 0.0)
    return np.linalg.solve(dense, b)


def __getattr__(name):
    return getattr(_sla, name)
