"""Max, average and adaptive pooling over the last one or two axes.

Each pooling is one C pass forward and one backward (csrc/pool.c) over the
(height, width) planes; the windows (start, count and divisor per output row
and column) are computed here, so plain, padded, ceil-mode, dilated and
adaptive pooling share the kernels.  Max pooling saves the int32 plane
index of each maximum and nothing else; average pooling saves nothing.
1-d pooling is 2-d pooling of height-1 planes.
"""
import numbers

from ..autograd.primitive import Primitive as Function
from .conv import int_tuple
from .shape import squeeze, unsqueeze


class MaxPool(Function):
    @staticmethod
    def forward(ctx, b, x, windows=None, keep_index=None):
        y, index = b.max_pool2d_fwd(x, **windows)
        ctx.index, ctx.plane = index, tuple(x.shape[-2:])
        if keep_index is not None:
            keep_index.append(index)
        return y

    @staticmethod
    def backward(ctx, b, g):
        height, width = ctx.plane
        return (b.max_pool2d_bwd(g, index=ctx.index, height=height, width=width),)


class AvgPool(Function):
    @staticmethod
    def forward(ctx, b, x, windows=None):
        ctx.windows, ctx.plane = windows, tuple(x.shape[-2:])
        return b.avg_pool2d_fwd(x, **windows)

    @staticmethod
    def backward(ctx, b, g):
        height, width = ctx.plane
        return (b.avg_pool2d_bwd(g, height=height, width=width, **ctx.windows),)


# ---- windows --------------------------------------------------------------------------------

def _sliding(op, size, kernel, stride, padding, dilation, ceil_mode):
    """(starts, counts) of the windows along one axis, with PyTorch's output size."""
    extent = dilation * (kernel - 1) + 1
    if padding > extent // 2:
        raise ValueError(f"{op}: padding ({padding}) should be at most half of the kernel size ({kernel})")
    span = size + 2 * padding - extent
    if span < 0:
        raise ValueError(f"{op}: the output would be empty: input size {size}, kernel {kernel}, padding {padding}, "
                         f"dilation {dilation}")
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start inside the right padding
    return tuple(i * stride - padding for i in range(out)), (kernel,) * out


