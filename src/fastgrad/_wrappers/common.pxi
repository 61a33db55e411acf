# Validation shared by every wrapper.  Errors name the op and the argument.
#
# Every wrapper validates its arguments, then releases the GIL around one call
# by_dtype(f32, fg_<kernel>, args...): a C macro that calls fg_<kernel>_f32 when
# f32 is true, else fg_<kernel>_f64, with the same arguments.  Arrays are passed
# as void * (data_of) and scalar parameters as double; the prototypes in
# fastgrad.h convert them as any direct call would, and the C compiler checks
# every argument against them.  Each family declares its kernel names for
# Cython as members of an anonymous enum: to the macro they are only names.

cdef extern from *:
    """
    #define FG_BY_DTYPE(f32, kernel, ...) ((f32) ? kernel##_f32(__VA_ARGS__) : kernel##_f64(__VA_ARGS__))
    """
    void by_dtype "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil
    double by_dtype_double "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil
    int by_dtype_int "FG_BY_DTYPE"(bint f32, int kernel, ...) nogil

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef object float_array(str op, str arg, object a):
    """Check that `a` is a float32/float64 ndarray, or raise; no copy is made."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    dt = a.dtype
    if dt is not _F32 and dt is not _F64 and dt != _F32 and dt != _F64:
        raise TypeError(f"{op}: argument '{arg}' has dtype {dt}; the C kernel takes float32 or float64")
    return a


cdef object same_array(str op, str arg, object a, object like):
    """Check that `a` is an ndarray of like's dtype and shape, or raise; no copy is made.

    Wrappers with several inputs check them all first and only then copy what
    needs copying (kernel_ready), so a mismatch is reported before a large
    (for instance broadcast) argument is copied."""
    a = float_array(op, arg, a)
    if a.dtype != like.dtype:
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}, expected {like.dtype}")
    if a.shape != like.shape:
        raise ValueError(f"{op}: argument '{arg}' has shape {a.shape}, expected {like.shape}")
    return a


cdef object kernel_ready(object a):
    """`a` as the C kernels read it: C-contiguous and aligned to its dtype.

    A misaligned array (np.frombuffer(buf, offset=1), a field of a packed
    record) is copied like a strided one: the kernels load whole elements
    through typed pointers, which must be aligned."""
    if cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_ISALIGNED(a):
        return a
    return np.array(a, order="C", copy=True)


cdef object kernel_ready_as(object a, object dtype):
    """`a` converted to `dtype`, C-contiguous and aligned (np.ascontiguousarray keeps misalignment)."""
    return kernel_ready(np.ascontiguousarray(a, dtype=dtype))


cdef object float_input(str op, str arg, object a):
    """Return `a` as a C-contiguous, aligned float32/float64 ndarray, or raise."""
    return kernel_ready(float_array(op, arg, a))


cdef object same_input(str op, str arg, object a, object like):
    """A second input: same dtype and shape as `like`, made contiguous and aligned."""
    return kernel_ready(same_array(op, arg, a, like))


cdef object output_for(str op, object out, object like):
    """A fresh output shaped like `like`, or a checked user-given one.

    A given `out` must be C-contiguous, writeable, of the same dtype and shape,
    and either be exactly an input buffer (in-place) or not overlap it."""
    if out is None:
        return np.empty(like.shape, dtype=like.dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{op}: argument 'out' must be a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != like.dtype:
        raise TypeError(f"{op}: argument 'out' has dtype {out.dtype}, expected {like.dtype}")
    if out.shape != like.shape:
        raise ValueError(f"{op}: argument 'out' has shape {out.shape}, expected {like.shape}")
    if not cnp.PyArray_IS_C_CONTIGUOUS(out) or not out.flags.writeable:
        raise ValueError(f"{op}: argument 'out' must be C-contiguous and writeable")
    if not cnp.PyArray_ISALIGNED(out):
        raise ValueError(f"{op}: argument 'out' is not aligned to its dtype ({out.dtype.itemsize}-byte "
                         "elements at a misaligned address)")
    return out


cdef check_no_overlap(str op, object out, object a, str arg):
    """For kernels that read an input across a whole row while writing the output
    (not elementwise): out may not share any memory with it, not even exactly."""
    cdef char *po = <char *>cnp.PyArray_DATA(out)
    cdef char *pa = <char *>cnp.PyArray_DATA(a)
    if po < pa + cnp.PyArray_NBYTES(a) and pa < po + cnp.PyArray_NBYTES(out):
        raise ValueError(f"{op}: argument 'out' overlaps argument '{arg}', which this kernel reads "
                         "while writing the output")


cdef check_no_partial_overlap(str op, object out, object a):
    """Elementwise kernels may write in place (out is a) but not over a shifted view.

    Both arrays are C-contiguous here, so they overlap exactly when their byte
    ranges intersect: two pointer comparisons instead of np.shares_memory."""
    if out is a:
        return
    cdef char *po = <char *>cnp.PyArray_DATA(out)
    cdef char *pa = <char *>cnp.PyArray_DATA(a)
    if po == pa and cnp.PyArray_NBYTES(out) == cnp.PyArray_NBYTES(a):
        return
    if po < pa + cnp.PyArray_NBYTES(a) and pa < po + cnp.PyArray_NBYTES(out):
        raise ValueError(f"{op}: argument 'out' partially overlaps an input")


cdef inline bint is_f32(object a):
    return a.dtype == _F32


ctypedef void *address   # of an array's data, as by_dtype passes it


cdef inline address data_of(object a):
    """The data pointer of an ndarray, NULL for None (an optional argument not given)."""
    return NULL if a is None else cnp.PyArray_DATA(a)
