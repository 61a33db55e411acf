/* Losses, fused and numerically stable (the softmax family is in softmax.c).
 *
 * Row kernels work on a C-contiguous (rows, cols) array along its last axis,
 * threaded over rows; each row is read from memory once (a row of a few
 * thousand classes stays in cache between the passes over it); rows of few
 * classes go a block of rows at a time (fg_row_kernels.h).  Sums are
 * accumulated in double.  Every log-sum-exp subtracts the row maximum first.
 *
 * Pointwise losses write the elementwise loss when `loss` is not NULL and
 * always return its sum, so a reduced loss costs one pass over its inputs.
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

#define FG_COMMA ,

/* ---- cross entropy with class indices ----
 *
 * With class weights w (all 1 when NULL), W = sum(w), C classes, smoothing e:
 *   loss_r = (1 - e) w_t (lse - x_t) + (e / C) sum_c w_c (lse - x_c)
 *   dloss_r/dx_c = p_c ((1 - e) w_t + (e / C) W) - (1 - e) w_t [c == t] - (e / C) w_c
 * Rows whose target is ignore_index have loss 0 and gradient 0.  The
 * backward recomputes the row maximum and sum (the row is in cache) instead
 * of reading a saved log-sum-exp, whose rounding at large logits would
 * spoil p in float32.
 * sum_c w_c (lse - x_c) is taken as W log(s) - sum_c w_c (x_c - m), which
 * stays accurate when the logits are large.
 *
 * Rows of fewer than FG_SHORT_COLS classes go through the short-row helpers
 * of fg_row_kernels.h. */

static double weight_sum(const void *weight, int is_f32, int64_t cols)
{
    if (!weight)
        return (double)cols;
    double s = 0;
    for (int64_t c = 0; c < cols; c++)
        s += is_f32 ? (double)((const float *)weight)[c] : ((const double *)weight)[c];
    return s;
}

/* One row's loss from its log-sum-exp pieces: log_s = log(sum_c exp(x_c - m)), the target's
 * logit x_t and weight w_t, and sx = sum_c w_c (x_c - m) (read only when eps != 0). */
static inline double cross_entropy_row_loss(double log_s, double x_t, double m, double wt, double eps,
                                            int64_t cols, double wsum, double sx)
{
    double v = (1 - eps) * wt * (log_s - (x_t - m));
    if (eps != 0)
        v += eps / (double)cols * (wsum * log_s - sx);
    return v;
}

/* The scale g ((1 - e) w_t + (e / C) W) of a row's softmax in its gradient. */
static inline double cross_entropy_row_scale(double g, double wt, double eps, int64_t cols, double wsum)
{
    return g * ((1 - eps) * wt + eps / (double)cols * wsum);
}

/* The arguments of the row passes below (rows [0, rows) of x), forward and backward. */
#define CE_ROWS_ARGS(T) const T *restrict x, const int64_t *restrict target, const T *restrict weight
#define CE_FWD_ARGS(T) CE_ROWS_ARGS(T), T *restrict loss, int64_t rows, int64_t cols, int64_t ignore_index, \
    double eps, double wsum
#define CE_BWD_ARGS(T) CE_ROWS_ARGS(T), const T *restrict grad, T *restrict gx, int64_t rows, int64_t cols, \
    int64_t ignore_index, double eps, double wsum

