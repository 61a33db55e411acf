/* Epilogues of the linear layer y = act(x W^T + b), around the GEMMs.
 *
 * Forward: the GEMM has written z = x W^T into a (rows, cols) buffer; one pass
 * adds the bias and applies the activation, in place (y == z) or, for gelu,
 * whose backward needs the pre-activation, keeping z + b in z and writing y.
 *
 * Backward: one pass computes gz = gy * act'(saved) and, when asked, the bias
 * gradient sum_r gz[r, :] along with it.  `saved` is y for none, relu,
 * sigmoid and tanh, and z + b for the gelus.  For act == FG_ACT_NONE, gz may
 * be NULL (then gz is gy and only the column sum is computed).
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include <stddef.h>
#include "fastgrad.h"
#include "fg_math.h"

#include "fg_parallel.h"

/* The epilogues run on one thread below FG_EPILOGUE_OMP_THRESHOLD elements:
 * the GEMMs around them do in_features times more work, so threads would save
 * little here, and waking them between two BLAS calls makes them compete with
 * a BLAS thread pool that is not OpenMP's (NumPy's OpenBLAS). */
#define FG_EPILOGUE_OMP_THRESHOLD (1 << 22)

/* Column tile of the bias-gradient sum: wide enough that each row of a tile
 * is a few cache lines, at most FG_TILE_MAX so its accumulators fit the stack. */
#define FG_TILE_MIN 64
#define FG_TILE_MAX 1024

/* activation of z and its derivative from the saved value s */
#define ACT_NONE(T, S, z) (z)
#define ACT_RELU(T, S, z) ((z) <= (T)0 ? (T)0 : (z))
#define ACT_SIGMOID(T, S, z) fg_sigmoid_##S(z)
#define ACT_TANH(T, S, z) fg_tanh_##S(z)
#define ACT_GELU(T, S, z) fg_gelu_##S(z)
#define ACT_GELU_TANH(T, S, z) fg_gelu_tanh_##S(z)

/* gz from gy and the saved value s.  relu selects (gy where s > 0, else +0), as its own
 * backward kernel does: a NaN or infinite gy where the unit is off gives 0, not NaN. */
#define DGRAD_NONE(T, S, g, s) (g)
#define DGRAD_RELU(T, S, g, s) ((s) > (T)0 ? (g) : (T)0)
#define DGRAD_SIGMOID(T, S, g, s) ((g) * ((s) * ((T)1 - (s))))
#define DGRAD_TANH(T, S, g, s) ((g) * ((T)1 - (s) * (s)))
#define DGRAD_GELU(T, S, g, s) ((g) * fg_gelu_grad_##S(s))
#define DGRAD_GELU_TANH(T, S, g, s) ((g) * fg_gelu_tanh_grad_##S(s))

/* One activation: a serial forward over rows, a serial backward over n
 * elements, and a serial backward over one column tile with its sums. */
