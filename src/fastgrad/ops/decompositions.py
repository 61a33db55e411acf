"""Factorizations of general matrices with analytic backward rules: the reduced
singular value decomposition and the eigendecomposition (np.linalg.svd, eig).

Each returns its factors packed in one array (one output per primitive), which
fastgrad.numpy.linalg unpacks.  The backward rules are written with the array
namespace they are given, so they run on Tensors under create_graph and
higher derivatives work.  For complex matrices fastgrad's gradients are the
conjugates of PyTorch's (HIPS autograd's convention): the rules below are the
textbook ones in PyTorch's convention, with the conjugation done on the way in
and out.
"""
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from .square_matrix import _is_complex, _square


def _adjoint(xp, x):
    x = xp.swapaxes(x, -1, -2)
    return xp.conj(x) if _is_complex(x) else x


def _row(xp, x):
    """(..., k) -> (..., 1, k): scales the columns of a matrix."""
    return xp.expand_dims(x, axis=-2)


def _col(xp, x):
    """(..., k) -> (..., k, 1): scales the rows of a matrix."""
    return xp.expand_dims(x, axis=-1)


def save_packed(ctx, xp, a, *factors):
    """The factors of each matrix of the stack `a`, flattened and joined into one (..., total)
    array: a factorization primitive's one output, saved with a's matrix shape (saved_packed)."""
    lead = tuple(a.shape[:-2])
    packed = xp.concatenate([xp.reshape(f, lead + (-1,)) for f in factors], axis=-1)
    ctx.save_for_backward(packed)
    ctx.dims = tuple(a.shape[-2:])
    return packed


def saved_packed(ctx):
    """(packed factors, m, n) as save_packed saved them."""
    (packed,) = ctx.saved_arrays
    m, n = ctx.dims
    return packed, m, n


# ---- singular value decomposition ---------------------------------------------

def svd_sizes(m, n):
    k = min(m, n)
    return k, (m * k, m * k + k)


def unpack_svd(xp, packed, m, n):
    """(U, S, Vh) from a packed (..., m*k + k + k*n) array or Tensor; S keeps the packed dtype."""
    k, (end_u, end_s) = svd_sizes(m, n)
    lead = tuple(packed.shape[:-1])
    u = xp.reshape(packed[..., :end_u], lead + (m, k))
    vh = xp.reshape(packed[..., end_s:], lead + (k, n))
    return u, packed[..., end_u:end_s], vh


