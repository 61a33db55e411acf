# Normalization layers (csrc/norm.c).  batch_norm takes x as (outer, channels,
# inner); group_norm as (batch, channels, inner) with channels split into
# `groups`.  The per-channel parameters and statistics are keywords.

cdef extern from "fastgrad.h":
    ctypedef struct fg_group_norm_shape:
        int64_t rows, groups, channels_per_group, inner
    enum: fg_batch_norm_fwd, fg_batch_norm_bwd, fg_group_norm_fwd, fg_group_norm_bwd


cdef object norm_input(str op, object x):
    x = float_input(op, "x", x)
    if x.ndim != 3:
        raise ValueError(f"{op}: argument 'x' must be 3-d (batch, channels, inner), got shape {x.shape}")
    return x


cdef double checked_eps(str op, object eps) except -1:
    cdef double e = float(eps)
    if not e >= 0:
        raise ValueError(f"{op}: argument 'eps' must be >= 0, got {eps}")
    return e


def batch_norm_fwd(x, *, weight=None, bias=None, mean=None, var=None, eps=1e-5, training=True):
    """(y, mean, var): y = (x - mean) / sqrt(var + eps) * weight + bias per channel of x (outer, C, inner);
    training: the channel's own mean and biased var (fresh), else the given running ones."""
    op = "batch_norm"
    x = norm_input(op, x)
    outer, channels, inner = x.shape
    cdef double e = checked_eps(op, eps)
    cdef int train = 1 if training else 0
    weight = converted(op, "weight", weight, x.dtype, (channels,))
    bias = converted(op, "bias", bias, x.dtype, (channels,))
    if train:
        if outer * inner == 0:
            raise ValueError(f"{op}: no values to compute the batch statistics from (x has shape {x.shape})")
        mean, var = new_output((channels,), x.dtype), new_output((channels,), x.dtype)
    elif mean is None or var is None:
        raise ValueError(f"{op}: 'mean' and 'var' are required with training=False")
    else:
        mean = converted(op, "mean", mean, x.dtype, (channels,))
        var = converted(op, "var", var, x.dtype, (channels,))
    y = new_output(x.shape, x.dtype)
    cdef int64_t o = outer, c = channels, i = inner
    cdef address px = data_of(x), pw = data_of(weight), pb = data_of(bias), pm = data_of(mean)
    cdef address pv = data_of(var), py = data_of(y)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_batch_norm_fwd, px, pw, pb, pm, pv, py, o, c, i, e, train)
    return y, mean, var


def batch_norm_bwd(x, gy, *, mean, var, weight=None, eps=1e-5, training=True, input_grad=True, weight_grad=False,
                   bias_grad=False):
    """(gx, gweight, gbias), each None unless asked for, of batch_norm_fwd at the same x, mean, var."""
    op = "batch_norm_backward"
    x = norm_input(op, x)
    gy = kernel_ready(matching(op, "grad", gy, x.dtype, x.shape))
    outer, channels, inner = x.shape
    cdef double e = checked_eps(op, eps)
    cdef int train = 1 if training else 0
    if mean is None or var is None:
        raise ValueError(f"{op}: 'mean' and 'var' are required")
    mean = converted(op, "mean", mean, x.dtype, (channels,))
    var = converted(op, "var", var, x.dtype, (channels,))
    weight = converted(op, "weight", weight, x.dtype, (channels,))
    gx = new_output(x.shape, x.dtype) if input_grad else None
    gw = new_output((channels,), x.dtype) if weight_grad else None
    gb = new_output((channels,), x.dtype) if bias_grad else None
    cdef int64_t o = outer, c = channels, i = inner
    cdef address px = data_of(x), pg = data_of(gy), pm = data_of(mean), pv = data_of(var)
    cdef address pw = data_of(weight), pgx = data_of(gx), pgw = data_of(gw), pgb = data_of(gb)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_batch_norm_bwd, px, pg, pm, pv, pw, pgx, pgw, pgb, o, c, i, e, train)
    return gx, gw, gb


cdef int fill_group_shape(str op, fg_group_norm_shape *g, tuple shape, object groups) except -1:
    import operator

    batch, channels, inner = shape
    try:
        groups = operator.index(groups)
    except TypeError:
        raise TypeError(f"{op}: argument 'groups' must be an int, got {groups!r}") from None
    if groups < 1 or channels % groups:
        raise ValueError(f"{op}: argument 'groups' ({groups}) must be positive and divide the channels "
                         f"({channels})")
    g.rows, g.groups, g.channels_per_group, g.inner = batch * groups, groups, channels // groups, inner
    return 0


def group_norm_fwd(x, *, weight=None, bias=None, groups=1, eps=1e-5):
    """(y, mean, rstd): x (N, C, inner) normalized over each of `groups` channel groups per sample, then
    * weight[c] + bias[c]; mean and rstd = 1 / sqrt(var + eps) are (N, groups)."""
    op = "group_norm"
    x = norm_input(op, x)
    cdef fg_group_norm_shape g
    fill_group_shape(op, &g, x.shape, groups)
    cdef double e = checked_eps(op, eps)
    weight = converted(op, "weight", weight, x.dtype, (x.shape[1],))
    bias = converted(op, "bias", bias, x.dtype, (x.shape[1],))
    y = new_output(x.shape, x.dtype)
    mean = new_output((x.shape[0], g.groups), x.dtype)
    rstd = new_output((x.shape[0], g.groups), x.dtype)
    cdef address px = data_of(x), pw = data_of(weight), pb = data_of(bias), py = data_of(y)
    cdef address pm = data_of(mean), pr = data_of(rstd)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_group_norm_fwd, px, pw, pb, py, pm, pr, &g, e)
    return y, mean, rstd


def group_norm_bwd(x, gy, *, mean, rstd, weight=None, groups=1, input_grad=True, weight_grad=False,
                   bias_grad=False):
    """(gx, gweight, gbias), each None unless asked for, of group_norm_fwd at the same x, mean, rstd."""
    op = "group_norm_backward"
    x = norm_input(op, x)
    gy = kernel_ready(matching(op, "grad", gy, x.dtype, x.shape))
    cdef fg_group_norm_shape g
    fill_group_shape(op, &g, x.shape, groups)
    stats = (x.shape[0], g.groups)
    mean = converted(op, "mean", mean, x.dtype, stats, " (from group_norm_fwd)")
    rstd = converted(op, "rstd", rstd, x.dtype, stats, " (from group_norm_fwd)")
    if mean is None or rstd is None:
        raise ValueError(f"{op}: 'mean' and 'rstd' are required")
    weight = converted(op, "weight", weight, x.dtype, (x.shape[1],))
    gx = new_output(x.shape, x.dtype) if input_grad else None
    gw = new_output((x.shape[1],), x.dtype) if weight_grad else None
    gb = new_output((x.shape[1],), x.dtype) if bias_grad else None
    cdef address px = data_of(x), pg = data_of(gy), pm = data_of(mean), pr = data_of(rstd)
    cdef address pw = data_of(weight), pgx = data_of(gx), pgw = data_of(gw), pgb = data_of(gb)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_group_norm_bwd, px, pg, pm, pr, pw, pgx, pgw, pgb, &g)
    return gx, gw, gb
