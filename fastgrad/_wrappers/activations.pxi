# Activation kernels: x -> y forward, (y, gy) -> gx backward.

cdef extern from "fastgrad.h":
    void fg_sigmoid_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_sigmoid_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_sigmoid_bwd_f32(const float *y, const float *gy, float *gx, int64_t n) nogil
    void fg_sigmoid_bwd_f64(const double *y, const double *gy, double *gx, int64_t n) nogil
    void fg_relu_fwd_f32(const float *x, float *y, int64_t n) nogil
    void fg_relu_fwd_f64(const double *x, double *y, int64_t n) nogil
    void fg_relu_bwd_f32(const float *y, const float *gy, float *gx, int64_t n) nogil
    void fg_relu_bwd_f64(const double *y, const double *gy, double *gx, int64_t n) nogil

ctypedef void (*unary_f32)(const float *, float *, int64_t) noexcept nogil
ctypedef void (*unary_f64)(const double *, double *, int64_t) noexcept nogil
ctypedef void (*binary_f32)(const float *, const float *, float *, int64_t) noexcept nogil
ctypedef void (*binary_f64)(const double *, const double *, double *, int64_t) noexcept nogil


cdef object run_unary(str op, object x, object out, unary_f32 k32, unary_f64 k64):
    # IN x; OUT y (fresh, or `out`, which may be x itself)
    x = float_input(op, "x", x)
    y = output_for(op, out, x)
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
    a = float_input(op, arg_a, a)
    b = same_input(op, arg_b, b, a)
    c = output_for(op, out, a)
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
