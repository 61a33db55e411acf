# Activation kernels: x -> y forward, (saved, gy) -> gx backward.
# Positional arguments are arrays of one shape and dtype; scalar parameters
# (negative_slope, beta, threshold) are keywords, as the NumPy backend's
# dispatch passes them through.

include "buffers.pxi"

cdef extern from "fastgrad.h":
    void fg_sigmoid_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_sigmoid_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_sigmoid_bwd_f32(const float *y, const float *gy, float *gx, int64_t n) nogil
    void fg_sigmoid_bwd_f64(const double *y, const double *gy, double *gx, int64_t n) nogil
    void fg_relu_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_relu_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_relu_bwd_f32(const float *y, const float *gy, float *gx, int64_t n) nogil
    void fg_relu_bwd_f64(const double *y, const double *gy, double *gx, int64_t n) nogil
    void fg_tanh_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_tanh_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_tanh_bwd_f32(const float *y, const float *gy, float *gx, int64_t n) nogil
    void fg_tanh_bwd_f64(const double *y, const double *gy, double *gx, int64_t n) nogil
    void fg_gelu_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_gelu_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_gelu_bwd_f32(const float *x, const float *gy, float *gx, int64_t n) nogil
    void fg_gelu_bwd_f64(const double *x, const double *gy, double *gx, int64_t n) nogil
    void fg_gelu_tanh_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_gelu_tanh_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_gelu_tanh_bwd_f32(const float *x, const float *gy, float *gx, int64_t n) nogil
    void fg_gelu_tanh_bwd_f64(const double *x, const double *gy, double *gx, int64_t n) nogil
    void fg_silu_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_silu_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_silu_bwd_f32(const float *x, const float *gy, float *gx, int64_t n) nogil
    void fg_silu_bwd_f64(const double *x, const double *gy, double *gx, int64_t n) nogil
    void fg_leaky_relu_fwd_f32(const float *x, float *y, int64_t n, float slope) nogil
    void fg_leaky_relu_fwd_f64(const double *x, double *y, int64_t n, double slope) nogil
    void fg_leaky_relu_bwd_f32(const float *s, const float *gy, float *gx, int64_t n, float slope) nogil
    void fg_leaky_relu_bwd_f64(const double *s, const double *gy, double *gx, int64_t n, double slope) nogil
    void fg_softplus_fwd_f32(const float *x, float *y, int64_t n, float beta, float threshold) nogil
    void fg_softplus_fwd_f64(const double *x, double *y, int64_t n, double beta, double threshold) nogil
    void fg_softplus_bwd_f32(const float *x, const float *gy, float *gx, int64_t n, float beta, float threshold) nogil
    void fg_softplus_bwd_f64(const double *x, const double *gy, double *gx, int64_t n, double beta, double threshold) nogil

ctypedef void (*unary_f32)(const float *, float *, int64_t) noexcept nogil
ctypedef void (*unary_f64)(const double *, double *, int64_t) noexcept nogil
ctypedef void (*binary_f32)(const float *, const float *, float *, int64_t) noexcept nogil
ctypedef void (*binary_f64)(const double *, const double *, double *, int64_t) noexcept nogil


cdef object run_unary(str op, object x, object out, unary_f32 k32, unary_f64 k64):
    # IN x; OUT y (fresh, or `out`, which may be x itself)
    x = float_input(op, "x", x)
    y = result_for(op, out, x)
    check_no_partial_overlap(op, y, x)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    if is_f32(x):
        with nogil:
            k32(<const float *>px, <float *>py, n)
    else:
        with nogil:
            k64(<const double *>px, <double *>py, n)
    return y


cdef object run_binary(str op, str arg_a, str arg_b, object a, object b, object out,
                       binary_f32 k32, binary_f64 k64):
    # IN a, b (same shape and dtype); OUT c (fresh, or `out`, which may be b)
    a = float_array(op, arg_a, a)
    b = kernel_ready(same_array(op, arg_b, b, a))
    a = kernel_ready(a)
    c = result_for(op, out, a)
    check_no_partial_overlap(op, c, a)
    check_no_partial_overlap(op, c, b)
    cdef int64_t n = a.size
    cdef void *pa = cnp.PyArray_DATA(a)
    cdef void *pb = cnp.PyArray_DATA(b)
    cdef void *pc = cnp.PyArray_DATA(c)
    if is_f32(a):
        with nogil:
            k32(<const float *>pa, <const float *>pb, <float *>pc, n)
    else:
        with nogil:
            k64(<const double *>pa, <const double *>pb, <double *>pc, n)
    return c


cdef double finite_param(str op, str arg, object value) except? -1:
    cdef double v = float(value)
    if v != v:
        raise ValueError(f"{op}: argument '{arg}' is NaN")
    return v


def sigmoid_fwd(x, out=None):
    """y = 1 / (1 + exp(-x)), stable for large |x|."""
    return run_unary("sigmoid", x, out, fg_sigmoid_fwd_f32, fg_sigmoid_fwd_f64)


def sigmoid_bwd(y, gy, out=None):
    """gx = gy * y * (1 - y), from the forward's output y."""
    return run_binary("sigmoid_backward", "y", "grad", y, gy, out, fg_sigmoid_bwd_f32, fg_sigmoid_bwd_f64)


def relu_fwd(x, out=None):
    """y = max(x, 0); NaN stays NaN."""
    return run_unary("relu", x, out, fg_relu_fwd_f32, fg_relu_fwd_f64)


def relu_bwd(y, gy, out=None):
    """gx = gy where y > 0, else 0 (relu'(0) = 0)."""
    return run_binary("relu_backward", "y", "grad", y, gy, out, fg_relu_bwd_f32, fg_relu_bwd_f64)


