"""sum prod max min over axes (primitives); mean var std are composed from them."""
import numpy as np

from ..autograd.primitive import Primitive as Function
from .broadcast import expand_reduced, normalize_axis


class Sum(Function):
    @staticmethod
    def forward(ctx, b, x, axis=None, keepdims=False):
        ctx.in_shape = x.shape
        ctx.axes = normalize_axis(axis, x.ndim, "sum")
        ctx.keepdims = keepdims
        if type(x) is np.ndarray:  # what np.sum runs for an ndarray, without its Python wrapper
            return np.add.reduce(x, axis=ctx.axes, keepdims=keepdims)
        return b.xp.sum(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, b, g):
        return expand_reduced(b.xp, g, ctx.in_shape, ctx.axes, ctx.keepdims)


class Prod(Function):
    @staticmethod
    def forward(ctx, b, x, axis=None, keepdims=False):
        ctx.axes = normalize_axis(axis, x.ndim, "prod")
        ctx.keepdims = keepdims
        ctx.save_for_backward(x)
        return b.xp.prod(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: d prod / d x_i = product of the others.  Dividing the product by
        # x_i fails at zeros, so zeros are handled apart: where a slice has one
        # zero, that element's gradient is the product of the non-zeros; where it
        # has two or more, every gradient in the slice is 0.
        (x,) = ctx.saved_arrays
        xp = b.xp
        axes = ctx.axes
        is_zero = x == 0
        ones, nothing = xp.ones_like(x), xp.zeros_like(x)
        nonzero = xp.where(is_zero, ones, x)
        prod_nonzero = xp.prod(nonzero, axis=axes, keepdims=True)
        zeros = xp.sum(xp.where(is_zero, ones, nothing), axis=axes, keepdims=True)
        g = expand_reduced(xp, g, x.shape, axes, ctx.keepdims)
        other = xp.where(is_zero,
                         xp.where(zeros == 1, prod_nonzero, nothing),
                         xp.where(zeros == 0, prod_nonzero / nonzero, nothing))
        return g * other


class _Extreme(Function):
    """max / min over axes; the gradient is shared evenly between tied extremes."""

    reduce_name = None

    @classmethod
    def forward(cls, ctx, b, x, axis=None, keepdims=False):
        xp = b.xp
        axes = normalize_axis(axis, x.ndim, cls.reduce_name)
        if x.size == 0:
            raise ValueError(f"{cls.reduce_name}: zero-size tensor has no {cls.reduce_name}imum")
        out = getattr(xp, cls.reduce_name)(x, axis=axes, keepdims=True)
        ctx.axes = axes
        ctx.keepdims = keepdims
        ctx.save_for_backward(x, out)
        return out if keepdims else xp.reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))

    @staticmethod
    def backward(ctx, b, g):
        x, out = ctx.saved_arrays
        xp = b.xp
        hits = xp.where(x == out, xp.ones_like(x), xp.zeros_like(x))
        count = xp.sum(hits, axis=ctx.axes, keepdims=True)
        g = expand_reduced(xp, g, x.shape, ctx.axes, ctx.keepdims)
        return g * hits / count


class Max(_Extreme):
    reduce_name = "max"


class Min(_Extreme):
    reduce_name = "min"


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (None: all)."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over `axis`; exact gradients also where x has zeros."""
    return Prod.apply(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    """Maximum over `axis` (values only); tied maxima share the gradient."""
    return Max.apply(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over `axis` (values only); tied minima share the gradient."""
    return Min.apply(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`."""
    return Sum.apply(x, axis=axis, keepdims=keepdims) / _count(x, axis)


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance over `axis` with `ddof` delta degrees of freedom (NumPy's convention)."""
    centered = x - mean(x, axis=axis, keepdims=True)
    n = _count(x, axis)
    return Sum.apply(centered * centered, axis=axis, keepdims=keepdims) / (n - ddof)


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation: sqrt(var)."""
    from .elementwise import sqrt

    return sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))


def _count(x, axis):
    shape = x.shape
    count = 1
    for a in normalize_axis(axis, len(shape), "mean"):
        count *= shape[a]
    return count
