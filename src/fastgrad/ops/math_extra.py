"""More elementwise math: exp2 expm1 log2 log10 cbrt square reciprocal, the
trigonometric and hyperbolic functions and their inverses, and the binary
arctan2 hypot logaddexp logaddexp2 fmax fmin.

Each backward is written with operators and `b.xp` functions only, so with
create_graph=True it runs on Tensors and can be differentiated again.
"""
import math

import numpy as np

from ..autograd.function import Function
from .broadcast import shape_of, unbroadcast

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def as_array(y):
    """NumPy returns scalars for 0-d results; a saved output must be the array
    the op returns, so that create_graph can connect it to the graph."""
    return np.asarray(y) if isinstance(y, np.generic) else y


# Forwards use array-API names (asin, atan2, ...), which NumPy 2 also has, and
# compose what the array API lacks, so every op also runs on other array types.

def _exp2(xp, x):
    f = getattr(xp, "exp2", None)
    return f(x) if f is not None else xp.exp(x * LN2)


def _cbrt(xp, x):
    f = getattr(xp, "cbrt", None)
    return f(x) if f is not None else xp.sign(x) * xp.abs(x) ** (1.0 / 3.0)


def _logaddexp2(xp, x, y):
    f = getattr(xp, "logaddexp2", None)
    return f(x, y) if f is not None else xp.logaddexp(x * LN2, y * LN2) / LN2


def _fmax(xp, x, y):
    f = getattr(xp, "fmax", None)
    return f(x, y) if f is not None else xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.maximum(x, y)))


def _fmin(xp, x, y):
    f = getattr(xp, "fmin", None)
    return f(x, y) if f is not None else xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.minimum(x, y)))


def _unary(name, compute, derivative, doc):
    """A primitive y = compute(xp, x) whose derivative is derivative(xp, x, y)."""

    def forward(ctx, b, x):
        y = as_array(compute(b.xp, x))
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        return g * derivative(b.xp, x, y)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "__doc__": doc})


# name, forward, derivative (x: input, y: output)
Exp2 = _unary("Exp2", lambda xp, x: _exp2(xp, x), lambda xp, x, y: y * LN2, "2**x; d/dx = 2**x ln 2")
Expm1 = _unary("Expm1", lambda xp, x: xp.expm1(x), lambda xp, x, y: y + 1, "exp(x) - 1; d/dx = exp(x)")
Log2 = _unary("Log2", lambda xp, x: xp.log2(x), lambda xp, x, y: 1 / (x * LN2), "log2 x; d/dx = 1/(x ln 2)")
Log10 = _unary("Log10", lambda xp, x: xp.log10(x), lambda xp, x, y: 1 / (x * LN10), "log10 x")
# NOTE: cbrt'(0) is infinite, as the calculus says.
Cbrt = _unary("Cbrt", lambda xp, x: _cbrt(xp, x), lambda xp, x, y: 1 / (3 * y * y), "x**(1/3); d/dx = 1/(3 y**2)")
Square = _unary("Square", lambda xp, x: x * x, lambda xp, x, y: 2 * x, "x**2; d/dx = 2x")
Reciprocal = _unary("Reciprocal", lambda xp, x: 1 / x, lambda xp, x, y: -(y * y), "1/x; d/dx = -1/x**2")
Tan = _unary("Tan", lambda xp, x: xp.tan(x), lambda xp, x, y: 1 + y * y, "tan x; d/dx = 1 + tan(x)**2")
Arcsin = _unary("Arcsin", lambda xp, x: xp.asin(x), lambda xp, x, y: 1 / xp.sqrt(1 - x * x),
                "arcsin x; d/dx = 1/sqrt(1 - x**2)")
Arccos = _unary("Arccos", lambda xp, x: xp.acos(x), lambda xp, x, y: -1 / xp.sqrt(1 - x * x),
                "arccos x; d/dx = -1/sqrt(1 - x**2)")
