"""Activations with fused kernels: the backend's `<op>_fwd` / `<op>_bwd` do the work.

Each saves only what its backward needs: the output where the derivative is
a function of it (sigmoid, relu, tanh, leaky relu with a non-negative
slope), so the input can be freed; the input otherwise (gelu, silu,
softplus).  The parameter-free ones are rows of the calculus table
(ops/elementwise.py); leaky_relu and softplus take parameters and are
Function classes of their own.
"""
from ..autograd.primitive import Primitive as Function
from .elementwise import INPUT, OUTPUT, unary

# ---- name, doc, forward, saves, vector-Jacobian product: the backend's kernels ----

Sigmoid, sigmoid = unary("sigmoid", """1 / (1 + exp(-x)), computed stably; d/dx = y (1 - y).

    >>> import fastgrad as fg
    >>> fg.sigmoid(fg.tensor([0.0])).tolist()
    [0.5]
    """, lambda b, x: b.sigmoid_fwd(x), OUTPUT, lambda b, g, y: b.sigmoid_bwd(y, g))

Relu, relu = unary("relu", """max(x, 0); relu'(0) = 0.

    >>> import fastgrad as fg
    >>> fg.relu(fg.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """, lambda b, x: b.relu_fwd(x), OUTPUT, lambda b, g, y: b.relu_bwd(y, g))

Tanh, tanh = unary("tanh", """Hyperbolic tangent; d/dx = 1 - tanh(x)**2, from the output.

    >>> import fastgrad as fg
    >>> fg.tanh(fg.tensor([0.0])).tolist()
    [0.0]
    """, lambda b, x: b.tanh_fwd(x), OUTPUT, lambda b, g, y: b.tanh_bwd(y, g))

Silu, silu = unary("silu", """x * sigmoid(x) (also called swish).

    >>> import fastgrad as fg
    >>> fg.silu(fg.tensor([0.0])).tolist()
    [0.0]
    """, lambda b, x: b.silu_fwd(x), INPUT, lambda b, g, x: b.silu_bwd(x, g))

Gelu, _ = unary("gelu", "x Phi(x), Phi the standard normal CDF.", lambda b, x: b.gelu_fwd(x), INPUT,
                lambda b, g, x: b.gelu_bwd(x, g))
GeluTanh, _ = unary("gelu_tanh", "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).", lambda b, x: b.gelu_tanh_fwd(x),
                    INPUT, lambda b, g, x: b.gelu_tanh_bwd(x, g))


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, b, x, negative_slope=0.01):
        y = b.leaky_relu_fwd(x, negative_slope=negative_slope)
        # With a non-negative slope y > 0 exactly where x > 0, so y will do.
        ctx.save_for_backward(y if negative_slope >= 0 else x)
        ctx.negative_slope = negative_slope
        return y

    @staticmethod
    def backward(ctx, b, g):
        (s,) = ctx.saved_arrays
        return b.leaky_relu_bwd(s, g, negative_slope=ctx.negative_slope)


class Softplus(Function):
    @staticmethod
    def forward(ctx, b, x, beta=1.0, threshold=20.0):
        # NOTE: saves x: y alone cannot tell the linear region (beta x > threshold)
        # from the curve just below it.
        ctx.save_for_backward(x)
        ctx.params = (beta, threshold)
        return b.softplus_fwd(x, beta=beta, threshold=threshold)

    @staticmethod
    def backward(ctx, b, g):
        (x,) = ctx.saved_arrays
        beta, threshold = ctx.params
        return b.softplus_bwd(x, g, beta=beta, threshold=threshold)


def gelu(x, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate='tanh' uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as PyTorch.

    >>> import fastgrad as fg
    >>> round(fg.gelu(fg.tensor([1.0])).item(), 4)
    0.8413
    """
    if approximate == "none":
        return Gelu.apply(x)
    if approximate == "tanh":
        return GeluTanh.apply(x)
    raise ValueError(f"gelu: argument 'approximate' must be 'none' or 'tanh', got {approximate!r}")


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x; the derivative at 0 is the slope.

    >>> import fastgrad as fg
    >>> fg.leaky_relu(fg.tensor([-2.0, 3.0]), 0.5).tolist()
    [-1.0, 3.0]
    """
    return LeakyRelu.apply(x, negative_slope=float(negative_slope))


def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch).

    >>> import fastgrad as fg
    >>> round(fg.softplus(fg.tensor([0.0])).item(), 4)
    0.6931
    """
    return Softplus.apply(x, beta=float(beta), threshold=float(threshold))
