"""threshold, hardshrink and softshrink: piecewise-linear maps composed with `where`, with
PyTorch's gradients at the break points (0 at x == threshold and at x == +-lambd) and its
NaN handling (a NaN input stays NaN: each test is written so that NaN falls on x's side)."""
import numbers

from ..autograd.tensor import Tensor
from .selection import where


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _number(op, name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{op}: argument '{name}' must be a number, got {type(value).__name__}")
    return float(value)


def threshold(x, threshold, value):
    """x where x > threshold, else value.

    >>> import fastgrad as fg
    >>> threshold(fg.tensor([0.5, 2.0]), 1.0, -1.0).tolist()
    [-1.0, 2.0]
    """
    threshold, value = _number("threshold", "threshold", threshold), _number("threshold", "value", value)
    x = _tensor(x)
    return where(x <= threshold, value, x)


def hardshrink(x, lambd=0.5):
    """x where |x| > lambd, else 0."""
    lambd = _number("hardshrink", "lambd", lambd)
    x = _tensor(x)
    return where((x >= -lambd) & (x <= lambd), 0.0, x)


def softshrink(x, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0 (lambd >= 0)."""
    lambd = _number("softshrink", "lambd", lambd)
    if lambd < 0:
        raise ValueError(f"softshrink: argument 'lambd' must be greater or equal to 0, got {lambd}")
    x = _tensor(x)
    return where((x >= -lambd) & (x <= lambd), 0.0, where(x > lambd, x - lambd, x + lambd))