#define FG_CROSS_ENTROPY(T, S, IS_F32)                                         \
    FG_SIMD_CLONES static void cross_entropy_short_rows_##S(CE_FWD_ARGS(T))   \
    {                                                                          \
        T e[FG_SHORT_COLS * FG_LANES], m[FG_LANES], s[FG_LANES];               \
        double sx[FG_LANES];                                                   \
        for (int64_t r0 = 0; r0 < rows; r0 += FG_LANES) {                      \
            int64_t nb = rows - r0 < FG_LANES ? rows - r0 : FG_LANES;          \
            const T *xb = x + r0 * cols;                                       \
            short_rows_exp_##S(xb, nb, cols, weight, e, m, s, eps != 0 ? sx : NULL); \
            for (int64_t j = 0; j < nb; j++) {                                 \
                int64_t t = target[r0 + j];                                    \
                if (t == ignore_index) {                                       \
                    loss[r0 + j] = 0;                                          \
                    continue;                                                  \
                }                                                              \
                double wt = weight ? (double)weight[t] : 1.0;                  \
                loss[r0 + j] = (T)cross_entropy_row_loss(log((double)s[j]), (double)xb[j * cols + t], \
                                                         m[j], wt, eps, cols, wsum, eps != 0 ? sx[j] : 0); \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void cross_entropy_short_grad_rows_##S(CE_BWD_ARGS(T)) \
    {                                                                          \
        T e[FG_SHORT_COLS * FG_LANES], m[FG_LANES], s[FG_LANES], a[FG_LANES], ge[FG_LANES]; \
        T eps_c = (T)(eps / (double)cols);                                     \
        for (int64_t r0 = 0; r0 < rows; r0 += FG_LANES) {                      \
            int64_t nb = rows - r0 < FG_LANES ? rows - r0 : FG_LANES;          \
            short_rows_exp_##S(x + r0 * cols, nb, cols, weight, e, m, s, NULL); \
            for (int64_t j = 0; j < FG_LANES; j++) {                           \
                int64_t t = j < nb ? target[r0 + j] : ignore_index;             \
                T g = t != ignore_index ? grad[r0 + j] : 0;                    \
                double wt = t != ignore_index && weight ? (double)weight[t] : 1.0; \
                a[j] = (T)(cross_entropy_row_scale(g, wt, eps, cols, wsum) / s[j]); \
                ge[j] = g * eps_c;                                             \
            }                                                                  \
            for (int64_t c = 0; c < cols; c++) {                               \
                T wc = weight ? weight[c] : 1;                                 \
                T *ec = e + c * FG_LANES;                                      \
                for (int64_t j = 0; j < FG_LANES; j++)                         \
                    ec[j] = a[j] * ec[j] - ge[j] * wc;                         \
            }                                                                  \
            for (int64_t j = 0; j < nb; j++) {                                 \
                int64_t t = target[r0 + j];                                    \
                T *out = gx + (r0 + j) * cols;                                 \
                if (t == ignore_index) {                                       \
                    for (int64_t c = 0; c < cols; c++)                         \
                        out[c] = 0;                                            \
                    continue;                                                  \
                }                                                              \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = e[c * FG_LANES + j];                              \
                double wt = weight ? (double)weight[t] : 1.0;                  \
                out[t] -= (T)((double)grad[r0 + j] * (1 - eps) * wt);          \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void cross_entropy_rows_##S(CE_FWD_ARGS(T))         \
    {                                                                          \
        if (cols < FG_SHORT_COLS) {                                            \
            cross_entropy_short_rows_##S(x, target, weight, loss, rows, cols, ignore_index, eps, wsum); \
            return;                                                            \
        }                                                                      \
        for (int64_t r = 0; r < rows; r++) {                                   \
            int64_t t = target[r];                                             \
            if (t == ignore_index) {                                           \
                loss[r] = 0;                                                   \
                continue;                                                      \
            }                                                                  \
            const T *xr = x + r * cols;                                        \
            ROW_MAX(T, xr, m)                                                  \
            double s = 0, sx = 0;                                              \
            if (eps == 0) {                                                    \
                s = row_sum_exp_##S(xr, m, NULL, cols);                        \
            } else if (weight) {                                               \
                _Pragma("omp simd reduction(+:s, sx)")                         \
                for (int64_t c = 0; c < cols; c++) {                           \
                    s += fg_exp_##S(xr[c] - m);                                \
                    sx += (double)weight[c] * (xr[c] - m);                     \
                }                                                              \
            } else {                                                           \
                _Pragma("omp simd reduction(+:s, sx)")                         \
                for (int64_t c = 0; c < cols; c++) {                           \
                    s += fg_exp_##S(xr[c] - m);                                \
                    sx += xr[c] - m;                                           \
                }                                                              \
            }                                                                  \
            double wt = weight ? (double)weight[t] : 1.0;                      \
            loss[r] = (T)cross_entropy_row_loss(log(s), (double)xr[t], m, wt, eps, cols, wsum, sx); \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void cross_entropy_grad_rows_##S(CE_BWD_ARGS(T))    \
    {                                                                          \
        if (cols < FG_SHORT_COLS) {                                            \
            cross_entropy_short_grad_rows_##S(x, target, weight, grad, gx, rows, cols, \
                                              ignore_index, eps, wsum);        \
            return;                                                            \
        }                                                                      \
        T eps_c = (T)(eps / (double)cols);                                     \
        for (int64_t r = 0; r < rows; r++) {                                   \
            int64_t t = target[r];                                             \
            T *out = gx + r * cols;                                            \
            if (t == ignore_index) {                                           \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = 0;                                                \
                continue;                                                      \
            }                                                                  \
            const T *xr = x + r * cols;                                        \
            ROW_MAX(T, xr, m)                                                  \
            double s = row_sum_exp_##S(xr, m, out, cols);                      \
            T g = grad[r];                                                     \
            double wt = weight ? (double)weight[t] : 1.0;                      \
            /* softmax p = e / s, scaled by g ((1 - e) w_t + (e / C) W) */      \
            T a = (T)(cross_entropy_row_scale(g, wt, eps, cols, wsum) / s);    \
            T ge = g * eps_c;                                                  \
            if (weight) {                                                      \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = a * out[c] - ge * weight[c];                      \
            } else {                                                           \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = a * out[c] - ge;                                  \
            }                                                                  \
            out[t] -= (T)((double)g * (1 - eps) * wt);                         \
        }                                                                      \
    }                                                                          \
    void fg_cross_entropy_fwd_##S(const T *restrict x, const int64_t *restrict target, \
                                  const T *restrict weight, T *restrict loss,  \
                                  int64_t rows, int64_t cols, int64_t ignore_index, T label_smoothing) \
    {                                                                          \
        double wsum = weight_sum(weight, IS_F32, cols);                        \
        FG_PARALLEL_SHARES(rows, rows * cols, 1,                               \
            cross_entropy_rows_##S(x + lo * cols, target + lo, weight, loss + lo, \
                                   hi - lo, cols, ignore_index, label_smoothing, wsum)) \
    }                                                                          \
    void fg_cross_entropy_bwd_##S(const T *restrict x, const int64_t *restrict target, \
                                  const T *restrict weight, const T *restrict grad, T *restrict gx, \
                                  int64_t rows, int64_t cols, int64_t ignore_index, T label_smoothing) \
    {                                                                          \
        double wsum = weight_sum(weight, IS_F32, cols);                        \
        FG_PARALLEL_SHARES(rows, rows * cols, 1,                               \
            cross_entropy_grad_rows_##S(x + lo * cols, target + lo, weight, grad + lo, \
                                        gx + lo * cols, hi - lo, cols, ignore_index, \
                                        label_smoothing, wsum))                \
    }

FG_CROSS_ENTROPY(float, f32, 1)
FG_CROSS_ENTROPY(double, f64, 0)

/* ---- cross entropy with class probabilities q ----
 * weight is required here (the caller passes ones for none).
 * q' = (1 - e) q + e / C;  loss_r = sum_c w_c q'_c (lse - x_c)
 *   = A log(s) - sum_c w_c q'_c (x_c - m),  A = sum_c w_c q'_c
 * dloss_r/dx_c = p_c A - w_c q'_c; the backward recomputes p as above. */

#define FG_SOFT_CROSS_ENTROPY(T, S)                                            \
    FG_SIMD_CLONES static void soft_cross_entropy_rows_##S(                    \
        const T *restrict x, const T *restrict q, const T *restrict weight,    \
        T *restrict loss, int64_t rows, int64_t cols, T label_smoothing)       \
    {                                                                          \
        T keep = (T)1 - label_smoothing, eps_c = label_smoothing / (T)cols;    \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *xr = x + r * cols, *qr = q + r * cols;                    \
            ROW_MAX(T, xr, m)                                                  \
            double s = 0, a = 0, b = 0;                                        \
            _Pragma("omp simd reduction(+:s, a, b)")                           \
            for (int64_t c = 0; c < cols; c++) {                               \
                T wq = (keep * qr[c] + eps_c) * weight[c];                     \
                s += fg_exp_##S(xr[c] - m);                                    \
                a += wq;                                                       \
                b += (double)wq * (xr[c] - m);                                 \
            }                                                                  \
            loss[r] = (T)(a * log(s) - b);                                     \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void soft_cross_entropy_grad_rows_##S(               \
        const T *restrict x, const T *restrict q, const T *restrict weight,    \
        const T *restrict grad, T *restrict gx, int64_t rows, int64_t cols, T label_smoothing) \
    {                                                                          \
        T keep = (T)1 - label_smoothing, eps_c = label_smoothing / (T)cols;    \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *xr = x + r * cols, *qr = q + r * cols;                    \
            T *out = gx + r * cols;                                            \
            ROW_MAX(T, xr, m)                                                  \
            double s = 0, a = 0;                                               \
            _Pragma("omp simd reduction(+:s, a)")                              \
            for (int64_t c = 0; c < cols; c++) {                               \
                T e = fg_exp_##S(xr[c] - m);                                   \
                out[c] = e;                                                    \
                s += e;                                                        \
                a += (keep * qr[c] + eps_c) * weight[c];                       \
            }                                                                  \
            T g = grad[r], ga = (T)((double)g * a / s);                        \
            for (int64_t c = 0; c < cols; c++)                                 \
                out[c] = ga * out[c] - g * ((keep * qr[c] + eps_c) * weight[c]); \
        }                                                                      \
    }                                                                          \
    FG_ROW_KERNEL(fg_soft_cross_entropy_fwd_##S, soft_cross_entropy_rows_##S,  \
                  (const T *restrict x, const T *restrict q, const T *restrict weight, T *restrict loss, \
                   int64_t rows, int64_t cols, T label_smoothing),            \
                  (x + lo * cols, q + lo * cols, weight, loss + lo, hi - lo, cols, label_smoothing)) \
    FG_ROW_KERNEL(fg_soft_cross_entropy_bwd_##S, soft_cross_entropy_grad_rows_##S, \
                  (const T *restrict x, const T *restrict q, const T *restrict weight, \
                   const T *restrict grad, T *restrict gx, int64_t rows, int64_t cols, T label_smoothing), \
                  (x + lo * cols, q + lo * cols, weight, grad + lo, gx + lo * cols, hi - lo, cols, \
                   label_smoothing))

FG_SOFT_CROSS_ENTROPY(float, f32)
FG_SOFT_CROSS_ENTROPY(double, f64)

/* ---- pointwise losses of (x, t) ----
 * A loss is LOSS(T) and GRAD(T), expressions of d = x - t (and of the
 * parameters).  The forward writes `loss` when given and returns the sum;
 * the backward writes gx = scale * (gy or 1) * GRAD. */
#define FG_POINTWISE_LOSS(op, T, S, LOSS, GRAD, PARAMS, ARGS)                  \
    FG_SIMD_CLONES static double op##_share_##S(const T *restrict x, const T *restrict t, T *restrict loss, \
                                                int64_t n PARAMS)              \
    {                                                                          \
        double sum = 0;                                                        \
        if (loss) {                                                            \
            _Pragma("omp simd reduction(+:sum)")                               \
            for (int64_t i = 0; i < n; i++) {                                  \
                T d = x[i] - t[i];                                             \
                T l = LOSS(T);                                                 \
                loss[i] = l;                                                   \
                sum += l;                                                      \
            }                                                                  \
        } else {                                                               \
            _Pragma("omp simd reduction(+:sum)")                               \
            for (int64_t i = 0; i < n; i++) {                                  \
                T d = x[i] - t[i];                                             \
                sum += LOSS(T);                                                \
            }                                                                  \
        }                                                                      \
        return sum;                                                            \
    }                                                                          \
    FG_SIMD_CLONES static void op##_grad_share_##S(const T *restrict x, const T *restrict t, \
                                                   const T *restrict gy, T *restrict gx, \
                                                   int64_t n, T scale PARAMS)  \
    {                                                                          \
        if (gy) {                                                              \
            for (int64_t i = 0; i < n; i++) {                                  \
                T d = x[i] - t[i];                                             \
                gx[i] = scale * gy[i] * GRAD(T);                               \
            }                                                                  \
        } else {                                                               \
            for (int64_t i = 0; i < n; i++) {                                  \
                T d = x[i] - t[i];                                             \
                gx[i] = scale * GRAD(T);                                       \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    double fg_##op##_fwd_##S(const T *restrict x, const T *restrict t, T *restrict loss, int64_t n PARAMS) \
    {                                                                          \
        FG_PARALLEL_SUM(n, n, 16, op##_share_##S(x + lo, t + lo, loss ? loss + lo : NULL, hi - lo ARGS)) \
        return fg_sum_;                                                        \
    }                                                                          \
    void fg_##op##_bwd_##S(const T *restrict x, const T *restrict t, const T *restrict gy, \
                           T *restrict gx, int64_t n, T scale PARAMS)          \
    {                                                                          \
        FG_PARALLEL_SHARES(n, n, 16,                                           \
            op##_grad_share_##S(x + lo, t + lo, gy ? gy + lo : NULL, gx + lo, hi - lo, scale ARGS)) \
    }

/* mse: d^2, 2 d */
#define MSE_LOSS(T) (d * d)
#define MSE_GRAD(T) ((T)2 * d)
FG_POINTWISE_LOSS(mse_loss, float, f32, MSE_LOSS, MSE_GRAD, , )
FG_POINTWISE_LOSS(mse_loss, double, f64, MSE_LOSS, MSE_GRAD, , )

/* l1: |d|, sign(d) with sign(0) = 0 and NaN kept */
#define L1_LOSS(T) (d < 0 ? -d : d)
#define L1_GRAD(T) (d > 0 ? (T)1 : d < 0 ? (T)-1 : d * (T)0)
FG_POINTWISE_LOSS(l1_loss, float, f32, L1_LOSS, L1_GRAD, , )
FG_POINTWISE_LOSS(l1_loss, double, f64, L1_LOSS, L1_GRAD, , )

/* huber: d^2 / 2 inside |d| < delta, delta (|d| - delta / 2) outside;
 * gradient d clamped to [-delta, delta] */
#define HUBER_LOSS(T) ((d < 0 ? -d : d) < delta ? (T)0.5 * d * d : delta * ((d < 0 ? -d : d) - (T)0.5 * delta))
#define HUBER_GRAD(T) (d < -delta ? -delta : d > delta ? delta : d)
FG_POINTWISE_LOSS(huber_loss, float, f32, HUBER_LOSS, HUBER_GRAD, FG_COMMA float delta, FG_COMMA delta)
FG_POINTWISE_LOSS(huber_loss, double, f64, HUBER_LOSS, HUBER_GRAD, FG_COMMA double delta, FG_COMMA delta)

/* ---- binary cross entropy on logits ----
 * l = 1 + (pw - 1) t;  loss = (1 - t) x + l softplus(-x);
 * d loss / dx = l sigmoid(x) - pw t.
 * pos_weight (NULL for none) has `cols` entries and repeats over rows. */

#define FG_BCE_WITH_LOGITS(T, S)                                               \
    static inline T bce_logits_##S(T v, T tt, T pw)                            \
    {                                                                          \
        T l = (T)1 + (pw - (T)1) * tt;                                         \
        return ((T)1 - tt) * v + l * fg_softplus_##S(-v);                      \
    }                                                                          \
    static inline T bce_logits_grad_##S(T v, T tt, T pw)                       \
    {                                                                          \
        T l = (T)1 + (pw - (T)1) * tt;                                         \
        return l * fg_sigmoid_##S(v) - pw * tt;                                \
    }                                                                          \
    /* rows [0, rows) of the (rows, cols) inputs; pw NULL means 1 */           \
    FG_SIMD_CLONES static double bce_logits_rows_##S(const T *restrict x, const T *restrict t, \
                                                     const T *restrict pw, T *restrict loss, \
                                                     int64_t rows, int64_t cols) \
    {                                                                          \
        double sum = 0;                                                        \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *xr = x + r * cols, *tr = t + r * cols;                    \
            double rs = 0;                                                     \
            if (loss && pw) {                                                  \
                T *lr = loss + r * cols;                                       \
                _Pragma("omp simd reduction(+:rs)")                            \
                for (int64_t c = 0; c < cols; c++) {                           \
                    T l = bce_logits_##S(xr[c], tr[c], pw[c]);                 \
                    lr[c] = l;                                                 \
                    rs += l;                                                   \
                }                                                              \
            } else if (loss) {                                                 \
                T *lr = loss + r * cols;                                       \
                _Pragma("omp simd reduction(+:rs)")                            \
                for (int64_t c = 0; c < cols; c++) {                           \
                    T l = bce_logits_##S(xr[c], tr[c], (T)1);                  \
                    lr[c] = l;                                                 \
                    rs += l;                                                   \
                }                                                              \
            } else if (pw) {                                                   \
                _Pragma("omp simd reduction(+:rs)")                            \
                for (int64_t c = 0; c < cols; c++)                             \
                    rs += bce_logits_##S(xr[c], tr[c], pw[c]);                 \
            } else {                                                           \
                _Pragma("omp simd reduction(+:rs)")                            \
                for (int64_t c = 0; c < cols; c++)                             \
                    rs += bce_logits_##S(xr[c], tr[c], (T)1);                  \
            }                                                                  \
            sum += rs;                                                         \
        }                                                                      \
        return sum;                                                            \
    }                                                                          \
    FG_SIMD_CLONES static void bce_logits_grad_rows_##S(const T *restrict x, const T *restrict t, \
                                                        const T *restrict pw, const T *restrict gy, \
                                                        T *restrict gx, int64_t rows, int64_t cols, T scale) \
    {                                                                          \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *xr = x + r * cols, *tr = t + r * cols;                    \
            T *out = gx + r * cols;                                            \
            if (gy && pw) {                                                    \
                const T *gr = gy + r * cols;                                   \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = scale * gr[c] * bce_logits_grad_##S(xr[c], tr[c], pw[c]); \
            } else if (gy) {                                                   \
                const T *gr = gy + r * cols;                                   \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = scale * gr[c] * bce_logits_grad_##S(xr[c], tr[c], (T)1); \
            } else if (pw) {                                                   \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = scale * bce_logits_grad_##S(xr[c], tr[c], pw[c]); \
            } else {                                                           \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = scale * bce_logits_grad_##S(xr[c], tr[c], (T)1);  \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* Without pos_weight the whole array is one long row, split by elements. */ \
    double fg_binary_cross_entropy_with_logits_fwd_##S(const T *restrict x, const T *restrict t, \
                                                       const T *restrict pos_weight, T *restrict loss, \
                                                       int64_t rows, int64_t cols) \
    {                                                                          \
        if (!pos_weight) {                                                     \
            int64_t n = rows * cols;                                           \
            FG_PARALLEL_SUM(n, n, 16,                                          \
                bce_logits_rows_##S(x + lo, t + lo, NULL, loss ? loss + lo : NULL, 1, hi - lo)) \
            return fg_sum_;                                                    \
        }                                                                      \
        FG_PARALLEL_SUM(rows, rows * cols, 1,                                  \
            bce_logits_rows_##S(x + lo * cols, t + lo * cols, pos_weight,      \
                                loss ? loss + lo * cols : NULL, hi - lo, cols)) \
        return fg_sum_;                                                        \
    }                                                                          \
    void fg_binary_cross_entropy_with_logits_bwd_##S(const T *restrict x, const T *restrict t, \
                                                     const T *restrict pos_weight, const T *restrict gy, \
                                                     T *restrict gx, int64_t rows, int64_t cols, T scale) \
    {                                                                          \
        if (!pos_weight) {                                                     \
            int64_t n = rows * cols;                                           \
            FG_PARALLEL_SHARES(n, n, 16,                                       \
                bce_logits_grad_rows_##S(x + lo, t + lo, NULL, gy ? gy + lo : NULL, gx + lo, \
                                         1, hi - lo, scale))                   \
            return;                                                            \
        }                                                                      \
        FG_PARALLEL_SHARES(rows, rows * cols, 1,                               \
            bce_logits_grad_rows_##S(x + lo * cols, t + lo * cols, pos_weight, \
                                     gy ? gy + lo * cols : NULL, gx + lo * cols, hi - lo, cols, scale)) \
    }

