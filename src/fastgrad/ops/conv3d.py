"""3-d convolution as one 2-d convolution over depth slices.

For output depth index t, conv3d sums over the kernel's depth taps k the 2-d
convolutions of the input's depth plane t * stride_d + k * dilation_d with the
weight's slice k.  The KD planes each output depth needs are stacked into the
channel axis, (N * OD, groups * KD * C / groups, H, W), and the weight is laid out
to match, (O, KD * C / groups, KH, KW); one conv2d (im2col + GEMM, or oneDNN in
float32) then computes every output depth at once.  The depth padding is F.pad's,
the height and width padding conv2d's.  Every step is a differentiable op, so the
gradients (and second derivatives) come from theirs.
"""
from ..autograd.tensor import Tensor
from .conv import _check_ranks, _out_size, check_channels, conv2d, int_tuple
from .linear import _one_dtype
from .padding import pad
from .shape import permute, reshape, squeeze, stack, unsqueeze


def _padding3d(op, padding, kernel, stride, dilation):
    """((front, back), conv2d's padding) from an int, a triple, 'valid' or 'same'
    (PyTorch's split of 'same': the extra unit of an odd total goes to the back)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{op}: argument 'padding' must be 'valid', 'same', an int or a tuple of ints, "
                             f"got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride={stride})")
        total = dilation[0] * (kernel[0] - 1)
        return (total // 2, total - total // 2), "same"
    pd, ph, pw = int_tuple(op, "padding", padding, 3, 0)
    return (pd, pd), (ph, pw)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation as PyTorch's F.conv3d: input (N, C, D, H, W) or (C, D, H, W),
    weight (O, C / groups, KD, KH, KW), bias (O,) or None.

        out[n, o, t, i, j] = bias[o] + sum_{c, k, p, q} weight[o, c, k, p, q]
                             * input[n, g*C/groups + c, t*sd - pd + k*dd, i*sh - ph + p*dh, j*sw - pw + q*dw]

    (g = o // (O / groups)); padding is an int, a triple, 'valid' or 'same' (stride 1);
    the padding is zeros.

    >>> import fastgrad as fg
    >>> fg.nn.functional.conv3d(fg.ones((1, 1, 2, 2, 2)), fg.ones((1, 1, 2, 2, 2))).tolist()
    [[[[[8.0]]]]]
    """
    op = "conv3d"
    _check_ranks(op, 3, input, weight, groups, "out_channels, in_channels / groups")
    stride = int_tuple(op, "stride", stride, 3, 1)
    dilation = int_tuple(op, "dilation", dilation, 3, 1)
    groups = int(groups)
    unbatched = input.ndim == 4
    check_channels(op, input, weight, bias, groups, unbatched)
    out_channels, per_group = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    (front, back), plane_padding = _padding3d(op, padding, kernel, stride, dilation)
    spatial = tuple(input.shape[-3:])
    totals = (front + back,) + ((0, 0) if plane_padding == "same" else tuple(2 * p for p in plane_padding))
    sizes = [_out_size(s, p, k, st, d) for s, p, k, st, d in zip(spatial, totals, kernel, stride, dilation)]
    if plane_padding == "same":
        sizes[1:] = spatial[1:]
    if any(s < 1 for s in sizes):
        raise ValueError(f"{op}: the output would be empty: input of spatial size {spatial}, kernel {kernel}, "
                         f"padding {padding!r}, dilation {dilation}")
    input, weight, bias = _one_dtype(input, weight, bias)
    x = input if isinstance(input, Tensor) else Tensor(input)
    if unbatched:
        x = unsqueeze(x, 0)
    if front or back:
        x = pad(x, (0, 0, 0, 0, front, back))
    n, _, _, h, w = x.shape
    depth, kd = sizes[0], kernel[0]
    # the KD input planes each output depth reads: (N, C, KD, OD, H, W)
    taps = stack([x[:, :, k * dilation[0]:k * dilation[0] + stride[0] * (depth - 1) + 1:stride[0]]
                  for k in range(kd)], axis=2)
    taps = reshape(taps, (n, groups, per_group, kd, depth, h, w))
    planes = reshape(permute(taps, (0, 4, 1, 3, 2, 5, 6)), (n * depth, groups * kd * per_group, h, w))
    kernels = reshape(permute(weight, (0, 2, 1, 3, 4)), (out_channels, kd * per_group) + kernel[1:])
    out = conv2d(planes, kernels, bias, stride=stride[1:], padding=plane_padding, dilation=dilation[1:],
                 groups=groups)
    out = permute(reshape(out, (n, depth, out_channels) + tuple(out.shape[-2:])), (0, 2, 1, 3, 4))
    return squeeze(out, 0) if unbatched else out
