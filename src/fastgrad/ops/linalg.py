"""Matrix product with np.matmul semantics: 1-d, 2-d and batched operands.

Forward and backward products go through `b.matmul`: for NumPy arrays that is
backend/gemm.py (MKL or NumPy's BLAS); for Tensors under create_graph it is the
differentiable namespace's matmul."""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..backend.mixed_precision import autocast_backend
from .broadcast import unbroadcast


class Matmul(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        b = autocast_backend(ctx, b)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("matmul: operands must be at least 1-d, got a 0-d tensor")
        kx = x.shape[-1]
        ky = y.shape[0] if y.ndim == 1 else y.shape[-2]
        if kx != ky:
            raise ValueError(f"matmul: shapes {tuple(x.shape)} and {tuple(y.shape)} do not align "
                             f"({kx} != {ky})")
        ctx.save_for_backward(x, y)
        return b.matmul(x, y)

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        xp = b.xp
        nx, ny = ctx.needs_input_grad
        if x.ndim == 2 and y.ndim == 2:
            return (b.matmul(g, _swap_last(xp, y)) if nx else None,
                    b.matmul(_swap_last(xp, x), g) if ny else None)
        if x.ndim == 1 and y.ndim == 1:  # inner product: g is 0-d
            return (g * y if nx else None), (g * x if ny else None)
        # Promote 1-d operands to matrices, as matmul does, and undo it at the end.
        x2 = _reshaped(xp, x, (1, x.shape[0])) if x.ndim == 1 else x
        y2 = _reshaped(xp, y, (y.shape[0], 1)) if y.ndim == 1 else y
        g2 = g
        if x.ndim == 1:  # (..., m) -> (..., 1, m)
            g2 = _reshaped(xp, g2, tuple(g2.shape[:-1]) + (1, g2.shape[-1]))
        if y.ndim == 1:  # (..., n) -> (..., n, 1)
            g2 = _reshaped(xp, g2, tuple(g2.shape) + (1,))
        gx = gy = None
        if nx:
            gx = _reshaped(xp, unbroadcast(xp, b.matmul(g2, _swap_last(xp, y2)), x2.shape), x.shape)
        if ny:
            gy = _reshaped(xp, unbroadcast(xp, b.matmul(_swap_last(xp, x2), g2), y2.shape), y.shape)
        return gx, gy


# On NumPy arrays the array's own methods give the same views without the Python wrappers of
# np.matrix_transpose, np.expand_dims and np.reshape, which cost more than a small product.
def _swap_last(xp, a):
    return a.swapaxes(-1, -2) if type(a) is np.ndarray else xp.matrix_transpose(a)


def _reshaped(xp, a, shape):
    return a.reshape(shape) if type(a) is np.ndarray else xp.reshape(a, shape)


def matmul(x, y):
    """Matrix product as np.matmul: 1-d operands are vectors, leading axes broadcast."""
    return Matmul.apply(x, y)
