"""Convolutions as one patch gather (im2col) and one GEMM per group.

Forward: the C kernel im2col_fwd gathers the patch matrix col
(N * OH * OW, C * KH * KW); z = col @ W^T (the backend's matmul: gemm() for
NumPy arrays) is (N * OH * OW, O); the bias is added in place by the linear
layer's fused epilogue; the result is viewed as (N, O, OH, OW).  Backward:
gz is the output gradient as (N * OH * OW, O); gW = gz^T @ col, gcol = gz @ W,
and col2im (im2col_bwd) adds gcol back onto the input positions.  The patch
matrix is saved for the weight gradient.  conv1d is conv2d on a height-1 image.

float32 NumPy arrays go to oneDNN's convolution primitives instead when it is
installed (see fastgrad.backend.onednn_conv): one call each for the forward,
the input gradient and the weight and bias gradients; no patch matrix is made.
"""
import numbers

from .. import _C
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend.mixed_precision import autocast_backend
from ..backend.numpy_backend import NumpyBackend
from ..backend.onednn_conv import runs_on_onednn
from .linear import _one_dtype
from .shape import squeeze, unsqueeze

_ACTIVATIONS = {None: "none", "none": "none", "relu": "relu"}  # what a convolution may fuse into its output


def _products(b, a, w, groups, transpose_w):
    """Per group g: a[:, cols of g] @ (w[rows of g].T if transpose_w else w[rows of g]), side by side."""
    xp = b.xp
    if groups == 1:
        return b.matmul(a, xp.matrix_transpose(w) if transpose_w else w)
    ka, kw = a.shape[1] // groups, w.shape[0] // groups
    parts = []
    for g in range(groups):
        wg = w[g * kw:(g + 1) * kw]
        parts.append(b.matmul(a[:, g * ka:(g + 1) * ka], xp.matrix_transpose(wg) if transpose_w else wg))
    return xp.concat(parts, axis=1)


class Conv2d(Function):
    @staticmethod
    def forward(ctx, b, x, weight, bias=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1,
                activation="none"):
        b = autocast_backend(ctx, b)
        xp = b.xp
        n, c, h, w = x.shape
        o, cg, kh, kw = weight.shape
        top, bottom, left, right = padding
        oh = _out_size(h, top + bottom, kh, stride[0], dilation[0])
        ow = _out_size(w, left + right, kw, stride[1], dilation[1])
        geometry = dict(kernel_size=(kh, kw), stride=stride, padding=(top, left), dilation=dilation,
                        out_size=(oh, ow))
        ctx.geometry, ctx.groups, ctx.input_shape, ctx.activation = geometry, groups, (n, c, h, w), activation
        ctx.onednn = n > 0 and type(b) is NumpyBackend and runs_on_onednn(x, weight, bias)
        if ctx.onednn:
            ctx.arguments = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                                 relu=activation == "relu")
            y = _C.onednn_conv_forward(x, weight, bias, **ctx.arguments)
            ctx.save_for_backward(x, weight, bias, y if activation == "relu" else None, None)
            return y
        col = b.im2col_fwd(x, **geometry)
        z = _products(b, col, xp.reshape(weight, (o, cg * kh * kw)), groups, transpose_w=True)
        if bias is not None or activation != "none":
            z, _ = b.bias_act_fwd(z, bias=bias, activation=activation, inplace=True)
        y = xp.permute_dims(xp.reshape(z, (n, oh, ow, o)), (0, 3, 1, 2))
        ctx.save_for_backward(x, weight, bias, y if activation == "relu" else None, col)
        return y

    @staticmethod
    def backward(ctx, b, g):
        x, weight, bias, y, col = ctx.saved_arrays
        xp = b.xp
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        o, cg, kh, kw = weight.shape
        n, _, oh, ow = g.shape
        differentiable = isinstance(weight, Tensor) or isinstance(x, Tensor)
        if ctx.onednn and not differentiable:
            return _onednn_backward(ctx, x, weight, bias is not None, _C.relu_bwd(y, g) if y is not None else g)
        if differentiable or col is None:
            # NOTE: with create_graph the patches are gathered again from x, so that
            # second derivatives see how they depend on it.
            col = b.im2col_fwd(x, **ctx.geometry)
        # gz: the output gradient as (N * OH * OW, O), through relu's mask when fused; gb its column sums
        gz = xp.reshape(xp.permute_dims(g, (0, 2, 3, 1)), (n * oh * ow, o))
        saved = gz if y is None else xp.reshape(xp.permute_dims(y, (0, 2, 3, 1)), (n * oh * ow, o))
        gz, gb = b.bias_act_bwd(saved, gz, bias_grad=bool(need_b), activation=ctx.activation)
        wmat = xp.reshape(weight, (o, cg * kh * kw))
        gx = gw = None
        if need_x:
            gcol = _products(b, gz, wmat, ctx.groups, transpose_w=False)
            gx = b.im2col_bwd(gcol, input_shape=ctx.input_shape, **ctx.geometry)
        if need_w:
            gw = xp.reshape(_weight_grad(b, col, gz, ctx.groups), weight.shape)
        return gx, gw, gb


