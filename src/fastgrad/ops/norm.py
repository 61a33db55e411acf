"""Batch, group, instance and layer normalization, each one fused C pass forward and one backward.

batch_norm normalizes each channel of (N, C, *) over N and the trailing axes
(csrc/norm.c, batch_norm_*); group_norm normalizes each sample's channel
groups (group_norm_*), which with one channel per group is instance_norm and
with one group of the trailing `normalized_shape` values is layer_norm.
What the backward keeps: x and the per-channel (or per-row) statistics.
"""
import math
import numbers

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from .shape import reshape


def _three_axes(x):
    """(N, C, prod of the rest) of an (N, C, ...) shape."""
    return (x.shape[0], x.shape[1], math.prod(x.shape[2:]))


def _saved(ctx, b, x, weight, y, statistics, stats):
    """The end of a forward: the statistics handed to `stats` when asked for and saved
    with x and weight for the backward; y in x's shape."""
    if stats is not None:
        stats.extend(statistics)
    ctx.save_for_backward(x, weight, *statistics)
    return b.xp.reshape(y, x.shape)


def _wanted(ctx):
    """Which of (x, weight, bias) need a gradient, as the backward kernels' keywords."""
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    return dict(input_grad=bool(need_x), weight_grad=bool(need_w), bias_grad=bool(need_b))


def _backward_inputs(ctx, b, g):
    """(x, x as (N, C, rest), g likewise, weight, the saved statistics) for a backward."""
    x, weight, *statistics = ctx.saved_arrays
    x3 = b.xp.reshape(x, _three_axes(x))
    return x, x3, b.xp.reshape(g, x3.shape), weight, statistics


def _in_shape(b, x, grads):
    gx, gw, gb = grads
    return (None if gx is None else b.xp.reshape(gx, x.shape)), gw, gb


class BatchNorm(Function):
    @staticmethod
    def forward(ctx, b, x, weight=None, bias=None, mean=None, var=None, training=True, eps=1e-5, stats=None):
        y, mean, var = b.batch_norm_fwd(b.xp.reshape(x, _three_axes(x)), weight=weight, bias=bias, mean=mean,
                                        var=var, eps=eps, training=training)
        ctx.training, ctx.eps = training, eps
        return _saved(ctx, b, x, weight, y, (mean, var), stats)

    @staticmethod
    def backward(ctx, b, g):
        x, x3, g3, weight, (mean, var) = _backward_inputs(ctx, b, g)
        if ctx.training and isinstance(x, Tensor):
            # NOTE: with create_graph the batch statistics are recomputed from x, so
            # that second derivatives see how they depend on it.
            _, mean, var = b.batch_norm_fwd(x3, eps=ctx.eps, training=True)
        grads = b.batch_norm_bwd(x3, g3, mean=mean, var=var, weight=weight, eps=ctx.eps, training=ctx.training,
                                 **_wanted(ctx))
        return _in_shape(b, x, grads)


class GroupNorm(Function):
    @staticmethod
    def forward(ctx, b, x, weight=None, bias=None, groups=1, eps=1e-5, stats=None):
        y, mean, rstd = b.group_norm_fwd(b.xp.reshape(x, _three_axes(x)), weight=weight, bias=bias, groups=groups,
                                         eps=eps)
        ctx.groups, ctx.eps = groups, eps
        return _saved(ctx, b, x, weight, y, (mean, rstd), stats)

    @staticmethod
    def backward(ctx, b, g):
        x, x3, g3, weight, (mean, rstd) = _backward_inputs(ctx, b, g)
        if isinstance(x, Tensor):
            # NOTE: with create_graph the statistics are recomputed from x (see BatchNorm).
            _, mean, rstd = b.group_norm_fwd(x3, groups=ctx.groups, eps=ctx.eps)
        return _in_shape(b, x, b.group_norm_bwd(x3, g3, mean=mean, rstd=rstd, weight=weight, groups=ctx.groups,
                                                 **_wanted(ctx)))


def _check_input(op, input, min_ndim):
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: input must be a tensor or an array, got {type(input).__name__}")
    if input.ndim < min_ndim:
        raise ValueError(f"{op}: input must have at least {min_ndim} axes (N, C, ...), got shape "
                         f"{tuple(input.shape)}")


def _check_channels(op, name, a, channels):
    if a is not None and tuple(a.shape) != (channels,):
        raise ValueError(f"{op}: {name} has shape {tuple(a.shape)}, expected ({channels},)")


def _data(a):
    return a._data if isinstance(a, Tensor) else a


def _check_eps(op, eps):
    if not isinstance(eps, numbers.Real) or not eps >= 0:
        raise ValueError(f"{op}: argument 'eps' must be a number >= 0, got {eps!r}")


