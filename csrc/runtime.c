/* Thread control shared by every kernel. */
#define _POSIX_C_SOURCE 199309L
#include <time.h>
#include "fastgrad.h"
#include "fg_parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int fg_openmp_enabled(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int fg_get_num_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void fg_set_num_threads(int n)
{
#ifdef _OPENMP
    if (n > 0)
        omp_set_num_threads(n);
#else
    (void)n;
#endif
}

/* The contention back-off of fg_parallel.h.  Plain atomics: kernels may run
 * from several calling threads at once, and any of them may end or extend a
 * back-off. */
#define FG_TEAM_BACKOFF_FIRST_NS 100000000LL
#define FG_TEAM_BACKOFF_MOST_NS 1600000000LL

static int64_t team_serial_until_ns;  /* loops run serially before this time */
static int64_t team_backoff_ns;       /* the last back-off; 0 after a prompt team */
static int team_late_in_a_row;        /* late teams since the last prompt one, outside a back-off */
static int64_t team_backoffs;         /* back-offs started since the process began */

int64_t fg_team_backoffs(void)
{
    return __atomic_load_n(&team_backoffs, __ATOMIC_RELAXED);
}

int64_t fg_team_clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int fg_team_ready(void)
{
    int64_t until = __atomic_load_n(&team_serial_until_ns, __ATOMIC_RELAXED);
    return until == 0 || fg_team_clock_ns() >= until;
}

void fg_team_note(int64_t start_ns, int64_t own_done_ns, int64_t end_ns)
{
    int64_t wait = end_ns - own_done_ns, own = own_done_ns - start_ns;
    if (wait > FG_TEAM_LATE_NS && wait > own) {
        int64_t last = __atomic_load_n(&team_backoff_ns, __ATOMIC_RELAXED);
        if (last == 0 && __atomic_add_fetch(&team_late_in_a_row, 1, __ATOMIC_RELAXED) < FG_TEAM_LATE_IN_A_ROW)
            return;
        __atomic_store_n(&team_late_in_a_row, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&team_backoffs, 1, __ATOMIC_RELAXED);
        int64_t next = last == 0 ? FG_TEAM_BACKOFF_FIRST_NS
                     : last >= FG_TEAM_BACKOFF_MOST_NS / 2 ? FG_TEAM_BACKOFF_MOST_NS : 2 * last;
        __atomic_store_n(&team_backoff_ns, next, __ATOMIC_RELAXED);
        __atomic_store_n(&team_serial_until_ns, end_ns + next, __ATOMIC_RELAXED);
    } else {
        if (__atomic_load_n(&team_late_in_a_row, __ATOMIC_RELAXED) != 0)
            __atomic_store_n(&team_late_in_a_row, 0, __ATOMIC_RELAXED);
        if (__atomic_load_n(&team_backoff_ns, __ATOMIC_RELAXED) == 0)
            return;
        __atomic_store_n(&team_backoff_ns, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&team_serial_until_ns, 0, __ATOMIC_RELAXED);
    }
}
