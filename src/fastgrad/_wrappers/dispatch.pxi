# The NumPy backend's entry to the elementwise-convention wrappers (`<op>_fwd` / `<op>_bwd`:
# arrays positional, parameters as keywords).  A KernelOrTwin decides in C whether the
# wrapper takes the arrays as they are: every positional argument an ndarray of native
# float32 or float64, of one dtype and one shape.  Any other call goes, unchanged, to
# `fallback` (the backend's Python method, which converts NumPy scalars and runs the
# reference twin where the kernel does not apply).


@cython.final
cdef class KernelOrTwin:
    """Calls `kernel` when its arrays fit it as they are, else `fallback`, with the same arguments."""

    cdef readonly object kernel
    cdef readonly object fallback

    def __init__(self, kernel, fallback):
        self.kernel = kernel
        self.fallback = fallback

    def __call__(self, *arrays, **kwargs):
        if _kernel_takes(arrays):
            return self.kernel(*arrays, **kwargs)
        return self.fallback(*arrays, **kwargs)


cdef bint _kernel_takes(tuple arrays):
    if not arrays:
        return False
    first = arrays[0]
    if type(first) is not np.ndarray:
        return False
    dtype = <object>cnp.PyArray_DESCR(<cnp.ndarray>first)
    if dtype is not _F32 and dtype is not _F64:
        return False
    cdef Py_ssize_t i
    for i in range(1, len(arrays)):
        if not same_layout(arrays[i], first):
            return False
    return True
