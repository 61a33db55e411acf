"""Rearranging elements: flip, roll and constant padding.

Gathers (take, repeat, sort, diagonal) are indexing and go through x[idx];
tile and scalar repeat are broadcasts; see fastgrad/numpy/shapes.py.
"""
from ..autograd.primitive import Primitive as Function
from ..backend import same_device


class Flip(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, b, x, axis):
        ctx.axis = axis
        return b.xp.flip(x, axis=axis)

    @staticmethod
    def backward(ctx, b, g):
        return b.xp.flip(g, axis=ctx.axis)


class Roll(Function):
    @staticmethod
    def forward(ctx, b, x, shift, axis):
        ctx.shift, ctx.axis = shift, axis
        return b.xp.roll(x, shift, axis=axis)

    @staticmethod
    def backward(ctx, b, g):
        shift = ctx.shift
        back = tuple(-s for s in shift) if isinstance(shift, tuple) else -shift
        return b.xp.roll(g, back, axis=ctx.axis)


class PadConstant(Function):
    """x surrounded by a constant; pad_width is ((before, after),) per axis."""

    @staticmethod
    def forward(ctx, b, x, pad_width, value):
        ctx.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, x.shape))
        shape = tuple(lo + n + hi for (lo, hi), n in zip(pad_width, x.shape))
        out = b.xp.full(shape, value, dtype=x.dtype, **same_device(x))
        out[ctx.inner] = x
        return out

    @staticmethod
    def backward(ctx, b, g):
        return g[ctx.inner]


def flip(x, dims):
    """Reverse the order of elements along `dims` (an int or a tuple).

    >>> fg.flip(fg.tensor([1.0, 2.0, 3.0]), 0)   # [3, 2, 1]
    """
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else dims
    return Flip.apply(x, dims)


def roll(x, shifts, dims=None):
    """Shift elements cyclically by `shifts` along `dims` (flattened when None).

    >>> fg.roll(fg.tensor([1.0, 2.0, 3.0]), 1)   # [3, 1, 2]
    """
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else shifts
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else dims
    return Roll.apply(x, shifts, dims)


def pad_constant(x, pad_width, value=0.0):
    """Pad with a constant: pad_width is one (before, after) pair per axis.

    >>> fg.pad_constant(fg.tensor([1.0, 2.0]), ((1, 2),))   # [0, 1, 2, 0, 0]
    """
    pad_width = tuple((int(lo), int(hi)) for lo, hi in pad_width)
    if len(pad_width) != len(x.shape):
        raise ValueError(f"pad: got {len(pad_width)} (before, after) pairs for a tensor of dimension "
                         f"{len(x.shape)}")
    if any(lo < 0 or hi < 0 for lo, hi in pad_width):
        raise ValueError(f"pad: pad widths must be non-negative, got {pad_width}")
    return PadConstant.apply(x, pad_width, value)


class Copy(Function):
    """A new array equal to x; the gradient passes unchanged."""

    @staticmethod
    def forward(ctx, b, x):
        return b.xp.asarray(x, copy=True) if not hasattr(x, "copy") else x.copy()

    @staticmethod
    def backward(ctx, b, g):
        return g


def copy(x):
    """A copy of x that stays in the graph (d/dx = identity).

    >>> y = fg.copy(x)     # y shares no memory with x
    """
    return Copy.apply(x)
