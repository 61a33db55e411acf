# Activation kernels: x -> y forward, (saved, gy) -> gx backward.
# Positional arguments are arrays of one shape and dtype; scalar parameters
# (negative_slope, beta, threshold) are keywords, as the NumPy backend's
# dispatch passes them through.  Every wrapper is one call of run_unary or
# run_binary with the kernel's float32/float64 pair and its scalar parameters.

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

# Each kernel takes (inputs, output, n) and then 0, 1 or 2 scalar parameters.
# The pair is kept as `any_kernel` and cast back to its own type, chosen by
# Params.count, just before the call.
ctypedef void (*any_kernel)() noexcept nogil
ctypedef void (*unary0_f32)(const float *, float *, int64_t) noexcept nogil
ctypedef void (*unary0_f64)(const double *, double *, int64_t) noexcept nogil
ctypedef void (*unary1_f32)(const float *, float *, int64_t, float) noexcept nogil
ctypedef void (*unary1_f64)(const double *, double *, int64_t, double) noexcept nogil
ctypedef void (*unary2_f32)(const float *, float *, int64_t, float, float) noexcept nogil
ctypedef void (*unary2_f64)(const double *, double *, int64_t, double, double) noexcept nogil
ctypedef void (*binary0_f32)(const float *, const float *, float *, int64_t) noexcept nogil
ctypedef void (*binary0_f64)(const double *, const double *, double *, int64_t) noexcept nogil
ctypedef void (*binary1_f32)(const float *, const float *, float *, int64_t, float) noexcept nogil
ctypedef void (*binary1_f64)(const double *, const double *, double *, int64_t, double) noexcept nogil
ctypedef void (*binary2_f32)(const float *, const float *, float *, int64_t, float, float) noexcept nogil
ctypedef void (*binary2_f64)(const double *, const double *, double *, int64_t, double, double) noexcept nogil


cdef struct Params:
    int count      # scalar parameters the kernel takes: 0, 1 or 2
    double first
    double second


cdef Params NO_PARAMS = Params(0, 0.0, 0.0)


cdef object run_unary(str op, object x, object out, any_kernel k32, any_kernel k64, Params p):
    # IN x; OUT y (fresh, or `out`, which may be x itself)
    x = float_input(op, "x", x)
    y = result_for(op, out, x)
    check_no_partial_overlap(op, y, x)
    cdef int64_t n = x.size
    cdef const float *xf = <const float *>cnp.PyArray_DATA(x)
    cdef const double *xd = <const double *>cnp.PyArray_DATA(x)
    cdef float *yf = <float *>cnp.PyArray_DATA(y)
    cdef double *yd = <double *>cnp.PyArray_DATA(y)
    cdef bint f32 = is_f32(x)
    with nogil:
        if f32 and p.count == 0:
            (<unary0_f32>k32)(xf, yf, n)
        elif f32 and p.count == 1:
            (<unary1_f32>k32)(xf, yf, n, <float>p.first)
        elif f32:
            (<unary2_f32>k32)(xf, yf, n, <float>p.first, <float>p.second)
        elif p.count == 0:
            (<unary0_f64>k64)(xd, yd, n)
        elif p.count == 1:
            (<unary1_f64>k64)(xd, yd, n, p.first)
        else:
            (<unary2_f64>k64)(xd, yd, n, p.first, p.second)
    return y


cdef object run_binary(str op, str arg_a, object a, object b, object out, any_kernel k32, any_kernel k64,
                       Params p):
    # IN a, b (same shape and dtype; b is the gradient); OUT c (fresh, or `out`, which may be b)
    a = float_array(op, arg_a, a)
    b = kernel_ready(same_array(op, "grad", b, a))
    a = kernel_ready(a)
    c = result_for(op, out, a)
    check_no_partial_overlap(op, c, a)
    check_no_partial_overlap(op, c, b)
    cdef int64_t n = a.size
    cdef const float *af = <const float *>cnp.PyArray_DATA(a)
    cdef const double *ad = <const double *>cnp.PyArray_DATA(a)
    cdef const float *bf = <const float *>cnp.PyArray_DATA(b)
    cdef const double *bd = <const double *>cnp.PyArray_DATA(b)
    cdef float *cf = <float *>cnp.PyArray_DATA(c)
    cdef double *cd = <double *>cnp.PyArray_DATA(c)
    cdef bint f32 = is_f32(a)
    with nogil:
        if f32 and p.count == 0:
            (<binary0_f32>k32)(af, bf, cf, n)
        elif f32 and p.count == 1:
            (<binary1_f32>k32)(af, bf, cf, n, <float>p.first)
        elif f32:
            (<binary2_f32>k32)(af, bf, cf, n, <float>p.first, <float>p.second)
        elif p.count == 0:
            (<binary0_f64>k64)(ad, bd, cd, n)
        elif p.count == 1:
            (<binary1_f64>k64)(ad, bd, cd, n, p.first)
        else:
            (<binary2_f64>k64)(ad, bd, cd, n, p.first, p.second)
    return c


cdef double finite_param(str op, str arg, object value) except? -1:
    cdef double v = float(value)
    if v != v:
        raise ValueError(f"{op}: argument '{arg}' is NaN")
    return v


cdef Params slope_params(str op, object negative_slope) except *:
    return Params(1, finite_param(op, "negative_slope", negative_slope), 0.0)


