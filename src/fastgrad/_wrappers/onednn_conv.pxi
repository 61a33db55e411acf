# float32 convolutions through oneDNN (csrc/onednn_conv.c), once onednn_load succeeded.
# x (N, C, H, W), weight (O, C / groups, KH, KW), y (N, O, OH, OW); padding is
# (top, bottom, left, right), stride and dilation pairs.

cdef extern from "fastgrad.h":
    enum:
        FG_ONEDNN_NOT_LOADED
    ctypedef struct fg_onednn_conv_shape:
        int64_t batch, channels, height, width, out_channels, groups, kernel_h, kernel_w
        int64_t stride_h, stride_w, pad_top, pad_bottom, pad_left, pad_right, dilation_h, dilation_w
        int64_t out_h, out_w, has_bias
    int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, const float *x, const float *w, const float *bias,
                               float *y, char *message, int64_t message_len) nogil
    int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, const float *gy, const float *w, float *gx,
                                     char *message, int64_t message_len) nogil
    int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, const float *x, const float *gy,
                                        float *gw, float *gbias, char *message, int64_t message_len) nogil


cdef object _conv_f32(str op, str arg, object a, int ndim):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    if a.dtype != _F32:
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}; oneDNN's convolution takes float32")
    if a.ndim != ndim:
        raise ValueError(f"{op}: argument '{arg}' must be {ndim}-d, got shape {a.shape}")
    return kernel_ready(a)


cdef int _conv_shape(str op, fg_onednn_conv_shape *s, tuple x_shape, tuple w_shape, object stride, object padding,
                     object dilation, object groups, bint has_bias) except -1:
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ValueError(f"{op}: the input and weight must be 4-d, got {x_shape} and {w_shape}")
    sh, sw = int_pair(op, "stride", stride, 1)
    dh, dw = int_pair(op, "dilation", dilation, 1)
    if not isinstance(padding, (tuple, list)) or len(padding) != 4 or any(int(p) < 0 for p in padding):
        raise ValueError(f"{op}: argument 'padding' must be 4 ints >= 0 (top, bottom, left, right), got {padding!r}")
    g = int(groups)
    n, c, h, w = x_shape
    o, cg, kh, kw = w_shape
    if g < 1 or o % g or c != cg * g:
        raise ValueError(f"{op}: weight {w_shape} with groups={groups} does not fit an input of {c} channels")
    top, bottom, left, right = (int(p) for p in padding)
    oh = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    ow = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    if min(n, c, h, w, o, kh, kw, oh, ow) < 1:
        raise ValueError(f"{op}: empty convolution (input {x_shape}, weight {w_shape}, output {(oh, ow)})")
    s.batch, s.channels, s.height, s.width, s.out_channels, s.groups = n, c, h, w, o, g
    s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.dilation_h, s.dilation_w = kh, kw, sh, sw, dh, dw
    s.pad_top, s.pad_bottom, s.pad_left, s.pad_right = top, bottom, left, right
    s.out_h, s.out_w, s.has_bias = oh, ow, has_bias
    return 0


cdef int _conv_check(str op, int status, char *message) except -1:
    if status == FG_ONEDNN_NOT_LOADED:
        raise RuntimeError(f"{op}: oneDNN is not loaded (see fastgrad.backend.onednn_conv)")
    if status != FG_ONEDNN_OK:
        raise RuntimeError(f"{op}: {message.decode(errors='replace')}")
    return 0


def onednn_conv_forward(x, weight, bias=None, *, stride=1, padding=(0, 0, 0, 0), dilation=1, groups=1):
    """y (N, O, OH, OW) = conv2d(x, weight) + bias through oneDNN (float32)."""
    op = "conv2d (oneDNN)"
    x = _conv_f32(op, "input", x, 4)
    weight = _conv_f32(op, "weight", weight, 4)
    if bias is not None:
        bias = _conv_f32(op, "bias", bias, 1)
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"{op}: argument 'bias' has shape {bias.shape}, expected ({weight.shape[0]},)")
    cdef fg_onednn_conv_shape s
    _conv_shape(op, &s, x.shape, weight.shape, stride, padding, dilation, groups, bias is not None)
    y = np.empty((s.batch, s.out_channels, s.out_h, s.out_w), dtype=np.float32)
    cdef const float *px = <const float *>cnp.PyArray_DATA(x)
    cdef const float *pw = <const float *>cnp.PyArray_DATA(weight)
    cdef const float *pb = <const float *>cnp.PyArray_DATA(bias) if bias is not None else NULL
    cdef float *py = <float *>cnp.PyArray_DATA(y)
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_forward(&s, px, pw, pb, py, message, sizeof(message))
    _conv_check(op, status, message)
    return y


def onednn_conv_backward_data(grad, weight, *, input_shape, stride=1, padding=(0, 0, 0, 0), dilation=1,
                              groups=1):
    """gx of input_shape: the input gradient of conv2d for the output gradient grad (float32)."""
    op = "conv2d_backward (oneDNN)"
    grad = _conv_f32(op, "grad", grad, 4)
    weight = _conv_f32(op, "weight", weight, 4)
    cdef fg_onednn_conv_shape s
    _conv_shape(op, &s, tuple(int(v) for v in input_shape), weight.shape, stride, padding, dilation, groups, False)
    if grad.shape != (s.batch, s.out_channels, s.out_h, s.out_w):
        raise ValueError(f"{op}: argument 'grad' has shape {grad.shape}, expected "
                         f"{(s.batch, s.out_channels, s.out_h, s.out_w)}")
    gx = np.empty((s.batch, s.channels, s.height, s.width), dtype=np.float32)
    cdef const float *pg = <const float *>cnp.PyArray_DATA(grad)
    cdef const float *pw = <const float *>cnp.PyArray_DATA(weight)
    cdef float *px = <float *>cnp.PyArray_DATA(gx)
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_backward_data(&s, pg, pw, px, message, sizeof(message))
    _conv_check(op, status, message)
    return gx


def onednn_conv_backward_weights(x, grad, *, weight_shape, bias=False, stride=1, padding=(0, 0, 0, 0),
                                 dilation=1, groups=1):
    """(gw of weight_shape, gbias or None): the weight (and bias) gradients of conv2d (float32)."""
    op = "conv2d_backward (oneDNN)"
    x = _conv_f32(op, "input", x, 4)
    grad = _conv_f32(op, "grad", grad, 4)
    cdef fg_onednn_conv_shape s
    _conv_shape(op, &s, x.shape, tuple(int(v) for v in weight_shape), stride, padding, dilation, groups, bias)
    if grad.shape != (s.batch, s.out_channels, s.out_h, s.out_w):
        raise ValueError(f"{op}: argument 'grad' has shape {grad.shape}, expected "
                         f"{(s.batch, s.out_channels, s.out_h, s.out_w)}")
    gw = np.empty(tuple(int(v) for v in weight_shape), dtype=np.float32)
    gb = np.empty(s.out_channels, dtype=np.float32) if bias else None
    cdef const float *px = <const float *>cnp.PyArray_DATA(x)
    cdef const float *pg = <const float *>cnp.PyArray_DATA(grad)
    cdef float *pw = <float *>cnp.PyArray_DATA(gw)
    cdef float *pb = <float *>cnp.PyArray_DATA(gb) if bias else NULL
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_backward_weights(&s, px, pg, pw, pb, message, sizeof(message))
    _conv_check(op, status, message)
    return gw, gb
