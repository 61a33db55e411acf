"""Reference twins of the activation kernels (csrc/activations.c).

Backward twins take what the forward saved: the output y (sigmoid, relu,
tanh, leaky_relu with a non-negative slope) or the input x (gelu, gelu_tanh,
silu, softplus, leaky_relu with a negative slope).  Scalar parameters are
keyword arguments.
"""
import math

_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_KAPPA = 0.044715


def sigmoid_fwd(xp, x):
    # Stable form: exp of a non-positive number only.
    e = xp.exp(-xp.abs(x))
    r = 1 / (1 + e)
    return xp.where(x >= 0, r, e * r)


def sigmoid_bwd(xp, y, gy):
    return gy * y * (1 - y)


def relu_fwd(xp, x):
    # NOTE: where() keeps NaN (x <= 0 is False for NaN), as the C kernel does.
    return xp.where(x <= 0, xp.zeros_like(x), x)


def relu_bwd(xp, y, gy):
    # NOTE: relu'(0) = 0, decided from the output.
    return xp.where(y > 0, gy, xp.zeros_like(gy))


def tanh_fwd(xp, x):
    return xp.tanh(x)


def tanh_bwd(xp, y, gy):
    return gy * (1 - y * y)


def gelu_fwd(xp, x):
    """x Phi(x), Phi the standard normal CDF."""
    return x * normal_cdf(xp, x)


def gelu_bwd(xp, x, gy):
    return gy * (normal_cdf(xp, x) + x * _INV_SQRT_2PI * xp.exp(-0.5 * x * x))


def _gelu_tanh_inner(xp, x):
    return _SQRT_2_OVER_PI * (x + _GELU_KAPPA * x * x * x)


def gelu_tanh_fwd(xp, x):
    # 0.5 x (1 + tanh u) written as x sigmoid(2u): no cancellation for x < 0.
    return x * sigmoid_fwd(xp, 2 * _gelu_tanh_inner(xp, x))


def gelu_tanh_bwd(xp, x, gy):
    s = sigmoid_fwd(xp, 2 * _gelu_tanh_inner(xp, x))
    du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_KAPPA * x * x)
    return gy * (s + 2 * x * s * (1 - s) * du)


def silu_fwd(xp, x):
    return x * sigmoid_fwd(xp, x)


def silu_bwd(xp, x, gy):
    s = sigmoid_fwd(xp, x)
    return gy * (s * (1 + x * (1 - s)))


def leaky_relu_fwd(xp, x, negative_slope=0.01):
    return xp.where(x > 0, x, x * negative_slope)


def leaky_relu_bwd(xp, s, gy, negative_slope=0.01):
    # s is y when negative_slope >= 0 (same sign as x), else x; at 0 the slope applies.
    return xp.where(s > 0, gy, gy * negative_slope)


def softplus_fwd(xp, x, beta=1.0, threshold=20.0):
    b = x * beta
    soft = (xp.maximum(b, 0.0) + xp.log1p(xp.exp(-xp.abs(b)))) / beta
    return xp.where(b > threshold, x, soft)


def softplus_bwd(xp, x, gy, beta=1.0, threshold=20.0):
    b = x * beta
    return xp.where(b > threshold, gy, gy * sigmoid_fwd(xp, b))


# ---- the normal CDF from exp and arithmetic (no erf in the namespaces) ----

_SERIES_TERMS = 30   # erf(t) series, enough for t <= 2 in float64
_FRACTION_TERMS = 60  # erfc(t) continued fraction, enough for t >= 2
_SPLIT = 2.0


def normal_cdf(xp, x):
    """Phi(x) = erfc(-x / sqrt 2) / 2, accurate in the tails (about 1e-13 relative)."""
    z = x * _SQRT1_2
    upper = 0.5 * erfc_nonnegative(xp, xp.abs(z))  # Phi(-|x|)
    return xp.where(x < 0, upper, 1 - upper)


def erfc_nonnegative(xp, t):
    """erfc(t) for t >= 0: a positive series for erf below 2, Laplace's continued
    fraction for erfc above.  Each branch sees its argument clipped to its own
    range, so neither overflows where it is not used (nor do its gradients)."""
    small = xp.minimum(t, _SPLIT)
    term = small
    total = small
    two_t2 = 2 * small * small
    for n in range(1, _SERIES_TERMS):
        term = term * two_t2 / (2 * n + 1)
        total = total + term
    erfc_small = 1 - 2 * _INV_SQRT_PI * xp.exp(-small * small) * total

    large = xp.maximum(t, _SPLIT)
    fraction = large
    for k in range(_FRACTION_TERMS, 0, -1):
        fraction = large + (k / 2) / fraction
    erfc_large = _INV_SQRT_PI * xp.exp(-large * large) / fraction
    return xp.where(t < _SPLIT, erfc_small, erfc_large)
