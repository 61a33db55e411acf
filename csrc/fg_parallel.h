/* How the activation, loss and linear kernels use the machine.
 *
 * Threads: above FG_OMP_THRESHOLD elements a kernel's work is split into
 * chunks that OpenMP threads take in turn; each chunk is a serial loop.
 *
 * SIMD width: the serial loops are compiled for x86-64-v4 (AVX-512),
 * x86-64-v3 (AVX2) and the baseline, and the loader picks the best the CPU
 * has (GCC's target_clones).  No special build flags are needed.  The
 * AVX2 and AVX-512 paths use fused multiply-adds and wider reductions, so
 * their results may differ from the baseline's in the last bit.  Define
 * FG_NO_SIMD_CLONES to build the baseline only.
 */
#ifndef FASTGRAD_PARALLEL_H
#define FASTGRAD_PARALLEL_H

#include <stdint.h>
#include "fastgrad.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) \
    && defined(__linux__) && !defined(FG_NO_SIMD_CLONES)
#define FG_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FG_SIMD_CLONES
#endif

/* Work is cut into chunks of about FG_CHUNK_WORK elements, handed to the
 * threads one at a time (dynamic scheduling): a thread that the operating
 * system suspends holds up only its current chunk, not a fixed share of the
 * work.  Chunk boundaries depend on the sizes only, not on the thread count,
 * so reductions taken chunk by chunk (FG_PARALLEL_REDUCE, FG_PARALLEL_SUM) are
 * the same for any number of threads.  Loops whose results do not depend on
 * the chunks (FG_PARALLEL_SHARES) even them out for the team instead. */
#define FG_CHUNK_WORK (1 << 16)
#define FG_MAX_CHUNKS 1024

/* Items per chunk for n items worth `work` elements in all: a multiple of
 * `align` (16 for elements, so that two threads never write one cache line of
 * a float array; 1 for rows), and at most max_chunks chunks. */
static inline int64_t fg_chunk_items(int64_t n, int64_t work, int64_t align, int64_t max_chunks)
{
    if (n <= 0)
        return align;
    int64_t per_item = work / n > 0 ? work / n : 1;
    int64_t c = FG_CHUNK_WORK / per_item > 0 ? FG_CHUNK_WORK / per_item : 1;
    int64_t fewest = n / max_chunks + (n % max_chunks != 0);   /* ceil, without n + max_chunks overflowing */
    c = c < fewest ? fewest : c;
    return (c + align - 1) / align * align;
}

/* Contention.  A parallel region ends at a barrier: the calling thread waits
 * there for every thread of the team, even one that the operating system has
 * not yet run and that will find no chunk left to take.  When other processes
 * keep every core busy, that wait lasts scheduler time slices (measured: a
 * 1M-element sigmoid forward+backward went from 0.6 ms to about 100 ms with
 * two spinning processes on two cores), and threads spinning at the barrier
 * take the cores from the very thread they wait for.  So each threaded loop
 * times the calling thread's own share and its wait at the barrier
 * (fg_team_note); a wait over FG_TEAM_LATE_NS that is also longer than the
 * caller's own share means the team came late.  FG_TEAM_LATE_IN_A_ROW late
 * teams in a row (one alone is a stray scheduler tick on a quiet machine, and
 * backing off for it would leave a long kernel's whole benchmark on one
 * thread) make the loops run on the calling thread alone for a while
 * (fg_team_ready is false), 100 ms at first, doubling while the team keeps
 * coming late after each pause, up to 1.6 s; one prompt team ends it.
 * Chunks are the same either way, so results do not change.  GEMMs follow
 * the same signal (gemm.c). */
#define FG_TEAM_LATE_NS 2000000
#define FG_TEAM_LATE_IN_A_ROW 2
int64_t fg_team_clock_ns(void);
int fg_team_ready(void);
void fg_team_note(int64_t start_ns, int64_t own_done_ns, int64_t end_ns);

#ifdef _OPENMP
#define FG_TEAM_THREAD_NUM() omp_get_thread_num()
#define FG_TEAM_SIZE() omp_get_max_threads()
#else
#define FG_TEAM_THREAD_NUM() 0
#define FG_TEAM_SIZE() 1
#endif

/* Chunks of about equal size for a team, where results do not depend on the
 * chunks (FG_PARALLEL_SHARES): `count` chunks of `chunk` items become a
 * multiple of the team's size (or, with fewer chunks than threads, the same
 * number) of equal chunks, still multiples of `align`.  100k elements in chunks
 * of 65536 would leave one of two threads 65536 and the other 34464 to do. */
static inline void fg_even_chunks(int64_t n, int64_t align, int64_t *chunk, int64_t *count)
{
    int64_t team = FG_TEAM_SIZE();
    int64_t chunks = *count < team ? *count : (*count + team - 1) / team * team;
    int64_t items = (n + chunks - 1) / chunks;
    items = (items + align - 1) / align * align;
    *chunk = items;
    *count = (n + items - 1) / items;
}

/* The chunks 0 .. count-1 (fg_k_), taken one at a time by the team's threads,
 * timed as fg_team_note describes. */
