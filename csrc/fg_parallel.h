/* How the activation, loss and linear kernels use the machine.
 *
 * Threads: a kernel splits its work into one contiguous chunk per OpenMP
 * thread (above FG_OMP_THRESHOLD elements) and runs a serial loop over each.
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

/* This thread's share [lo, hi) of n items; shares start at multiples of
 * `align` (16 for elements, so that two threads never write into one cache
 * line of a float array; 1 for rows). */
static inline void fg_thread_share(int64_t n, int64_t align, int64_t *lo, int64_t *hi)
{
#ifdef _OPENMP
    int64_t nt = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int64_t nt = 1, id = 0;
#endif
    int64_t a = (n / nt * id + n % nt * id / nt) / align * align;
    int64_t b = (n / nt * (id + 1) + n % nt * (id + 1) / nt) / align * align;
    *lo = id == 0 ? 0 : a;
    *hi = id == nt - 1 ? n : b;
}

/* Run STMT (which reads lo and hi) over [0, n), threaded when work > FG_OMP_THRESHOLD. */
#define FG_PARALLEL_SHARES(n, work, align, STMT)                               \
    FG_PARALLEL_SHARES_ABOVE(n, work, FG_OMP_THRESHOLD, align, STMT)

/* The same with another threshold. */
#define FG_PARALLEL_SHARES_ABOVE(n, work, threshold, align, STMT)              \
    {                                                                          \
        int fg_threaded_ = (work) > (threshold);                               \
        (void)fg_threaded_;                                                    \
        _Pragma("omp parallel if (fg_threaded_)")                              \
        {                                                                      \
            int64_t lo, hi;                                                    \
            fg_thread_share((n), (align), &lo, &hi);                           \
            if (hi > lo) {                                                     \
                STMT;                                                          \
            }                                                                  \
        }                                                                      \
    }

/* The same, adding up the double that EXPR gives for each share into fg_sum_. */
#define FG_PARALLEL_SUM(n, work, align, EXPR)                                  \
    double fg_sum_ = 0;                                                        \
    int64_t fg_work_ = (work);                                                 \
    (void)fg_work_;                                                            \
    _Pragma("omp parallel if (fg_work_ > FG_OMP_THRESHOLD) reduction(+:fg_sum_)") \
    {                                                                          \
        int64_t lo, hi;                                                        \
        fg_thread_share((n), (align), &lo, &hi);                               \
        if (hi > lo)                                                           \
            fg_sum_ += (EXPR);                                                 \
    }

#endif