def _onednn_backward(ctx, x, weight, has_bias, gz):
    """The gradients asked for, from oneDNN's backward-data and backward-weights convolutions of
    the output gradient gz (through relu's mask already when it was fused)."""
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    gx = gw = gb = None
    if need_x:
        gx = _C.onednn_conv_backward_data(gz, weight, input_shape=ctx.input_shape, bias=has_bias, **ctx.arguments)
    if need_w or need_b:
        gw, gb = _C.onednn_conv_backward_weights(x, gz, weight_shape=weight.shape, bias=has_bias, **ctx.arguments)
    return gx, gw if need_w else None, gb if need_b else None


def _weight_grad(b, col, gz, groups):
    """Per group g: gz[:, outputs of g]^T @ col[:, patch columns of g], stacked."""
    xp = b.xp
    if groups == 1:
        return b.matmul(xp.matrix_transpose(gz), col)
    kc, ko = col.shape[1] // groups, gz.shape[1] // groups
    return xp.concat([b.matmul(xp.matrix_transpose(gz[:, g * ko:(g + 1) * ko]), col[:, g * kc:(g + 1) * kc])
                      for g in range(groups)], axis=0)


def _out_size(size, pad, kernel, stride, dilation):
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def int_tuple(op, name, value, n, minimum):
    """value (an int, or a tuple / list of n ints) as a tuple of n ints, each >= minimum."""
    if type(value) is int:
        value = (value,) * n
    elif not (type(value) is tuple and len(value) == n and all(type(v) is int for v in value)):
        value = _integral_tuple(op, name, value, n)  # the usual spellings above skip its abstract type checks
    if any(v < minimum for v in value):
        raise ValueError(f"{op}: argument '{name}' must be >= {minimum}, got {value!r}")
    return value


def _integral_tuple(op, name, value, n):
    """value (an integral number, or a tuple / list of n of them, no bools) as a tuple of n ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,) * n
    value = tuple(value) if isinstance(value, (tuple, list)) else value
    if (not isinstance(value, tuple) or len(value) != n
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)):
        raise TypeError(f"{op}: argument '{name}' must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(int(v) for v in value)


def _padding(op, padding, kernel, stride, dilation):
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same' (PyTorch's split: the
    extra unit of an odd total goes to the bottom / right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: argument 'padding' must be 'valid', 'same', an int or a tuple of ints, "
                             f"got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride={stride})")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return (totals[0] // 2, totals[0] - totals[0] // 2, totals[1] // 2, totals[1] - totals[1] // 2)
    ph, pw = int_tuple(op, "padding", padding, 2, 0)
    return (ph, ph, pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation as PyTorch's F.conv2d: input (N, C, H, W) or (C, H, W),
    weight (O, C / groups, KH, KW), bias (O,) or None.

        out[n, o, i, j] = bias[o] + sum_{c, p, q} input[n, g*C/groups + c, i*sh - ph + p*dh, j*sw - pw + q*dw]
                                                * weight[o, c, p, q]        (g = o // (O / groups))

    padding is an int, a pair, 'valid' or 'same' (stride 1); the padding is zeros.

    >>> import fastgrad as fg
    >>> x = fg.ones((1, 1, 3, 3)); w = fg.ones((1, 1, 2, 2))
    >>> fg.nn.functional.conv2d(x, w).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    return convolution("conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation as PyTorch's F.conv1d: input (N, C, L) or (C, L), weight
    (O, C / groups, K), bias (O,) or None; computed as conv2d on a height-1 image.

        out[n, o, i] = bias[o] + sum_{c, p} input[n, g*C/groups + c, i*s - pad + p*d] * weight[o, c, p]

    >>> import fastgrad as fg
    >>> fg.nn.functional.conv1d(fg.ones((1, 1, 4)), fg.ones((1, 1, 3)), padding='same').tolist()
    [[[2.0, 3.0, 3.0, 2.0]]]
    """
    return convolution("conv1d", input, weight, bias, stride, padding, dilation, groups)


