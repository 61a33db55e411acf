"""Elementwise primitives, declared in one calculus table.

Each row gives an op's forward, what its backward keeps and its
vector-Jacobian products (the gradient of each input from the output's
gradient g):

    Exp, exp = unary("exp", "e**x.", lambda b, x: b.xp.exp(x),
                     OUTPUT, lambda b, g, y: g * y)

`saves` says which arrays the backward receives after (b, g): INPUT (x),
OUTPUT (y), INPUTS (x, y), INPUTS_OUTPUT (x, y, z) or NOTHING; a rule that
saves nothing may be PASS (the gradient passes unchanged).  Keeping the
output instead of the input lets the input be freed.  Rules use operators,
`b.xp` functions and `b`'s kernels only, so with create_graph=True they run on
Tensors and can be differentiated again.  Binary rules return the gradient of
the broadcast shape: the engine sums it back to each input's shape.
"""
import math

from ..autograd._graph import register_compiled_rule
from ..autograd.primitive import Primitive as Function

LN2 = math.log(2.0)
LN10 = math.log(10.0)

NOTHING, INPUT, OUTPUT, INPUTS, INPUTS_OUTPUT = "", "x", "y", "xy", "xyz"
PASS = "g"  # a vector-Jacobian product that is g itself (d/dx = 1)


def unary(name, doc, forward, saves, vjp):
    """The Function class and public function of y = forward(b, x), with
    dx = vjp(b, g, *saved)."""
    if saves == INPUT:
        def run(ctx, b, x):
            ctx.save_for_backward(x)
            return forward(b, x)

        def backward(ctx, b, g):
            (x,) = ctx.saved_arrays
            return vjp(b, g, x)
    elif saves == OUTPUT:
        def run(ctx, b, x):
            y = forward(b, x)
            ctx.save_for_backward(y)
            return y

        def backward(ctx, b, g):
            (y,) = ctx.saved_arrays
            return vjp(b, g, y)
    elif saves == NOTHING:
        def run(ctx, b, x):
            return forward(b, x)

        def backward(ctx, b, g):
            return vjp(b, g)
    else:
        raise ValueError(f"unary {name}: saves must be NOTHING, INPUT or OUTPUT, got {saves!r}")
    cls = _function(name, doc, run, backward)
    apply = cls.apply

    def op(x):
        return apply(x)

    return cls, _public(op, name, doc)


def binary(name, doc, forward, saves, vjp_x, vjp_y):
    """The Function class and public function of z = forward(b, x, y), with
    dx = vjp_x(b, g, *saved) and dy = vjp_y(b, g, *saved).  ctx.parents[i] is
    None where input i needs no gradient (ctx.needs_input_grad, without
    building a list)."""
    if saves == INPUTS:
        def run(ctx, b, x, y):
            ctx.save_for_backward(x, y)
            return forward(b, x, y)

        def backward(ctx, b, g):
            x, y = ctx.saved_arrays
            px, py = ctx.parents
            return (None if px is None else vjp_x(b, g, x, y)), (None if py is None else vjp_y(b, g, x, y))
    elif saves == INPUTS_OUTPUT:
        def run(ctx, b, x, y):
            z = forward(b, x, y)
            ctx.save_for_backward(x, y, z)
            return z

        def backward(ctx, b, g):
            x, y, z = ctx.saved_arrays
            px, py = ctx.parents
            return (None if px is None else vjp_x(b, g, x, y, z)), (None if py is None else vjp_y(b, g, x, y, z))
    elif saves == NOTHING:
        def run(ctx, b, x, y):
            return forward(b, x, y)

        def backward(ctx, b, g):
            px, py = ctx.parents
            return (None if px is None else g if vjp_x is PASS else vjp_x(b, g),
                    None if py is None else g if vjp_y is PASS else vjp_y(b, g))
    else:
        raise ValueError(f"binary {name}: saves must be NOTHING, INPUTS or INPUTS_OUTPUT, got {saves!r}")
    cls = _function(name, doc, run, backward)
    apply = cls.apply

    def op(x, y):
        return apply(x, y)

    return cls, _public(op, name, doc)


def _function(name, doc, forward, backward):
    class_name = "".join(part.capitalize() for part in name.split("_"))
    return type(class_name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                          "__doc__": doc, "__module__": __name__})


def _public(op, name, doc):
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _taken(b, g, wins, tie):
    """g where this operand was the one taken, g / 2 at ties (as PyTorch), 0 elsewhere."""
    return b.xp.where(wins, g, b.xp.where(tie, g / 2, 0 * g))