class SvdPacked(Function):
    """Reduced SVD A = U diag(S) Vh (NumPy's factors, signs included), packed in
    one output (..., m*k + k + k*n) with k = min(m, n)."""

    @staticmethod
    def forward(ctx, b, a):
        if a.ndim < 2:
            raise ValueError(f"svd: expected a matrix (or a stack of them), got shape {tuple(a.shape)}")
        xp = b.xp
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        return save_packed(ctx, xp, a, u, s.astype(u.dtype), vh)

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal (distinct singular
        # values needed), J = F o skew(U^H gU), K = F o skew(V^H gV), skew(X) = X - X^H:
        #   gA = U [J S + S K + diag(gS) + G] Vh
        #        + (I - U U^H) gU S^-1 Vh + U S^-1 gV^H (I - V V^H),
        # the last two only for a tall / wide A.  For complex A each pair of singular
        # vectors has a free phase, so only losses that do not depend on it have a
        # gradient; for those G = i Im(diag(U^H gU) - diag(V^H gV)) S^-1 / 2.
        packed, m, n = saved_packed(ctx)
        xp = b.xp
        k = min(m, n)
        is_complex = _is_complex(packed)
        u, s, vh = unpack_svd(xp, packed, m, n)
        gu, gs, gvh = unpack_svd(xp, g, m, n)
        if is_complex:
            s, gs = xp.real(s), xp.real(gs)
            gu, gvh = xp.conj(gu), xp.conj(gvh)
        if not isinstance(g, Tensor) and not (gu != 0).any() and not (gvh != 0).any():
            # Through S alone: U diag(gS) Vh, with no condition on the singular values.
            # (Not under create_graph: there a zero g may still be differentiated.)
            grad = xp.matmul(u * _row(xp, gs), vh)
            return xp.conj(grad) if is_complex else grad
        eye = ctx.backend.xp.eye(k, dtype=s.dtype)
        s2 = s * s
        f = (1 - eye) / (_row(xp, s2) - _col(xp, s2) + eye)
        uhgu = xp.matmul(_adjoint(xp, u), gu)
        vhgv = xp.matmul(vh, _adjoint(xp, gvh))          # V^H gV, with V = Vh^H
        core = (f * (uhgu - _adjoint(xp, uhgu))) * _row(xp, s) + _col(xp, s) * (f * (vhgv - _adjoint(xp, vhgv)))
        core = core + eye * _row(xp, gs)
        if is_complex:
            # The phase gauge: only Im diag(U^H gU) + Im diag(V^H gV) is determined.
            imag_diag = xp.imag(xp.diagonal(uhgu, axis1=-2, axis2=-1) - xp.diagonal(vhgv, axis1=-2, axis2=-1))
            core = core + eye * _row(xp, 0.5j * imag_diag / s)
        grad = xp.matmul(xp.matmul(u, core), vh)
        if m > k:   # (I - U U^H) gU S^-1 Vh
            grad = grad + xp.matmul((gu - xp.matmul(u, uhgu)) / _row(xp, s), vh)
        if n > k:   # U S^-1 (gV^H - gV^H V Vh) = U S^-1 (gVh - (V^H gV)^H Vh)
            grad = grad + xp.matmul(u / _row(xp, s), gvh - xp.matmul(_adjoint(xp, vhgv), vh))
        return xp.conj(grad) if is_complex else grad


def svd_packed(a):
    """The reduced SVD of `a` packed as SvdPacked describes; unpack with unpack_svd."""
    return SvdPacked.apply(a)


# ---- eigendecomposition of a general matrix -------------------------------------

class EigPacked(Function):
    """np.linalg.eig packed in one output of shape (..., n + 1, n): row 0 holds the
    eigenvalues w, rows 1.. the unit-norm eigenvectors V (as columns).  Real when
    NumPy's result is (every eigenvalue real), complex otherwise."""

    @staticmethod
    def forward(ctx, b, a):
        _square("eig", a)
        xp = b.xp
        w, v = xp.linalg.eig(a)
        packed = xp.concatenate([xp.expand_dims(w, axis=-2), v], axis=-2)
        ctx.save_for_backward(packed)
        ctx.real_input = not _is_complex(a)
        return packed

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: A V = V diag(w); with dV = V C, C_ij = (V^-1 dA V)_ij / (w_j - w_i) off the
        # diagonal (distinct eigenvalues needed) and Re diag(V^H dV) = 0 (unit norm; the
        # phases are free, so the loss must not depend on them).  Then, with G = V^H gV,
        #   gA = V^-H Q V^H,  Q = (G - V^H V diag(Re diag G)) / conj(w_j - w_i) off the
        #   diagonal, diag(Q) = gw.
        # A real A with complex eigenvalues gets the real part.
        (packed,) = ctx.saved_arrays
        xp = b.xp
        is_complex = _is_complex(packed)
        w, v = packed[..., 0, :], packed[..., 1:, :]
        gw, gv = g[..., 0, :], g[..., 1:, :]
        if is_complex:
            gw, gv = xp.conj(gw), xp.conj(gv)
        n = w.shape[-1]
        eye = ctx.backend.xp.eye(n, dtype=packed.dtype)
        vh = _adjoint(xp, v)
        vhgv = xp.matmul(vh, gv)
        gap = _row(xp, w) - _col(xp, w) + eye          # w_j - w_i, 1 on the diagonal
        if is_complex:
            gap = xp.conj(gap)
        normalization = xp.matmul(vh, v) * _row(xp, xp.real(xp.diagonal(vhgv, axis1=-2, axis2=-1)))
        q = (1 - eye) * (vhgv - normalization) / gap + eye * _row(xp, gw)
        grad = xp.linalg.solve(vh, xp.matmul(q, vh))
        if is_complex:
            grad = xp.conj(grad)
            if ctx.real_input:
                grad = xp.real(grad)
        return grad


def eig_packed(a):
    """np.linalg.eig of `a` packed as EigPacked describes."""
    return EigPacked.apply(a)
