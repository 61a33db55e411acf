"""rrelu: the randomized leaky ReLU.

Training: y = x where x > 0, a * x otherwise, with one slope a ~ U(lower, upper) drawn per
element from fastgrad's generator (fastgrad.manual_seed); the gradient is 1 or the slope that
was drawn.  Evaluation: the leaky ReLU with the mean slope (lower + upper) / 2.  As in PyTorch,
the slope (not 1) is used at x == 0 in both modes.
"""
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import _is_cupy, namespace_of
from ..creation import default_generator
from .activations import leaky_relu


def _bound(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"rrelu: argument '{name}' must be a number, got {type(value).__name__}")
    return float(value)


def _drawn_slopes(data, lower, upper):
    """1 where data > 0, a fresh U(lower, upper) slope elsewhere, as an array like `data`."""
    drawn = default_generator().uniform(lower, upper, size=data.shape)
    if isinstance(data, np.ndarray):
        return np.where(data > 0, 1.0, drawn).astype(data.dtype)
    xp = namespace_of(data)
    # the slopes drawn on the host, as dropout's mask is for namespaces without a generator of their own
    drawn = xp.asarray(drawn) if _is_cupy(data) else xp.asarray(drawn, device=data.device)
    drawn = xp.astype(drawn, data.dtype) if hasattr(xp, "astype") else drawn.astype(data.dtype)
    return xp.where(data > 0, xp.ones_like(data), drawn)


def rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """x where x > 0, else a * x: a ~ U(lower, upper) per element while training, a = (lower + upper) / 2
    otherwise.

    >>> import fastgrad as fg
    >>> rrelu(fg.tensor([-2.0, 3.0]), 0.25, 0.25, training=True).tolist()
    [-0.5, 3.0]
    """
    lower, upper = _bound("lower", lower), _bound("upper", upper)
    if lower > upper:
        raise RuntimeError(f"rrelu: the lower bound ({lower}) must be less than or equal to the upper bound ({upper})")
    x = x if isinstance(x, Tensor) else Tensor(x)
    dtype = x._data.dtype
    if getattr(dtype, "kind", "f") not in "f" and dtype.name != "bfloat16":
        raise TypeError(f"rrelu: argument 'input' must be a floating tensor, got dtype {dtype}")
    if not training:
        return leaky_relu(x, (lower + upper) / 2)
    return x * _drawn_slopes(x._data, lower, upper)