#define FG_TEAM_LOOP(count, BODY)                                              \
    {                                                                          \
        int64_t fg_start_ = fg_team_clock_ns(), fg_own_done_ = fg_start_;      \
        _Pragma("omp parallel")                                                \
        {                                                                      \
            _Pragma("omp for schedule(dynamic, 1) nowait")                     \
            for (int64_t fg_k_ = 0; fg_k_ < (count); fg_k_++) {                \
                BODY                                                           \
            }                                                                  \
            if (FG_TEAM_THREAD_NUM() == 0)                                     \
                fg_own_done_ = fg_team_clock_ns();                             \
        }                                                                      \
        fg_team_note(fg_start_, fg_own_done_, fg_team_clock_ns());             \
    }

/* Run STMT (which reads lo and hi) over the chunks [lo, hi) of [0, n), threaded
 * when work > FG_OMP_THRESHOLD.  Below the threshold no OpenMP region is entered
 * at all: an `if (0)` region still costs the runtime's team set-up (about half a
 * microsecond), more than a small kernel's arithmetic.  STMT treats each item
 * on its own, so results do not depend on where the chunks start: the threaded
 * branch evens the chunks out for the team (fg_even_chunks), and work above the
 * threshold that fits in one FG_CHUNK_WORK chunk is still cut into one chunk per
 * thread (a (4096, 16) softmax forward: 44.6 us on one thread, 23.6 us on two). */
#define FG_PARALLEL_SHARES(n, work, align, STMT)                               \
    FG_PARALLEL_SHARES_ABOVE(n, work, FG_OMP_THRESHOLD, align, STMT)

/* One chunk of FG_PARALLEL_SHARES_ABOVE / FG_PARALLEL_REDUCE: [lo, hi) of chunk k. */
#define FG_CHUNK_BOUNDS(k)                                                     \
    int64_t lo = (k) * fg_chunk_;                                              \
    int64_t hi = fg_n_ - lo < fg_chunk_ ? fg_n_ : lo + fg_chunk_;

/* The same with another threshold. */
#define FG_PARALLEL_SHARES_ABOVE(n, work, threshold, align, STMT)              \
    {                                                                          \
        int64_t fg_n_ = (n), fg_work_ = (work);                                \
        int64_t fg_chunk_ = fg_chunk_items(fg_n_, fg_work_, (align), INT64_MAX); \
        int64_t fg_count_ = (fg_n_ + fg_chunk_ - 1) / fg_chunk_;               \
        int fg_shared_ = fg_work_ > (threshold) && fg_team_ready();            \
        if (fg_shared_ && fg_count_ < FG_TEAM_SIZE() && fg_n_ > (align))       \
            fg_count_ = FG_TEAM_SIZE();  /* above the threshold, within a chunk */ \
        if (fg_shared_ && fg_count_ > 1) {                                     \
            fg_even_chunks(fg_n_, (align), &fg_chunk_, &fg_count_);            \
            FG_TEAM_LOOP(fg_count_, FG_CHUNK_BOUNDS(fg_k_) STMT;)              \
        } else {                                                               \
            for (int64_t fg_k_ = 0; fg_k_ < fg_count_; fg_k_++) {              \
                FG_CHUNK_BOUNDS(fg_k_)                                         \
                STMT;                                                          \
            }                                                                  \
        }                                                                      \
    }

/* The same, combining in chunk order the double that EXPR gives for each
 * chunk into ACC (a double the caller declares and sets to the start value):
 * ACC = COMBINE(ACC, part), COMBINE a function or macro of two doubles. */
#define FG_PARALLEL_REDUCE(n, work, align, EXPR, COMBINE, ACC)                 \
    {                                                                          \
        int64_t fg_n_ = (n), fg_work_ = (work);                                \
        int64_t fg_chunk_ = fg_chunk_items(fg_n_, fg_work_, (align), FG_MAX_CHUNKS); \
        int64_t fg_count_ = (fg_n_ + fg_chunk_ - 1) / fg_chunk_;               \
        double fg_parts_[FG_MAX_CHUNKS];                                       \
        if (fg_work_ > FG_OMP_THRESHOLD && fg_count_ > 1 && fg_team_ready()) { \
            FG_TEAM_LOOP(fg_count_, FG_CHUNK_BOUNDS(fg_k_) fg_parts_[fg_k_] = (EXPR);) \
        } else {                                                               \
            for (int64_t fg_k_ = 0; fg_k_ < fg_count_; fg_k_++) {              \
                FG_CHUNK_BOUNDS(fg_k_)                                         \
                fg_parts_[fg_k_] = (EXPR);                                     \
            }                                                                  \
        }                                                                      \
        for (int64_t fg_k_ = 0; fg_k_ < fg_count_; fg_k_++)                    \
            ACC = COMBINE(ACC, fg_parts_[fg_k_]);                              \
    }

/* The sum, in chunk order, of the double that EXPR gives for each chunk, into
 * fg_sum_ (declared by the macro). */
#define FG_PARALLEL_PLUS(acc, part) ((acc) + (part))
#define FG_PARALLEL_SUM(n, work, align, EXPR)                                  \
    double fg_sum_ = 0;                                                        \
    FG_PARALLEL_REDUCE(n, work, align, EXPR, FG_PARALLEL_PLUS, fg_sum_)

#endif
