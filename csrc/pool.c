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

/* Run STMT for every position (h, w) of window (i, j) that lies inside the plane.  The
 * window tables are read through the locals hs, hc, ws, wc, dh, dw, H, W (see WINDOW_LOCALS),
 * which the compiler keeps in registers. */
#define WINDOW_LOCALS(p)                                                       \
    const int64_t *restrict hs = (p)->h_start, *restrict hc = (p)->h_count;    \
    const int64_t *restrict ws = (p)->w_start, *restrict wc = (p)->w_count;    \
    const int64_t dh = (p)->dilation_h, dw = (p)->dilation_w;                  \
    const int64_t H = (p)->height, W = (p)->width, OH = (p)->out_h, OW = (p)->out_w; \
    (void)OH;                                                                  \
    (void)OW;

/* For each plane q in [lo, hi): the statements PLANE, then BODY at each output (i, j) of it
 * (OH x OW, from WINDOW_LOCALS). */
#define FG_FOR_EACH_OUTPUT(PLANE, BODY)                                        \
    for (int64_t q = lo; q < hi; q++) {                                        \
        PLANE                                                                  \
        for (int64_t i = 0; i < OH; i++) {                                     \
            for (int64_t j = 0; j < OW; j++) {                                 \
                BODY                                                           \
            }                                                                  \
        }                                                                      \
    }

/* The steps k of start + k * step (k < count) that land in [0, size): [*lo, *hi). */
static inline void inside(int64_t start, int64_t count, int64_t step, int64_t size, int64_t *lo, int64_t *hi)
{
    int64_t first = start < 0 ? (-start + step - 1) / step : 0;
    int64_t last = size - 1 - start < 0 ? 0 : (size - 1 - start) / step + 1;
    *lo = first;
    *hi = last < count ? last : count;
}

#define FG_FOR_EACH_IN_WINDOW(i, j, STMT)                                      \
    {                                                                          \
        int64_t r0, r1, c0, c1;                                                \
        inside(hs[i], hc[i], dh, H, &r0, &r1);                                 \
        inside(ws[j], wc[j], dw, W, &c0, &c1);                                 \
        for (int64_t r = r0; r < r1; r++) {                                    \
            const int64_t h = hs[i] + r * dh;                                  \
            for (int64_t c = c0; c < c1; c++) {                                \
                const int64_t w = ws[j] + c * dw;                              \
                STMT;                                                          \
            }                                                                  \
        }                                                                      \
    }

/* The column step when the windows are evenly spaced, all of one size and
 * undilated, and all lie inside the plane (kernel 2 stride 2, for one): then
 * max pooling runs one output row at a time without bounds checks.  0 otherwise. */
static int64_t even_inside_step(const fg_pool_windows *p)
{
    if (p->dilation_h != 1 || p->dilation_w != 1 || p->out_w < 1)
        return 0;
    for (int64_t i = 0; i < p->out_h; i++)
        if (p->h_count[i] < 1 || p->h_start[i] < 0 || p->h_start[i] > p->height - p->h_count[i])
            return 0;
    const int64_t step = p->out_w > 1 ? p->w_start[1] - p->w_start[0] : 1;
    const int64_t last = p->w_start[0] + (p->out_w - 1) * step;
    if (step < 1 || p->w_count[0] < 1 || p->w_start[0] < 0 || last > p->width - p->w_count[0])
        return 0;
    for (int64_t j = 0; j < p->out_w; j++)
        if (p->w_start[j] != p->w_start[0] + j * step || p->w_count[j] != p->w_count[0])
            return 0;
    return step;
}