def _pow_x(b, g, x, y, z):
    if isinstance(y, (int, float)):
        # NOTE: d/dx x**0 = 0 everywhere, even at x = 0 (where x**-1 is inf).
        return g * y * x ** (y - 1) if y != 0 else g * 0
    xp = b.xp
    return xp.where(y == 0, 0.0, g * y * x ** xp.where(y == 0, 1.0, y - 1))


def _pow_y(b, g, x, y, z):
    # NOTE: d/dy x**y = x**y log x; taken as 0 where x == 0 (PyTorch's convention).
    return g * z * b.xp.log(b.xp.where(x == 0, 1.0, x))


def _fmax_x_wins(b, x, y):
    return (x > y) | (b.xp.isnan(y) & ~b.xp.isnan(x))


def _fmin_x_wins(b, x, y):
    return (x < y) | (b.xp.isnan(y) & ~b.xp.isnan(x))


# Forwards use array-API names (asin, atan2, ...), which NumPy 2 also has, and
# compose what the array API lacks, so every op also runs on other array types.

def _exp2(b, x):
    f = getattr(b.xp, "exp2", None)
    return f(x) if f is not None else b.xp.exp(x * LN2)


def _cbrt(b, x):
    f = getattr(b.xp, "cbrt", None)
    return f(x) if f is not None else b.xp.sign(x) * b.xp.abs(x) ** (1.0 / 3.0)


def _logaddexp2(b, x, y):
    f = getattr(b.xp, "logaddexp2", None)
    return f(x, y) if f is not None else b.xp.logaddexp(x * LN2, y * LN2) / LN2


def _fmax(b, x, y):
    xp = b.xp
    f = getattr(xp, "fmax", None)
    return f(x, y) if f is not None else xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.maximum(x, y)))


def _fmin(b, x, y):
    xp = b.xp
    f = getattr(xp, "fmin", None)
    return f(x, y) if f is not None else xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.minimum(x, y)))


# ---- the table: name, doc, forward, saves, vector-Jacobian product(s) ----

Add, add = binary("add", "x + y with broadcasting.", lambda b, x, y: x + y, NOTHING, PASS, PASS)
Sub, sub = binary("sub", "x - y with broadcasting.", lambda b, x, y: x - y, NOTHING, PASS, lambda b, g: -g)
Mul, mul = binary("mul", "x * y with broadcasting.", lambda b, x, y: x * y, INPUTS,
                  lambda b, g, x, y: g * y, lambda b, g, x, y: g * x)
Div, div = binary("div", "x / y with broadcasting.", lambda b, x, y: x / y, INPUTS,
                  lambda b, g, x, y: g / y, lambda b, g, x, y: -(g / y) * x / y)
Pow, pow = binary("pow", "x ** y; d/dx = y x**(y-1), d/dy = x**y log x.", lambda b, x, y: x ** y, INPUTS_OUTPUT,
                  _pow_x, _pow_y)
Neg, neg = unary("neg", "-x.", lambda b, x: -x, NOTHING, lambda b, g: -g)
# NOTE: abs'(0) = 0 (sign(0) = 0), as in PyTorch.  For complex x the gradient is g conj(x) / |x|,
# fastgrad's convention for complex gradients (HIPS autograd's, the conjugate of PyTorch's), as
# fastgrad.numpy.abs gives.
def _is_complex(b, x):
    kind = getattr(x.dtype, "kind", None)   # NumPy and CuPy dtypes; array-API ones are asked
    return kind == "c" if kind is not None else b.xp.isdtype(x.dtype, "complex floating")


Abs, abs = unary("abs", "|x|, with abs'(0) = 0.", lambda b, x: b.xp.abs(x), INPUT,
                 lambda b, g, x: g * (b.xp.conj(b.xp.sign(x)) if _is_complex(b, x) else b.xp.sign(x)))

Exp, exp = unary("exp", "e**x; d/dx = e**x.", lambda b, x: b.xp.exp(x), OUTPUT, lambda b, g, y: g * y)
Exp2, exp2 = unary("exp2", "2**x; d/dx = 2**x ln 2.\n\n    >>> fg.exp2(fg.tensor([0.0, 3.0]))   # [1, 8]\n    ",
                   _exp2, OUTPUT, lambda b, g, y: g * (y * LN2))
