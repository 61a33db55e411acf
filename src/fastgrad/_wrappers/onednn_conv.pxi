# float32 convolutions through oneDNN (csrc/onednn_conv.c), once onednn_load succeeded; arrays pass as addresses.
# x (N, C, H, W), weight (O, C / groups, KH, KW), y (N, O, OH, OW); padding is
# (top, bottom, left, right), stride and dilation pairs.  relu: the forward applies max(y, 0) in
# its pass; the backward passes take the same flags as the forward (then they share its plan),
# and the caller masks the output gradient by y > 0 itself.

cdef extern from "fastgrad.h":
    enum:
        FG_ONEDNN_NOT_LOADED
    ctypedef struct fg_onednn_conv_shape:
        int64_t batch, channels, height, width, out_channels, groups, kernel_h, kernel_w
        int64_t stride_h, stride_w, pad_top, pad_bottom, pad_left, pad_right, dilation_h, dilation_w
        int64_t out_h, out_w, has_bias, relu
    int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, address x, address w, address bias, address y,
                               char *message, int64_t message_len) nogil
    int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, address gy, address w, address gx,
                                     char *message, int64_t message_len) nogil
    int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, address x, address gy, address gw,
                                        address gbias, char *message, int64_t message_len) nogil


cdef object conv_input(str op, str arg, object a, int ndim):
    """a as a kernel-ready float32 array of ndim axes, or raise."""
    a = float32_input(op, arg, a)
    if a.ndim != ndim:
        raise ValueError(f"{op}: argument '{arg}' must be {ndim}-d, got shape {a.shape}")
    return a


cdef int _conv_shape(str op, fg_onednn_conv_shape *s, tuple x_shape, tuple w_shape, object stride, object padding,
                     object dilation, object groups, bint has_bias, bint relu) except -1:
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
    s.out_h, s.out_w, s.has_bias, s.relu = oh, ow, has_bias, relu
    return 0


cdef tuple _shape_of(str op, str arg, object shape):
    """shape as a tuple of 4 ints >= 0, or raise."""
    if (not isinstance(shape, (tuple, list)) or len(shape) != 4
            or not all(isinstance(v, (int, np.integer)) and v >= 0 for v in shape)):
        raise ValueError(f"{op}: argument '{arg}' must be 4 ints >= 0, got {shape!r}")
    return tuple(int(v) for v in shape)


cdef int _conv_check(str op, int status, char *message) except -1:
    if status == FG_ONEDNN_NOT_LOADED:
        raise RuntimeError(f"{op}: oneDNN is not loaded (see fastgrad.backend.onednn_conv)")
    if status != FG_ONEDNN_OK:
        raise RuntimeError(f"{op}: {message.decode(errors='replace')}")
    return 0


def onednn_conv_forward(x, weight, bias=None, *, stride=1, padding=(0, 0, 0, 0), dilation=1, groups=1,
                        relu=False):
    """y (N, O, OH, OW) = conv2d(x, weight) + bias through oneDNN (float32); then max(y, 0) when relu."""
    op = "conv2d (oneDNN)"
    x = conv_input(op, "input", x, 4)
    weight = conv_input(op, "weight", weight, 4)
    if bias is not None:
        bias = kernel_ready(matching(op, "bias", bias, _F32, (weight.shape[0],)))
    cdef fg_onednn_conv_shape s
    _conv_shape(op, &s, x.shape, weight.shape, stride, padding, dilation, groups, bias is not None, relu)
    y = new_output((s.batch, s.out_channels, s.out_h, s.out_w), _F32)
    cdef address px = data_of(x), pw = data_of(weight), pb = data_of(bias), py = data_of(y)
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_forward(&s, px, pw, pb, py, message, sizeof(message))
    _conv_check(op, status, message)
    return y


def onednn_conv_backward_data(grad, weight, *, input_shape, bias=False, stride=1, padding=(0, 0, 0, 0), dilation=1,
                              groups=1, relu=False):
    """gx of input_shape: the input gradient of conv2d for the output gradient grad (float32)."""
    op = "conv2d_backward (oneDNN)"
    weight = conv_input(op, "weight", weight, 4)
    cdef fg_onednn_conv_shape s
    _conv_shape(op, &s, _shape_of(op, "input_shape", input_shape), weight.shape, stride, padding, dilation, groups,
                bias, relu)
    grad = kernel_ready(matching(op, "grad", grad, _F32, (s.batch, s.out_channels, s.out_h, s.out_w)))
    gx = new_output((s.batch, s.channels, s.height, s.width), _F32)
    cdef address pg = data_of(grad), pw = data_of(weight), px = data_of(gx)
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_backward_data(&s, pg, pw, px, message, sizeof(message))
    _conv_check(op, status, message)
    return gx


def onednn_conv_backward_weights(x, grad, *, weight_shape, bias=False, stride=1, padding=(0, 0, 0, 0),
                                 dilation=1, groups=1, relu=False):
    """(gw of weight_shape, gbias or None): the weight (and bias) gradients of conv2d (float32)."""
    op = "conv2d_backward (oneDNN)"
    x = conv_input(op, "input", x, 4)
    cdef fg_onednn_conv_shape s
    weight_shape = _shape_of(op, "weight_shape", weight_shape)
    _conv_shape(op, &s, x.shape, weight_shape, stride, padding, dilation, groups, bias, relu)
    grad = kernel_ready(matching(op, "grad", grad, _F32, (s.batch, s.out_channels, s.out_h, s.out_w)))
    gw = new_output(weight_shape, _F32)
    gb = new_output((s.out_channels,), _F32) if bias else None
    cdef address px = data_of(x), pg = data_of(grad), pw = data_of(gw), pb = data_of(gb)
    cdef char message[512]
    cdef int status
    message[0] = 0
    with nogil:
        status = fg_onednn_conv_backward_weights(&s, px, pg, pw, pb, message, sizeof(message))
    _conv_check(op, status, message)
    return gw, gb