#define FG_EPILOGUE(name, T, S, ACT, DGRAD)                                    \
    FG_SIMD_CLONES static void name##_fwd_##S(const T *bias, T *z, T *y, int64_t rows, int64_t cols) \
    {                                                                          \
        for (int64_t r = 0; r < rows; r++) {                                   \
            T *zr = z + r * cols, *yr = y + r * cols;                          \
            if (bias) {                                                        \
                _Pragma("omp simd")                                            \
                for (int64_t c = 0; c < cols; c++) {                           \
                    T v = zr[c] + bias[c];                                     \
                    zr[c] = v;                                                 \
                    yr[c] = ACT(T, S, v);                                      \
                }                                                              \
            } else {                                                           \
                _Pragma("omp simd")                                            \
                for (int64_t c = 0; c < cols; c++) {                           \
                    T v = zr[c];                                               \
                    yr[c] = ACT(T, S, v);                                      \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void name##_bwd_##S(const T *restrict s, const T *restrict gy, T *restrict gz, \
                                              int64_t n)                       \
    {                                                                          \
        (void)s;                                                               \
        for (int64_t i = 0; i < n; i++)                                        \
            gz[i] = DGRAD(T, S, gy[i], s[i]);                                  \
    }                                                                          \
    /* columns [0, w) of a tile whose rows are `cols` apart */                 \
    FG_SIMD_CLONES static void name##_bwd_tile_##S(const T *restrict s, const T *restrict gy, \
                                                   T *restrict gz, T *restrict gbias, \
                                                   int64_t rows, int64_t cols, int64_t w) \
    {                                                                          \
        double acc[FG_TILE_MAX];                                               \
        for (int64_t c = 0; c < w; c++)                                        \
            acc[c] = 0;                                                        \
        for (int64_t r = 0; r < rows; r++) {                                   \
            const T *sr = s + r * cols, *gr = gy + r * cols;                   \
            (void)sr;                                                          \
            if (gz) {                                                          \
                T *out = gz + r * cols;                                        \
                _Pragma("omp simd")                                            \
                for (int64_t c = 0; c < w; c++) {                              \
                    T g = DGRAD(T, S, gr[c], sr[c]);                           \
                    out[c] = g;                                                \
                    acc[c] += g;                                               \
                }                                                              \
            } else {                                                           \
                _Pragma("omp simd")                                            \
                for (int64_t c = 0; c < w; c++)                                \
                    acc[c] += gr[c];                                           \
            }                                                                  \
        }                                                                      \
        for (int64_t c = 0; c < w; c++)                                        \
            gbias[c] = (T)acc[c];                                              \
    }

#define FG_EPILOGUES(T, S)                                                     \
    FG_EPILOGUE(none, T, S, ACT_NONE, DGRAD_NONE)                              \
    FG_EPILOGUE(relu, T, S, ACT_RELU, DGRAD_RELU)                              \
    FG_EPILOGUE(sigmoid, T, S, ACT_SIGMOID, DGRAD_SIGMOID)                     \
    FG_EPILOGUE(tanh, T, S, ACT_TANH, DGRAD_TANH)                              \
    FG_EPILOGUE(gelu, T, S, ACT_GELU, DGRAD_GELU)                              \
    FG_EPILOGUE(gelu_tanh, T, S, ACT_GELU_TANH, DGRAD_GELU_TANH)

FG_EPILOGUES(float, f32)
FG_EPILOGUES(double, f64)

static int64_t tile_width(int64_t rows, int64_t cols)
{
    int64_t threads = 1;
    (void)rows;
#ifdef _OPENMP
    if (rows * cols > FG_EPILOGUE_OMP_THRESHOLD)
        threads = omp_get_max_threads();
#endif
    int64_t w = (cols + threads - 1) / threads;
    w = (w + 15) / 16 * 16;
    if (w < FG_TILE_MIN)
        w = FG_TILE_MIN;
    if (w > FG_TILE_MAX)
        w = FG_TILE_MAX;
    return w;
}

/* Dispatch on the activation code: CALL(name) for each. */
#define FG_BY_ACT(act, CALL)                                                   \
    switch (act) {                                                             \
    case FG_ACT_RELU: CALL(relu); break;                                       \
    case FG_ACT_SIGMOID: CALL(sigmoid); break;                                 \
    case FG_ACT_TANH: CALL(tanh); break;                                       \
    case FG_ACT_GELU: CALL(gelu); break;                                       \
    case FG_ACT_GELU_TANH: CALL(gelu_tanh); break;                             \
    default: CALL(none); break;                                                \
    }

#define FG_BIAS_ACT(T, S)                                                      \
    static void bias_act_rows_##S(const T *bias, T *z0, T *y0, int64_t nr, int64_t cols, int act) \
    {                                                                          \
        FG_BY_ACT(act, FWD_CALL_##S)                                           \
    }                                                                          \
    void fg_bias_act_fwd_##S(const T *bias, T *z, T *y, int64_t rows, int64_t cols, int act) \
    {                                                                          \
        FG_PARALLEL_SHARES_ABOVE(rows, rows * cols, FG_EPILOGUE_OMP_THRESHOLD, 1,        \
                           bias_act_rows_##S(bias, z + lo * cols, y + lo * cols, hi - lo, cols, act)) \
    }                                                                          \
    void fg_bias_act_bwd_##S(const T *s, const T *gy, T *gz, T *gbias,        \
                             int64_t rows, int64_t cols, int act)              \
    {                                                                          \
        if (gbias) {                                                           \
            int64_t tile = tile_width(rows, cols);                             \
            int64_t ntiles = (cols + tile - 1) / tile;                         \
            int64_t work = rows * cols;                                        \
            (void)work;                                                        \
            _Pragma("omp parallel for schedule(dynamic, 1) if (work > FG_EPILOGUE_OMP_THRESHOLD && fg_team_ready())") \
            for (int64_t k = 0; k < ntiles; k++) {                             \
                int64_t c0 = k * tile;                                         \
                int64_t w = cols - c0 < tile ? cols - c0 : tile;               \
                FG_BY_ACT(act, TILE_CALL_##S)                                  \
            }                                                                  \
            return;                                                            \
        }                                                                      \
        if (!gz)                                                               \
            return;                                                            \
        int64_t n = rows * cols;                                               \
        FG_PARALLEL_SHARES_ABOVE(n, n, FG_EPILOGUE_OMP_THRESHOLD, 16, FG_BY_ACT(act, FLAT_CALL_##S)) \
    }

#define FWD_CALL_f32(name) name##_fwd_f32(bias, z0, y0, nr, cols)
#define FWD_CALL_f64(name) name##_fwd_f64(bias, z0, y0, nr, cols)
#define TILE_CALL_f32(name) name##_bwd_tile_f32(s + c0, gy + c0, gz ? gz + c0 : NULL, gbias + c0, rows, cols, w)
#define TILE_CALL_f64(name) name##_bwd_tile_f64(s + c0, gy + c0, gz ? gz + c0 : NULL, gbias + c0, rows, cols, w)
#define FLAT_CALL_f32(name) name##_bwd_f32(s + lo, gy + lo, gz + lo, hi - lo)
#define FLAT_CALL_f64(name) name##_bwd_f64(s + lo, gy + lo, gz + lo, hi - lo)

FG_BIAS_ACT(float, f32)
FG_BIAS_ACT(double, f64)
