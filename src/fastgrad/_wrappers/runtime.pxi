# Thread control and build facts.

cdef extern from *:
    """
    #ifndef FASTGRAD_CFLAGS
    #define FASTGRAD_CFLAGS "unknown"
    #endif
    """
    const char *FASTGRAD_CFLAGS

cdef extern from "fastgrad.h":
    int fg_openmp_enabled() nogil
    int fg_get_num_threads() nogil
    void fg_set_num_threads(int n) nogil


def openmp_enabled():
    """True when the kernels were compiled with OpenMP."""
    return bool(fg_openmp_enabled())


def get_num_threads():
    """Threads the kernels use above their size threshold."""
    return fg_get_num_threads()


def set_num_threads(int n):
    """Set the kernels' thread count (n >= 1)."""
    if n < 1:
        raise ValueError(f"set_num_threads: argument 'n' must be >= 1, got {n}")
    fg_set_num_threads(n)


def compile_flags():
    """The C compiler flags the extension was built with."""
    return FASTGRAD_CFLAGS.decode()
