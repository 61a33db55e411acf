/* Normalization layers (fastgrad.h, "normalization").
 *
 * batch_norm: x is (outer, channels, inner); channel c is normalized over its
 * outer * inner values, each channel by one thread, so the statistics and the
 * parameter gradients need no reduction across threads.
 * group_norm: x is (rows, n) with n = channels_per_group * inner; row r is
 * normalized over its n values, and element k of row r has the affine
 * parameters of channel (r % groups) * channels_per_group + k / inner.  This
 * is GroupNorm (rows = batch * groups), InstanceNorm (one channel per group)
 * and LayerNorm (groups = 1, inner = 1: one parameter per element of a row).
 * Sums are taken in double; the variance is the biased one, from the
 * centered values (two passes over x).
 */
#include <math.h>

#include "fastgrad.h"
#include "fg_parallel.h"

#define FG_NORM(T, S)                                                          \
    /* adds the sums of g and of g (x - m) s over n values to sum_g and sum_gx, in order */ \
    static inline void add_grad_sums_##S(const T *restrict xr, const T *restrict gr, double m, double s, \
                                         int64_t n, double *sum_g, double *sum_gx) \
    {                                                                          \
        double a = *sum_g, b = *sum_gx;                                        \
        for (int64_t i = 0; i < n; i++) {                                      \
            a += gr[i];                                                        \
            b += gr[i] * ((xr[i] - m) * s);                                    \
        }                                                                      \
        *sum_g = a;                                                            \
        *sum_gx = b;                                                           \
    }                                                                          \
    static inline void store_param_grads_##S(T *gweight, T *gbias, int64_t c, double sum_g, double sum_gx) \
    {                                                                          \
        if (gweight)                                                           \
            gweight[c] = (T)sum_gx;                                            \
        if (gbias)                                                             \
            gbias[c] = (T)sum_g;                                               \
    }                                                                          \
    /* channels [lo, hi): statistics (training), then y */                     \
    static void batch_norm_channels_##S(const T *restrict x, const T *weight, const T *bias, T *mean, \
                                        T *var, T *restrict y, int64_t outer, int64_t C, int64_t inner, \
                                        double eps, int training, int64_t lo, int64_t hi) \
    {                                                                          \
        const double count = (double)(outer * inner);                          \
        for (int64_t c = lo; c < hi; c++) {                                    \
            double m = mean[c], v = var[c];                                    \
            if (training) {                                                    \
                double sum = 0, sq = 0;                                        \
                for (int64_t o = 0; o < outer; o++)                            \
                    for (int64_t i = 0; i < inner; i++)                        \
                        sum += x[(o * C + c) * inner + i];                     \
                m = count > 0 ? sum / count : 0;                               \
                for (int64_t o = 0; o < outer; o++)                            \
                    for (int64_t i = 0; i < inner; i++) {                      \
                        double d = x[(o * C + c) * inner + i] - m;             \
                        sq += d * d;                                           \
                    }                                                          \
                v = count > 0 ? sq / count : 0;                                \
                mean[c] = (T)m;                                                \
                var[c] = (T)v;                                                 \
            }                                                                  \
            const double scale = (weight ? (double)weight[c] : 1.0) / sqrt(v + eps); \
            const double shift = (bias ? (double)bias[c] : 0.0) - m * scale;   \
            for (int64_t o = 0; o < outer; o++) {                              \
                const T *xr = x + (o * C + c) * inner;                         \
                T *yr = y + (o * C + c) * inner;                               \
                for (int64_t i = 0; i < inner; i++)                            \
                    yr[i] = (T)(xr[i] * scale + shift);                        \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void batch_norm_grad_channels_##S(const T *restrict x, const T *restrict gy, const T *mean, \
                                             const T *var, const T *weight, T *restrict gx, T *gweight, \
                                             T *gbias, int64_t outer, int64_t C, int64_t inner, double eps, \
                                             int training, int64_t lo, int64_t hi) \
    {                                                                          \
        const double count = (double)(outer * inner);                          \
        for (int64_t c = lo; c < hi; c++) {                                    \
            const double m = mean[c], rstd = 1.0 / sqrt((double)var[c] + eps); \
            double sum_g = 0, sum_gx = 0;                                      \
            for (int64_t o = 0; o < outer; o++)                                \
                add_grad_sums_##S(x + (o * C + c) * inner, gy + (o * C + c) * inner, m, rstd, inner, \
                                  &sum_g, &sum_gx);                            \
            store_param_grads_##S(gweight, gbias, c, sum_g, sum_gx);           \
            if (!gx)                                                           \
                continue;                                                      \
            const double k = (weight ? (double)weight[c] : 1.0) * rstd;        \
            const double mg = training ? sum_g / count : 0, mgx = training ? sum_gx / count : 0; \
            for (int64_t o = 0; o < outer; o++) {                              \
                const T *xr = x + (o * C + c) * inner, *gr = gy + (o * C + c) * inner; \
                T *out = gx + (o * C + c) * inner;                             \
                for (int64_t i = 0; i < inner; i++)                            \
                    out[i] = (T)(k * (gr[i] - mg - (xr[i] - m) * rstd * mgx)); \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void group_norm_rows_##S(const T *restrict x, const T *weight, const T *bias, T *restrict y, \
                                    T *mean, T *rstd, const fg_group_norm_shape *g, double eps, \
                                    int64_t lo, int64_t hi)                    \
    {                                                                          \
        const int64_t n = g->channels_per_group * g->inner;                    \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *xr = x + r * n;                                           \
            T *yr = y + r * n;                                                 \
            double sum = 0, sq = 0;                                            \
            for (int64_t k = 0; k < n; k++)                                    \
                sum += xr[k];                                                  \
            const double m = n > 0 ? sum / (double)n : 0;                      \
            for (int64_t k = 0; k < n; k++) {                                  \
                double d = xr[k] - m;                                          \
                sq += d * d;                                                   \
            }                                                                  \
            const double s = 1.0 / sqrt((n > 0 ? sq / (double)n : 0) + eps);   \
            mean[r] = (T)m;                                                    \
            rstd[r] = (T)s;                                                    \
            const int64_t c0 = (r % g->groups) * g->channels_per_group;        \
            for (int64_t k = 0; k < n; k++) {                                  \
                const int64_t c = c0 + k / g->inner;                           \
                double v = (xr[k] - m) * s;                                    \
                if (weight)                                                    \
                    v *= weight[c];                                            \
                if (bias)                                                      \
                    v += bias[c];                                              \
                yr[k] = (T)v;                                                  \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void group_norm_grad_rows_##S(const T *restrict x, const T *restrict gy, const T *mean, \
                                         const T *rstd, const T *weight, T *restrict gx, \
                                         const fg_group_norm_shape *g, int64_t lo, int64_t hi) \
    {                                                                          \
        const int64_t n = g->channels_per_group * g->inner;                    \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *xr = x + r * n, *gr = gy + r * n;                         \
            const double m = mean[r], s = rstd[r];                             \
            const int64_t c0 = (r % g->groups) * g->channels_per_group;        \
            double sum_g = 0, sum_gx = 0;                                      \
            for (int64_t k = 0; k < n; k++) {                                  \
                const double gw = weight ? gr[k] * (double)weight[c0 + k / g->inner] : gr[k]; \
                sum_g += gw;                                                   \
                sum_gx += gw * ((xr[k] - m) * s);                              \
            }                                                                  \
            const double mg = sum_g / (double)n, mgx = sum_gx / (double)n;     \
            T *out = gx + r * n;                                               \
            for (int64_t k = 0; k < n; k++) {                                  \
                const double gw = weight ? gr[k] * (double)weight[c0 + k / g->inner] : gr[k]; \
                out[k] = (T)(s * (gw - mg - (xr[k] - m) * s * mgx));           \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* channels [lo, hi) of the parameter gradients, summed over the rows of their group */ \
    static void group_norm_param_grad_##S(const T *restrict x, const T *restrict gy, const T *mean, \
                                          const T *rstd, T *gweight, T *gbias, \
                                          const fg_group_norm_shape *g, int64_t lo, int64_t hi) \
    {                                                                          \
        const int64_t n = g->channels_per_group * g->inner;                    \
        for (int64_t c = lo; c < hi; c++) {                                    \
            const int64_t group = c / g->channels_per_group;                   \
            const int64_t k0 = (c % g->channels_per_group) * g->inner;         \
            double sum_g = 0, sum_gx = 0;                                      \
            for (int64_t r = group; r < g->rows; r += g->groups)               \
                add_grad_sums_##S(x + r * n + k0, gy + r * n + k0, mean[r], rstd[r], g->inner, &sum_g, &sum_gx); \
            store_param_grads_##S(gweight, gbias, c, sum_g, sum_gx);           \
        }                                                                      \
    }                                                                          \
    void fg_batch_norm_fwd_##S(const T *restrict x, const T *weight, const T *bias, T *mean, T *var, \
                               T *restrict y, int64_t outer, int64_t channels, int64_t inner, double eps, \
                               int training)                                   \
    {                                                                          \
        FG_PARALLEL_SHARES(channels, outer * channels * inner, 1,              \
                           batch_norm_channels_##S(x, weight, bias, mean, var, y, outer, channels, inner, \
                                                   eps, training, lo, hi))     \
    }                                                                          \
    void fg_batch_norm_bwd_##S(const T *restrict x, const T *restrict gy, const T *mean, const T *var, \
                               const T *weight, T *restrict gx, T *gweight, T *gbias, int64_t outer, \
                               int64_t channels, int64_t inner, double eps, int training) \
    {                                                                          \
        FG_PARALLEL_SHARES(channels, outer * channels * inner, 1,              \
                           batch_norm_grad_channels_##S(x, gy, mean, var, weight, gx, gweight, gbias, outer, \
                                                        channels, inner, eps, training, lo, hi)) \
    }                                                                          \
    void fg_group_norm_fwd_##S(const T *restrict x, const T *weight, const T *bias, T *restrict y, T *mean, \
                               T *rstd, const fg_group_norm_shape *g, double eps) \
    {                                                                          \
        const int64_t n = g->channels_per_group * g->inner;                    \
        FG_PARALLEL_SHARES(g->rows, g->rows * n, 1,                            \
                           group_norm_rows_##S(x, weight, bias, y, mean, rstd, g, eps, lo, hi)) \
    }                                                                          \
    void fg_group_norm_bwd_##S(const T *restrict x, const T *restrict gy, const T *mean, const T *rstd, \
                               const T *weight, T *restrict gx, T *gweight, T *gbias, \
                               const fg_group_norm_shape *g)                   \
    {                                                                          \
        const int64_t n = g->channels_per_group * g->inner;                    \
        if (gx) {                                                              \
            FG_PARALLEL_SHARES(g->rows, g->rows * n, 1,                        \
                               group_norm_grad_rows_##S(x, gy, mean, rstd, weight, gx, g, lo, hi)) \
        }                                                                      \
        if (gweight || gbias) {                                                \
            const int64_t channels = g->groups * g->channels_per_group;        \
            FG_PARALLEL_SHARES(channels, g->rows * n, 1,                       \
                               group_norm_param_grad_##S(x, gy, mean, rstd, gweight, gbias, g, lo, hi)) \
        }                                                                      \
    }

FG_NORM(float, f32)
FG_NORM(double, f64)