def _check_ranks(op, dims, input, weight, groups, weight_axes):
    """The checks every convolution makes first: tensors, their ranks and a positive int groups."""
    if not hasattr(input, "ndim") or not hasattr(weight, "ndim"):
        raise TypeError(f"{op}: input and weight must be tensors or arrays")
    if weight.ndim != dims + 2:
        raise ValueError(f"{op}: weight must be {dims + 2}-d ({weight_axes}, "
                         f"{('kernel', 'kH, kW', 'kD, kH, kW')[dims - 1]}), got shape {tuple(weight.shape)}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: input must be {dims + 2}-d (batch, channels, ...) or {dims + 1}-d unbatched, "
                         f"got shape {tuple(input.shape)}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: argument 'groups' must be a positive int, got {groups!r}")


def check_channels(op, input, weight, bias, groups, unbatched):
    """The input's channels, the weight's and the bias's shape agree with groups."""
    out_channels, per_group = weight.shape[:2]
    channels = input.shape[0 if unbatched else 1]
    if out_channels % groups:
        raise ValueError(f"{op}: out_channels ({out_channels}) must be divisible by groups ({groups})")
    if channels != per_group * groups:
        raise ValueError(f"{op}: input has {channels} channels (shape {tuple(input.shape)}) but weight of shape "
                         f"{tuple(weight.shape)} with groups={groups} expects {per_group * groups}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{op}: bias has shape {tuple(bias.shape)}, expected ({out_channels},)")


def convolution(op, input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, activation=None):
    """conv1d or conv2d (`op`), then `activation` (None or 'relu') fused with the bias add into
    the convolution's output pass, as `fastgrad.linear` does (nn.Sequential uses it for a
    convolution followed by ReLU)."""
    dims = {"conv1d": 1, "conv2d": 2}[op]
    if not (activation is None or isinstance(activation, str)) or activation not in _ACTIVATIONS:
        raise ValueError(f"{op}: argument 'activation' must be None or 'relu', got {activation!r}")
    _check_ranks(op, dims, input, weight, groups, "out_channels, in_channels / groups")
    stride = int_tuple(op, "stride", stride, dims, 1)
    dilation = int_tuple(op, "dilation", dilation, dims, 1)
    unbatched = input.ndim == dims + 1
    check_channels(op, input, weight, bias, groups, unbatched)
    if dims == 1:
        kernel, stride, dilation = (1,) + tuple(weight.shape[2:]), (1,) + stride, (1,) + dilation
        pads = _padding(op, padding if isinstance(padding, str) else (0, int_tuple(op, "padding", padding, 1, 0)[0]),
                        kernel, stride, dilation)
    else:
        kernel = tuple(weight.shape[2:])
        pads = _padding(op, padding, kernel, stride, dilation)
    spatial = input.shape[-dims:]
    sizes = [_out_size(s, p, k, st, d) for s, p, k, st, d in
             zip(spatial, (pads[0] + pads[1], pads[2] + pads[3])[-dims:], kernel[-dims:], stride[-dims:],
                 dilation[-dims:])]
    if any(s < 1 for s in sizes):
        raise ValueError(f"{op}: the output would be empty: input of spatial size {tuple(spatial)}, kernel "
                         f"{tuple(kernel[-dims:])}, padding {padding!r}, dilation {dilation[-dims:]}")
    input, weight, bias = _one_dtype(input, weight, bias)
    x = unsqueeze(input, 0) if unbatched else input
    if dims == 1:
        x, weight = unsqueeze(x, 2), unsqueeze(weight, 2)
    out = Conv2d.apply(x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=int(groups),
                       activation=_ACTIVATIONS[activation])
    if dims == 1:
        out = squeeze(out, 2)
    return squeeze(out, 0) if unbatched else out


