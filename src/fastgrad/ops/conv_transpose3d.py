"""3-d transposed convolution: the adjoint of conv3d in its input, built from conv_transpose2d.

conv3d reads input depth t * sd - pd + k * dd for output depth t and kernel depth tap k, so
its adjoint sends input depth s, through tap k, to output depth s * sd - pd + k * dd.  All
KD taps run in one conv_transpose2d over the (N * D) depth planes, the taps stacked in the
output channels (weight laid out (C_in, KD * C_out / groups, KH, KW) per group); each tap's
planes are then spread along depth with stride sd (zeros between), shifted by k * dd and
summed, and the depth padding is cut off (output_padding adds zeros at the back).  Every
step is a differentiable op, so the gradients (and second derivatives) come from theirs.
"""
from ..autograd.tensor import Tensor
from ..backend import namespace_of
from .conv import _check_ranks, _transposed_size, conv_transpose2d, int_tuple
from .linear import _one_dtype
from .padding import pad
from .shape import permute, reshape, squeeze, stack, unsqueeze


def _check(op, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """The arguments as tuples of three ints, after PyTorch's checks of every one of them."""
    _check_ranks(op, 3, input, weight, groups, "in_channels, out_channels / groups")
    stride = int_tuple(op, "stride", stride, 3, 1)
    padding = int_tuple(op, "padding", padding, 3, 0)
    output_padding = int_tuple(op, "output_padding", output_padding, 3, 0)
    dilation = int_tuple(op, "dilation", dilation, 3, 1)
    if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either stride {stride} or "
                         f"dilation {dilation}")
    channels = input.shape[0 if input.ndim == 4 else 1]
    if weight.shape[0] != channels or channels % groups:
        raise ValueError(f"{op}: input has {channels} channels (shape {tuple(input.shape)}) but weight of shape "
                         f"{tuple(weight.shape)} with groups={groups} expects {weight.shape[0]}, divisible by groups")
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{op}: bias has shape {tuple(bias.shape)}, expected ({out_channels},)")
    sizes = [_transposed_size(s, st, p, d, k, o) for s, st, p, d, k, o in
             zip(input.shape[-3:], stride, padding, dilation, weight.shape[2:], output_padding)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"{op}: the output would be empty (size {tuple(sizes)}): padding {padding} is too large")
    return stride, padding, output_padding, dilation, sizes


def _spread(planes, stride):
    """(N, D, ...) -> (N, (D - 1) * stride + 1, ...): the planes `stride` apart, zeros between."""
    if stride == 1:
        return planes
    n, depth = planes.shape[:2]
    rest = tuple(planes.shape[2:])
    data = planes._data
    gaps = Tensor(namespace_of(data).zeros_like(data))
    interleaved = stack([planes] + [gaps] * (stride - 1), axis=2)
    return reshape(interleaved, (n, depth * stride) + rest)[:, :(depth - 1) * stride + 1]


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution as PyTorch's F.conv_transpose3d: input (N, C_in, D, H, W) or
    (C_in, D, H, W), weight (C_in, C_out / groups, KD, KH, KW), bias (C_out,) or None.  It is the
    gradient of conv3d with respect to its input; each output size is
    (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1:

        out[n, o, s*sd - pd + k*dd, i*sh - ph + p*dh, j*sw - pw + q*dw] += input[n, c, s, i, j] * weight[c, o', k, p, q]

    for the channels c of o's group (o' = o mod C_out / groups).

    >>> import fastgrad as fg
    >>> fg.nn.functional.conv_transpose3d(fg.ones((1, 1, 1, 1, 2)), fg.ones((1, 1, 2, 1, 1))).tolist()
    [[[[[1.0, 1.0]], [[1.0, 1.0]]]]]
    """
    op = "conv_transpose3d"
    stride, padding, output_padding, dilation, sizes = _check(op, input, weight, bias, stride, padding,
                                                              output_padding, groups, dilation)
    groups = int(groups)
    input, weight, bias = _one_dtype(input, weight, bias)
    x = input if isinstance(input, Tensor) else Tensor(input)
    unbatched = x.ndim == 4
    if unbatched:
        x = unsqueeze(x, 0)
    n, c, depth, h, w = x.shape
    per_group, kd = weight.shape[1], weight.shape[2]
    # every tap k's output channels side by side within each group: (C_in, groups' KD * C_out / groups, KH, KW)
    kernels = reshape(permute(weight, (0, 2, 1, 3, 4)), (c, kd * per_group) + tuple(weight.shape[3:]))
    planes = reshape(permute(x, (0, 2, 1, 3, 4)), (n * depth, c, h, w))
    spread = conv_transpose2d(planes, kernels, None, stride[1:], padding[1:], output_padding[1:], groups,
                              dilation[1:])
    oh, ow = spread.shape[-2:]
    # (N, D, groups, KD, C_out / groups, OH, OW) -> per tap k: (N, D, C_out, OH, OW)
    taps = reshape(spread, (n, depth, groups, kd, per_group, oh, ow))
    full = (depth - 1) * stride[0] + dilation[0] * (kd - 1) + 1
    total = None
    for k in range(kd):
        tap = reshape(taps[:, :, :, k], (n, depth, groups * per_group, oh, ow))
        tap = _spread(tap, stride[0])
        front = k * dilation[0]
        tap = pad(tap, (0, 0, 0, 0, 0, 0, front, full - front - tap.shape[1]))
        total = tap if total is None else total + tap
    back = padding[0] + sizes[0] - full   # > 0 when output_padding reaches past the last plane
    if back > 0:
        total = pad(total, (0, 0, 0, 0, 0, 0, 0, back))
    out = permute(total[:, padding[0]:padding[0] + sizes[0]], (0, 2, 1, 3, 4))
    if bias is not None:
        out = out + reshape(bias, (1, -1, 1, 1, 1))
    return squeeze(out, 0) if unbatched else out
