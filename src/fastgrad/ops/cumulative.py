"""Running sums and products along an axis: cumsum and cumprod."""
from ..autograd.primitive import Primitive as Function


def _cumsum(xp, a, axis):
    f = getattr(xp, "cumsum", None)  # NumPy's name; the array API's is cumulative_sum
    return f(a, axis=axis) if f is not None else xp.cumulative_sum(a, axis=axis)


def _cumprod(xp, a, axis):
    f = getattr(xp, "cumprod", None)
    return f(a, axis=axis) if f is not None else xp.cumulative_prod(a, axis=axis)


def _reverse_cumsum(xp, a, axis):
    """s_i = sum over j >= i of a_j, along `axis`."""
    return xp.flip(_cumsum(xp, xp.flip(a, axis=axis), axis), axis=axis)


def _axis(op, x, dim):
    if x.ndim == 0:
        raise ValueError(f"{op}: a 0-d tensor has no axis {dim}; flatten it first")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"{op}: axis {dim} is out of bounds for a tensor of dimension {x.ndim}")
    return dim % x.ndim


class Cumsum(Function):
    @staticmethod
    def forward(ctx, b, x, dim):
        ctx.dim = _axis("cumsum", x, dim)
        return _cumsum(b.xp, x, ctx.dim)

    @staticmethod
    def backward(ctx, b, g):
        return _reverse_cumsum(b.xp, g, ctx.dim)


class Cumprod(Function):
    @staticmethod
    def forward(ctx, b, x, dim):
        ctx.dim = _axis("cumprod", x, dim)
        y = _cumprod(b.xp, x, ctx.dim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: d y_j / d x_i = y_j / x_i for j >= i, which fails at zeros.  When
        # x has a zero the products are formed without division instead:
        # P[i, j] = prod over k <= j, k != i of x_k (a cumprod of x with x_i set
        # to 1, for every i), and g_x_i = sum over j >= i of g_j P[i, j].  That
        # costs n**2 per slice, and is exact to every order.
        x, y = ctx.saved_arrays
        xp = b.xp
        axis = ctx.dim
        if not bool(xp.any(x == 0)):
            return _reverse_cumsum(xp, g * y, axis) / x
        n = x.shape[axis]
        raw = ctx.backend.xp  # constants in the arrays' own namespace, also under create_graph
        xs = xp.expand_dims(xp.moveaxis(x, axis, -1), axis=-2)           # (..., 1, n)
        others = xp.where(raw.eye(n) != 0, xp.ones_like(xs), xs)        # (..., i, k)
        products = _cumprod(xp, others, -1)                              # (..., i, j)
        gs = xp.expand_dims(xp.moveaxis(g, axis, -1), axis=-2)           # (..., 1, j)
        upper = raw.triu(raw.ones((n, n), dtype=x.dtype))                # j >= i
        return xp.moveaxis(xp.sum(products * gs * upper, axis=-1), -1, axis)


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
