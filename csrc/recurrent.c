/* The gate nonlinearities and state update of an LSTM or GRU time step, and
 * an LSTM layer over a whole sequence.
 *
 * One step: the products (the input projection of all steps, the recurrent
 * product of this step) are GEMMs done by the caller; what is left of a step
 * is elementwise over the gate blocks of each batch row, and is one pass here,
 * forward and backward, instead of a dozen elementwise ops.  The forward
 * keeps the activated gates for the backward, which computes every gate's
 * gradient and the previous state's in the same pass.  Threaded over rows.
 *
 * A sequence (lstm_seq_*): the caller projects the inputs of all steps with
 * one GEMM; the loop over time runs here, each step the recurrent product
 * h_(t-1) W_hh^T through the GEMM layer (gemm.c) and then the gate pass.  The
 * backward walks the steps in reverse, each step the gate gradients and then
 * their product with W_hh, the gradient of the previous hidden state; the
 * weight gradients are left to the caller as one GEMM each over all steps.
 * The states live in one array hc (2, steps + 1, rows, hidden): hc[0] the
 * hidden states h_0 .. h_T, hc[1] the cell states c_0 .. c_T.  A GRU layer
 * (gru_seq_*) runs the same way with h (steps + 1, rows, hidden) and keeps
 * each step's recurrent projection gh for the backward.
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include <stddef.h>
#include <string.h>
#include "fastgrad.h"
#include "fg_math.h"
#include "fg_parallel.h"

#define FG_RECURRENT(T, S)                                                     \
    /* h and c: rows `stride` apart (2 hidden in a step's [h, c], hidden in a sequence's hc) */ \
    FG_SIMD_CLONES static void lstm_rows_##S(const T *restrict gates, const T *restrict c_prev, T *restrict h_out, \
                                             T *restrict c_out, int64_t stride, T *restrict act, int64_t lo, \
                                             int64_t hi, int64_t hidden)       \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *a = gates + r * 4 * hidden, *cp = c_prev + r * hidden;    \
            T *h = h_out + r * stride, *c = c_out + r * stride, *s = act + r * 4 * hidden; \
            for (int64_t j = 0; j < hidden; j++) {                             \
                T i = fg_sigmoid_##S(a[j]), f = fg_sigmoid_##S(a[hidden + j]);    \
                T g = fg_tanh_##S(a[2 * hidden + j]), o = fg_sigmoid_##S(a[3 * hidden + j]); \
                s[j] = i;                                                      \
                s[hidden + j] = f;                                             \
                s[2 * hidden + j] = g;                                         \
                s[3 * hidden + j] = o;                                         \
                c[j] = f * cp[j] + i * g;                                      \
                h[j] = o * fg_tanh_##S(c[j]);                                  \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* gc = gc_in + gh o (1 - tanh(c)^2); the pre-activations' gradients through \
     * sigmoid' = s (1 - s) and tanh' = 1 - t^2 of the kept activations */     \
    FG_SIMD_CLONES static void lstm_grad_rows_##S(const T *restrict act, const T *restrict c_prev, \
                                                  const T *restrict c_now, const T *restrict gh_now, \
                                                  const T *restrict gc_now, int64_t stride, \
                                                  T *restrict ggates, T *restrict gc_prev, int64_t lo, \
                                                  int64_t hi, int64_t hidden)  \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *s = act + r * 4 * hidden, *cp = c_prev + r * hidden;      \
            const T *c = c_now + r * stride;                                   \
            const T *gh = gh_now + r * stride, *gcin = gc_now + r * stride;    \
            T *ga = ggates + r * 4 * hidden, *gcp = gc_prev + r * hidden;      \
            for (int64_t j = 0; j < hidden; j++) {                             \
                T i = s[j], f = s[hidden + j], g = s[2 * hidden + j], o = s[3 * hidden + j]; \
                T tc = fg_tanh_##S(c[j]);                                      \
                T gc = gcin[j] + gh[j] * o * ((T)1 - tc * tc);                 \
                ga[j] = gc * g * i * ((T)1 - i);                               \
                ga[hidden + j] = gc * cp[j] * f * ((T)1 - f);                  \
                ga[2 * hidden + j] = gc * i * ((T)1 - g * g);                  \
                ga[3 * hidden + j] = gh[j] * tc * o * ((T)1 - o);              \
                gcp[j] = gc * f;                                               \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void gru_rows_##S(const T *restrict gi, const T *restrict gh, const T *restrict h_prev, \
                                            T *restrict h, T *restrict act, int64_t lo, int64_t hi, \
                                            int64_t hidden)                    \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *x = gi + r * 3 * hidden, *y = gh + r * 3 * hidden, *hp = h_prev + r * hidden; \
            T *out = h + r * hidden, *s = act + r * 3 * hidden;                \
            for (int64_t j = 0; j < hidden; j++) {                             \
                T rg = fg_sigmoid_##S(x[j] + y[j]);                            \
                T z = fg_sigmoid_##S(x[hidden + j] + y[hidden + j]);           \
                T n = fg_tanh_##S(x[2 * hidden + j] + rg * y[2 * hidden + j]); \
                s[j] = rg;                                                     \
                s[hidden + j] = z;                                             \
                s[2 * hidden + j] = n;                                         \
                out[j] = n + z * (hp[j] - n);                                  \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void gru_grad_rows_##S(const T *restrict act, const T *restrict gh, \
                                                 const T *restrict h_prev, const T *restrict gy, \
                                                 T *restrict ggi, T *restrict ggh, T *restrict gh_prev, \
                                                 int64_t lo, int64_t hi, int64_t hidden) \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *s = act + r * 3 * hidden, *y = gh + r * 3 * hidden;       \
            const T *hp = h_prev + r * hidden, *g = gy + r * hidden;           \
            T *gx = ggi + r * 3 * hidden, *gyh = ggh + r * 3 * hidden, *ghp = gh_prev + r * hidden; \
            for (int64_t j = 0; j < hidden; j++) {                             \
                T rg = s[j], z = s[hidden + j], n = s[2 * hidden + j];         \
                T dn = g[j] * ((T)1 - z) * ((T)1 - n * n);                     \
                T dr = dn * y[2 * hidden + j] * rg * ((T)1 - rg);              \
                T dz = g[j] * (hp[j] - n) * z * ((T)1 - z);                    \
                gx[j] = dr;                                                    \
                gx[hidden + j] = dz;                                           \
                gx[2 * hidden + j] = dn;                                       \
                gyh[j] = dr;                                                   \
                gyh[hidden + j] = dz;                                          \
                gyh[2 * hidden + j] = dn * rg;                                 \
                ghp[j] = g[j] * z;                                             \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    void fg_lstm_cell_fwd_##S(const T *restrict gates, const T *restrict c_prev, T *restrict hc, \
                              T *restrict act, int64_t rows, int64_t hidden)   \
    {                                                                          \
        FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                         \
                           lstm_rows_##S(gates, c_prev, hc, hc + hidden, 2 * hidden, act, lo, hi, hidden)) \
    }                                                                          \
    void fg_lstm_cell_bwd_##S(const T *restrict act, const T *restrict c_prev, const T *restrict hc, \
                              const T *restrict ghc, T *restrict ggates, T *restrict gc_prev, int64_t rows, \
                              int64_t hidden)                                  \
    {                                                                          \
        FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                         \
                           lstm_grad_rows_##S(act, c_prev, hc + hidden, ghc, ghc + hidden, 2 * hidden, ggates, \
                                              gc_prev, lo, hi, hidden)) \
    }                                                                          \
    void fg_gru_cell_fwd_##S(const T *restrict gi, const T *restrict gh, const T *restrict h_prev, \
                             T *restrict h, T *restrict act, int64_t rows, int64_t hidden) \
    {                                                                          \
        FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                         \
                           gru_rows_##S(gi, gh, h_prev, h, act, lo, hi, hidden)) \
    }                                                                          \
    void fg_gru_cell_bwd_##S(const T *restrict act, const T *restrict gh, const T *restrict h_prev, \
                             const T *restrict gy, T *restrict ggi, T *restrict ggh, T *restrict gh_prev, \
                             int64_t rows, int64_t hidden)                     \
    {                                                                          \
        FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                         \
                           gru_grad_rows_##S(act, gh, h_prev, gy, ggi, ggh, gh_prev, lo, hi, hidden)) \
    }