Arctan = _unary("Arctan", lambda xp, x: xp.atan(x), lambda xp, x, y: 1 / (1 + x * x),
                "arctan x; d/dx = 1/(1 + x**2)")
Sinh = _unary("Sinh", lambda xp, x: xp.sinh(x), lambda xp, x, y: xp.cosh(x), "sinh x; d/dx = cosh x")
Cosh = _unary("Cosh", lambda xp, x: xp.cosh(x), lambda xp, x, y: xp.sinh(x), "cosh x; d/dx = sinh x")
Arcsinh = _unary("Arcsinh", lambda xp, x: xp.asinh(x), lambda xp, x, y: 1 / xp.sqrt(x * x + 1),
                 "arcsinh x; d/dx = 1/sqrt(x**2 + 1)")
Arccosh = _unary("Arccosh", lambda xp, x: xp.acosh(x), lambda xp, x, y: 1 / xp.sqrt(x * x - 1),
                 "arccosh x; d/dx = 1/sqrt(x**2 - 1)")
Arctanh = _unary("Arctanh", lambda xp, x: xp.atanh(x), lambda xp, x, y: 1 / (1 - x * x),
                 "arctanh x; d/dx = 1/(1 - x**2)")


def _binary(name, compute, partials, doc):
    """A primitive z = compute(xp, x, y) with dz/dx, dz/dy = partials(xp, x, y, z)."""

    def forward(ctx, b, x, y):
        z = as_array(compute(b.xp, x, y))
        ctx.save_for_backward(x, y, z)
        return z

    def backward(ctx, b, g):
        x, y, z = ctx.saved_arrays
        nx, ny = ctx.needs_input_grad
        dx, dy = partials(b.xp, x, y, z, nx, ny)
        return (unbroadcast(b.xp, g * dx, shape_of(x)) if nx else None,
                unbroadcast(b.xp, g * dy, shape_of(y)) if ny else None)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "__doc__": doc})


def _arctan2_partials(xp, y, x, z, ny, nx):
    r2 = x * x + y * y
    return (x / r2 if ny else None), (-y / r2 if nx else None)


def _hypot_partials(xp, x, y, z, nx, ny):
    return (x / z if nx else None), (y / z if ny else None)


def _logaddexp_partials(xp, x, y, z, nx, ny):
    return (xp.exp(x - z) if nx else None), (xp.exp(y - z) if ny else None)


def _logaddexp2_partials(xp, x, y, z, nx, ny):
    return (xp.exp((x - z) * LN2) if nx else None), (xp.exp((y - z) * LN2) if ny else None)


Arctan2 = _binary("Arctan2", lambda xp, y, x: xp.atan2(y, x), _arctan2_partials,
                  "arctan2(y, x); d/dy = x/(x**2 + y**2), d/dx = -y/(x**2 + y**2)")
Hypot = _binary("Hypot", lambda xp, x, y: xp.hypot(x, y), _hypot_partials,
                "sqrt(x**2 + y**2); d/dx = x/hypot, d/dy = y/hypot")
Logaddexp = _binary("Logaddexp", lambda xp, x, y: xp.logaddexp(x, y), _logaddexp_partials,
                    "log(exp(x) + exp(y)); d/dx = exp(x - z)")
Logaddexp2 = _binary("Logaddexp2", lambda xp, x, y: _logaddexp2(xp, x, y), _logaddexp2_partials,
                     "log2(2**x + 2**y); d/dx = 2**(x - z)")


def _to_winner(xp, g, x_wins, tie, needs, x, y):
    """The gradient goes to the operand taken; ties split it evenly."""
    zero = 0 * g
    half = g / 2
    gx = gy = None
    if needs[0]:
        gx = unbroadcast(xp, xp.where(x_wins, g, xp.where(tie, half, zero)), shape_of(x))
    if needs[1]:
        gy = unbroadcast(xp, xp.where(~(x_wins | tie), g, xp.where(tie, half, zero)), shape_of(y))
    return gx, gy


