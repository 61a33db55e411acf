/* The row passes of a softmax, shared by the softmax kernels (losses.c) and
 * attention's fused softmax (attention.c).  A row is `cols` contiguous
 * elements; sums are accumulated in double. */
#ifndef FG_SOFTMAX_ROWS_H
#define FG_SOFTMAX_ROWS_H

#include <stddef.h>
#include "fg_math.h"

/* Row maximum, declared as `T m` (reads `cols`).  A NaN may or may not win;
 * either way the row's results are NaN, through the NaN itself in the
 * following passes. */
#define ROW_MAX(T, xr, m)                                                      \
    T m = -(T)INFINITY;                                                        \
    _Pragma("omp simd reduction(max:m)")                                       \
    for (int64_t c = 0; c < cols; c++)                                         \
        m = xr[c] > m ? xr[c] : m;

/* row_sum_exp: sum_c exp(x[c] - m) over a row, each term also written to out
 * when it is not NULL (out may be x itself).  Terms are added in the row's
 * type in blocks of FG_SUM_BLOCK (vectorized), and the block sums in double.
 * exp_normalize_row: y = exp(x - m) / sum(exp(x - m)) (y may be x itself).
 * softmax_grad_row: out = y (g - sum(g y)) (out may be g itself). */
#define FG_SUM_BLOCK 256
#define FG_SOFTMAX_ROWS(T, S)                                                  \
    static inline double row_sum_exp_##S(const T *x, T m, T *out, int64_t cols) \
    {                                                                          \
        double s = 0;                                                          \
        for (int64_t c0 = 0; c0 < cols; c0 += FG_SUM_BLOCK) {                  \
            int64_t c1 = cols - c0 < FG_SUM_BLOCK ? cols : c0 + FG_SUM_BLOCK;  \
            T b = 0;                                                           \
            if (out) {                                                         \
                _Pragma("omp simd reduction(+:b)")                             \
                for (int64_t c = c0; c < c1; c++) {                            \
                    T e = fg_exp_##S(x[c] - m);                                \
                    out[c] = e;                                                \
                    b += e;                                                    \
                }                                                              \
            } else {                                                           \
                _Pragma("omp simd reduction(+:b)")                             \
                for (int64_t c = c0; c < c1; c++)                              \
                    b += fg_exp_##S(x[c] - m);                                 \
            }                                                                  \
            s += b;                                                            \
        }                                                                      \
        return s;                                                              \
    }                                                                          \
    static inline void exp_normalize_row_##S(const T *x, T m, T *y, int64_t cols) \
    {                                                                          \
        T inv = (T)(1.0 / row_sum_exp_##S(x, m, y, cols));                     \
        for (int64_t c = 0; c < cols; c++)                                     \
            y[c] *= inv;                                                       \
    }                                                                          \
    static inline void softmax_grad_row_##S(const T *restrict y, const T *g, T *out, int64_t cols) \
    {                                                                          \
        double dot = 0;                                                        \
        _Pragma("omp simd reduction(+:dot)")                                   \
        for (int64_t c = 0; c < cols; c++)                                     \
            dot += (double)g[c] * y[c];                                        \
        T d = (T)dot;                                                          \
        for (int64_t c = 0; c < cols; c++)                                     \
            out[c] = y[c] * (g[c] - d);                                        \
    }
FG_SOFTMAX_ROWS(float, f32)
FG_SOFTMAX_ROWS(double, f64)

#endif