FG_BCE_WITH_LOGITS(float, f32)
FG_BCE_WITH_LOGITS(double, f64)

/* ---- binary cross entropy on probabilities ----
 * loss = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100)), the clamp
 * keeping log(0) finite as PyTorch does; gradient (p - t) / max(p (1 - p), eps)
 * with PyTorch's eps, the float 1e-12f (also in double).  The forward counts
 * inputs or targets outside [0, 1] into *invalid. */

#define FG_BCE(T, S, LOG, LOG1P)                                               \
    static inline T bce_grad_##S(T v, T tt)                                    \
    {                                                                          \
        T den = ((T)1 - v) * v;                                                \
        den = den < (T)1e-12f ? (T)1e-12f : den;                               \
        return (v - tt) / den;                                                 \
    }                                                                          \
    /* One chunk's loss sum; its count of inputs outside [0, 1] is added to   \
     * *invalid (an integer sum: the same in any order). */                   \
    static double bce_share_##S(const T *restrict p, const T *restrict t, T *restrict loss, \
                                int64_t n, int64_t *invalid)                   \
    {                                                                          \
        double sum = 0;                                                        \
        int64_t bad = 0;                                                       \
        for (int64_t i = 0; i < n; i++) {                                      \
            T v = p[i], tt = t[i];                                             \
            bad += (v < 0) | (v > 1) | (tt < 0) | (tt > 1);                    \
            T lp = LOG(v), lq = LOG1P(-v);                                     \
            lp = lp < (T)-100 ? (T)-100 : lp;                                  \
            lq = lq < (T)-100 ? (T)-100 : lq;                                  \
            T l = -(tt * lp + ((T)1 - tt) * lq);                               \
            if (loss)                                                          \
                loss[i] = l;                                                   \
            sum += l;                                                          \
        }                                                                      \
        _Pragma("omp atomic")                                                  \
        *invalid += bad;                                                       \
        return sum;                                                            \
    }                                                                          \
    static void bce_grad_share_##S(const T *restrict p, const T *restrict t, const T *restrict gy, \
                                   T *restrict gx, int64_t n, T scale)         \
    {                                                                          \
        if (gy) {                                                              \
            _Pragma("omp simd")                                                \
            for (int64_t i = 0; i < n; i++)                                    \
                gx[i] = scale * gy[i] * bce_grad_##S(p[i], t[i]);              \
        } else {                                                               \
            _Pragma("omp simd")                                                \
            for (int64_t i = 0; i < n; i++)                                    \
                gx[i] = scale * bce_grad_##S(p[i], t[i]);                      \
        }                                                                      \
    }                                                                          \
    /* The sum is taken chunk by chunk (FG_PARALLEL_SUM), so it is the same    \
     * for any thread count. */                                               \
    double fg_binary_cross_entropy_fwd_##S(const T *restrict p, const T *restrict t, T *restrict loss, \
                                           int64_t n, int64_t *invalid)         \
    {                                                                          \
        *invalid = 0;                                                          \
        FG_PARALLEL_SUM(n, n, 16, bce_share_##S(p + lo, t + lo, loss ? loss + lo : NULL, hi - lo, invalid)) \
        return fg_sum_;                                                        \
    }                                                                          \
    void fg_binary_cross_entropy_bwd_##S(const T *restrict p, const T *restrict t, const T *restrict gy, \
                                         T *restrict gx, int64_t n, T scale)   \
    {                                                                          \
        FG_PARALLEL_SHARES(n, n, 16,                                           \
            bce_grad_share_##S(p + lo, t + lo, gy ? gy + lo : NULL, gx + lo, hi - lo, scale)) \
    }

FG_BCE(float, f32, logf, log1pf)
FG_BCE(double, f64, log, log1p)