class ConvTranspose2d(Function):
    """The adjoint of Conv2d in x: each input pixel's channels times W spread by col2im.

    Forward: col = x_rows @ W (per group; x_rows is (N * H * W, C_in)), then col2im
    (im2col_bwd) adds the patches into the (N, C_out, OH, OW) output.  Backward:
    gcol = im2col(gy); gx = gcol @ W^T, gW = x_rows^T @ gcol (per group).

    float32 NumPy arrays go to oneDNN when it is installed, as the convolution whose
    input gradient this is (output_padding below the stride): the forward is that
    convolution's backward-data pass, the input gradient its forward pass and the weight
    gradient its backward-weights pass with the roles of input and output swapped."""

    @staticmethod
    def forward(ctx, b, x, weight, bias=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                dilation=(1, 1), groups=1):
        b = autocast_backend(ctx, b)
        xp = b.xp
        n, c, h, w = x.shape
        _, per_group, kh, kw = weight.shape
        oh, ow = (_transposed_size(s, st, p, d, k, op) for s, st, p, d, k, op in
                  zip((h, w), stride, padding, dilation, (kh, kw), output_padding))
        ctx.geometry = dict(kernel_size=(kh, kw), stride=stride, padding=padding, dilation=dilation, out_size=(h, w))
        ctx.groups = groups
        ctx.onednn = (n > 0 and type(b) is NumpyBackend and all(p < s for p, s in zip(output_padding, stride))
                      and runs_on_onednn(x, weight, bias))
        ctx.save_for_backward(x, weight)
        if ctx.onednn:
            (ph, pw), output_shape = padding, (n, per_group * groups, oh, ow)
            ctx.arguments = dict(stride=stride, padding=(ph, ph, pw, pw), dilation=dilation, groups=groups)
            out = _C.onednn_conv_backward_data(x, weight, input_shape=output_shape, **ctx.arguments)
        else:
            rows = xp.reshape(xp.permute_dims(x, (0, 2, 3, 1)), (n * h * w, c))
            col = _products(b, rows, xp.reshape(weight, (c, per_group * kh * kw)), groups, transpose_w=False)
            out = b.im2col_bwd(col, input_shape=(n, per_group * groups, oh, ow), **ctx.geometry)
        if bias is not None:
            out = out + xp.reshape(bias, (1, -1, 1, 1))
        return out

    @staticmethod
    def backward(ctx, b, g):
        x, weight = ctx.saved_arrays
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gb = b.xp.sum(g, axis=(0, 2, 3)) if need_b else None
        if ctx.onednn and not isinstance(weight, Tensor) and not isinstance(x, Tensor):
            gx = _C.onednn_conv_forward(g, weight, **ctx.arguments) if need_x else None
            gw = (_C.onednn_conv_backward_weights(g, x, weight_shape=weight.shape, **ctx.arguments)[0]
                  if need_w else None)
            return gx, gw, gb
        return _transposed_im2col_backward(ctx, b, x, weight, g) + (gb,)


