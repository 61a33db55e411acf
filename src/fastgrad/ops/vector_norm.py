"""Vector norms over axes: norm(x, p, dim) as torch.norm / torch.linalg.vector_norm."""
import math

from ..autograd.primitive import Primitive
from .elementwise import abs as _abs
from .broadcast import expand_reduced, normalize_axis
from .reductions import max as _max, min as _min, sum as _sum


class EuclideanNorm(Primitive):
    """sqrt(sum(x**2)) over axes; d/dx = x / norm, taken as 0 where the norm is 0."""

    @staticmethod
    def forward(ctx, b, x, axis=None, keepdims=False):
        xp = b.xp
        ctx.axes = normalize_axis(axis, x.ndim, "norm")
        ctx.keepdims = keepdims
        out = xp.sqrt(xp.sum(x * x, axis=ctx.axes, keepdims=keepdims))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: at a zero norm the derivative does not exist; 0 is the subgradient
        # PyTorch also returns (instead of 0/0 = nan).
        x, out = ctx.saved_arrays
        xp = b.xp
        scale = b.xp.where(out == 0, out * 0, g / b.xp.where(out == 0, out * 0 + 1, out))
        return x * expand_reduced(xp, scale, x.shape, ctx.axes, ctx.keepdims)


def norm(x, p="fro", dim=None, keepdim=False):
    """The p-norm of x over `dim` (all elements when None).

    p: 2 or "fro" (Euclidean), 1, inf, -inf, 0 (count of non-zeros) or any other number.

    >>> fg.tensor([3.0, 4.0]).norm()    # 5
    """
    if isinstance(dim, list):
        dim = tuple(dim)
    if p in ("fro", 2, 2.0, None):
        return EuclideanNorm.apply(x, dim, keepdim)
    if isinstance(p, str):
        raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
    if p == math.inf:
        return _max(_abs(x), axis=dim, keepdims=keepdim)
    if p == -math.inf:
        return _min(_abs(x), axis=dim, keepdims=keepdim)
    if p == 0:
        return _sum((x != 0).astype(x.dtype), axis=dim, keepdims=keepdim)
    if p == 1:
        return _sum(_abs(x), axis=dim, keepdims=keepdim)
    return _sum(_abs(x) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
