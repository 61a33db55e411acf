# What every wrapper uses: argument checks whose errors name the op and the
# argument, output allocation, and the one way of calling a kernel.
#
# A wrapper checks all its arguments, then releases the GIL around one call
# by_dtype(f32, fg_<kernel>, args...): a C macro that calls fg_<kernel>_f32
# when f32 is true, else fg_<kernel>_f64.  Arrays are passed as `address`
# (data_of) and scalar parameters as double; the prototypes in fastgrad.h
# convert them, and the C compiler checks every argument against them.  Each
# family declares its kernel names for Cython as members of an anonymous enum:
# to the macro they are only names.  A kernel with one dtype only is declared
# with `address` parameters and called directly.

from libc.string cimport memcmp

cdef extern from *:
    """
    #define FG_BY_DTYPE(f32, kernel, ...) ((f32) ? kernel##_f32(__VA_ARGS__) : kernel##_f64(__VA_ARGS__))
    """
    void by_dtype "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil
    double by_dtype_double "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil
    int by_dtype_int "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil

ctypedef void *address   # of an array's data

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _I32 = np.dtype(np.int32)
cdef object _I64 = np.dtype(np.int64)


cdef object float_array(str op, str arg, object a):
    """`a` if it is a float32/float64 ndarray, else raise; no copy."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    dt = <object>cnp.PyArray_DESCR(a)
    if dt is not _F32 and dt is not _F64 and dt != _F32 and dt != _F64:
        raise TypeError(f"{op}: argument '{arg}' has dtype {dt}; the C kernel takes float32 or float64")
    return a


cdef object matching(str op, str arg, object a, object dtype, tuple shape):
    """`a` if it is an ndarray of exactly `dtype` and `shape` (any shape for None), else raise; no copy:
    wrappers check every argument before copying any (kernel_ready), so a large copy never precedes an error."""
    a = float_array(op, arg, a)
    if a.dtype != dtype:
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}, expected {dtype}")
    if shape is not None and a.shape != shape:
        raise ValueError(f"{op}: argument '{arg}' has shape {a.shape}, expected {shape}")
    return a


cdef object converted(str op, str arg, object a, object dtype, tuple shape, str what=""):
    """None, or `a` (an ndarray of `shape`, with `what` it holds) converted to `dtype`, kernel-ready."""
    if a is None:
        return None
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    if a.shape != shape:
        raise ValueError(f"{op}: argument '{arg}' has shape {a.shape}, expected {shape}{what}")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}; expected a number array")
    return kernel_ready(np.asarray(a, dtype=dtype))


cdef object kernel_ready(object a):
    """`a` as the C kernels read it, C-contiguous and aligned (the kernels load whole elements through typed
    pointers), else a copy; None stays None."""
    if a is None or (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_ISALIGNED(a)):
        return a
    return np.array(a, order="C", copy=True)


cdef object float_input(str op, str arg, object a):
    """`a` as a kernel-ready float32/float64 ndarray, or raise."""
    return kernel_ready(float_array(op, arg, a))


cdef object result_for(str op, object out, object dtype, tuple shape):
    """A kernel's output: a new (possibly pooled) array, or the given `out` checked.

    `out` must be a C-contiguous, aligned, writeable array of that dtype and shape."""
    if out is None:
        return new_output(shape, dtype)
    out = matching(op, "out", out, dtype, shape)
    if not cnp.PyArray_IS_C_CONTIGUOUS(out) or not cnp.PyArray_ISWRITEABLE(out):
        raise ValueError(f"{op}: argument 'out' must be C-contiguous and writeable")
    if not cnp.PyArray_ISALIGNED(out):
        raise ValueError(f"{op}: argument 'out' is not aligned to its dtype ({out.dtype.itemsize}-byte "
                         "elements at a misaligned address)")
    return out


cdef int check_no_overlap(str op, object out, object a, str arg, bint exact_ok) except -1:
    """`out` may not share memory with input `a`; with exact_ok, it may be `a`'s very buffer
    (an elementwise kernel writing in place), never a shifted view of it.  Both are C-contiguous,
    so they overlap exactly when their byte ranges intersect."""
    if a is None or (exact_ok and out is a):
        return 0
    cdef char *po = <char *>data_of(out)
    cdef char *pa = <char *>data_of(a)
    if exact_ok and po == pa and cnp.PyArray_NBYTES(out) == cnp.PyArray_NBYTES(a):
        return 0
    if po < pa + cnp.PyArray_NBYTES(a) and pa < po + cnp.PyArray_NBYTES(out):
        if exact_ok:
            raise ValueError(f"{op}: argument 'out' partially overlaps an input")
        raise ValueError(f"{op}: argument 'out' overlaps argument '{arg}', which this kernel reads "
                         "while writing the output")
    return 0


@cython.freelist(8)
@cython.no_gc  # holds arrays only: no reference cycle can pass through it
cdef class Operands:
    """Arrays of one dtype and shape as an elementwise or row-wise kernel reads them (kept alive here)."""
    cdef bint f32
    cdef int64_t n, rows, cols    # elements; rows of the last axis, `cols` long (0-d: one row of one)
    cdef address a, b, c, out
    cdef object y, kept_a, kept_b, kept_c


cdef Operands operands(str op, object out, bint with_out, str name_a, object a,
                       str name_b=None, object b=None, str name_c=None, object c=None):
    """Check a (float32/float64) and b, c (None, or a's dtype and shape), then make them
    kernel-ready; the output o.y is `out` checked, or new, or None without with_out.

    The output may be an input's own buffer (in place), not a shifted view of one."""
    a = float_array(op, name_a, a)
    if b is not None and not same_layout(b, a):
        matching(op, name_b, b, a.dtype, a.shape)
    if c is not None and not same_layout(c, a):
        matching(op, name_c, c, a.dtype, a.shape)
    a, b, c = kernel_ready(a), kernel_ready(b), kernel_ready(c)
    cdef Operands o = Operands.__new__(Operands)
    if with_out:
        o.y = new_like(a) if out is None else result_for(op, out, a.dtype, a.shape)
        check_no_overlap(op, o.y, a, name_a, True)
        check_no_overlap(op, o.y, b, name_b, True)
        check_no_overlap(op, o.y, c, name_c, True)
    o.kept_a, o.kept_b, o.kept_c = a, b, c
    cdef int nd = cnp.PyArray_NDIM(a)
    o.f32 = is_f32(a)
    o.n = cnp.PyArray_SIZE(a)
    o.cols = cnp.PyArray_DIMS(a)[nd - 1] if nd else 1
    o.rows = (o.n // o.cols if o.cols else 0) if nd else 1
    o.a, o.b, o.c, o.out = data_of(a), data_of(b), data_of(c), data_of(o.y)
    return o


cdef double not_nan(str op, str arg, object value) except? -1:
    cdef double v = float(value)
    if v != v:
        raise ValueError(f"{op}: argument '{arg}' is NaN")
    return v


cdef double positive(str op, str arg, double value) except -1:
    if not value > 0:
        raise ValueError(f"{op}: argument '{arg}' must be positive, got {value}")
    return value


cdef inline bint same_shape(cnp.ndarray a, cnp.ndarray b):
    cdef int nd = cnp.PyArray_NDIM(a)   # a 0-d array's dimensions pointer may be NULL: no memcmp then
    return nd == cnp.PyArray_NDIM(b) and (nd == 0 or memcmp(cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b),
                                                             nd * sizeof(cnp.npy_intp)) == 0)


cdef inline bint same_layout(object a, object like):
    """Whether `a` is an ndarray with the very dtype object and the shape of ndarray `like`
    (a fast sufficient test; matching() gives the full one and the error)."""
    return (type(a) is np.ndarray and cnp.PyArray_DESCR(<cnp.ndarray>a) is cnp.PyArray_DESCR(<cnp.ndarray>like)
            and same_shape(<cnp.ndarray>a, <cnp.ndarray>like))


cdef inline bint is_f32(object a):
    return cnp.PyArray_TYPE(a) == cnp.NPY_FLOAT32


cdef inline address data_of(object a):
    """The data pointer of an ndarray, NULL for None (an optional argument not given)."""
    return NULL if a is None else cnp.PyArray_DATA(a)
