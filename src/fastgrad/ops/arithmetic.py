"""+ - * / ** neg abs: the arithmetic primitives.

Binary rules return gradients of the broadcast shape: the engine sums each
back to its input's shape (one shared unbroadcast).
"""
from ..autograd.function import Function


class Add(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        return x + y

    @staticmethod
    def backward(ctx, b, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        return x - y

    @staticmethod
    def backward(ctx, b, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        nx, ny = ctx.needs_input_grad
        return (g * y if nx else None), (g * x if ny else None)


class Div(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        gx = g / y
        return gx, (-gx * x / y if ctx.needs_input_grad[1] else None)


class Pow(Function):
    @staticmethod
    def forward(ctx, b, x, y):
        out = x ** y
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, b, g):
        x, y, out = ctx.saved_arrays
        nx, ny = ctx.needs_input_grad
        xp = b.xp
        gx = gy = None
        if nx:
            if isinstance(y, (int, float)):
                # NOTE: d/dx x**0 = 0 everywhere, even at x = 0 (where x**-1 is inf).
                gx = g * y * x ** (y - 1) if y != 0 else g * 0
            else:
                gx = xp.where(y == 0, 0.0, g * y * x ** xp.where(y == 0, 1.0, y - 1))
        if ny:
            # NOTE: d/dy x**y = x**y log x; taken as 0 where x == 0 (PyTorch's convention).
            gy = g * out * xp.log(xp.where(x == 0, 1.0, x))
        return gx, gy


class Neg(Function):
    @staticmethod
    def forward(ctx, b, x):
        return -x

    @staticmethod
    def backward(ctx, b, g):
        return -g


class Abs(Function):
    @staticmethod
    def forward(ctx, b, x):
        ctx.save_for_backward(x)
        return b.xp.abs(x)

    @staticmethod
    def backward(ctx, b, g):
        # NOTE: abs'(0) = 0 (sign(0) = 0), as in PyTorch.
        (x,) = ctx.saved_arrays
        return g * b.xp.sign(x)


def add(x, y):
    """x + y with broadcasting."""
    return Add.apply(x, y)


def sub(x, y):
    """x - y with broadcasting."""
    return Sub.apply(x, y)


def mul(x, y):
    """x * y with broadcasting."""
    return Mul.apply(x, y)


def div(x, y):
    """x / y with broadcasting."""
    return Div.apply(x, y)


def pow(x, y):
    """x ** y; d/dx = y x**(y-1), d/dy = x**y log x."""
    return Pow.apply(x, y)


def neg(x):
    """-x."""
    return Neg.apply(x)


def abs(x):
    """|x|, with abs'(0) = 0."""
    return Abs.apply(x)
