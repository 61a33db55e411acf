"""clip and where: the gradient passes through a mask of the elements chosen."""
from ..autograd.primitive import Primitive as Function


class Clip(Function):
    @staticmethod
    def forward(ctx, b, x, lo=None, hi=None):
        xp = b.xp
        if lo is None and hi is None:
            raise ValueError("clip: at least one of 'min' and 'max' must be given")
        # NOTE: the gradient passes where lo <= x <= hi (ends included), as in PyTorch.
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = (x <= hi) if inside is None else inside & (x <= hi)
        ctx.save_for_backward(inside)
        return xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, b, g):
        (inside,) = ctx.saved_arrays
        return b.xp.where(inside, g, 0 * g)


class Where(Function):
    @staticmethod
    def forward(ctx, b, condition, x, y):
        ctx.save_for_backward(condition)
        return b.xp.where(condition, x, y)

    @staticmethod
    def backward(ctx, b, g):
        (condition,) = ctx.saved_arrays
        _, nx, ny = ctx.needs_input_grad
        xp = b.xp
        zero = 0 * g
        return (None,
                xp.where(condition, g, zero) if nx else None,
                xp.where(condition, zero, g) if ny else None)


def clip(x, min=None, max=None):
    """Limit x to [min, max]; the gradient passes where min <= x <= max."""
    return Clip.apply(x, _plain(min), _plain(max))


clamp = clip


def where(condition, x, y):
    """x where condition is true, else y (condition gets no gradient)."""
    return Where.apply(_plain(condition), x, y)


def _plain(a):
    return getattr(a, "_data", a) if a is not None and hasattr(a, "_node") else a
