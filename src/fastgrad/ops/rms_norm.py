"""Root-mean-square normalization (PyTorch's F.rms_norm), composed from differentiable ops."""
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from .norm import _check_eps


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input / sqrt(mean(input^2) + eps) * weight over the trailing `normalized_shape` axes, as
    PyTorch's F.rms_norm; eps=None is the machine epsilon of the input's dtype.

    >>> import fastgrad as fg
    >>> fg.nn.functional.rms_norm(fg.tensor([[3.0, 4.0]]), (2,), eps=0.0).tolist()
    [[0.8485281467437744, 1.1313709020614624]]
    """
    op = "rms_norm"
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    input = input if isinstance(input, Tensor) else Tensor(input)
    if np.dtype(input.dtype).kind != "f":
        raise TypeError(f"{op}: argument 'input' must be floating point, got dtype {input.dtype}")
    if isinstance(normalized_shape, numbers.Integral) and not isinstance(normalized_shape, bool):
        normalized_shape = (normalized_shape,)
    shape = tuple(normalized_shape)
    if not shape or len(shape) > input.ndim or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise ValueError(f"{op}: argument 'normalized_shape' {shape} does not match the trailing axes of an input "
                         f"of shape {tuple(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise ValueError(f"{op}: argument 'weight' has shape {tuple(weight.shape)}, expected {shape}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    _check_eps(op, eps)
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(axis=axes, keepdims=True) + eps).rsqrt()
    return out if weight is None else out * weight
