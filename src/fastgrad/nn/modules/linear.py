"""Linear (y = x W^T + b, PyTorch's initialisation), Identity and Flatten."""
import math
from typing import Any

import numpy as np

from ... import ops
from ...dtypes import get_default_dtype
from .. import init
from ..parameter import Parameter
from .. import functional as F
from .activation import ReLU
from .container import FUSED_PAIRS, runs_as_written
from .module import Module


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as PyTorch does: weight and bias ~ U(-1/sqrt(in_features),
    1/sqrt(in_features)) (kaiming_uniform_ with a = sqrt(5)).  The forward is
    `nn.functional.linear` (a BLAS GEMM and a fused bias epilogue).

    >>> layer = Linear(10, 1)
    >>> layer(fastgrad.randn(32, 10)).shape
    (32, 1)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        add_weight_and_bias(self, (out_features, in_features), out_features if bias else None, dtype)
        self.reset_parameters()
        self._place_on(device)

    def reset_parameters(self):
        reset_weight_and_bias(self.weight, self.bias, self.in_features)

    def forward(self, input):
        d = self.__dict__
        params = d["_parameters"]
        if type(self) is Linear and "weight" in params and "bias" in params and "weight" not in d and "bias" not in d:
            # what self.weight and self.bias return here (Module.__getattr__), read without the attribute hook
            return F.linear(input, params["weight"], params["bias"])
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _linear_then_relu(linear, following, x):
    """relu(linear(x)) with relu applied in the linear layer's bias pass (one op, the same bits as
    the two modules one after the other), for a Sequential whose Linear is followed by a ReLU;
    None (run them one by one) when either has hooks or its own forward, or the next module is not
    exactly ReLU."""
    if type(following) is not ReLU or not (runs_as_written(linear) and runs_as_written(following)):
        return None
    return ops.linear(x, linear.weight, linear.bias, activation="relu")


FUSED_PAIRS[Linear] = _linear_then_relu


def add_weight_and_bias(module, weight_shape, bias_features, dtype):
    """module.weight: an uninitialised Parameter of weight_shape; module.bias: one of
    (bias_features,), or None when bias_features is None; dtype None means the default dtype."""
    dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
    module.weight = Parameter(np.empty(weight_shape, dtype=dtype))
    if bias_features is not None:
        module.bias = Parameter(np.empty((bias_features,), dtype=dtype))
    else:
        module.register_parameter("bias", None)


def reset_weight_and_bias(weight, bias, fan_in):
    """PyTorch's initialisation of linear and convolution layers: kaiming_uniform_(a=sqrt(5)) for
    the weight, which gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and that same range for the bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under the name PyTorch gives MultiheadAttention's out_proj, so that a model with
    attention prints as it does in PyTorch."""


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flattens dimensions start_dim..end_dim into one (default: all but the batch dimension)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dimension `dim` into `unflattened_size` (one entry may be -1), the inverse of Flatten.

    >>> Unflatten(1, (2, 3))(fastgrad.ones(4, 6)).shape
    (4, 2, 3)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        sizes = tuple(unflattened_size) if isinstance(unflattened_size, (tuple, list)) else None
        if not isinstance(dim, int) or sizes is None or not all(isinstance(s, int) for s in sizes) \
                or sum(s == -1 for s in sizes) > 1 or any(s < -1 for s in sizes):
            raise TypeError(f"Unflatten: dim must be an int and unflattened_size a tuple of ints (at most one -1), "
                            f"got {dim!r} and {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = sizes

    def forward(self, input):
        dim = self.dim + input.ndim if self.dim < 0 else self.dim
        if not 0 <= dim < input.ndim:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for an input of shape {tuple(input.shape)}")
        size = input.shape[dim]
        known = math.prod(s for s in self.unflattened_size if s != -1)
        sizes = tuple(size // known if s == -1 and known else s for s in self.unflattened_size)
        if math.prod(sizes) != size:
            raise ValueError(f"Unflatten: unflattened_size {self.unflattened_size} does not multiply to the size "
                             f"{size} of dim {self.dim} (input shape {tuple(input.shape)})")
        return ops.reshape(input, tuple(input.shape[:dim]) + sizes + tuple(input.shape[dim + 1:]))

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Bilinear(Module):
    """y = x1^T A x2 + b for each output feature, as PyTorch's nn.Bilinear (F.bilinear).

    weight (out_features, in1_features, in2_features) and bias (out_features,), both
    ~ U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

    >>> Bilinear(4, 3, 5)(fastgrad.randn(2, 4), fastgrad.randn(2, 3)).shape
    (2, 5)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        add_weight_and_bias(self, (out_features, in1_features, in2_features), out_features if bias else None, dtype)
        self.reset_parameters()
        self._place_on(device)

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
