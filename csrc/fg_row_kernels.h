/* Row kernels of the softmax family (softmax.c) and the losses (losses.c):
 * how a kernel over the rows of a C-contiguous (rows, cols) array is
 * threaded, and how rows of few classes go a block of rows at a time. */
#ifndef FG_ROW_KERNELS_H
#define FG_ROW_KERNELS_H

#include <stdint.h>
#include "fg_math.h"
#include "fg_parallel.h"

/* Define the public kernel `name` that runs the serial `rows_fn` on each
 * thread's share of rows; ARGS are the array arguments (offset by lo rows). */
#define FG_ROW_KERNEL(name, rows_fn, PARAMS, ARGS)                             \
    void name PARAMS { FG_PARALLEL_SHARES(rows, rows * cols, 1, rows_fn ARGS) }

/* ---- short rows ----
 *
 * Rows of fewer than FG_SHORT_COLS classes (10 for a digit classifier) go
 * FG_LANES at a time through the helpers below: the block is transposed so
 * that every pass runs across the rows, one row per SIMD lane, where a loop
 * along a short row would leave most of it to the scalar tail and pay a
 * horizontal reduction per row (cross entropy at 32 x 10 float32, one thread:
 * 1.9 us forward and 1.7 us backward that way, 0.3 us and 0.55 us this way).
 * Rows of 32 classes fill whole vectors and do better the plain way, which
 * needs no transposing.  Lanes past the last row hold zeros; each row takes
 * the same instructions whichever lane it sits in, so results do not depend
 * on how rows are split between threads.  The sums of exp terms (at most 31
 * terms of at most 1) are taken in the row's type, as the plain path does
 * within its blocks of FG_SUM_BLOCK; sums of gradients, whose terms may
 * cancel, in double. */
#define FG_SHORT_COLS 32
#define FG_LANES 16
/* The softmax backward passes read two arrays and have no exp to share out:
 * from 16 classes on a plain row fills a vector and the transposes cost as
 * much as they save or more (float32, one thread, 4096 x 16: softmax 30 us
 * plain, 32 us transposed, log_softmax 27 and 40 us; 6553 x 10: 58 and 35 us,
 * 78 and 42 us), so they take this path below 16 only. */
#define FG_SHORT_GRAD_COLS 16

/* log s for a row's sum of exp terms, s in [1, FG_SHORT_COLS) or NaN.  The
 * float version is straight-line code, so a loop of it vectorizes: s =
 * 2**k (1 + u) with u in [0, 1), log s = k ln 2 + log1p(u) (within 3 ulp);
 * s - s carries a NaN through. */
static inline float log_row_sum_f32(float s)
{
    union { float f; uint32_t u; } b = {s};
    int32_t k = (int32_t)(b.u >> 23) - 127;
    b.u = (b.u & 0x007fffffu) | 0x3f800000u;
    return ((float)k * 0.693147180559945309f + fg_log1p_unit_f32(b.f - 1.0f)) + (s - s);
}
static inline double log_row_sum_f64(double s) { return log(s); }

