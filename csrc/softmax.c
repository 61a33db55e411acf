/* Softmax and log_softmax along the last axis, forward and backward.
 *
 * Row kernels work on a C-contiguous (rows, cols) array, threaded over rows;
 * each row is read from memory once (a row of a few thousand classes stays in
 * cache between the passes over it); rows of few classes go a block of rows
 * at a time (fg_row_kernels.h).  The maximum is subtracted before any exp.
 * Sums of exp terms are taken in the row's type in blocks (FG_SUM_BLOCK
 * terms, or one short row) and added in double; sums of gradients in double.
 *
 * A file of its own: in one translation unit with the losses, the short-row
 * kernels' clones pushed GCC past its unit-growth limit for inlining, and it
 * stopped inlining fg_expf and the row helpers into the vectorized clones
 * (float32 256 x 1000 softmax forward 81 us -> 274 us).
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include <stddef.h>
#include "fastgrad.h"
#include "fg_math.h"
#include "fg_parallel.h"
#include "fg_row_kernels.h"
#include "fg_softmax_rows.h"

/* ---- softmax and log_softmax ---- */

/* A backward pass over short rows, FG_LANES rows at a time: a = y and b = gy
 * transposed, d[j] = sum_c b[c, j] A[c, j] in double (A = a: sum(gy y); A =
 * NULL: sum(gy)), then b[c, j] = GRAD, an expression of ac[j], bc[j], d[j]. */
#define FG_SHORT_GRAD_ROWS(name, T, S, A, GRAD)                                \
    FG_SIMD_CLONES static void name(const T *restrict y, const T *restrict gy, T *restrict gx, \
                                    int64_t rows, int64_t cols)                \
    {                                                                          \
        T a[FG_SHORT_COLS * FG_LANES], b[FG_SHORT_COLS * FG_LANES], d[FG_LANES]; \
        double dot[FG_LANES];                                                  \
        for (int64_t r0 = 0; r0 < rows; r0 += FG_LANES) {                      \
            int64_t nb = rows - r0 < FG_LANES ? rows - r0 : FG_LANES;          \
            lanes_load_##S(y + r0 * cols, nb, cols, a);                        \
            lanes_load_##S(gy + r0 * cols, nb, cols, b);                       \
            lanes_dot_##S(b, A, cols, dot);                                    \
            for (int64_t j = 0; j < FG_LANES; j++)                             \
                d[j] = (T)dot[j];                                              \
            for (int64_t c = 0; c < cols; c++) {                               \
                const T *ac = a + c * FG_LANES;                                \
                T *bc = b + c * FG_LANES;                                      \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    bc[j] = GRAD;                                              \
            }                                                                  \
            lanes_store_##S(b, nb, cols, gx + r0 * cols);                      \
        }                                                                      \
    }

/* A forward pass over the rows of x (rows, cols) into y: rows of fewer than FG_SHORT_COLS
 * classes go to SHORT, a block at a time; the others one at a time to the statements ROW,
 * which see the row xr, its output yr and its maximum m. */
#define FG_FORWARD_ROWS(name, SHORT, T, ROW)                                   \
    FG_SIMD_CLONES static void name(const T *restrict x, T *restrict y, int64_t rows, int64_t cols) \
    {                                                                          \
        if (cols < FG_SHORT_COLS) {                                            \
            SHORT(x, y, rows, cols);                                           \
            return;                                                            \
        }                                                                      \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *xr = x + r * cols;                                        \
            T *yr = y + r * cols;                                              \
            ROW_MAX(T, xr, m)                                                  \
            ROW                                                                \
        }                                                                      \
    }

