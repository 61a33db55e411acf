"""fractional_max_pool2d / fractional_max_pool3d: max pooling over pseudo-random windows.

Along an axis of size n pooled to m outputs with windows of k, each (N, C) plane draws one
u in [0, 1) and its windows start at

    start_i = floor((i + u) * alpha) - floor(u * alpha)   (i < m - 1),   start_{m-1} = n - k,
    alpha = (n - k) / (m - 1)

(computed in the input's precision, as PyTorch does), so the windows step by about n / m with
the steps' pattern set by u.  `_random_samples` (N, C, number of axes) gives the u's (for the 2-d
pooling, its first column is the width's and the second the height's, for the 3-d one they follow
the axes, PyTorch's layouts); otherwise they are drawn from fastgrad's generator.  The output is
the maximum of each window (the first one in row-major order); its gradient goes to that position.
"""
import numbers

import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor
from ..creation import default_generator
from .conv import int_tuple


def _sizes(op, dims, spatial, kernel, output_size, output_ratio):
    """The output's spatial sizes from output_size or output_ratio, checked against the input."""
    if (output_size is None) == (output_ratio is None):
        raise ValueError(f"{op} requires specifying either an output size, or a pooling ratio (exactly one)")
    if output_size is not None:
        sizes = int_tuple(op, "output_size", output_size, dims, 1)
    else:
        ratios = (output_ratio,) * dims if isinstance(output_ratio, numbers.Real) else tuple(output_ratio)
        if len(ratios) != dims or not all(isinstance(r, numbers.Real) and 0 < r < 1 for r in ratios):
            raise ValueError(f"{op}: output_ratio must be a number or {dims} numbers between 0 and 1 (exclusive), "
                             f"got {output_ratio!r}")
        sizes = tuple(int(s * r) for s, r in zip(spatial, ratios))
        if any(s < 1 for s in sizes):
            raise ValueError(f"{op}: output_ratio {output_ratio!r} gives an empty output for input size {spatial}")
    for axis, (n, m, k) in enumerate(zip(spatial, sizes, kernel)):
        if m + k - 1 > n:
            raise RuntimeError(f"{op}: pool size {k} of axis {axis} is too large for input size {n} and output size "
                               f"{m} (output + pool - 1 must be at most the input size)")
    return sizes


def _starts(samples, n, m, k, dtype):
    """(planes, m) window starts along one axis from each plane's sample u."""
    planes = samples.shape[0]
    starts = np.full((planes, m), n - k, dtype=np.int64)
    if m > 1:
        alpha = dtype.type(n - k) / dtype.type(m - 1)
        u = samples.astype(dtype)[:, None]
        steps = np.arange(m - 1, dtype=dtype)[None, :]
        starts[:, :-1] = ((steps + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    return starts


def _window_maxima(planes, flat):
    """The flat index of each window's maximum (the first in row-major order), windows given by
    their elements' flat indices `flat` (planes, windows, window size) into `planes` (planes, size)."""
    candidates = np.take_along_axis(planes, flat.reshape(flat.shape[0], -1), axis=1).reshape(flat.shape)
    return np.take_along_axis(flat, np.argmax(candidates, axis=-1)[..., None], axis=-1)[..., 0]


def _fractional_max_pool(op, dims, input, kernel_size, output_size, output_ratio, return_indices, random_samples):
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: input must be {dims + 2}-d (N, C, ...) or {dims + 1}-d unbatched, got shape "
                         f"{tuple(x.shape)}")
    dtype = x._data.dtype
    if not isinstance(x._data, np.ndarray) or dtype.kind != "f":
        raise TypeError(f"{op}: argument 'input' must be a floating NumPy-backed tensor, got dtype {dtype}")
    unbatched = x.ndim == dims + 1
    if unbatched:
        x = x.unsqueeze(0)
    n, c = x.shape[:2]
    spatial = tuple(x.shape[2:])
    if any(s == 0 for s in spatial):
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} has an empty spatial axis")
    kernel = int_tuple(op, "kernel_size", kernel_size, dims, 1)
    sizes = _sizes(op, dims, spatial, kernel, output_size, output_ratio)
    if random_samples is None:
        samples = default_generator().random((n, c, dims)).astype(dtype)
    else:
        samples = np.asarray(random_samples._data if isinstance(random_samples, Tensor) else random_samples)
        if samples.shape != (n, c, dims):
            raise ValueError(f"{op}: _random_samples must have shape {(n, c, dims)}, got {samples.shape}")
    samples = samples.reshape(n * c, dims)
    columns = (1, 0) if dims == 2 else (0, 1, 2)   # which sample each axis uses (PyTorch's layouts)
    # the flat index within a plane of every element of every window: (planes, *out sizes, *kernel)
    flat = np.zeros((n * c,) + sizes + kernel, dtype=np.int64)
    stride = 1
    for axis in reversed(range(dims)):
        starts = _starts(samples[:, columns[axis]], spatial[axis], sizes[axis], kernel[axis], dtype)
        offsets = starts[:, :, None] + np.arange(kernel[axis])[None, None, :]      # (planes, m, k)
        shape = [n * c] + [1] * (2 * dims)
        shape[1 + axis], shape[1 + dims + axis] = sizes[axis], kernel[axis]
        flat = flat + offsets.reshape(shape) * stride
        stride *= spatial[axis]
    flat = flat.reshape((n * c, -1, int(np.prod(kernel))))
    planes = x.reshape(n * c, -1)
    picked = capture.run(_window_maxima, planes._data, flat)
    out = planes.gather(1, Tensor(picked)).reshape(n, c, *sizes)
    index = Tensor(picked.reshape((n, c) + sizes))
    if unbatched:
        out, index = out.squeeze(0), index.squeeze(0)
    return (out, index) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling of (N, C, H, W) or (C, H, W) input over pseudo-random (kH, kW) windows to output_size
    (or int(input size * output_ratio)), as PyTorch's F.fractional_max_pool2d; with return_indices also
    the int64 index h * W + w of each maximum.

    >>> import fastgrad as fg
    >>> fractional_max_pool2d(fg.arange(16.0).reshape(1, 1, 4, 4), 2, output_size=2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _fractional_max_pool("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling of (N, C, T, H, W) or (C, T, H, W) input over pseudo-random (kT, kH, kW) windows, as
    PyTorch's F.fractional_max_pool3d; with return_indices also the int64 index t * H * W + h * W + w."""
    return _fractional_max_pool("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(fractional_max_pool2d(input, ...), the indices); return_indices is ignored."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(fractional_max_pool3d(input, ...), the indices); return_indices is ignored."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