#define FG_SHORT_ROWS(T, S)                                                    \
    /* e[c, j] = x[j, c] for the nb <= FG_LANES rows of x; zeros past them.    \
     * A full block is walked column by column with the FG_LANES rows inner:   \
     * GCC unrolls that constant trip count into independent copies (here      \
     * and in lanes_store), where the other order runs a short loop per row   \
     * (4096 x 16 float32 softmax forward, one thread: 53 us that way, 45 us  \
     * this way). */                                                         \
    static inline void lanes_load_##S(const T *restrict x, int64_t nb, int64_t cols, T *restrict e) \
    {                                                                          \
        if (nb == FG_LANES) {                                                  \
            for (int64_t c = 0; c < cols; c++)                                 \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    e[c * FG_LANES + j] = x[j * cols + c];                     \
            return;                                                            \
        }                                                                      \
        for (int64_t j = 0; j < nb; j++)                                       \
            for (int64_t c = 0; c < cols; c++)                                 \
                e[c * FG_LANES + j] = x[j * cols + c];                         \
        for (int64_t j = nb; j < FG_LANES; j++)                                \
            for (int64_t c = 0; c < cols; c++)                                 \
                e[c * FG_LANES + j] = 0;                                       \
    }                                                                          \
    /* out[j, c] = e[c, j] for the first nb rows */                            \
    static inline void lanes_store_##S(const T *restrict e, int64_t nb, int64_t cols, T *restrict out) \
    {                                                                          \
        if (nb == FG_LANES) {                                                  \
            for (int64_t c = 0; c < cols; c++)                                 \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    out[j * cols + c] = e[c * FG_LANES + j];                   \
            return;                                                            \
        }                                                                      \
        for (int64_t j = 0; j < nb; j++)                                       \
            for (int64_t c = 0; c < cols; c++)                                 \
                out[j * cols + c] = e[c * FG_LANES + j];                       \
    }                                                                          \
    /* m[j] = max_c e[c, j] */                                                 \
    static inline void lanes_max_##S(const T *restrict e, int64_t cols, T *restrict m) \
    {                                                                          \
        for (int64_t j = 0; j < FG_LANES; j++)                                 \
            m[j] = -(T)INFINITY;                                               \
        for (int64_t c = 0; c < cols; c++) {                                   \
            const T *ec = e + c * FG_LANES;                                    \
            for (int64_t j = 0; j < FG_LANES; j++)                             \
                m[j] = ec[j] > m[j] ? ec[j] : m[j];                            \
        }                                                                      \
    }                                                                          \
    /* s[j] = sum_c exp(e[c, j] - m[j]), each term also written to out[c, j]   \
     * when out is not NULL (out may be e itself) */                           \
    static inline void lanes_sum_exp_##S(const T *e, const T *restrict m, T *out, int64_t cols, \
                                         T *restrict s)                        \
    {                                                                          \
        for (int64_t j = 0; j < FG_LANES; j++)                                 \
            s[j] = 0;                                                          \
        for (int64_t c = 0; c < cols; c++) {                                   \
            const T *ec = e + c * FG_LANES;                                    \
            if (out) {                                                         \
                T *oc = out + c * FG_LANES;                                    \
                for (int64_t j = 0; j < FG_LANES; j++) {                       \
                    oc[j] = fg_exp_##S(ec[j] - m[j]);                          \
                    s[j] += oc[j];                                             \
                }                                                              \
            } else {                                                           \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    s[j] += fg_exp_##S(ec[j] - m[j]);                          \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* For nb <= FG_LANES rows x: e[c, j] = exp(x[j, c] - m[j]) (e is cols x   \
     * FG_LANES), m[j] the row maximum, s[j] the sum of row j's terms and, when \
     * sx is not NULL, sx[j] = sum_c w_c (x[j, c] - m[j]) (w_c = 1 when weight \
     * is NULL). */                                                            \
    static inline void short_rows_exp_##S(const T *restrict x, int64_t nb, int64_t cols, \
        const T *restrict weight, T *restrict e, T *restrict m, T *restrict s, double *restrict sx) \
    {                                                                          \
        lanes_load_##S(x, nb, cols, e);                                        \
        lanes_max_##S(e, cols, m);                                             \
        if (sx) {                                                              \
            for (int64_t j = 0; j < FG_LANES; j++)                             \
                sx[j] = 0;                                                     \
            for (int64_t c = 0; c < cols; c++) {                               \
                double wc = weight ? (double)weight[c] : 1.0;                  \
                const T *ec = e + c * FG_LANES;                                \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    sx[j] += wc * (ec[j] - m[j]);                              \
            }                                                                  \
        }                                                                      \
        lanes_sum_exp_##S(e, m, e, cols, s);                                   \
    }                                                                          \
    /* d[j] = sum_c a[c, j] b[c, j] in double (b NULL: sum_c a[c, j]) */       \
    static inline void lanes_dot_##S(const T *restrict a, const T *restrict b, int64_t cols, \
                                     double *restrict d)                       \
    {                                                                          \
        for (int64_t j = 0; j < FG_LANES; j++)                                 \
            d[j] = 0;                                                          \
        for (int64_t c = 0; c < cols; c++) {                                   \
            const T *ac = a + c * FG_LANES;                                    \
            if (b) {                                                           \
                const T *bc = b + c * FG_LANES;                                \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    d[j] += (double)ac[j] * bc[j];                             \
            } else {                                                           \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    d[j] += ac[j];                                             \
            }                                                                  \
        }                                                                      \
    }

FG_SHORT_ROWS(float, f32)
FG_SHORT_ROWS(double, f64)

#endif