class Fmax(Function):
    """max(x, y) ignoring NaN: the gradient goes to the value that was taken."""

    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return _fmax(b.xp, x, y)

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        xp = b.xp
        x_wins = (x > y) | (xp.isnan(y) & ~xp.isnan(x))
        return _to_winner(xp, g, x_wins, x == y, ctx.needs_input_grad, x, y)


class Fmin(Function):
    """min(x, y) ignoring NaN."""

    @staticmethod
    def forward(ctx, b, x, y):
        ctx.save_for_backward(x, y)
        return _fmin(b.xp, x, y)

    @staticmethod
    def backward(ctx, b, g):
        x, y = ctx.saved_arrays
        xp = b.xp
        x_wins = (x < y) | (xp.isnan(y) & ~xp.isnan(x))
        return _to_winner(xp, g, x_wins, x == y, ctx.needs_input_grad, x, y)


def exp2(x):
    """2**x.

    >>> fg.exp2(fg.tensor([0.0, 3.0]))   # [1, 8]
    """
    return Exp2.apply(x)


def expm1(x):
    """exp(x) - 1, accurate for small x; d/dx = exp(x)."""
    return Expm1.apply(x)


def log2(x):
    """Base-2 logarithm; d/dx = 1 / (x ln 2)."""
    return Log2.apply(x)


def log10(x):
    """Base-10 logarithm; d/dx = 1 / (x ln 10)."""
    return Log10.apply(x)


def cbrt(x):
    """Real cube root; d/dx = 1 / (3 cbrt(x)**2)."""
    return Cbrt.apply(x)


def square(x):
    """x * x; d/dx = 2x."""
    return Square.apply(x)


def reciprocal(x):
    """1 / x; d/dx = -1 / x**2."""
    return Reciprocal.apply(x)


def tan(x):
    """Tangent; d/dx = 1 + tan(x)**2."""
    return Tan.apply(x)


def arcsin(x):
    """Inverse sine on [-1, 1]; d/dx = 1 / sqrt(1 - x**2)."""
    return Arcsin.apply(x)


def arccos(x):
    """Inverse cosine on [-1, 1]; d/dx = -1 / sqrt(1 - x**2)."""
    return Arccos.apply(x)


def arctan(x):
    """Inverse tangent; d/dx = 1 / (1 + x**2)."""
    return Arctan.apply(x)


def sinh(x):
    """Hyperbolic sine; d/dx = cosh x."""
    return Sinh.apply(x)


def cosh(x):
    """Hyperbolic cosine; d/dx = sinh x."""
    return Cosh.apply(x)


def arcsinh(x):
    """Inverse hyperbolic sine; d/dx = 1 / sqrt(x**2 + 1)."""
    return Arcsinh.apply(x)


def arccosh(x):
    """Inverse hyperbolic cosine (x >= 1); d/dx = 1 / sqrt(x**2 - 1)."""
    return Arccosh.apply(x)


def arctanh(x):
    """Inverse hyperbolic tangent (|x| < 1); d/dx = 1 / (1 - x**2)."""
    return Arctanh.apply(x)


def arctan2(y, x):
    """Angle of the point (x, y), elementwise with broadcasting.

    d/dy = x / (x**2 + y**2), d/dx = -y / (x**2 + y**2).
    """
    return Arctan2.apply(y, x)


def hypot(x, y):
    """sqrt(x**2 + y**2) without overflow; d/dx = x / hypot(x, y)."""
    return Hypot.apply(x, y)


def logaddexp(x, y):
    """log(exp(x) + exp(y)), computed stably; d/dx = exp(x - logaddexp(x, y))."""
    return Logaddexp.apply(x, y)


def logaddexp2(x, y):
    """log2(2**x + 2**y); d/dx = 2**(x - logaddexp2(x, y))."""
    return Logaddexp2.apply(x, y)


def fmax(x, y):
    """Elementwise max that ignores NaN; ties split the gradient evenly."""
    return Fmax.apply(x, y)


def fmin(x, y):
    """Elementwise min that ignores NaN; ties split the gradient evenly."""
    return Fmin.apply(x, y)


asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh
