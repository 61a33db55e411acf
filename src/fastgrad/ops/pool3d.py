"""3-d max, average and adaptive pooling as two passes of the 2-d pooling kernels.

A 3-d window is a depth range times a (height, width) window, and both the
maximum and the window sum separate along those: the first pass pools each
(H, W) plane of every depth (MaxPool / AvgPool of ops/pool.py, csrc/pool.c), the
second pools the depth axis of the result seen as (D, OH * OW) planes with
one-column windows.  The maximum found is the first in (depth, height, width)
order, as in one pass; an average's divisor is the product of the per-axis
ones, each pass dividing by its own.  Both passes are differentiable primitives.
"""
import numbers

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from .conv import int_tuple
from .pool import AvgPool, MaxPool, _average_divisors, _sliding, adaptive_axes
from .shape import reshape


def _volumes(op, input):
    """input (N, C, D, H, W) or (C, D, H, W), checked."""
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: input must be a tensor or an array, got {type(input).__name__}")
    if input.ndim not in (4, 5):
        raise ValueError(f"{op}: input must be 4-d (C, D, H, W) or 5-d (N, C, D, H, W), got shape "
                         f"{tuple(input.shape)}")
    if any(s == 0 for s in input.shape[-3:]):
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} has an empty spatial axis")
    return input


def _passes(x, axes, dilation=(1, 1, 1), divisors=None):
    """The (H, W) windows and the depth windows of the two passes; `axes` holds (starts, counts)
    per axis (depth, height, width), `divisors` the average's divisors per axis."""
    (ds, dc), (hs, hc), (ws, wc) = axes
    columns = len(hs) * len(ws)
    plane = dict(h_start=hs, h_count=hc, w_start=ws, w_count=wc, dilation=dilation[1:])
    depth = dict(h_start=ds, h_count=dc, w_start=tuple(range(columns)), w_count=(1,) * columns,
                 dilation=(dilation[0], 1))
    if divisors is not None:
        plane.update(h_divisor=divisors[1], w_divisor=divisors[2])
        depth.update(h_divisor=divisors[0], w_divisor=(1.0,) * columns)
    return plane, depth


def _pooled(x, axes, plane, depth, pool, keep=None):
    lead = tuple(x.shape[:-3])
    y = pool(x, plane, keep)
    y = pool(reshape(y, lead + (x.shape[-3], y.shape[-2] * y.shape[-1])), depth, keep)
    return reshape(y, lead + tuple(len(a[0]) for a in axes))


def _max_pooled(x, axes, dilation, return_indices):
    plane, depth = _passes(x, axes, dilation)
    keep = [] if return_indices else None
    out = _pooled(x, axes, plane, depth, lambda a, w, k: MaxPool.apply(a, windows=w, keep_index=k), keep)
    if not return_indices:
        return out
    return out, Tensor(_volume_index(keep[0], keep[1], tuple(x.shape[-2:]), out.shape))


def _volume_index(plane_index, depth_index, plane, shape):
    """The int64 index d * H * W + h * W + w of each maximum, from the plane pass's h * W + w
    (per depth) and the depth pass's d * columns + column."""
    xp = namespace_of(plane_index)
    columns = plane_index.shape[-1] * plane_index.shape[-2]
    planes = xp.reshape(xp.astype(plane_index, xp.int64), tuple(plane_index.shape[:-2]) + (columns,))
    d = xp.astype(depth_index, xp.int64) // columns
    within = xp.take_along_axis(planes, d, axis=-2)
    return xp.reshape(d * (plane[0] * plane[1]) + within, tuple(shape))