cdef Params softplus_params(str op, object beta, object threshold) except *:
    cdef double b = finite_param(op, "beta", beta)
    cdef double th = float(threshold)
    if b == 0:
        raise ValueError(f"{op}: argument 'beta' must not be 0")
    return Params(2, b, th)


def sigmoid_fwd(x, out=None):
    """y = 1 / (1 + exp(-x)), stable for large |x|."""
    return run_unary("sigmoid", x, out, <any_kernel>fg_sigmoid_fwd_f32, <any_kernel>fg_sigmoid_fwd_f64, NO_PARAMS)


def sigmoid_bwd(y, gy, out=None):
    """gx = gy * y * (1 - y), from the forward's output y."""
    return run_binary("sigmoid_backward", "y", y, gy, out, <any_kernel>fg_sigmoid_bwd_f32,
                      <any_kernel>fg_sigmoid_bwd_f64, NO_PARAMS)


def relu_fwd(x, out=None):
    """y = max(x, 0); NaN stays NaN."""
    return run_unary("relu", x, out, <any_kernel>fg_relu_fwd_f32, <any_kernel>fg_relu_fwd_f64, NO_PARAMS)


def relu_bwd(y, gy, out=None):
    """gx = gy where y > 0, else 0 (relu'(0) = 0)."""
    return run_binary("relu_backward", "y", y, gy, out, <any_kernel>fg_relu_bwd_f32, <any_kernel>fg_relu_bwd_f64,
                      NO_PARAMS)


def tanh_fwd(x, out=None):
    """y = tanh(x)."""
    return run_unary("tanh", x, out, <any_kernel>fg_tanh_fwd_f32, <any_kernel>fg_tanh_fwd_f64, NO_PARAMS)


def tanh_bwd(y, gy, out=None):
    """gx = gy * (1 - y^2), from the forward's output y."""
    return run_binary("tanh_backward", "y", y, gy, out, <any_kernel>fg_tanh_bwd_f32, <any_kernel>fg_tanh_bwd_f64,
                      NO_PARAMS)


def gelu_fwd(x, out=None):
    """y = x * Phi(x), Phi the standard normal CDF (erf form)."""
    return run_unary("gelu", x, out, <any_kernel>fg_gelu_fwd_f32, <any_kernel>fg_gelu_fwd_f64, NO_PARAMS)


def gelu_bwd(x, gy, out=None):
    """gx = gy * (Phi(x) + x * phi(x)), from the forward's input x."""
    return run_binary("gelu_backward", "x", x, gy, out, <any_kernel>fg_gelu_bwd_f32, <any_kernel>fg_gelu_bwd_f64,
                      NO_PARAMS)


def gelu_tanh_fwd(x, out=None):
    """y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return run_unary("gelu", x, out, <any_kernel>fg_gelu_tanh_fwd_f32, <any_kernel>fg_gelu_tanh_fwd_f64, NO_PARAMS)


def gelu_tanh_bwd(x, gy, out=None):
    """Gradient of gelu_tanh_fwd, from the forward's input x."""
    return run_binary("gelu_backward", "x", x, gy, out, <any_kernel>fg_gelu_tanh_bwd_f32,
                      <any_kernel>fg_gelu_tanh_bwd_f64, NO_PARAMS)


def silu_fwd(x, out=None):
    """y = x * sigmoid(x)."""
    return run_unary("silu", x, out, <any_kernel>fg_silu_fwd_f32, <any_kernel>fg_silu_fwd_f64, NO_PARAMS)


def silu_bwd(x, gy, out=None):
    """gx = gy * s (1 + x (1 - s)), s = sigmoid(x), from the forward's input x."""
    return run_binary("silu_backward", "x", x, gy, out, <any_kernel>fg_silu_bwd_f32, <any_kernel>fg_silu_bwd_f64,
                      NO_PARAMS)


def leaky_relu_fwd(x, out=None, *, negative_slope=0.01):
    """y = x where x > 0, else negative_slope * x."""
    cdef Params p = slope_params("leaky_relu", negative_slope)
    return run_unary("leaky_relu", x, out, <any_kernel>fg_leaky_relu_fwd_f32, <any_kernel>fg_leaky_relu_fwd_f64, p)


def leaky_relu_bwd(s, gy, out=None, *, negative_slope=0.01):
    """gx = gy where s > 0, else negative_slope * gy; s is the output y when
    negative_slope >= 0 (same sign as x), else the input x."""
    cdef Params p = slope_params("leaky_relu_backward", negative_slope)
    return run_binary("leaky_relu_backward", "s", s, gy, out, <any_kernel>fg_leaky_relu_bwd_f32,
                      <any_kernel>fg_leaky_relu_bwd_f64, p)


def softplus_fwd(x, out=None, *, beta=1.0, threshold=20.0):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold."""
    cdef Params p = softplus_params("softplus", beta, threshold)
    return run_unary("softplus", x, out, <any_kernel>fg_softplus_fwd_f32, <any_kernel>fg_softplus_fwd_f64, p)


def softplus_bwd(x, gy, out=None, *, beta=1.0, threshold=20.0):
    """gx = gy * sigmoid(beta x), and gy where beta x > threshold; from the input x."""
    cdef Params p = softplus_params("softplus_backward", beta, threshold)
    return run_binary("softplus_backward", "x", x, gy, out, <any_kernel>fg_softplus_bwd_f32,
                      <any_kernel>fg_softplus_bwd_f64, p)