#define FG_POOL(T, S)                                                          \
    /* One offset of the windows of one output row: v_j = line[j * step] against the row's  \
       maxima so far (best, at).  A larger value or a NaN replaces a non-NaN, as in          \
       max_planes; the windows are independent, so the loop vectorizes. */                 \
    FG_SIMD_CLONES static void max_row_offset_##S(const T *restrict line, int64_t step, int32_t first, \
                                                  T *restrict best, int32_t *restrict at, int64_t n) \
    {                                                                          \
        for (int64_t j = 0; j < n; j++) {                                      \
            const T v = line[j * step];                                        \
            const int take = !(v <= best[j]) & (best[j] == best[j]);           \
            best[j] = take ? v : best[j];                                      \
            at[j] = take ? first + (int32_t)(j * step) : at[j];                \
        }                                                                      \
    }                                                                          \
    /* max_planes for even_inside_step(p) == step: offset (0, 0) starts the search */ \
    static void max_planes_even_##S(const T *restrict x, T *restrict y, int32_t *restrict index, \
                                    const fg_pool_windows *p, int64_t step, int64_t lo, int64_t hi) \
    {                                                                          \
        WINDOW_LOCALS(p)                                                       \
        (void)dh;                                                              \
        (void)dw;                                                              \
        for (int64_t q = lo; q < hi; q++) {                                    \
            const T *plane = x + q * H * W;                                    \
            for (int64_t i = 0; i < OH; i++) {                                 \
                T *best = y + (q * OH + i) * OW;                               \
                int32_t *at = index + (q * OH + i) * OW;                       \
                const int64_t first = hs[i] * W + ws[0];                       \
                for (int64_t j = 0; j < OW; j++) {                             \
                    best[j] = plane[first + j * step];                         \
                    at[j] = (int32_t)(first + j * step);                       \
                }                                                              \
                for (int64_t r = 0; r < hc[i]; r++)                            \
                    for (int64_t c = 0; c < wc[0]; c++)                        \
                        max_row_offset_##S(plane + first + r * W + c, step,    \
                                           (int32_t)(first + r * W + c), best, at, OW); \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void max_planes_##S(const T *restrict x, T *restrict y, int32_t *restrict index, \
                               const fg_pool_windows *p, int64_t lo, int64_t hi) \
    {                                                                          \
        WINDOW_LOCALS(p)                                                       \
        const int64_t step = even_inside_step(p);                              \
        if (step > 0) {                                                        \
            max_planes_even_##S(x, y, index, p, step, lo, hi);                 \
            return;                                                            \
        }                                                                      \
        FG_FOR_EACH_OUTPUT(const T *plane = x + q * H * W;, {                 \
            T best = (T)-INFINITY;                                             \
            int32_t at = -1;                                                   \
            FG_FOR_EACH_IN_WINDOW(i, j, {                                      \
                const T v = plane[h * W + w];                                  \
                /* the first maximum; the first NaN stays (branch-free: the    \
                   comparisons of random data are unpredictable) */            \
                const int take = (at < 0) | (!(v <= best) & !isnan(best));     \
                best = take ? v : best;                                        \
                at = take ? (int32_t)(h * W + w) : at;                         \
            })                                                                 \
            y[(q * OH + i) * OW + j] = best;                                   \
            index[(q * OH + i) * OW + j] = at;                                 \
        })                                                                     \
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
        WINDOW_LOCALS(p)                                                       \
        FG_FOR_EACH_OUTPUT(const T *plane = x + q * H * W;, {                 \
            double sum = 0;                                                    \
            FG_FOR_EACH_IN_WINDOW(i, j, sum += plane[h * W + w]);              \
            y[(q * OH + i) * OW + j] = (T)(sum / (p->h_divisor[i] * p->w_divisor[j])); \
        })                                                                     \
    }                                                                          \
    static void avg_grad_planes_##S(const T *restrict gy, T *restrict gx, const fg_pool_windows *p, \
                                    int64_t lo, int64_t hi)                    \
    {                                                                          \
        WINDOW_LOCALS(p)                                                       \
        FG_FOR_EACH_OUTPUT(T *plane = gx + q * H * W;                          \
                           memset(plane, 0, (size_t)(H * W) * sizeof(T));, {   \
            const T g = (T)(gy[(q * OH + i) * OW + j] / (p->h_divisor[i] * p->w_divisor[j])); \
            FG_FOR_EACH_IN_WINDOW(i, j, plane[h * W + w] += g);                \
        })                                                                     \
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