FG_RECURRENT(float, f32)
FG_RECURRENT(double, f64)

/* A product of a sequence, C += op(A) op(B), through the library `products`
 * names: MKL's GEMM (gemm.c) or oneDNN's float32 matmul (onednn_gemm.c). */
static int product_f32(int products, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                       int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc)
{
    char message[160];
    if (products == FG_PRODUCTS_ONEDNN)
        return fg_onednn_gemm_f32(trans_a, trans_b, m, n, k, a, lda, b, ldb, 1, c, ldc, message, sizeof message)
                   == FG_ONEDNN_OK ? FG_BLAS_OK : FG_PRODUCTS_FAILED;
    return fg_gemm_f32(trans_a, trans_b, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c, ldc);
}

static int product_f64(int products, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const double *a,
                       int64_t lda, const double *b, int64_t ldb, double *c, int64_t ldc)
{
    if (products == FG_PRODUCTS_ONEDNN)
        return FG_PRODUCTS_FAILED;  /* oneDNN's matmul is float32 only */
    return fg_gemm_f64(trans_a, trans_b, m, n, k, 1.0, a, lda, b, ldb, 1.0, c, ldc);
}

/* One LSTM layer over `steps` time steps (see the top of this file).
 * Forward: hc[0][0] and hc[1][0] hold h_0 and c_0; step t adds bias and
 * h_t W_hh^T to gates[t] in scratch (rows, 4 hidden), runs the gate pass and
 * writes h_(t+1), c_(t+1) and act[t].
 * Backward: grad (2, steps + 1, rows, hidden) is the gradient of hc; writes
 * ggates (steps, rows, 4 hidden), the gradients of the pre-activations, and
 * grad0 (2, rows, hidden), those of h_0 and c_0; scratch holds 3 (rows, hidden).
 * The products run through the library `products` names (FG_PRODUCTS_*).
 * Both return FG_BLAS_OK, the GEMM layer's status when it cannot run, or
 * FG_PRODUCTS_FAILED when oneDNN's cannot. */