def _check_per_channel(op, input, min_ndim, eps, weight, bias, running_mean, running_var, running_needed, when):
    """The checks batch_norm and instance_norm share: input, eps, the per-channel arrays, and
    the running statistics when they normalize (running_needed)."""
    _check_input(op, input, min_ndim)
    _check_eps(op, eps)
    for name, a in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_channels(op, name, a, input.shape[1])
    if running_needed and (running_mean is None or running_var is None):
        raise ValueError(f"{op}: running_mean and running_var are required when {when}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel of input (N, C, ...) over the batch and the trailing axes, as
    PyTorch's F.batch_norm:

        y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c

    training: the batch's mean and biased variance, and running_mean / running_var (when
    given) move in place by momentum, the variance unbiased: r = (1 - momentum) r + momentum s.
    Otherwise the running statistics normalize.

    >>> import fastgrad as fg
    >>> x = fg.tensor([[1.0, 2.0], [3.0, 6.0]])
    >>> fg.nn.functional.batch_norm(x, None, None, training=True, eps=0.0).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    op = "batch_norm"
    _check_per_channel(op, input, 2, eps, weight, bias, running_mean, running_var, not training, "training=False")
    if not training:
        return BatchNorm.apply(input, weight, bias, mean=_data(running_mean), var=_data(running_var), training=False,
                               eps=eps)
    count = input.shape[0] * math.prod(input.shape[2:])
    if count <= 1:
        raise ValueError(f"{op}: expected more than 1 value per channel when training, got input of shape "
                         f"{tuple(input.shape)}")
    stats = []
    out = BatchNorm.apply(input, weight, bias, training=True, eps=eps, stats=stats)
    if running_mean is not None or running_var is not None:
        mean, var = stats
        _move(running_mean, mean, momentum)
        _move(running_var, var * (count / (count - 1)), momentum)
    return out


def _move(running, value, momentum):
    """running = (1 - momentum) running + momentum value, in place."""
    if running is None:
        return
    data = _data(running)
    data[...] = (1 - momentum) * data + momentum * value
    if isinstance(running, Tensor):
        running._version[0] += 1


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's `num_groups` groups of channels of input (N, C, ...), as PyTorch's
    F.group_norm: y = (x - mean_g) / sqrt(var_g + eps) * weight_c + bias_c, the biased variance
    over the group's channels and trailing axes.

    >>> import fastgrad as fg
    >>> fg.nn.functional.group_norm(fg.tensor([[1.0, 3.0]]), 1, eps=0.0).tolist()
    [[-1.0, 1.0]]
    """
    op = "group_norm"
    _check_input(op, input, 2)
    _check_eps(op, eps)
    channels = input.shape[1]
    if not isinstance(num_groups, numbers.Integral) or num_groups < 1 or channels % num_groups:
        raise ValueError(f"{op}: num_groups ({num_groups!r}) must be a positive int dividing the channels "
                         f"({channels})")
    _check_channels(op, "weight", weight, channels)
    _check_channels(op, "bias", bias, channels)
    return GroupNorm.apply(input, weight, bias, groups=int(num_groups), eps=eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample of input (N, C, ...) over its trailing axes, as
    PyTorch's F.instance_norm (group_norm with one channel per group).  With running
    statistics given and use_input_stats, they move by the batch average of the per-sample
    statistics; use_input_stats=False normalizes with them instead.

    >>> import fastgrad as fg
    >>> fg.nn.functional.instance_norm(fg.tensor([[[1.0, 3.0]]]), eps=0.0).tolist()
    [[[-1.0, 1.0]]]
    """
    op = "instance_norm"
    _check_per_channel(op, input, 3, eps, weight, bias, running_mean, running_var, not use_input_stats,
                       "use_input_stats=False")
    channels = input.shape[1]
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, training=False, eps=eps)
    stats = []
    out = GroupNorm.apply(input, weight, bias, groups=channels, eps=eps, stats=stats)
    if running_mean is not None or running_var is not None:
        mean, rstd = stats
        count = math.prod(input.shape[2:])
        var = (1 / (rstd * rstd) - eps) * (count / max(count - 1, 1))
        _move(running_mean, mean.mean(axis=0), momentum)
        _move(running_var, var.mean(axis=0), momentum)
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing `normalized_shape` axes,
    the biased variance, as PyTorch's F.layer_norm; one fused pass forward and one backward.

    >>> import fastgrad as fg
    >>> fg.nn.functional.layer_norm(fg.tensor([[1.0, 3.0]]), (2,), eps=0.0).tolist()
    [[-1.0, 1.0]]
    """
    op = "layer_norm"
    if not hasattr(input, "ndim"):
        input = Tensor(input) if not isinstance(input, Tensor) else input
    _check_eps(op, eps)
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    if len(shape) > input.ndim or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise ValueError(f"{op}: normalized_shape {shape} does not match the trailing axes of an input "
                         f"of shape {tuple(input.shape)}")
    for name, a in (("weight", weight), ("bias", bias)):
        if a is not None and tuple(a.shape) != shape:
            raise ValueError(f"{op}: {name} has shape {tuple(a.shape)}, expected {shape}")
    size = math.prod(shape)
    rows = math.prod(input.shape[:input.ndim - len(shape)])
    flat = [None if a is None else reshape(a, (size,)) for a in (weight, bias)]
    out = GroupNorm.apply(reshape(input, (rows, size, 1)), flat[0], flat[1], groups=1, eps=eps)
    return reshape(out, tuple(input.shape))
