"""LayerNorm (per sample, over the last dims) and BatchNorm1d (per channel, over the batch: see norm.py)."""
import numpy as np

from ...dtypes import get_default_dtype
from .. import functional as F
from .module import Module
from .norm import BatchNorm1d, register_affine  # noqa: F401  (BatchNorm1d: with the other batch norms)


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the trailing `normalized_shape` dims.

    >>> norm = LayerNorm(64)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        register_affine(self, shape, dtype, elementwise_affine, bias)
        self._place_on(device)

    def forward(self, input):
        if tuple(input.shape[input.ndim - len(self.normalized_shape):]) != self.normalized_shape:
            raise ValueError(f"LayerNorm: input of shape {tuple(input.shape)} does not end with the normalized "
                             f"shape {self.normalized_shape}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
