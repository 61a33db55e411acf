"""max_unpool1d / max_unpool2d / max_unpool3d: the partial inverse of max pooling.  Each input value is written
at the flat position its index names within its (N, C) plane of the output, zeros elsewhere
(a scatter, whose gradient gathers the output gradient at the same indices)."""
import numpy as np

from ..autograd.tensor import Tensor
from ..creation import zeros
from .conv import int_tuple
from .gathering import scatter


def _output_size(op, spatial, kernel, stride, padding, output_size):
    """PyTorch's unpooled size: (in - 1) * stride + kernel - 2 * padding, or output_size checked against it."""
    default = tuple((s - 1) * st + k - 2 * p for s, st, k, p in zip(spatial, stride, kernel, padding))
    if output_size is None:
        return default
    size = tuple(int(v) for v in output_size)
    if len(size) == len(kernel) + 2:
        size = size[2:]
    if len(size) != len(kernel):
        raise ValueError(f"{op}: argument 'output_size' must have {len(kernel)} or {len(kernel) + 2} elements, "
                         f"got {tuple(output_size)}")
    for d, (s, expected, st) in enumerate(zip(size, default, stride)):
        if not expected - st < s < expected + st:
            raise ValueError(f"{op}: invalid output_size {tuple(output_size)} (dim {d} must be between "
                             f"{expected - st} and {expected + st}, exclusive)")
    return size


def _unpool(op, dims, input, indices, kernel_size, stride, padding, output_size):
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: input must be {dims + 2}-d (N, C, ...) or {dims + 1}-d unbatched, got shape "
                         f"{tuple(x.shape)}")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'indices' must hold integers, got dtype {idx.dtype}")
    if idx.shape != tuple(x.shape):
        raise ValueError(f"{op}: indices of shape {idx.shape} must have the input's shape {tuple(x.shape)}")
    kernel = int_tuple(op, "kernel_size", kernel_size, dims, 1)
    stride = kernel if stride is None else int_tuple(op, "stride", stride, dims, 1)
    padding = int_tuple(op, "padding", padding, dims, 0)
    size = _output_size(op, x.shape[-dims:], kernel, stride, padding, output_size)
    if any(s < 1 for s in size):
        raise ValueError(f"{op}: the output would be empty (size {size}) for input {tuple(x.shape)}, kernel_size "
                         f"{kernel}, stride {stride} and padding {padding}")
    positions = int(np.prod(size))
    if idx.size and (idx.min() < 0 or idx.max() >= positions):
        raise IndexError(f"{op}: found an invalid max index {idx.min() if idx.min() < 0 else idx.max()} (the "
                         f"output planes have {positions} positions, size {size})")
    lead = tuple(x.shape[:-dims])
    planes = int(np.prod(lead))
    flat = x.reshape(planes, -1)
    out = zeros(planes, positions, dtype=x.dtype)
    out = scatter(out, 1, idx.reshape(planes, -1).astype(np.int64), flat)
    return out.reshape(*lead, *size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, L) values and max_pool1d's indices -> (N, C, L_out), each value at its index, zeros elsewhere."""
    return _unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, H, W) values and max_pool2d's indices (flat within each H_out * W_out plane) -> (N, C, H_out, W_out).

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> y, i = F.max_pool2d(fg.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> F.max_unpool2d(y, i, 2)[0, 0].tolist()[1]
    [0.0, 5.0, 0.0, 7.0]
    """
    return _unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, D, H, W) values and max_pool3d's indices (flat within each D_out * H_out * W_out
    volume) -> (N, C, D_out, H_out, W_out), each value at its index, zeros elsewhere.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> y, i = F.max_pool3d(fg.arange(8.0).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
    >>> F.max_unpool3d(y, i, 2).flatten().tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0]
    """
    return _unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)
