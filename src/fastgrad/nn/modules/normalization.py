"""LayerNorm and RMSNorm (per sample, over the last dims); BatchNorm1d (per channel: see norm.py)."""
import numpy as np

from ...dtypes import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module
from .norm import BatchNorm1d, register_affine  # noqa: F401  (BatchNorm1d: with the other batch norms)


def _store_trailing_shape(module, normalized_shape, eps, elementwise_affine, dtype):
    """Sets normalized_shape (as a tuple), eps and elementwise_affine on a norm over the trailing
    dims; returns that shape and the parameters' dtype."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    module.normalized_shape, module.eps, module.elementwise_affine = shape, eps, elementwise_affine
    return shape, np.dtype(dtype) if dtype is not None else get_default_dtype()


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the trailing `normalized_shape` dims.

    >>> norm = LayerNorm(64)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        shape, dtype = _store_trailing_shape(self, normalized_shape, eps, elementwise_affine, dtype)
        register_affine(self, shape, dtype, elementwise_affine, bias)
        self._place_on(device)

    def forward(self, input):
        if tuple(input.shape[input.ndim - len(self.normalized_shape):]) != self.normalized_shape:
            raise ValueError(f"LayerNorm: input of shape {tuple(input.shape)} does not end with the normalized "
                             f"shape {self.normalized_shape}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = x / sqrt(mean(x^2) + eps) * weight over the trailing `normalized_shape` dims, as
    PyTorch's nn.RMSNorm (eps=None: the machine epsilon of the input's dtype; weight: ones).

    >>> RMSNorm(64)(fastgrad.randn(2, 64)).shape
    (2, 64)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        shape, dtype = _store_trailing_shape(self, normalized_shape, eps, elementwise_affine, dtype)
        self.register_parameter("weight", Parameter(np.ones(shape, dtype=dtype)) if elementwise_affine else None)
        self._place_on(device)

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    extra_repr = LayerNorm.extra_repr


class LocalResponseNorm(Module):
    """x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta (F.local_response_norm)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
