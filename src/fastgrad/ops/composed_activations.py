"""Activations composed from differentiable ops (no kernels of their own), with PyTorch's
formulas and PyTorch's gradient at each kink.

Branches are chosen with `where`, and each branch is computed on an input that keeps it
finite (the exponential branches see min(x, 0)), so the branch not taken never turns a
zero gradient into NaN.
"""
from ..autograd.tensor import Tensor
from .activations import sigmoid, softplus, tanh
from .elementwise import abs as _abs, expm1
from .selection import where
from .shape import split

# SELU's constants (Klambauer et al., 2017), as PyTorch defines them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (exp(x) - 1) otherwise; the gradient at 0 is alpha (PyTorch's)."""
    x = _tensor(x)
    return where(x > 0, x, expm1(x.clamp(max=0.0)) * alpha)


def celu(x, alpha=1.0):
    """x for x > 0, alpha (exp(x / alpha) - 1) otherwise; the gradient at 0 is 1."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides the input)")
    x = _tensor(x)
    return where(x > 0, x, expm1(x.clamp(max=0.0) / alpha) * alpha)


def selu(x):
    """scale * elu(x, alpha) with SELU's fixed alpha and scale; the gradient at 0 is scale * alpha."""
    return elu(x, SELU_ALPHA) * SELU_SCALE


def hardtanh(x, min_val=-1.0, max_val=1.0):
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside and 0 at and beyond
    the bounds (PyTorch's hardtanh, unlike clamp, passes no gradient at the bounds)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val}, "
                         f"max_val={max_val}")
    x = _tensor(x)
    return where((x > min_val) & (x < max_val), x, x.detach().clamp(min_val, max_val))


def relu6(x):
    """min(max(x, 0), 6): hardtanh(x, 0, 6), so the gradient at 0 and at 6 is 0."""
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x):
    """0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between; the gradient at +-3 is 0."""
    x = _tensor(x)
    return where((x > -3.0) & (x < 3.0), x / 6.0 + 0.5, x.detach().clamp(-3.0, 3.0) / 6.0 + 0.5)


def hardswish(x):
    """0 for x <= -3, x for x >= 3, x (x + 3) / 6 between; the gradient is 0 at -3 and 1 at 3."""
    x = _tensor(x)
    return where(x < 3.0, where(x > -3.0, x * (x + 3.0) / 6.0, 0.0), x)


def mish(x):
    """x tanh(softplus(x))."""
    x = _tensor(x)
    return x * tanh(softplus(x))


def logsigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-_tensor(x))


def softsign(x):
    """x / (1 + |x|)."""
    x = _tensor(x)
    return x / (_abs(x) + 1.0)


def tanhshrink(x):
    """x - tanh(x)."""
    x = _tensor(x)
    return x - tanh(x)


def glu(x, dim=-1):
    """a sigmoid(b), with a and b the first and second halves of x along `dim`."""
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("glu: does not support 0-d tensors (the halved dimension must have an even size)")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for a {x.ndim}-d input")
    size = x.shape[dim]
    if size % 2:
        raise ValueError(f"glu: the halved dimension must have an even size, but dimension {dim} has size {size}")
    a, b = split(x, size // 2, axis=dim)
    return a * sigmoid(b)


def prelu(x, weight):
    """x for x > 0, weight * x otherwise, with one weight for all channels or one per channel
    (axis 1 of an input with 2 or more axes); the gradient at 0 is the weight."""
    x, weight = _tensor(x), _tensor(weight)
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.ndim > 1 or weight.numel() not in (1, channels):
        raise ValueError(f"prelu: argument 'weight' must hold 1 value or one per channel ({channels}), "
                         f"got shape {tuple(weight.shape)}")
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:
        slope = weight.reshape((channels,) + (1,) * (x.ndim - 2))
    return where(x > 0, x, slope * x)
