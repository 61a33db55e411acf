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
    int64_t fg_team_backoffs() nogil

cdef extern from "fg_parallel.h":
    int64_t fg_team_clock_ns() nogil
    int fg_team_ready() nogil
    void fg_team_note(int64_t start_ns, int64_t own_done_ns, int64_t end_ns) nogil


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


def contention_backoffs():
    """How many times the kernels have found their thread team late (other processes busy on the
    cores) and run on the calling thread alone for a while (csrc/fg_parallel.h), since start."""
    return fg_team_backoffs()


def _team_note(int64_t own_ns, int64_t wait_ns):
    """Tell the back-off that a threaded loop just ended whose calling thread worked own_ns and then
    waited wait_ns for its team; returns whether loops may use the team now.  For tests."""
    cdef int64_t end = fg_team_clock_ns()
    fg_team_note(end - wait_ns - own_ns, end - wait_ns, end)
    return bool(fg_team_ready())


def compile_flags():
    """The C compiler flags the extension was built with."""
    return FASTGRAD_CFLAGS.decode()
