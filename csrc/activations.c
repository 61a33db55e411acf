/* Elementwise activations: one pass forward, one pass backward.
 *
 * The backward reads what the forward saved: the output y where the
 * derivative is a function of it (sigmoid, tanh, relu, leaky relu with a
 * non-negative slope), otherwise the input x (gelu, silu, softplus).  The
 * per-element formulas live in fg_math.h, shared with the linear epilogues.
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include "fastgrad.h"
#include "fg_math.h"
#include "fg_parallel.h"

/* fwd(x) -> y and bwd(s, gy) -> gx for float and double; FWD and BWD are
 * expressions of v (x[i] or s[i]) and g (gy[i]), and of the parameters PARAMS,
 * which LOAD reads from the fg_act_params every activation takes. */
#define FG_ELEMENTWISE(op, T, S, FWD, BWD, PARAMS, ARGS, LOAD)                 \
    FG_SIMD_CLONES static void op##_fwd_##S(const T *restrict x, T *restrict y, int64_t n PARAMS) \
    {                                                                          \
        for (int64_t i = 0; i < n; i++) {                                      \
            T v = x[i];                                                        \
            y[i] = FWD(T, S);                                                  \
        }                                                                      \
    }                                                                          \
    FG_SIMD_CLONES static void op##_bwd_##S(const T *restrict s, const T *restrict gy, T *restrict gx, \
                                            int64_t n PARAMS)                  \
    {                                                                          \
        for (int64_t i = 0; i < n; i++) {                                      \
            T v = s[i], g = gy[i];                                             \
            gx[i] = BWD(T, S);                                                 \
        }                                                                      \
    }                                                                          \
    void fg_##op##_fwd_##S(const T *restrict x, T *restrict y, int64_t n, const fg_act_params *p) \
    {                                                                          \
        LOAD                                                                   \
        FG_PARALLEL_SHARES(n, n, 16, op##_fwd_##S(x + lo, y + lo, hi - lo ARGS))   \
    }                                                                          \
    void fg_##op##_bwd_##S(const T *restrict s, const T *restrict gy, T *restrict gx, int64_t n, \
                           const fg_act_params *p)                            \
    {                                                                          \
        LOAD                                                                   \
        FG_PARALLEL_SHARES(n, n, 16, op##_bwd_##S(s + lo, gy + lo, gx + lo, hi - lo ARGS)) \
    }

#define FG_COMMA ,
#define FG_ACTIVATION(op, FWD, BWD)                                            \
    FG_ELEMENTWISE(op, float, f32, FWD, BWD, , , (void)p;)                     \
    FG_ELEMENTWISE(op, double, f64, FWD, BWD, , , (void)p;)

/* sigmoid: saved y; y' = y (1 - y) */
#define SIGMOID_FWD(T, S) fg_sigmoid_##S(v)
#define SIGMOID_BWD(T, S) g * v * ((T)1 - v)
FG_ACTIVATION(sigmoid, SIGMOID_FWD, SIGMOID_BWD)

/* relu: saved y.  NaN stays NaN (x <= 0 is false for NaN).
 * NOTE: relu'(0) = 0, decided from the output: y > 0 exactly where x > 0. */
#define RELU_FWD(T, S) (v <= (T)0 ? (T)0 : v)
#define RELU_BWD(T, S) (v > (T)0 ? g : (T)0)
FG_ACTIVATION(relu, RELU_FWD, RELU_BWD)

/* tanh: saved y; y' = 1 - y^2 */
#define TANH_FWD(T, S) fg_tanh_##S(v)
#define TANH_BWD(T, S) g * ((T)1 - v * v)
FG_ACTIVATION(tanh, TANH_FWD, TANH_BWD)

/* gelu (exact, erf form): saved x */
#define GELU_FWD(T, S) fg_gelu_##S(v)
#define GELU_BWD(T, S) g * fg_gelu_grad_##S(v)
FG_ACTIVATION(gelu, GELU_FWD, GELU_BWD)

/* gelu, tanh approximation: saved x */
#define GELU_TANH_FWD(T, S) fg_gelu_tanh_##S(v)
#define GELU_TANH_BWD(T, S) g * fg_gelu_tanh_grad_##S(v)
FG_ACTIVATION(gelu_tanh, GELU_TANH_FWD, GELU_TANH_BWD)

/* silu: x sigmoid(x), saved x; derivative s (1 + x (1 - s)) */
#define SILU_FWD(T, S) v * fg_sigmoid_##S(v)
#define SILU_BWD(T, S) g * fg_silu_grad_##S(v)
FG_ACTIVATION(silu, SILU_FWD, SILU_BWD)

/* leaky relu: y = x for x > 0, slope * x otherwise.  The backward takes y when
 * slope >= 0 (then y > 0 exactly where x > 0) and x otherwise; at 0 the
 * derivative is the slope, as in PyTorch. */
#define LEAKY_FWD(T, S) v * (v > (T)0 ? (T)1 : slope)
#define LEAKY_BWD(T, S) g * (v > (T)0 ? (T)1 : slope)
FG_ELEMENTWISE(leaky_relu, float, f32, LEAKY_FWD, LEAKY_BWD, FG_COMMA float slope, FG_COMMA slope,
               float slope = (float)p->slope;)
FG_ELEMENTWISE(leaky_relu, double, f64, LEAKY_FWD, LEAKY_BWD, FG_COMMA double slope, FG_COMMA slope,
               double slope = p->slope;)

/* softplus: y = log(1 + exp(beta x)) / beta, and x itself where beta x > threshold
 * (PyTorch's linear region).  The backward takes x: y alone cannot tell the
 * linear region from the curve just below the threshold. */
#define SOFTPLUS_FWD(T, S) (v * beta > threshold ? v : fg_softplus_##S(v * beta) / beta)
#define SOFTPLUS_BWD(T, S) (v * beta > threshold ? g : g * fg_sigmoid_##S(v * beta))
FG_ELEMENTWISE(softplus, float, f32, SOFTPLUS_FWD, SOFTPLUS_BWD, FG_COMMA float beta FG_COMMA float threshold,
               FG_COMMA beta FG_COMMA threshold, float beta = (float)p->beta; float threshold = (float)p->threshold;)
FG_ELEMENTWISE(softplus, double, f64, SOFTPLUS_FWD, SOFTPLUS_BWD, FG_COMMA double beta FG_COMMA double threshold,
               FG_COMMA beta FG_COMMA threshold, double beta = p->beta; double threshold = p->threshold;)
