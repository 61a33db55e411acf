"""Running sums and products along an axis: cumsum and cumprod."""
from ..autograd.function import Function


def _reverse_cumsum(xp, a, axis):
    """s_i = sum over j >= i of a_j, along `axis`."""
    return xp.flip(xp.cumsum(xp.flip(a, axis=axis), axis=axis), axis=axis)


def _axis(x, dim):
    if x.ndim == 0:
        raise ValueError("cumulative op: a 0-d tensor has no axis; flatten it first")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"cumulative op: axis {dim} is out of bounds for a tensor of dimension {x.ndim}")
    return dim % x.ndim


class Cumsum(Function):
    @staticmethod
    def forward(ctx, b, x, dim):
        ctx.dim = _axis(x, dim)
        return b.xp.cumsum(x, axis=ctx.dim)

    @staticmethod
    def backward(ctx, b, g):
        return _reverse_cumsum(b.xp, g, ctx.dim)


class Cumprod(Function):
    @staticmethod
    def forward(ctx, b, x, dim):
        ctx.dim = _axis(x, dim)
        y = b.xp.cumprod(x, axis=ctx.dim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: d y_j / d x_i = y_j / x_i for j >= i, which fails at zeros.  Before
        # the first zero of a slice that formula holds; at the first zero the
        # gradient is the reverse cumsum of g times the running product with
        # that zero replaced by 1; after it every gradient is 0.
        x, y = ctx.saved_arrays
        xp = b.xp
        axis = ctx.dim
        is_zero = x == 0
        if not bool(xp.any(is_zero)):
            return _reverse_cumsum(xp, g * y, axis) / x
        zeros_so_far = xp.cumsum(is_zero, axis=axis)
        before = zeros_so_far == 0
        first_zero = is_zero & (zeros_so_far == 1)
        safe_x = xp.where(before, x, xp.ones_like(x))
        y_skip = xp.cumprod(xp.where(first_zero, xp.ones_like(x), x), axis=axis)
        grad_before = _reverse_cumsum(xp, g * y, axis) / safe_x
        grad_at_zero = _reverse_cumsum(xp, g * y_skip, axis)
        return xp.where(before, grad_before, xp.where(first_zero, grad_at_zero, 0 * g))


def cumsum(x, dim):
    """Running sum along `dim`: y_i = x_0 + ... + x_i.

    >>> fg.cumsum(fg.tensor([1.0, 2.0, 3.0]), dim=0)   # [1, 3, 6]
    """
    return Cumsum.apply(x, int(dim))


def cumprod(x, dim):
    """Running product along `dim`: y_i = x_0 * ... * x_i; exact gradients also at zeros.

    >>> fg.cumprod(fg.tensor([1.0, 2.0, 3.0]), dim=0)  # [1, 2, 6]
    """
    return Cumprod.apply(x, int(dim))