Expm1, expm1 = unary("expm1", "exp(x) - 1, accurate for small x; d/dx = exp(x).", lambda b, x: b.xp.expm1(x),
                     OUTPUT, lambda b, g, y: g * (y + 1))
Log, log = unary("log", "Natural logarithm; d/dx = 1 / x.", lambda b, x: b.xp.log(x), INPUT, lambda b, g, x: g / x)
Log1p, log1p = unary("log1p", "log(1 + x), accurate for small x.", lambda b, x: b.xp.log1p(x), INPUT,
                     lambda b, g, x: g / (1 + x))
Log2, log2 = unary("log2", "Base-2 logarithm; d/dx = 1 / (x ln 2).", lambda b, x: b.xp.log2(x), INPUT,
                   lambda b, g, x: g * (1 / (x * LN2)))
Log10, log10 = unary("log10", "Base-10 logarithm; d/dx = 1 / (x ln 10).", lambda b, x: b.xp.log10(x), INPUT,
                     lambda b, g, x: g * (1 / (x * LN10)))
Sqrt, sqrt = unary("sqrt", "Square root; d/dx = 1 / (2 sqrt x).", lambda b, x: b.xp.sqrt(x), OUTPUT,
                   lambda b, g, y: g / (2 * y))
# NOTE: cbrt'(0) is infinite, as the calculus says.
Cbrt, cbrt = unary("cbrt", "Real cube root; d/dx = 1 / (3 cbrt(x)**2).", _cbrt, OUTPUT,
                   lambda b, g, y: g * (1 / (3 * y * y)))
Square, square = unary("square", "x * x; d/dx = 2x.", lambda b, x: x * x, INPUT, lambda b, g, x: g * (2 * x))
Reciprocal, reciprocal = unary("reciprocal", "1 / x; d/dx = -1 / x**2.", lambda b, x: 1 / x, OUTPUT,
                               lambda b, g, y: g * -(y * y))

Sin, sin = unary("sin", "Sine; d/dx = cos x.", lambda b, x: b.xp.sin(x), INPUT, lambda b, g, x: g * b.xp.cos(x))
Cos, cos = unary("cos", "Cosine; d/dx = -sin x.", lambda b, x: b.xp.cos(x), INPUT,
                 lambda b, g, x: -g * b.xp.sin(x))
Tan, tan = unary("tan", "Tangent; d/dx = 1 + tan(x)**2.", lambda b, x: b.xp.tan(x), OUTPUT,
                 lambda b, g, y: g * (1 + y * y))
Arcsin, arcsin = unary("arcsin", "Inverse sine on [-1, 1]; d/dx = 1 / sqrt(1 - x**2).", lambda b, x: b.xp.asin(x),
                       INPUT, lambda b, g, x: g * (1 / b.xp.sqrt(1 - x * x)))
Arccos, arccos = unary("arccos", "Inverse cosine on [-1, 1]; d/dx = -1 / sqrt(1 - x**2).",
                       lambda b, x: b.xp.acos(x), INPUT, lambda b, g, x: g * (-1 / b.xp.sqrt(1 - x * x)))
Arctan, arctan = unary("arctan", "Inverse tangent; d/dx = 1 / (1 + x**2).", lambda b, x: b.xp.atan(x), INPUT,
                       lambda b, g, x: g * (1 / (1 + x * x)))
Sinh, sinh = unary("sinh", "Hyperbolic sine; d/dx = cosh x.", lambda b, x: b.xp.sinh(x), INPUT,
                   lambda b, g, x: g * b.xp.cosh(x))
Cosh, cosh = unary("cosh", "Hyperbolic cosine; d/dx = sinh x.", lambda b, x: b.xp.cosh(x), INPUT,
                   lambda b, g, x: g * b.xp.sinh(x))
Arcsinh, arcsinh = unary("arcsinh", "Inverse hyperbolic sine; d/dx = 1 / sqrt(x**2 + 1).",
                         lambda b, x: b.xp.asinh(x), INPUT, lambda b, g, x: g * (1 / b.xp.sqrt(x * x + 1)))
Arccosh, arccosh = unary("arccosh", "Inverse hyperbolic cosine (x >= 1); d/dx = 1 / sqrt(x**2 - 1).",
                         lambda b, x: b.xp.acosh(x), INPUT, lambda b, g, x: g * (1 / b.xp.sqrt(x * x - 1)))
Arctanh, arctanh = unary("arctanh", "Inverse hyperbolic tangent (|x| < 1); d/dx = 1 / (1 - x**2).",
                         lambda b, x: b.xp.atanh(x), INPUT, lambda b, g, x: g * (1 / (1 - x * x)))