#define FG_LSTM_SEQUENCE(T, S)                                                 \
    int fg_lstm_seq_fwd_##S(const T *restrict gates, const T *restrict bias, const T *restrict w_hh, \
                            T *restrict hc, T *restrict act, T *restrict scratch, int64_t steps, \
                            int64_t rows, int64_t hidden, int products)        \
    {                                                                          \
        int64_t n = rows * hidden, width = 4 * hidden;                         \
        T *h = hc, *c = hc + (steps + 1) * n;                                  \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        for (int64_t t = 0; t < steps; t++) {                                  \
            const T *x = gates + t * rows * width;                             \
            if (bias) {                                                        \
                for (int64_t r = 0; r < rows; r++)                             \
                    for (int64_t j = 0; j < width; j++)                        \
                        scratch[r * width + j] = x[r * width + j] + bias[j];   \
            } else {                                                           \
                memcpy(scratch, x, (size_t)(rows * width) * sizeof(T));        \
            }                                                                  \
            int status = product_##S(products, 0, 1, rows, width, hidden, h + t * n, hidden, w_hh, hidden, \
                                     scratch, width);                          \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
            T *h_next = h + (t + 1) * n, *c_next = c + (t + 1) * n, *a = act + t * rows * width; \
            const T *c_now = c + t * n;                                        \
            FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                     \
                               lstm_rows_##S(scratch, c_now, h_next, c_next, hidden, a, lo, hi, hidden)) \
        }                                                                      \
        return FG_BLAS_OK;                                                     \
    }                                                                          \
    int fg_lstm_seq_bwd_##S(const T *restrict act, const T *restrict w_hh, const T *restrict hc, \
                            const T *restrict grad, T *restrict ggates, T *restrict grad0, \
                            T *restrict scratch, int64_t steps, int64_t rows, int64_t hidden, \
                            int products)                                      \
    {                                                                          \
        int64_t n = rows * hidden, width = 4 * hidden;                         \
        const T *c = hc + (steps + 1) * n, *grad_h = grad, *grad_c = grad + (steps + 1) * n; \
        T *gh = scratch, *gc = scratch + n, *gc_other = scratch + 2 * n;       \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        /* gh, gc: the whole gradients of h_(t+1), c_(t+1) while step t runs */ \
        memcpy(gh, grad_h + steps * n, (size_t)n * sizeof(T));                 \
        memcpy(gc, grad_c + steps * n, (size_t)n * sizeof(T));                 \
        for (int64_t t = steps - 1; t >= 0; t--) {                             \
            T *g = ggates + t * rows * width, *swap;                           \
            const T *a = act + t * rows * width, *c_now = c + t * n, *c_next = c + (t + 1) * n; \
            FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                     \
                               lstm_grad_rows_##S(a, c_now, c_next, gh, gc, hidden, g, gc_other, lo, hi, \
                                                  hidden))                     \
            swap = gc, gc = gc_other, gc_other = swap;                         \
            for (int64_t k = 0; k < n; k++)                                    \
                gc[k] += grad_c[t * n + k];                                    \
            memcpy(gh, grad_h + t * n, (size_t)n * sizeof(T));                 \
            int status = product_##S(products, 0, 0, rows, hidden, width, g, width, w_hh, hidden, gh, \
                                     hidden);                                  \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
        }                                                                      \
        memcpy(grad0, gh, (size_t)n * sizeof(T));                              \
        memcpy(grad0 + n, gc, (size_t)n * sizeof(T));                          \
        return FG_BLAS_OK;                                                     \
    }

