/* The gate nonlinearities and state update of one LSTM or GRU time step.
 *
 * The products (the input projection of all steps, the recurrent product of
 * this step) are GEMMs done by the caller; what is left of a step is
 * elementwise over the gate blocks of each batch row, and is one pass here,
 * forward and backward, instead of a dozen elementwise ops.  The forward
 * keeps the activated gates for the backward, which computes every gate's
 * gradient and the previous state's in the same pass.  Threaded over rows.
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include <stddef.h>
#include "fastgrad.h"
#include "fg_math.h"
#include "fg_parallel.h"

#define FG_RECURRENT(T, S)                                                     \
    FG_SIMD_CLONES static void lstm_rows_##S(const T *restrict gates, const T *restrict c_prev, T *restrict hc, \
                                             T *restrict act, int64_t lo, int64_t hi, int64_t hidden) \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *a = gates + r * 4 * hidden, *cp = c_prev + r * hidden;    \
            T *h = hc + r * 2 * hidden, *c = h + hidden, *s = act + r * 4 * hidden; \
            for (int64_t j = 0; j < hidden; j++) {                             \
                T i = fg_sigmoid_##S(a[j]), f = fg_sigmoid_##S(a[hidden + j]);    \
                T g = fg_tanh_##S(a[2 * hidden + j]), o = fg_sigmoid_##S(a[3 * hidden + j]); \
                T cj = f * cp[j] + i * g;                                      \
                c[j] = cj;                                                     \
                h[j] = o * fg_tanh_##S(cj);                                    \
                s[j] = i;                                                      \
                s[hidden + j] = f;                                             \
                s[2 * hidden + j] = g;                                         \
                s[3 * hidden + j] = o;                                         \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* gc = gc_in + gh o (1 - tanh(c)^2); the pre-activations' gradients through \
     * sigmoid' = s (1 - s) and tanh' = 1 - t^2 of the kept activations */     \
    FG_SIMD_CLONES static void lstm_grad_rows_##S(const T *restrict act, const T *restrict c_prev, \
                                                  const T *restrict hc, const T *restrict ghc, \
                                                  T *restrict ggates, T *restrict gc_prev, int64_t lo, \
                                                  int64_t hi, int64_t hidden)  \
    {                                                                          \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const T *s = act + r * 4 * hidden, *cp = c_prev + r * hidden;      \
            const T *c = hc + r * 2 * hidden + hidden;                         \
            const T *gh = ghc + r * 2 * hidden, *gcin = gh + hidden;           \
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
                out[j] = n + z * (hp[j] - n);                                  \
                s[j] = rg;                                                     \
                s[hidden + j] = z;                                             \
                s[2 * hidden + j] = n;                                         \
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
                           lstm_rows_##S(gates, c_prev, hc, act, lo, hi, hidden)) \
    }                                                                          \
    void fg_lstm_cell_bwd_##S(const T *restrict act, const T *restrict c_prev, const T *restrict hc, \
                              const T *restrict ghc, T *restrict ggates, T *restrict gc_prev, int64_t rows, \
                              int64_t hidden)                                  \
    {                                                                          \
        FG_PARALLEL_SHARES(rows, rows * 8 * hidden, 1,                         \
                           lstm_grad_rows_##S(act, c_prev, hc, ghc, ggates, gc_prev, lo, hi, hidden)) \
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