def _transposed_im2col_backward(ctx, b, x, weight, g):
    """(gx, gw) of ConvTranspose2d (None where not asked for) from the patches of g."""
    xp = b.xp
    need_x, need_w = ctx.needs_input_grad[:2]
    n, c, h, w = x.shape
    gcol = b.im2col_fwd(g, **ctx.geometry)
    gx = gw = None
    if need_x:
        gx = _products(b, gcol, xp.reshape(weight, (c, -1)), ctx.groups, transpose_w=True)
        gx = xp.permute_dims(xp.reshape(gx, (n, h, w, c)), (0, 3, 1, 2))
    if need_w:
        rows = xp.reshape(xp.permute_dims(x, (0, 2, 3, 1)), (n * h * w, c))
        gw = xp.reshape(_weight_grad(b, gcol, rows, ctx.groups), weight.shape)
    return gx, gw


def _transposed_size(size, stride, padding, dilation, kernel, output_padding):
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution as PyTorch's F.conv_transpose2d: input (N, C_in, H, W) or
    (C_in, H, W), weight (C_in, C_out / groups, KH, KW), bias (C_out,) or None.  It is the
    gradient of conv2d with respect to its input; the output is
    OH = (H - 1) sh - 2 ph + dh (KH - 1) + output_padding_h + 1 (and OW alike):

        out[n, o, i*sh - ph + p*dh, j*sw - pw + q*dw] += input[n, c, i, j] * weight[c, o', p, q]

    for the channels c of o's group (o' = o mod C_out / groups).

    >>> import fastgrad as fg
    >>> fg.nn.functional.conv_transpose2d(fg.ones((1, 1, 2, 2)), fg.ones((1, 1, 2, 2))).tolist()
    [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution as PyTorch's F.conv_transpose1d: input (N, C_in, L) or
    (C_in, L), weight (C_in, C_out / groups, K), bias (C_out,) or None; the output length is
    (L - 1) s - 2 pad + d (K - 1) + output_padding + 1.  Computed as conv_transpose2d on a
    height-1 image.

    >>> import fastgrad as fg
    >>> fg.nn.functional.conv_transpose1d(fg.ones((1, 1, 2)), fg.ones((1, 1, 2)), stride=2).tolist()
    [[[1.0, 1.0, 1.0, 1.0]]]
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def _conv_transpose(op, dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """conv_transpose1d or conv_transpose2d (dims 1 or 2): the checks, then ConvTranspose2d
    (with a height-1 axis added for dims=1)."""
    _check_ranks(op, dims, input, weight, groups, "in_channels, out_channels / groups")
    stride = int_tuple(op, "stride", stride, dims, 1)
    padding = int_tuple(op, "padding", padding, dims, 0)
    output_padding = int_tuple(op, "output_padding", output_padding, dims, 0)
    dilation = int_tuple(op, "dilation", dilation, dims, 1)
    if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either stride {stride} or "
                         f"dilation {dilation}")
    unbatched = input.ndim == dims + 1
    channels = input.shape[0 if unbatched else 1]
    if weight.shape[0] != channels or channels % groups:
        raise ValueError(f"{op}: input has {channels} channels (shape {tuple(input.shape)}) but weight of shape "
                         f"{tuple(weight.shape)} with groups={groups} expects {weight.shape[0]}, divisible by "
                         f"groups")
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{op}: bias has shape {tuple(bias.shape)}, expected ({out_channels},)")
    sizes = [_transposed_size(s, st, p, d, k, o) for s, st, p, d, k, o in
             zip(input.shape[-dims:], stride, padding, dilation, weight.shape[2:], output_padding)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"{op}: the output would be empty (size {tuple(sizes)}): padding {padding} is too large")
    input, weight, bias = _one_dtype(input, weight, bias)
    x = unsqueeze(input, 0) if unbatched else input
    if dims == 1:
        x, weight = unsqueeze(x, 2), unsqueeze(weight, 2)
        stride, padding, output_padding, dilation = (1,) + stride, (0,) + padding, (0,) + output_padding, \
            (1,) + dilation
    out = ConvTranspose2d.apply(x, weight, bias, stride=stride, padding=padding, output_padding=output_padding,
                                dilation=dilation, groups=int(groups))
    if dims == 1:
        out = squeeze(out, 2)
    return squeeze(out, 0) if unbatched else out