FG_LSTM_SEQUENCE(float, f32)
FG_LSTM_SEQUENCE(double, f64)

/* One GRU layer over `steps` time steps.
 * Forward: gi (steps, rows, 3 hidden) the input projections x_t W_ih^T + b_ih;
 * h[0] holds h_0; step t writes gh[t] = h_t W_hh^T + b_hh (b_hh may be NULL),
 * then h_(t+1) and act[t] by the gate pass.
 * Backward: grad (steps + 1, rows, hidden) is the gradient of h; writes ggi,
 * ggh (steps, rows, 3 hidden), the gradients of gi and gh, and grad0 (rows,
 * hidden), that of h_0; scratch holds 2 (rows, hidden). */
#define FG_GRU_SEQUENCE(T, S)                                                  \
    int fg_gru_seq_fwd_##S(const T *restrict gi, const T *restrict b_hh, const T *restrict w_hh, \
                           T *restrict h, T *restrict gh, T *restrict act, int64_t steps, int64_t rows, \
                           int64_t hidden, int products)                       \
    {                                                                          \
        int64_t n = rows * hidden, width = 3 * hidden;                         \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        for (int64_t t = 0; t < steps; t++) {                                  \
            T *y = gh + t * rows * width;                                      \
            for (int64_t r = 0; r < rows; r++)                                 \
                for (int64_t j = 0; j < width; j++)                            \
                    y[r * width + j] = b_hh ? b_hh[j] : (T)0;                  \
            int status = product_##S(products, 0, 1, rows, width, hidden, h + t * n, hidden, w_hh, hidden, \
                                     y, width);                                \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
            const T *x = gi + t * rows * width, *h_now = h + t * n;            \
            T *h_next = h + (t + 1) * n, *a = act + t * rows * width;          \
            FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                     \
                               gru_rows_##S(x, y, h_now, h_next, a, lo, hi, hidden)) \
        }                                                                      \
        return FG_BLAS_OK;                                                     \
    }                                                                          \
    int fg_gru_seq_bwd_##S(const T *restrict act, const T *restrict gh, const T *restrict w_hh, \
                           const T *restrict h, const T *restrict grad, T *restrict ggi, T *restrict ggh, \
                           T *restrict grad0, T *restrict scratch, int64_t steps, int64_t rows, \
                           int64_t hidden, int products)                       \
    {                                                                          \
        int64_t n = rows * hidden, width = 3 * hidden;                         \
        T *gy = scratch, *g_prev = scratch + n, *swap;                         \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        /* gy: the whole gradient of h_(t+1) while step t runs */              \
        memcpy(gy, grad + steps * n, (size_t)n * sizeof(T));                   \
        for (int64_t t = steps - 1; t >= 0; t--) {                             \
            const T *a = act + t * rows * width, *y = gh + t * rows * width, *h_now = h + t * n; \
            T *gx = ggi + t * rows * width, *gyh = ggh + t * rows * width;     \
            FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                     \
                               gru_grad_rows_##S(a, y, h_now, gy, gx, gyh, g_prev, lo, hi, hidden)) \
            for (int64_t k = 0; k < n; k++)                                    \
                g_prev[k] += grad[t * n + k];                                  \
            int status = product_##S(products, 0, 0, rows, hidden, width, gyh, width, w_hh, hidden, \
                                     g_prev, hidden);                          \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
            swap = gy, gy = g_prev, g_prev = swap;                             \
        }                                                                      \
        memcpy(grad0, gy, (size_t)n * sizeof(T));                              \
        return FG_BLAS_OK;                                                     \
    }