def _adaptive(size, out):
    starts = tuple(i * size // out for i in range(out))
    ends = tuple(-(-(i + 1) * size // out) for i in range(out))
    return starts, tuple(e - s for s, e in zip(starts, ends))


def _average_divisors(starts, kernel, size, padding, count_include_pad):
    if count_include_pad:
        return tuple(float(min(s + kernel, size + padding) - s) for s in starts)
    return tuple(float(min(s + kernel, size) - max(s, 0)) for s in starts)


# ---- public functions --------------------------------------------------------------------

def _planes(op, input, dims):
    """input as (..., H, W) planes: 1-d pooling adds a height-1 axis; checks the rank."""
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: input must be a tensor or an array, got {type(input).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: input must be {dims + 1}-d or {dims + 2}-d (batch axis optional), got shape "
                         f"{tuple(input.shape)}")
    if any(s == 0 for s in input.shape[-dims:]):
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} has an empty spatial axis")
    return unsqueeze(input, -2) if dims == 1 else input


def _sliding_windows(op, input, dims, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = int_tuple(op, "kernel_size", kernel_size, dims, 1)
    stride = kernel if stride is None or stride == () or stride == [] else int_tuple(op, "stride", stride, dims, 1)
    padding = int_tuple(op, "padding", padding, dims, 0)
    dilation = int_tuple(op, "dilation", dilation, dims, 1)
    if dims == 1:
        kernel, stride, padding, dilation = (1,) + kernel, (1,) + stride, (0,) + padding, (1,) + dilation
    sizes = tuple(input.shape[-2:]) if dims == 2 else (1, input.shape[-1])
    (hs, hc), (ws, wc) = (_sliding(op, sizes[k], kernel[k], stride[k], padding[k], dilation[k], ceil_mode)
                          for k in range(2))
    return dict(h_start=hs, h_count=hc, w_start=ws, w_count=wc, dilation=dilation), kernel, padding, sizes


def _max(input, windows, return_indices, dims):
    keep = [] if return_indices else None
    out = MaxPool.apply(input, windows=windows, keep_index=keep)
    if dims == 1:
        out = squeeze(out, -2)
    if not return_indices:
        return out
    from ..autograd.tensor import Tensor

    index = keep[0].astype("int64")
    return out, Tensor(index.reshape(out.shape))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each (kH, kW) window of the last two axes, as PyTorch's F.max_pool2d:

        out[..., i, j] = max_{p, q} input[..., i*sh - ph + p*dh, j*sw - pw + q*dw]

    over positions inside the input (the padding is never the maximum); NaN if
    the window holds a NaN.  stride defaults to kernel_size.  With
    return_indices, also the int64 index h * W + w of each maximum.

    >>> import fastgrad as fg
    >>> x = fg.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    >>> fg.nn.functional.max_pool2d(x, 2).tolist()
    [[[4.0]]]
    """
    op = "max_pool2d"
    x = _planes(op, input, 2)
    windows, *_ = _sliding_windows(op, x, 2, kernel_size, stride, padding, dilation, ceil_mode)
    return _max(x, windows, return_indices, 2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each window of the last axis, as PyTorch's F.max_pool1d:
    out[..., i] = max_p input[..., i*s - pad + p*d] (see max_pool2d).

    >>> import fastgrad as fg
    >>> fg.nn.functional.max_pool1d(fg.tensor([[1.0, 3.0, 2.0, 0.0]]), 2).tolist()
    [[3.0, 2.0]]
    """
    op = "max_pool1d"
    x = _planes(op, input, 1)
    windows, *_ = _sliding_windows(op, x, 1, kernel_size, stride, padding, dilation, ceil_mode)
    return _max(x, windows, return_indices, 1)


def _avg(op, input, dims, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x = _planes(op, input, dims)
    windows, kernel, pads, sizes = _sliding_windows(op, x, dims, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if not isinstance(divisor_override, numbers.Integral) or divisor_override <= 0:
            raise ValueError(f"{op}: argument 'divisor_override' must be a positive int, got {divisor_override!r}")
        windows["h_divisor"] = (float(divisor_override),) * len(windows["h_start"])
        windows["w_divisor"] = (1.0,) * len(windows["w_start"])
    else:
        windows["h_divisor"] = _average_divisors(windows["h_start"], kernel[0], sizes[0], pads[0], count_include_pad)
        windows["w_divisor"] = _average_divisors(windows["w_start"], kernel[1], sizes[1], pads[1], count_include_pad)
    out = AvgPool.apply(x, windows=windows)
    return squeeze(out, -2) if dims == 1 else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over each (kH, kW) window of the last two axes, as PyTorch's F.avg_pool2d:

        out[..., i, j] = sum_{p, q} input[..., i*sh - ph + p, j*sw - pw + q] / divisor

    the divisor being the window's size counting the zero padding
    (count_include_pad=True) or not, or divisor_override.

    >>> import fastgrad as fg
    >>> fg.nn.functional.avg_pool2d(fg.tensor([[[1.0, 2.0], [3.0, 4.0]]]), 2).tolist()
    [[[2.5]]]
    """
    return _avg("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over each window of the last axis, as PyTorch's F.avg_pool1d (see avg_pool2d).

    >>> import fastgrad as fg
    >>> fg.nn.functional.avg_pool1d(fg.tensor([[1.0, 3.0, 2.0, 0.0]]), 2).tolist()
    [[2.0, 1.0]]
    """
    return _avg("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def adaptive_axes(op, x, output_size, n):
    """(starts, counts) of the windows that split each of x's last n axes into output_size
    (an int, or n ints or None, None keeping that axis's size)."""
    if isinstance(output_size, numbers.Integral) and not isinstance(output_size, bool):
        output_size = (output_size,) * n
    if not isinstance(output_size, (tuple, list)) or len(output_size) != n:
        raise TypeError(f"{op}: argument 'output_size' must be an int or a {('pair', 'triple')[n - 2]} (None keeps "
                        f"the input's size), got {output_size!r}")
    sizes = tuple(x.shape[-n:])
    out = tuple(s if o is None else o for o, s in zip(output_size, sizes))
    if not all(isinstance(o, numbers.Integral) and not isinstance(o, bool) and o >= 1 for o in out):
        raise ValueError(f"{op}: argument 'output_size' must hold positive ints or None, got {output_size!r}")
    return [_adaptive(s, int(o)) for s, o in zip(sizes, out)]


def _adaptive_windows(op, x, output_size):
    (hs, hc), (ws, wc) = adaptive_axes(op, x, output_size, 2)
    return dict(h_start=hs, h_count=hc, w_start=ws, w_count=wc)


def adaptive_avg_pool2d(input, output_size):
    """Mean over windows that split the last two axes into output_size (oH, oW), as
    PyTorch's F.adaptive_avg_pool2d: window i spans [floor(i H / oH), ceil((i + 1) H / oH)).

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_avg_pool2d(fg.tensor([[[1.0, 2.0], [3.0, 4.0]]]), 1).tolist()
    [[[2.5]]]
    """
    op = "adaptive_avg_pool2d"
    x = _planes(op, input, 2)
    windows = _adaptive_windows(op, x, output_size)
    windows["h_divisor"] = tuple(float(c) for c in windows["h_count"])
    windows["w_divisor"] = tuple(float(c) for c in windows["w_count"])
    return AvgPool.apply(x, windows=windows)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maximum over windows that split the last two axes into output_size, as PyTorch's
    F.adaptive_max_pool2d (windows as in adaptive_avg_pool2d).

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_max_pool2d(fg.tensor([[[1.0, 2.0], [3.0, 4.0]]]), (1, 2)).tolist()
    [[[3.0, 4.0]]]
    """
    op = "adaptive_max_pool2d"
    x = _planes(op, input, 2)
    return _max(x, _adaptive_windows(op, x, output_size), return_indices, 2)


def _adaptive_1d_size(op, output_size):
    """output_size of a 1-d adaptive pooling (an int, or a tuple of one int) as the pair (1, L_out)."""
    if isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = output_size[0]
    if not isinstance(output_size, numbers.Integral) or isinstance(output_size, bool) or output_size < 1:
        raise ValueError(f"{op}: argument 'output_size' must be a positive int, got {output_size!r}")
    return (1, int(output_size))


def adaptive_avg_pool1d(input, output_size):
    """Mean over windows that split the last axis into output_size, as PyTorch's
    F.adaptive_avg_pool1d (windows as in adaptive_avg_pool2d).

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_avg_pool1d(fg.tensor([[1.0, 2.0, 3.0]]), 2).tolist()
    [[1.5, 2.5]]
    """
    op = "adaptive_avg_pool1d"
    size = _adaptive_1d_size(op, output_size)
    return squeeze(adaptive_avg_pool2d(_planes(op, input, 1), size), -2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Maximum over windows that split the last axis into output_size, as PyTorch's
    F.adaptive_max_pool1d; with return_indices, also the int64 position of each maximum.

    >>> import fastgrad as fg
    >>> fg.nn.functional.adaptive_max_pool1d(fg.tensor([[1.0, 3.0, 2.0]]), 2).tolist()
    [[3.0, 3.0]]
    """
    op = "adaptive_max_pool1d"
    size = _adaptive_1d_size(op, output_size)
    x = _planes(op, input, 1)
    return _max(x, _adaptive_windows(op, x, size), return_indices, 1)
