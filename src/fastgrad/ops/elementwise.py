"""Elementwise math: exp log log1p sqrt sin cos tanh clip maximum minimum where."""
from ..autograd.function import Function


class Exp(Function):
    @staticmethod
    def forward(ctx, b, x):
        y = b.xp.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        (y,) = ctx.saved_arrays
        return g * y


class Log(Function):
    @staticmethod
    def forward(ctx, b, x):
        ctx.save_for_backward(x)
        return b.xp.log(x)

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        return g / x


class Log1p(Function):
    @staticmethod
    def forward(ctx, b, x):
        ctx.save_for_backward(x)
        return b.xp.log1p(x)

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        return g / (1 + x)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, b, x):
        y = b.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        (y,) = ctx.saved_arrays
        return g / (2 * y)


class Sin(Function):
    @staticmethod
    def forward(ctx, b, x):
        ctx.save_for_backward(x)
        return b.xp.sin(x)

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        return g * b.xp.cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx, b, x):
        ctx.save_for_backward(x)
        return b.xp.cos(x)

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        return -g * b.xp.sin(x)


class Tanh(Function):
    @staticmethod
    def forward(ctx, b, x):
        y = b.xp.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, b, g):
        (y,) = ctx.saved_arrays
        return g * (1 - y * y)


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


class Maximum(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return b.xp.maximum(x, y)

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: at ties the gradient is split evenly between x and y, as in PyTorch.
        x, y = ctx.saved_arrays
        return _split_by_winner(b.xp, g, x > y, x == y, ctx.needs_input_grad)


class Minimum(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return b.xp.minimum(x, y)

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        return _split_by_winner(b.xp, g, x < y, x == y, ctx.needs_input_grad)


def _split_by_winner(xp, g, x_wins, tie, needs):
    # Gradients of the broadcast shape; the engine sums them back to each input's.
    zero = 0 * g
    half = g / 2
    gx = gy = None
    if needs[0]:
        gx = xp.where(x_wins, g, xp.where(tie, half, zero))
    if needs[1]:
        gy = xp.where(~(x_wins | tie), g, xp.where(tie, half, zero))
    return gx, gy


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


def exp(x):
    """e**x."""
    return Exp.apply(x)


def log(x):
    """Natural logarithm."""
    return Log.apply(x)


def log1p(x):
    """log(1 + x), accurate for small x."""
    return Log1p.apply(x)


def sqrt(x):
    """Square root; d/dx = 1 / (2 sqrt x)."""
    return Sqrt.apply(x)


def sin(x):
    return Sin.apply(x)


def cos(x):
    return Cos.apply(x)


def tanh(x):
    """Hyperbolic tangent; d/dx = 1 - tanh(x)**2."""
    return Tanh.apply(x)


def clip(x, min=None, max=None):
    """Limit x to [min, max]; the gradient passes where min <= x <= max."""
    return Clip.apply(x, _plain(min), _plain(max))


clamp = clip


def maximum(x, y):
    """Elementwise max; ties split the gradient evenly."""
    return Maximum.apply(x, y)


def minimum(x, y):
    """Elementwise min; ties split the gradient evenly."""
    return Minimum.apply(x, y)


def where(condition, x, y):
    """x where condition is true, else y (condition gets no gradient)."""
    return Where.apply(_plain(condition), x, y)


def _plain(a):
    return getattr(a, "data", a) if a is not None and hasattr(a, "_node") else a