FG_GRU_SEQUENCE(float, f32)
FG_GRU_SEQUENCE(double, f64)

/* One Elman RNN layer over `steps` time steps, nonlinearity tanh or (relu)
 * relu.  Forward: gi (steps, rows, hidden) = x_t W_ih^T + b_ih + b_hh; h[0]
 * holds h_0; step t writes h_(t+1) = act(gi[t] + h_t W_hh^T), the product
 * accumulated into h_(t+1) and the nonlinearity applied there in place.
 * Backward: grad (steps + 1, rows, hidden) is the gradient of h; writes gpre
 * (steps, rows, hidden), the gradients of the pre-activations, and grad0
 * (rows, hidden), that of h_0 (also the running gradient of h_(t+1)). */
#define FG_RNN_SEQUENCE(T, S)                                                  \
    FG_SIMD_CLONES static void rnn_act_##S(T *restrict h, int64_t n, int relu) \
    {                                                                          \
        if (relu) {                                                            \
            for (int64_t k = 0; k < n; k++)                                    \
                h[k] = h[k] <= (T)0 ? (T)0 : h[k];                             \
        } else {                                                               \
            for (int64_t k = 0; k < n; k++)                                    \
                h[k] = fg_tanh_##S(h[k]);                                      \
        }                                                                      \
    }                                                                          \
    /* g = gy act'(pre), read from the output y; gy <- next_grad (the step's given gradient) */ \
    FG_SIMD_CLONES static void rnn_grad_##S(const T *restrict y, T *restrict gy, const T *restrict next_grad, \
                                            T *restrict g, int64_t n, int relu) \
    {                                                                          \
        if (relu) {                                                            \
            for (int64_t k = 0; k < n; k++) {                                  \
                g[k] = y[k] > (T)0 ? gy[k] : (T)0;                             \
                gy[k] = next_grad[k];                                          \
            }                                                                  \
        } else {                                                               \
            for (int64_t k = 0; k < n; k++) {                                  \
                g[k] = gy[k] * ((T)1 - y[k] * y[k]);                           \
                gy[k] = next_grad[k];                                          \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    int fg_rnn_seq_fwd_##S(const T *restrict gi, const T *restrict w_hh, T *restrict h, int64_t steps, \
                           int64_t rows, int64_t hidden, int relu, int products) \
    {                                                                          \
        int64_t n = rows * hidden;                                             \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        for (int64_t t = 0; t < steps; t++) {                                  \
            T *h_next = h + (t + 1) * n;                                       \
            memcpy(h_next, gi + t * n, (size_t)n * sizeof(T));                 \
            int status = product_##S(products, 0, 1, rows, hidden, hidden, h + t * n, hidden, w_hh, hidden, \
                                     h_next, hidden);                          \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
            rnn_act_##S(h_next, n, relu);                                      \
        }                                                                      \
        return FG_BLAS_OK;                                                     \
    }                                                                          \
    int fg_rnn_seq_bwd_##S(const T *restrict h, const T *restrict w_hh, const T *restrict grad, \
                           T *restrict gpre, T *restrict grad0, int64_t steps, int64_t rows, int64_t hidden, \
                           int relu, int products)                             \
    {                                                                          \
        int64_t n = rows * hidden;                                             \
        if (n == 0)                                                            \
            return FG_BLAS_OK;                                                 \
        memcpy(grad0, grad + steps * n, (size_t)n * sizeof(T));                \
        for (int64_t t = steps - 1; t >= 0; t--) {                             \
            T *g = gpre + t * n;                                               \
            rnn_grad_##S(h + (t + 1) * n, grad0, grad + t * n, g, n, relu);    \
            int status = product_##S(products, 0, 0, rows, hidden, hidden, g, hidden, w_hh, hidden, grad0, \
                                     hidden);                                  \
            if (status != FG_BLAS_OK)                                          \
                return status;                                                 \
        }                                                                      \
        return FG_BLAS_OK;                                                     \
    }

FG_RNN_SEQUENCE(float, f32)
FG_RNN_SEQUENCE(double, f64)