#define FG_SOFTMAX(T, S)                                                       \
    /* The row passes below for short rows (cols < FG_SHORT_COLS forward,      \
     * cols < FG_SHORT_GRAD_COLS backward), FG_LANES rows at a time. */        \
    FG_SIMD_CLONES static void softmax_short_rows_##S(const T *restrict x, T *restrict y, int64_t rows, int64_t cols) \
    {                                                                          \
        T e[FG_SHORT_COLS * FG_LANES], m[FG_LANES], s[FG_LANES];               \
        for (int64_t r0 = 0; r0 < rows; r0 += FG_LANES) {                      \
            int64_t nb = rows - r0 < FG_LANES ? rows - r0 : FG_LANES;          \
            short_rows_exp_##S(x + r0 * cols, nb, cols, NULL, e, m, s, NULL);  \
            for (int64_t j = 0; j < FG_LANES; j++)                             \
                s[j] = (T)(1.0 / s[j]);                                        \
            for (int64_t c = 0; c < cols; c++)                                 \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    e[c * FG_LANES + j] *= s[j];                               \
            lanes_store_##S(e, nb, cols, y + r0 * cols);                       \
        }                                                                      \
    }                                                                          \
    FG_SHORT_GRAD_ROWS(softmax_grad_short_rows_##S, T, S, a, ac[j] * (bc[j] - d[j])) \
    FG_SIMD_CLONES static void log_softmax_short_rows_##S(const T *restrict x, T *restrict y, int64_t rows, int64_t cols) \
    {                                                                          \
        T e[FG_SHORT_COLS * FG_LANES], m[FG_LANES], s[FG_LANES];               \
        for (int64_t r0 = 0; r0 < rows; r0 += FG_LANES) {                      \
            int64_t nb = rows - r0 < FG_LANES ? rows - r0 : FG_LANES;          \
            lanes_load_##S(x + r0 * cols, nb, cols, e);                        \
            lanes_max_##S(e, cols, m);                                         \
            lanes_sum_exp_##S(e, m, NULL, cols, s);                            \
            for (int64_t j = 0; j < FG_LANES; j++)                             \
                s[j] = log_row_sum_##S(s[j]);                                  \
            for (int64_t c = 0; c < cols; c++)                                 \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    e[c * FG_LANES + j] = (e[c * FG_LANES + j] - m[j]) - s[j]; \
            lanes_store_##S(e, nb, cols, y + r0 * cols);                       \
        }                                                                      \
    }                                                                          \
    FG_SHORT_GRAD_ROWS(log_softmax_grad_short_rows_##S, T, S, NULL, bc[j] - fg_exp_##S(ac[j]) * d[j]) \
    FG_FORWARD_ROWS(softmax_rows_##S, softmax_short_rows_##S, T,              \
                    exp_normalize_row_##S(xr, m, yr, cols);)                   \
    /* gx = y (gy - sum(gy y)) */                                              \
    FG_SIMD_CLONES static void softmax_grad_rows_##S(const T *restrict y, const T *restrict gy, T *restrict gx, \
                                                     int64_t rows, int64_t cols) \
    {                                                                          \
        if (cols < FG_SHORT_GRAD_COLS) {                                       \
            softmax_grad_short_rows_##S(y, gy, gx, rows, cols);                \
            return;                                                            \
        }                                                                      \
        for (int64_t r = 0; r < rows; r++)                                     \
            softmax_grad_row_##S(y + r * cols, gy + r * cols, gx + r * cols, cols); \
    }                                                                          \
    /* y = (x - m) - log sum exp(x - m): x - m is exact near the maximum */                                     \
    FG_FORWARD_ROWS(log_softmax_rows_##S, log_softmax_short_rows_##S, T,      \
                    T log_s = (T)log(row_sum_exp_##S(xr, m, NULL, cols));      \
                    for (int64_t c = 0; c < cols; c++)                         \
                        yr[c] = (xr[c] - m) - log_s;)                          \
    /* gx = gy - exp(y) sum(gy) */                                             \
    FG_SIMD_CLONES static void log_softmax_grad_rows_##S(const T *restrict y, const T *restrict gy, \
                                                         T *restrict gx, int64_t rows, int64_t cols) \
    {                                                                          \
        if (cols < FG_SHORT_GRAD_COLS) {                                       \
            log_softmax_grad_short_rows_##S(y, gy, gx, rows, cols);            \
            return;                                                            \
        }                                                                      \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *yr = y + r * cols, *gr = gy + r * cols;                   \
            T *out = gx + r * cols;                                            \
            double sg = 0;                                                     \
            _Pragma("omp simd reduction(+:sg)")                                \
            for (int64_t c = 0; c < cols; c++)                                 \
                sg += gr[c];                                                   \
            T g = (T)sg;                                                       \
            for (int64_t c = 0; c < cols; c++)                                 \
                out[c] = gr[c] - fg_exp_##S(yr[c]) * g;                        \
        }                                                                      \
    }                                                                          \
    FG_ROW_KERNEL(fg_softmax_fwd_##S, softmax_rows_##S,                        \
                  (const T *restrict x, T *restrict y, int64_t rows, int64_t cols), \
                  (x + lo * cols, y + lo * cols, hi - lo, cols))               \
    FG_ROW_KERNEL(fg_softmax_bwd_##S, softmax_grad_rows_##S,                   \
                  (const T *restrict y, const T *restrict gy, T *restrict gx, int64_t rows, int64_t cols), \
                  (y + lo * cols, gy + lo * cols, gx + lo * cols, hi - lo, cols)) \
    FG_ROW_KERNEL(fg_log_softmax_fwd_##S, log_softmax_rows_##S,                \
                  (const T *restrict x, T *restrict y, int64_t rows, int64_t cols), \
                  (x + lo * cols, y + lo * cols, hi - lo, cols))               \
    FG_ROW_KERNEL(fg_log_softmax_bwd_##S, log_softmax_grad_rows_##S,           \
                  (const T *restrict y, const T *restrict gy, T *restrict gx, int64_t rows, int64_t cols), \
                  (y + lo * cols, gy + lo * cols, gx + lo * cols, hi - lo, cols))

FG_SOFTMAX(float, f32)
FG_SOFTMAX(double, f64)