Arctan2, arctan2 = binary("arctan2", "Angle of the point (x, y) = (second, first argument), with broadcasting;\n"
                          "    d/dy = x / (x**2 + y**2), d/dx = -y / (x**2 + y**2).",
                          lambda b, y, x: b.xp.atan2(y, x), INPUTS,
                          lambda b, g, y, x: g * (x / (x * x + y * y)),
                          lambda b, g, y, x: g * (-y / (x * x + y * y)))
Hypot, hypot = binary("hypot", "sqrt(x**2 + y**2) without overflow; d/dx = x / hypot(x, y).",
                      lambda b, x, y: b.xp.hypot(x, y), INPUTS_OUTPUT,
                      lambda b, g, x, y, z: g * (x / z), lambda b, g, x, y, z: g * (y / z))
Logaddexp, logaddexp = binary("logaddexp", "log(exp(x) + exp(y)), computed stably; d/dx = exp(x - logaddexp(x, y)).",
                              lambda b, x, y: b.xp.logaddexp(x, y), INPUTS_OUTPUT,
                              lambda b, g, x, y, z: g * b.xp.exp(x - z), lambda b, g, x, y, z: g * b.xp.exp(y - z))
Logaddexp2, logaddexp2 = binary("logaddexp2", "log2(2**x + 2**y); d/dx = 2**(x - logaddexp2(x, y)).",
                                _logaddexp2, INPUTS_OUTPUT,
                                lambda b, g, x, y, z: g * b.xp.exp((x - z) * LN2),
                                lambda b, g, x, y, z: g * b.xp.exp((y - z) * LN2))

# The gradient goes to the operand taken; ties split it evenly.
Maximum, maximum = binary("maximum", "Elementwise max; ties split the gradient evenly.",
                          lambda b, x, y: b.xp.maximum(x, y), INPUTS,
                          lambda b, g, x, y: _taken(b, g, x > y, x == y),
                          lambda b, g, x, y: _taken(b, g, ~((x > y) | (x == y)), x == y))
Minimum, minimum = binary("minimum", "Elementwise min; ties split the gradient evenly.",
                          lambda b, x, y: b.xp.minimum(x, y), INPUTS,
                          lambda b, g, x, y: _taken(b, g, x < y, x == y),
                          lambda b, g, x, y: _taken(b, g, ~((x < y) | (x == y)), x == y))
Fmax, fmax = binary("fmax", "Elementwise max that ignores NaN; ties split the gradient evenly.", _fmax, INPUTS,
                    lambda b, g, x, y: _taken(b, g, _fmax_x_wins(b, x, y), x == y),
                    lambda b, g, x, y: _taken(b, g, ~(_fmax_x_wins(b, x, y) | (x == y)), x == y))
Fmin, fmin = binary("fmin", "Elementwise min that ignores NaN; ties split the gradient evenly.", _fmin, INPUTS,
                    lambda b, g, x, y: _taken(b, g, _fmin_x_wins(b, x, y), x == y),
                    lambda b, g, x, y: _taken(b, g, ~(_fmin_x_wins(b, x, y) | (x == y)), x == y))



def _erf(b, x):
    """erf of a CuPy array (cupyx), or of a host array: SciPy's when installed, else math.erf
    element by element (float arrays keep their dtype, others give float64)."""
    if hasattr(x, "__cuda_array_interface__"):
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(x)
    import numpy

    data = numpy.asarray(x)
    dtype = data.dtype if data.dtype.kind == "f" else numpy.dtype(numpy.float64)
    try:
        from scipy.special import erf
    except ImportError:
        return numpy.frompyfunc(math.erf, 1, 1)(data).astype(dtype)
    return erf(data).astype(dtype, copy=False)


Erf, erf = unary("erf", "The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt; d/dx = 2/sqrt(pi) exp(-x^2).",
                 _erf, INPUT, lambda b, g, x: g * (2.0 / math.sqrt(math.pi)) * b.xp.exp(-(x * x)))

asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh


# The engine runs these rows with compiled copies of the same operations on
# NumPy arrays (no Python frame per op; autograd/_graph.pyx).
for _cls, _rule in ((Add, "add"), (Sub, "sub"), (Mul, "mul"), (Div, "div"), (Neg, "neg"), (Pow, "pow")):
    register_compiled_rule(_cls, _rule)
