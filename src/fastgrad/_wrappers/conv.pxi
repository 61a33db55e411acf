# im2col / col2im of the convolutions (csrc/conv.c).  The products themselves go
# through fastgrad.backend.gemm.  x is (batch, channels, height, width); the
# geometry is given as keywords, each a pair (height, width).

cdef extern from "fastgrad.h":
    ctypedef struct fg_conv_geometry:
        int64_t batch, channels, height, width
        int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w
        int64_t out_h, out_w
    enum: fg_im2col_fwd, fg_im2col_bwd


cdef tuple int_pair(str op, str arg, object value, int64_t minimum):
    """(a, b) from an int or a pair of ints, each >= minimum."""
    import operator

    items = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(items) != 2:
        raise ValueError(f"{op}: argument '{arg}' must be an int or a pair of ints, got {value!r}")
    try:
        pair = tuple(operator.index(v) for v in items)
    except TypeError:
        raise TypeError(f"{op}: argument '{arg}' must be an int or a pair of ints, got {value!r}") from None
    if any(isinstance(v, bool) for v in items):
        raise TypeError(f"{op}: argument '{arg}' must be an int or a pair of ints, got {value!r}")
    if pair[0] < minimum or pair[1] < minimum:
        raise ValueError(f"{op}: argument '{arg}' must be >= {minimum}, got {value!r}")
    return pair


cdef int fill_geometry(str op, fg_conv_geometry *g, tuple shape, object kernel_size, object stride,
                       object padding, object dilation, object out_size) except -1:
    if len(shape) != 4:
        raise ValueError(f"{op}: the input must be 4-d (batch, channels, height, width), got shape {shape}")
    kh, kw = int_pair(op, "kernel_size", kernel_size, 1)
    sh, sw = int_pair(op, "stride", stride, 1)
    ph, pw = int_pair(op, "padding", padding, 0)
    dh, dw = int_pair(op, "dilation", dilation, 1)
    oh, ow = int_pair(op, "out_size", out_size, 0)
    g.batch, g.channels, g.height, g.width = shape
    g.kernel_h, g.kernel_w, g.stride_h, g.stride_w = kh, kw, sh, sw
    g.pad_h, g.pad_w, g.dilation_h, g.dilation_w = ph, pw, dh, dw
    g.out_h, g.out_w = oh, ow
    return 0


def im2col_fwd(x, *, kernel_size, stride=1, padding=0, dilation=1, out_size):
    """The patch matrix col (N * out_h * out_w, C * kh * kw) of x (N, C, H, W): col[(n, oh, ow), (c, i, j)] =
    x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw], 0 outside x; out_size fixes the bottom / right padding."""
    op = "im2col"
    x = float_input(op, "x", x)
    cdef fg_conv_geometry g
    fill_geometry(op, &g, x.shape, kernel_size, stride, padding, dilation, out_size)
    col = new_output((g.batch * g.out_h * g.out_w, g.channels * g.kernel_h * g.kernel_w), x.dtype)
    if col.size == 0:
        return col
    cdef address px = data_of(x), pc = data_of(col)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_im2col_fwd, px, pc, &g)
    return col


def im2col_bwd(col, *, input_shape, kernel_size, stride=1, padding=0, dilation=1, out_size):
    """col2im, the adjoint of im2col_fwd: gx of input_shape (N, C, H, W), each position the sum of the
    col entries im2col_fwd read from it."""
    op = "col2im"
    col = float_input(op, "col", col)
    cdef fg_conv_geometry g
    shape = tuple(int(v) for v in input_shape)
    if any(v < 0 for v in shape):
        raise ValueError(f"{op}: argument 'input_shape' has a negative size: {shape}")
    fill_geometry(op, &g, shape, kernel_size, stride, padding, dilation, out_size)
    expected = (g.batch * g.out_h * g.out_w, g.channels * g.kernel_h * g.kernel_w)
    if col.shape != expected:
        raise ValueError(f"{op}: argument 'col' has shape {col.shape}, expected {expected} for input "
                         f"{shape}, kernel {(g.kernel_h, g.kernel_w)} and output {(g.out_h, g.out_w)}")
    gx = new_output(shape, col.dtype)
    if gx.size == 0:
        return gx
    cdef address pc = data_of(col), pg = data_of(gx)
    cdef bint f32 = is_f32(col)
    with nogil:
        by_dtype(f32, fg_im2col_bwd, pc, pg, &g)
    return gx