def _sliding3d(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = int_tuple(op, "kernel_size", kernel_size, 3, 1)
    stride = kernel if stride is None or stride == () or stride == [] else int_tuple(op, "stride", stride, 3, 1)
    padding = int_tuple(op, "padding", padding, 3, 0)
    dilation = int_tuple(op, "dilation", dilation, 3, 1)
    sizes = tuple(x.shape[-3:])
    axes = [_sliding(op, sizes[k], kernel[k], stride[k], padding[k], dilation[k], ceil_mode) for k in range(3)]
    return axes, kernel, padding, dilation, sizes


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each (kD, kH, kW) window of the last three axes, as PyTorch's F.max_pool3d:

        out[..., t, i, j] = max_{k, p, q} input[..., t*sd - pd + k*dd, i*sh - ph + p*dh, j*sw - pw + q*dw]

    over positions inside the input (the padding is never the maximum); NaN if the window
    holds a NaN.  stride defaults to kernel_size.  With return_indices, also the int64
    index d * H * W + h * W + w of each maximum.

    >>> import fastgrad as fg
    >>> fg.nn.functional.max_pool3d(fg.arange(8.0).reshape(1, 2, 2, 2), 2).tolist()
    [[[[7.0]]]]
    """
    op = "max_pool3d"
    x = _volumes(op, input)
    axes, _, _, dilation, _ = _sliding3d(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pooled(x, axes, dilation, return_indices)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over each (kD, kH, kW) window of the last three axes, as PyTorch's F.avg_pool3d:

        out[..., t, i, j] = sum_{k, p, q} input[..., t*sd - pd + k, i*sh - ph + p, j*sw - pw + q] / divisor

    the divisor being the window's size counting the zero padding (count_include_pad=True)
    or not, or divisor_override.

    >>> import fastgrad as fg
    >>> fg.nn.functional.avg_pool3d(fg.arange(8.0).reshape(1, 2, 2, 2), 2).tolist()
    [[[[3.5]]]]
    """
    op = "avg_pool3d"
    x = _volumes(op, input)
    axes, kernel, pads, _, sizes = _sliding3d(op, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if (not isinstance(divisor_override, numbers.Integral) or isinstance(divisor_override, bool)
                or divisor_override <= 0):
            raise ValueError(f"{op}: argument 'divisor_override' must be a positive int, got {divisor_override!r}")
        divisors = [(float(divisor_override),) * len(axes[0][0])] + [(1.0,) * len(a[0]) for a in axes[1:]]
    else:
        divisors = [_average_divisors(a[0], k, s, p, count_include_pad)
                    for a, k, s, p in zip(axes, kernel, sizes, pads)]
    return _averaged(x, axes, divisors)


def _averaged(x, axes, divisors):
    plane, depth = _passes(x, axes, divisors=divisors)
    return _pooled(x, axes, plane, depth, lambda a, w, k: AvgPool.apply(a, windows=w))


def adaptive_avg_pool3d(input, output_size):
    """Mean over windows that split the last three axes into output_size (oD, oH, oW), as
    PyTorch's F.adaptive_avg_pool3d: window i of an axis of size S spans
    [floor(i S / o), ceil((i + 1) S / o)).

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_avg_pool3d(fg.arange(8.0).reshape(1, 2, 2, 2), 1).tolist()
    [[[[3.5]]]]
    """
    op = "adaptive_avg_pool3d"
    x = _volumes(op, input)
    axes = adaptive_axes(op, x, output_size, 3)
    return _averaged(x, axes, [tuple(float(c) for c in counts) for _, counts in axes])


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Maximum over windows that split the last three axes into output_size, as PyTorch's
    F.adaptive_max_pool3d (windows as in adaptive_avg_pool3d); with return_indices, also the
    int64 index d * H * W + h * W + w of each maximum.

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_max_pool3d(fg.arange(8.0).reshape(1, 2, 2, 2), (1, 1, 2)).tolist()
    [[[[6.0, 7.0]]]]
    """
    op = "adaptive_max_pool3d"
    x = _volumes(op, input)
    return _max_pooled(x, adaptive_axes(op, x, output_size, 3), (1, 1, 1), return_indices)
