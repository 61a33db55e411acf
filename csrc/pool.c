/* Max and average pooling over the last two axes (fastgrad.h, "pooling").
 *
 * One (height, width) plane at a time, planes split between threads.  The
 * windows are given per output row and column (start, count, dilation), so
 * the same kernels serve plain, padded, ceil-mode, dilated and adaptive
 * pooling; positions outside the plane are skipped.  The max forward keeps
 * the plane index (h * width + w) of each maximum as int32, which is all its
 * backward needs.
 */
#include <math.h>
#include <string.h>

#include "fastgrad.h"
#include "fg_parallel.h"

/* Run STMT for every position (h, w) of window (i, j) that lies inside the plane. */
#define FG_FOR_EACH_IN_WINDOW(p, i, j, STMT)                                   \
    for (int64_t r = 0; r < (p)->h_count[i]; r++) {                            \
        const int64_t h = (p)->h_start[i] + r * (p)->dilation_h;               \
        if (h < 0 || h >= (p)->height)                                         \
            continue;                                                          \
        for (int64_t c = 0; c < (p)->w_count[j]; c++) {                        \
            const int64_t w = (p)->w_start[j] + c * (p)->dilation_w;           \
            if (w >= 0 && w < (p)->width) {                                    \
                STMT;                                                          \
            }                                                                  \
        }                                                                      \
    }

#define FG_POOL(T, S)                                                          \
    static void max_planes_##S(const T *restrict x, T *restrict y, int32_t *restrict index, \
                               const fg_pool_windows *p, int64_t lo, int64_t hi) \
    {                                                                          \
        const int64_t H = p->height, W = p->width, OH = p->out_h, OW = p->out_w; \
        for (int64_t q = lo; q < hi; q++) {                                    \
            const T *plane = x + q * H * W;                                    \
            for (int64_t i = 0; i < OH; i++) {                                 \
                for (int64_t j = 0; j < OW; j++) {                             \
                    T best = (T)-INFINITY;                                     \
                    int32_t at = -1;                                           \
                    FG_FOR_EACH_IN_WINDOW(p, i, j, {                           \
                        const T v = plane[h * W + w];                          \
                        /* the first maximum; the first NaN wins over numbers */ \
                        if (at < 0 || v > best || (isnan(v) && !isnan(best))) { \
                            best = v;                                          \
                            at = (int32_t)(h * W + w);                         \
                        }                                                      \
                    })                                                         \
                    y[(q * OH + i) * OW + j] = best;                           \
                    index[(q * OH + i) * OW + j] = at;                         \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void max_grad_planes_##S(const T *restrict gy, const int32_t *restrict index, T *restrict gx, \
                                    const fg_pool_windows *p, int64_t lo, int64_t hi) \
    {                                                                          \
        const int64_t HW = p->height * p->width, O = p->out_h * p->out_w;     \
        for (int64_t q = lo; q < hi; q++) {                                    \
            T *plane = gx + q * HW;                                            \
            memset(plane, 0, (size_t)HW * sizeof(T));                          \
            for (int64_t k = 0; k < O; k++) {                                  \
                const int32_t at = index[q * O + k];                           \
                if (at >= 0 && at < HW)                                        \
                    plane[at] += gy[q * O + k];                                \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void avg_planes_##S(const T *restrict x, T *restrict y, const fg_pool_windows *p, \
                               int64_t lo, int64_t hi)                         \
    {                                                                          \
        const int64_t H = p->height, W = p->width, OH = p->out_h, OW = p->out_w; \
        for (int64_t q = lo; q < hi; q++) {                                    \
            const T *plane = x + q * H * W;                                    \
            for (int64_t i = 0; i < OH; i++) {                                 \
                for (int64_t j = 0; j < OW; j++) {                             \
                    double sum = 0;                                            \
                    FG_FOR_EACH_IN_WINDOW(p, i, j, sum += plane[h * W + w]);  \
                    y[(q * OH + i) * OW + j] = (T)(sum / (p->h_divisor[i] * p->w_divisor[j])); \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void avg_grad_planes_##S(const T *restrict gy, T *restrict gx, const fg_pool_windows *p, \
                                    int64_t lo, int64_t hi)                    \
    {                                                                          \
        const int64_t H = p->height, W = p->width, OH = p->out_h, OW = p->out_w; \
        for (int64_t q = lo; q < hi; q++) {                                    \
            T *plane = gx + q * H * W;                                         \
            memset(plane, 0, (size_t)(H * W) * sizeof(T));                     \
            for (int64_t i = 0; i < OH; i++) {                                 \
                for (int64_t j = 0; j < OW; j++) {                             \
                    const T g = (T)(gy[(q * OH + i) * OW + j] / (p->h_divisor[i] * p->w_divisor[j])); \
                    FG_FOR_EACH_IN_WINDOW(p, i, j, plane[h * W + w] += g);    \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    void fg_max_pool2d_fwd_##S(const T *restrict x, T *restrict y, int32_t *restrict index, \
                               const fg_pool_windows *p)                       \
    {                                                                          \
        FG_PARALLEL_SHARES(p->planes, p->planes * p->height * p->width, 1,     \
                           max_planes_##S(x, y, index, p, lo, hi))             \
    }                                                                          \
    void fg_max_pool2d_bwd_##S(const T *restrict gy, const int32_t *restrict index, T *restrict gx, \
                               const fg_pool_windows *p)                       \
    {                                                                          \
        FG_PARALLEL_SHARES(p->planes, p->planes * p->height * p->width, 1,     \
                           max_grad_planes_##S(gy, index, gx, p, lo, hi))      \
    }                                                                          \
    void fg_avg_pool2d_fwd_##S(const T *restrict x, T *restrict y, const fg_pool_windows *p) \
    {                                                                          \
        FG_PARALLEL_SHARES(p->planes, p->planes * p->height * p->width, 1,     \
                           avg_planes_##S(x, y, p, lo, hi))                    \
    }                                                                          \
    void fg_avg_pool2d_bwd_##S(const T *restrict gy, T *restrict gx, const fg_pool_windows *p) \
    {                                                                          \
        FG_PARALLEL_SHARES(p->planes, p->planes * p->height * p->width, 1,     \
                           avg_grad_planes_##S(gy, gx, p, lo, hi))             \
    }

FG_POOL(float, f32)
FG_POOL(double, f64)