def tanh_fwd(x, out=None):
    """y = tanh(x)."""
    return run_unary("tanh", x, out, fg_tanh_fwd_f32, fg_tanh_fwd_f64)


def tanh_bwd(y, gy, out=None):
    """gx = gy * (1 - y^2), from the forward's output y."""
    return run_binary("tanh_backward", "y", "grad", y, gy, out, fg_tanh_bwd_f32, fg_tanh_bwd_f64)


def gelu_fwd(x, out=None):
    """y = x * Phi(x), Phi the standard normal CDF (erf form)."""
    return run_unary("gelu", x, out, fg_gelu_fwd_f32, fg_gelu_fwd_f64)


def gelu_bwd(x, gy, out=None):
    """gx = gy * (Phi(x) + x * phi(x)), from the forward's input x."""
    return run_binary("gelu_backward", "x", "grad", x, gy, out, fg_gelu_bwd_f32, fg_gelu_bwd_f64)


def gelu_tanh_fwd(x, out=None):
    """y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return run_unary("gelu", x, out, fg_gelu_tanh_fwd_f32, fg_gelu_tanh_fwd_f64)


def gelu_tanh_bwd(x, gy, out=None):
    """Gradient of gelu_tanh_fwd, from the forward's input x."""
    return run_binary("gelu_backward", "x", "grad", x, gy, out, fg_gelu_tanh_bwd_f32, fg_gelu_tanh_bwd_f64)


def silu_fwd(x, out=None):
    """y = x * sigmoid(x)."""
    return run_unary("silu", x, out, fg_silu_fwd_f32, fg_silu_fwd_f64)


def silu_bwd(x, gy, out=None):
    """gx = gy * s (1 + x (1 - s)), s = sigmoid(x), from the forward's input x."""
    return run_binary("silu_backward", "x", "grad", x, gy, out, fg_silu_bwd_f32, fg_silu_bwd_f64)


def leaky_relu_fwd(x, out=None, *, negative_slope=0.01):
    """y = x where x > 0, else negative_slope * x."""
    cdef double slope = finite_param("leaky_relu", "negative_slope", negative_slope)
    x = float_input("leaky_relu", "x", x)
    y = result_for("leaky_relu", out, x)
    check_no_partial_overlap("leaky_relu", y, x)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    if is_f32(x):
        with nogil:
            fg_leaky_relu_fwd_f32(<const float *>px, <float *>py, n, <float>slope)
    else:
        with nogil:
            fg_leaky_relu_fwd_f64(<const double *>px, <double *>py, n, slope)
    return y


def leaky_relu_bwd(s, gy, out=None, *, negative_slope=0.01):
    """gx = gy where s > 0, else negative_slope * gy; s is the output y when
    negative_slope >= 0 (same sign as x), else the input x."""
    cdef double slope = finite_param("leaky_relu_backward", "negative_slope", negative_slope)
    s = float_array("leaky_relu_backward", "s", s)
    gy = kernel_ready(same_array("leaky_relu_backward", "grad", gy, s))
    s = kernel_ready(s)
    gx = result_for("leaky_relu_backward", out, s)
    check_no_partial_overlap("leaky_relu_backward", gx, s)
    check_no_partial_overlap("leaky_relu_backward", gx, gy)
    cdef int64_t n = s.size
    cdef void *ps = cnp.PyArray_DATA(s)
    cdef void *pg = cnp.PyArray_DATA(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(s):
        with nogil:
            fg_leaky_relu_bwd_f32(<const float *>ps, <const float *>pg, <float *>po, n, <float>slope)
    else:
        with nogil:
            fg_leaky_relu_bwd_f64(<const double *>ps, <const double *>pg, <double *>po, n, slope)
    return gx


def softplus_fwd(x, out=None, *, beta=1.0, threshold=20.0):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold."""
    cdef double b = finite_param("softplus", "beta", beta)
    cdef double th = float(threshold)
    if b == 0:
        raise ValueError("softplus: argument 'beta' must not be 0")
    x = float_input("softplus", "x", x)
    y = result_for("softplus", out, x)
    check_no_partial_overlap("softplus", y, x)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    if is_f32(x):
        with nogil:
            fg_softplus_fwd_f32(<const float *>px, <float *>py, n, <float>b, <float>th)
    else:
        with nogil:
            fg_softplus_fwd_f64(<const double *>px, <double *>py, n, b, th)
    return y


def softplus_bwd(x, gy, out=None, *, beta=1.0, threshold=20.0):
    """gx = gy * sigmoid(beta x), and gy where beta x > threshold; from the input x."""
    cdef double b = finite_param("softplus_backward", "beta", beta)
    cdef double th = float(threshold)
    if b == 0:
        raise ValueError("softplus_backward: argument 'beta' must not be 0")
    x = float_array("softplus_backward", "x", x)
    gy = kernel_ready(same_array("softplus_backward", "grad", gy, x))
    x = kernel_ready(x)
    gx = result_for("softplus_backward", out, x)
    check_no_partial_overlap("softplus_backward", gx, x)
    check_no_partial_overlap("softplus_backward", gx, gy)
    cdef int64_t n = x.size
    cdef void *py = cnp.PyArray_DATA(x)
    cdef void *pg = cnp.PyArray_DATA(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(x):
        with nogil:
            fg_softplus_bwd_f32(<const float *>py, <const float *>pg, <float *>po, n, <float>b, <float>th)
    else:
        with nogil:
            fg_softplus_bwd_f64(<const double *>py, <const double *>pg, <double *>po, n, b, th)
    return gx
