"""lp_pool1d / lp_pool2d / lp_pool3d: the power-average pooling (sum of x^p over each window)^(1/p), written
as PyTorch writes it, from avg_pool of x^p (so its gradients and edge cases are PyTorch's)."""
import numbers

from ..autograd.tensor import Tensor
from .conv import int_tuple
from .pool import avg_pool1d, avg_pool2d
from .pool3d import avg_pool3d


def _power_mean(op, input, norm_type):
    if not isinstance(norm_type, numbers.Real) or isinstance(norm_type, bool) or norm_type == 0:
        raise ValueError(f"{op}: argument 'norm_type' must be a nonzero number, got {norm_type!r}")
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    return x ** norm_type


def _root(out, window, norm_type):
    # NOTE: sign(out) * relu(|out|) is out with a zero gradient at 0, as in PyTorch.
    return (out.sign() * out.abs().relu() * window) ** (1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of the last axis of x^p)^(1/p), p = norm_type.

    >>> import fastgrad as fg
    >>> lp_pool1d(fg.tensor([[3.0, 4.0]]), 2, 2).tolist()
    [[5.0]]
    """
    op = "lp_pool1d"
    (k,) = int_tuple(op, "kernel_size", kernel_size, 1, 1)
    powered = _power_mean(op, input, norm_type)
    out = avg_pool1d(powered, k, stride if stride is not None else k, 0, ceil_mode)
    return _root(out, k, norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each (kH, kW) window of x^p)^(1/p), p = norm_type."""
    op = "lp_pool2d"
    kh, kw = int_tuple(op, "kernel_size", kernel_size, 2, 1)
    powered = _power_mean(op, input, norm_type)
    out = avg_pool2d(powered, (kh, kw), stride if stride is not None else (kh, kw), 0, ceil_mode)
    return _root(out, kh * kw, norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each (kD, kH, kW) window of x^p)^(1/p), p = norm_type, over the last three axes.

    >>> import fastgrad as fg
    >>> lp_pool3d(fg.ones((1, 2, 2, 2)), 1, 2).tolist()
    [[[[8.0]]]]
    """
    op = "lp_pool3d"
    kd, kh, kw = int_tuple(op, "kernel_size", kernel_size, 3, 1)
    powered = _power_mean(op, input, norm_type)
    out = avg_pool3d(powered, (kd, kh, kw), stride if stride is not None else (kd, kh, kw), 0, ceil_mode)
    return _root(out, kd * kh * kw, norm_type)
