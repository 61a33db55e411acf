/* Optimizer steps, gradient norms and gradient scaling over lists of tensors.
 *
 * Every kernel takes a list of tensors (arrays of pointers plus lengths), so a
 * model's many small parameters cost one call per step.  The elements of all
 * tensors together are cut into the chunks of fg_parallel.h (a chunk may span
 * tensor boundaries), which the threads take in turn; each chunk's loop is
 * compiled for the SIMD widths of FG_SIMD_CLONES.  Chunk boundaries depend on
 * the sizes only, so the reductions (sum of squares, max |x|) give the same
 * bits for any number of threads.
 *
 * The per-step scalars (bias corrections, step size, ...) arrive already
 * computed in double (fastgrad/optim/functional.py); each kernel converts them
 * once to the element type and then runs one in-place pass over (param, grad,
 * state).  The arithmetic follows the order of the reference twins in
 * fastgrad/backend/reference/optim.py.  FMA contraction stays off (-std=c99),
 * so the twins' rounding is kept.
 */
/* NOTE: a call to sqrt may set errno, which keeps GCC from vectorizing a loop
 * that takes square roots.  Nothing here reads errno: with math-errno off and
 * sqrt declared const, each square root is one vector instruction. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-math-errno", "no-trapping-math")
#endif
#include <math.h>
#include "fastgrad.h"
#include "fg_parallel.h"

#if defined(__GNUC__)
float sqrtf(float) __attribute__((const));
double sqrt(double) __attribute__((const));
#endif

#define FG_SQRT_f32 sqrtf
#define FG_SQRT_f64 sqrt
#define FG_FABS_f32 fabsf
#define FG_FABS_f64 fabs

/* A pass over elements [lo, hi) of tensor t. */
typedef void (*range_fn)(const void *ctx, int64_t t, int64_t lo, int64_t hi);
/* Same, returning a partial reduction. */
typedef double (*reduce_fn)(const void *ctx, int64_t t, int64_t lo, int64_t hi);

static int64_t total_length(const int64_t *lengths, int64_t ntensors)
{
    int64_t total = 0;
    for (int64_t t = 0; t < ntensors; t++)
        total += lengths[t];
    return total;
}

/* Elements [lo, hi) of the concatenation of all tensors, tensor by tensor. */
static void walk(const int64_t *lengths, int64_t ntensors, int64_t lo, int64_t hi,
                 range_fn fn, const void *ctx)
{
    int64_t offset = 0;
    for (int64_t t = 0; t < ntensors && offset < hi; t++) {
        int64_t n = lengths[t];
        int64_t a = lo > offset ? lo - offset : 0;
        int64_t b = hi - offset < n ? hi - offset : n;
        if (a < b)
            fn(ctx, t, a, b);
        offset += n;
    }
}

/* max that propagates NaN, so that a non-finite norm is always seen */
static inline double max_nan(double acc, double part)
{
    return (part > acc || part != part) ? part : acc;
}


/* The reduction of elements [lo, hi) of the concatenation, tensor by tensor. */
static double walk_reduce(const int64_t *lengths, int64_t ntensors, int64_t lo, int64_t hi,
                          reduce_fn fn, const void *ctx, int is_max)
{
    double acc = 0.0;
    int64_t offset = 0;
    for (int64_t t = 0; t < ntensors && offset < hi; t++) {
        int64_t n = lengths[t];
        int64_t a = lo > offset ? lo - offset : 0;
        int64_t b = hi - offset < n ? hi - offset : n;
        if (a < b) {
            double part = fn(ctx, t, a, b);
            acc = is_max ? max_nan(acc, part) : acc + part;
        }
        offset += n;
    }
    return acc;
}

static void for_each_range(const int64_t *lengths, int64_t ntensors, range_fn fn, const void *ctx)
{
    int64_t total = total_length(lengths, ntensors);
    FG_PARALLEL_SHARES(total, total, 16, walk(lengths, ntensors, lo, hi, fn, ctx))
}

static double sum_ranges(const int64_t *lengths, int64_t ntensors, reduce_fn fn, const void *ctx)
{
    int64_t total = total_length(lengths, ntensors);
    double acc = 0.0;
    FG_PARALLEL_REDUCE(total, total, 16, walk_reduce(lengths, ntensors, lo, hi, fn, ctx, 0), FG_PARALLEL_PLUS, acc)
    return acc;
}

static double max_ranges(const int64_t *lengths, int64_t ntensors, reduce_fn fn, const void *ctx)
{
    int64_t total = total_length(lengths, ntensors);
    double acc = 0.0;
    FG_PARALLEL_REDUCE(total, total, 16, walk_reduce(lengths, ntensors, lo, hi, fn, ctx, 1), max_nan, acc)
    return acc;
}

/* Adam and its variants: in a pass over elements [lo, hi) of tensor t with
 * context c (params, grads, exp_avgs, exp_avg_sqs) and scalars a, the pointers
 * and common scalars; then for element i, the weight decay (pi: p shrunk by
 * 1 - lr wd when decoupled) with gi = g (+ wd p), and the two moments mi, vi,
 * written back. */
#define MOMENTS_SETUP(T)                                                               \
    T *restrict p = c->params[t] + lo;                                                 \
    const T *restrict g = c->grads[t] + lo;                                            \
    T *restrict m = c->exp_avgs[t] + lo;                                               \
    T *restrict v = c->exp_avg_sqs[t] + lo;                                            \
    const int64_t n = hi - lo;                                                         \
    const T sign = a->maximize ? (T)-1 : (T)1;                                         \
    const T l2 = a->decoupled ? (T)0 : (T)a->weight_decay;                             \
    const T decay = a->decoupled ? (T)(1.0 - a->lr * a->weight_decay) : (T)1;          \
    const T w1 = (T)(1.0 - a->beta1), beta2 = (T)a->beta2, w2 = (T)(1.0 - a->beta2);

#define MOMENTS_STEP(T)                                                                \
    T pi = p[i] * decay;                                                               \
    T gi = sign * g[i] + l2 * pi;                                                      \
    T mi = m[i] + w1 * (gi - m[i]);                                                    \
    T vi = beta2 * v[i] + w2 * gi * gi;                                                \
    m[i] = mi;                                                                         \
    v[i] = vi;

/* NAdam and RAdam take the same lists: a pass's context, and the entry point
 * fg_<name>_step_<S> that runs <name>_range_<S> over them with scalars `args`. */
#define MOMENTS_CTX(T, S)                                                              \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *exp_avgs;                   \
        T *const *exp_avg_sqs; const void *a;                                          \
    } moments_ctx_##S;
MOMENTS_CTX(float, f32)
MOMENTS_CTX(double, f64)

#define MOMENTS_ENTRY(name, T, S, args)                                                \
    void fg_##name##_step_##S(T *const *params, const T *const *grads, T *const *exp_avgs, \
                              T *const *exp_avg_sqs, const int64_t *lengths, int64_t ntensors, \
                              const args *a)                                           \
    {                                                                                  \
        moments_ctx_##S c = {params, grads, exp_avgs, exp_avg_sqs, a};                 \
        for_each_range(lengths, ntensors, name##_range_##S, &c);                       \
    }

/* ------------------------------------------------------------------------
 * SGD:  g <- -g (maximize);  g <- g + wd p;
 *       momentum: buf <- g on its first step (init_buffer), else
 *                 buf <- momentum buf + (1 - dampening) g;
 *                 g <- g + momentum buf (nesterov) or g <- buf;
 *       p <- p - lr g
 */
#define SGD_KERNELS(T, S)                                                              \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *bufs; const fg_sgd_args *a; \
    } sgd_ctx_##S;                                                                     \
                                                                                       \
    FG_SIMD_CLONES static void sgd_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const sgd_ctx_##S *c = vctx;                                                   \
        const fg_sgd_args *a = c->a;                                                   \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T lr = (T)a->lr, wd = (T)a->weight_decay;                                \
        const T mom = (T)a->momentum, keep = (T)(1.0 - a->dampening);                  \
        if (c->bufs == NULL) {                                                         \
            for (int64_t i = 0; i < n; i++) {                                          \
                T gi = sign * g[i] + wd * p[i];                                        \
                p[i] = p[i] - lr * gi;                                                 \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        T *restrict buf = c->bufs[t] + lo;                                             \
        const int nesterov = a->nesterov, init = a->init_buffer;                       \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T bi = init ? gi : mom * buf[i] + keep * gi;                               \
            buf[i] = bi;                                                               \
            T step = nesterov ? gi + mom * bi : bi;                                    \
            p[i] = p[i] - lr * step;                                                   \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_sgd_step_##S(T *const *params, const T *const *grads, T *const *bufs,      \
                         const int64_t *lengths, int64_t ntensors, const fg_sgd_args *a) \
    {                                                                                  \
        sgd_ctx_##S c = {params, grads, bufs, a};                                      \
        for_each_range(lengths, ntensors, sgd_range_##S, &c);                          \
    }

SGD_KERNELS(float, f32)
SGD_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Adam / AdamW:  g <- -g (maximize);
 *       Adam (L2):        g <- g + wd p
 *       AdamW (decoupled): p <- p (1 - lr wd)
 *       m <- m + (1 - beta1) (g - m)            (lerp toward g)
 *       v <- beta2 v + (1 - beta2) g^2
 *       vmax <- max(vmax, v)                    (amsgrad; used below instead of v)
 *       p <- p - step_size m / (sqrt(v) * (1 / sqrt(1 - beta2^t)) + eps)
 * with step_size = lr / (1 - beta1^t): bias corrections folded into scalars
 * computed once in double.
 */
#define ADAM_KERNELS(T, S)                                                             \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *exp_avgs;                   \
        T *const *exp_avg_sqs; T *const *max_exp_avg_sqs; const fg_adam_args *a;       \
    } adam_ctx_##S;                                                                    \
                                                                                       \
    FG_SIMD_CLONES static void adam_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adam_ctx_##S *c = vctx;                                                  \
        const fg_adam_args *a = c->a;                                                  \
        MOMENTS_SETUP(T)                                                               \
        const T step_size = (T)a->step_size, ibc2 = (T)(1.0 / a->bias_correction2_sqrt); \
        const T eps = (T)a->eps;                                                       \
        if (c->max_exp_avg_sqs == NULL) {                                              \
            for (int64_t i = 0; i < n; i++) {                                          \
                MOMENTS_STEP(T)                                                        \
                p[i] = pi - step_size * (mi / (FG_SQRT_##S(vi) * ibc2 + eps));         \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        T *restrict vmax = c->max_exp_avg_sqs[t] + lo;                                 \
        for (int64_t i = 0; i < n; i++) {                                              \
            MOMENTS_STEP(T)                                                            \
            T mx = vmax[i] > vi ? vmax[i] : vi;                                        \
            vmax[i] = mx;                                                              \
            p[i] = pi - step_size * (mi / (FG_SQRT_##S(mx) * ibc2 + eps));             \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adam_step_##S(T *const *params, const T *const *grads, T *const *exp_avgs, \
                          T *const *exp_avg_sqs, T *const *max_exp_avg_sqs,            \
                          const int64_t *lengths, int64_t ntensors, const fg_adam_args *a) \
    {                                                                                  \
        adam_ctx_##S c = {params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, a};   \
        for_each_range(lengths, ntensors, adam_range_##S, &c);                         \
    }

ADAM_KERNELS(float, f32)
ADAM_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * RMSprop:  g <- -g (maximize);  g <- g + wd p;
 *       s <- alpha s + (1 - alpha) g^2
 *       centered: a <- a + (1 - alpha) (g - a);  d <- sqrt(s - a^2) + eps
 *       else d <- sqrt(s) + eps
 *       momentum: buf <- momentum buf + g / d;  p <- p - lr buf
 *       else p <- p - lr g / d
 * One loop per combination of the optional buffers (a NULL buffer is skipped
 * by the branches, which the compiler hoists out of the loop).
 */
#define RMSPROP_KERNELS(T, S)                                                          \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *square_avgs;                \
        T *const *grad_avgs; T *const *bufs; const fg_rmsprop_args *a;                 \
    } rmsprop_ctx_##S;                                                                 \
                                                                                       \
    FG_SIMD_CLONES static void rmsprop_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const rmsprop_ctx_##S *c = vctx;                                               \
        const fg_rmsprop_args *a = c->a;                                               \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict s = c->square_avgs[t] + lo;                                        \
        T *restrict ga = c->grad_avgs ? c->grad_avgs[t] + lo : NULL;                   \
        T *restrict buf = c->bufs ? c->bufs[t] + lo : NULL;                            \
        const int centered = ga != NULL, with_momentum = buf != NULL;                  \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T lr = (T)a->lr, wd = (T)a->weight_decay, eps = (T)a->eps;               \
        const T alpha = (T)a->alpha, w = (T)(1.0 - a->alpha), mom = (T)a->momentum;    \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T si = alpha * s[i] + w * gi * gi;                                         \
            s[i] = si;                                                                 \
            T root = si;                                                               \
            if (centered) {                                                            \
                T ai = ga[i] + w * (gi - ga[i]);                                       \
                ga[i] = ai;                                                            \
                root = si - ai * ai;                                                   \
            }                                                                          \
            T d = FG_SQRT_##S(root) + eps;                                             \
            if (with_momentum) {                                                       \
                T bi = mom * buf[i] + gi / d;                                          \
                buf[i] = bi;                                                           \
                p[i] = p[i] - lr * bi;                                                 \
            } else {                                                                   \
                p[i] = p[i] - lr * (gi / d);                                           \
            }                                                                          \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_rmsprop_step_##S(T *const *params, const T *const *grads, T *const *square_avgs, \
                             T *const *grad_avgs, T *const *bufs,                      \
                             const int64_t *lengths, int64_t ntensors, const fg_rmsprop_args *a) \
    {                                                                                  \
        rmsprop_ctx_##S c = {params, grads, square_avgs, grad_avgs, bufs, a};          \
        for_each_range(lengths, ntensors, rmsprop_range_##S, &c);                      \
    }

RMSPROP_KERNELS(float, f32)
RMSPROP_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Adagrad:  g <- -g (maximize);  g <- g + wd p;
 *       s <- s + g^2;  p <- p - clr g / (sqrt(s) + eps)
 * with clr = lr / (1 + (t - 1) lr_decay).
 */
#define ADAGRAD_KERNELS(T, S)                                                          \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *sums; const fg_adagrad_args *a; \
    } adagrad_ctx_##S;                                                                 \
                                                                                       \
    FG_SIMD_CLONES static void adagrad_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adagrad_ctx_##S *c = vctx;                                               \
        const fg_adagrad_args *a = c->a;                                               \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict s = c->sums[t] + lo;                                               \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T clr = (T)a->clr, wd = (T)a->weight_decay, eps = (T)a->eps;             \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T si = s[i] + gi * gi;                                                     \
            s[i] = si;                                                                 \
            p[i] = p[i] - clr * (gi / (FG_SQRT_##S(si) + eps));                        \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adagrad_step_##S(T *const *params, const T *const *grads, T *const *sums,  \
                             const int64_t *lengths, int64_t ntensors, const fg_adagrad_args *a) \
    {                                                                                  \
        adagrad_ctx_##S c = {params, grads, sums, a};                                  \
        for_each_range(lengths, ntensors, adagrad_range_##S, &c);                      \
    }

ADAGRAD_KERNELS(float, f32)
ADAGRAD_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * NAdam:  g <- -g (maximize);  p <- p (1 - lr wd) (decoupled) or g <- g + wd p;
 *       m <- m + (1 - beta1) (g - m);  v <- beta2 v + (1 - beta2) g^2
 *       d <- sqrt(v / (1 - beta2^t)) + eps
 *       p <- p + grad_coef g / d;  p <- p + avg_coef m / d
 * with the momentum-schedule coefficients grad_coef = -lr (1 - mu_t) / (1 - prod mu)
 * and avg_coef = -lr mu_{t+1} / (1 - prod mu mu_{t+1}) computed once in double.
 */
#define NADAM_KERNELS(T, S)                                                            \
    FG_SIMD_CLONES static void nadam_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const moments_ctx_##S *c = vctx;                                               \
        const fg_nadam_args *a = c->a;                                                 \
        MOMENTS_SETUP(T)                                                               \
        const T bc2 = (T)a->bias_correction2, eps = (T)a->eps;                         \
        const T grad_coef = (T)a->grad_coef, avg_coef = (T)a->avg_coef;                \
        for (int64_t i = 0; i < n; i++) {                                              \
            MOMENTS_STEP(T)                                                            \
            T d = FG_SQRT_##S(vi / bc2) + eps;                                         \
            pi = pi + grad_coef * (gi / d);                                            \
            p[i] = pi + avg_coef * (mi / d);                                           \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    MOMENTS_ENTRY(nadam, T, S, fg_nadam_args)

NADAM_KERNELS(float, f32)
NADAM_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * RAdam:  g <- -g (maximize);  p <- p (1 - lr wd) (decoupled) or g <- g + wd p;
 *       m <- m + (1 - beta1) (g - m);  v <- beta2 v + (1 - beta2) g^2
 *       rectified (rho_t > 5): p <- p - (m / bc1) lr (sqrt(bc2) / (sqrt(v) + eps)) rect
 *       else:                  p <- p - (m / bc1) lr
 * with bc1 = 1 - beta1^t, bc2 = 1 - beta2^t and the variance rectification
 * term rect computed once in double.
 */
#define RADAM_KERNELS(T, S)                                                            \
    FG_SIMD_CLONES static void radam_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const moments_ctx_##S *c = vctx;                                               \
        const fg_radam_args *a = c->a;                                                 \
        MOMENTS_SETUP(T)                                                               \
        const T bc1 = (T)a->bias_correction1, bc2_sqrt = (T)a->bias_correction2_sqrt;  \
        const T lr = (T)a->lr, rect = (T)a->rect, eps = (T)a->eps;                     \
        const int rectified = a->rectified;                                            \
        for (int64_t i = 0; i < n; i++) {                                              \
            MOMENTS_STEP(T)                                                            \
            T u = (mi / bc1) * lr;                                                     \
            if (rectified)                                                             \
                u = (u * (bc2_sqrt / (FG_SQRT_##S(vi) + eps))) * rect;                 \
            p[i] = pi - u;                                                             \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    MOMENTS_ENTRY(radam, T, S, fg_radam_args)

RADAM_KERNELS(float, f32)
RADAM_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Adamax:  g <- -g (maximize);  g <- g + wd p;
 *       m <- m + (1 - beta1) (g - m);  u <- max(beta2 u, |g| + eps)  (NaN propagates)
 *       p <- p - clr m / u,  with clr = lr / (1 - beta1^t)
 */
#define ADAMAX_KERNELS(T, S)                                                           \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *exp_avgs;                   \
        T *const *exp_infs; const fg_adamax_args *a;                                   \
    } adamax_ctx_##S;                                                                  \
                                                                                       \
    FG_SIMD_CLONES static void adamax_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adamax_ctx_##S *c = vctx;                                                \
        const fg_adamax_args *a = c->a;                                                \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict m = c->exp_avgs[t] + lo;                                           \
        T *restrict u = c->exp_infs[t] + lo;                                           \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T wd = (T)a->weight_decay, w1 = (T)(1.0 - a->beta1), beta2 = (T)a->beta2; \
        const T eps = (T)a->eps, clr = (T)a->clr;                                      \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T mi = m[i] + w1 * (gi - m[i]);                                            \
            T decayed = u[i] * beta2, fresh = FG_FABS_##S(gi) + eps;                   \
            T ui = (decayed > fresh || decayed != decayed) ? decayed : fresh;          \
            m[i] = mi;                                                                 \
            u[i] = ui;                                                                 \
            p[i] = p[i] - clr * (mi / ui);                                             \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adamax_step_##S(T *const *params, const T *const *grads, T *const *exp_avgs, \
                            T *const *exp_infs, const int64_t *lengths, int64_t ntensors, \
                            const fg_adamax_args *a)                                   \
    {                                                                                  \
        adamax_ctx_##S c = {params, grads, exp_avgs, exp_infs, a};                     \
        for_each_range(lengths, ntensors, adamax_range_##S, &c);                       \
    }

ADAMAX_KERNELS(float, f32)
ADAMAX_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Adadelta:  g <- -g (maximize);  g <- g + wd p;
 *       s <- rho s + (1 - rho) g^2;  d <- sqrt(a + eps) / sqrt(s + eps) * g
 *       a <- rho a + (1 - rho) d^2;  p <- p - lr d
 */
#define ADADELTA_KERNELS(T, S)                                                         \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *square_avgs;                \
        T *const *acc_deltas; const fg_adadelta_args *a;                               \
    } adadelta_ctx_##S;                                                                \
                                                                                       \
    FG_SIMD_CLONES static void adadelta_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adadelta_ctx_##S *c = vctx;                                              \
        const fg_adadelta_args *a = c->a;                                              \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict s = c->square_avgs[t] + lo;                                        \
        T *restrict acc = c->acc_deltas[t] + lo;                                       \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T wd = (T)a->weight_decay, rho = (T)a->rho, w = (T)(1.0 - a->rho);       \
        const T eps = (T)a->eps, lr = (T)a->lr;                                        \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T si = rho * s[i] + w * (gi * gi);                                         \
            T di = (FG_SQRT_##S(acc[i] + eps) / FG_SQRT_##S(si + eps)) * gi;           \
            s[i] = si;                                                                 \
            acc[i] = rho * acc[i] + w * (di * di);                                     \
            p[i] = p[i] - lr * di;                                                     \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adadelta_step_##S(T *const *params, const T *const *grads, T *const *square_avgs, \
                              T *const *acc_deltas, const int64_t *lengths, int64_t ntensors, \
                              const fg_adadelta_args *a)                               \
    {                                                                                  \
        adadelta_ctx_##S c = {params, grads, square_avgs, acc_deltas, a};              \
        for_each_range(lengths, ntensors, adadelta_range_##S, &c);                     \
    }

ADADELTA_KERNELS(float, f32)
ADADELTA_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Rprop:  g <- -g (maximize);  f = etaplus if g prev > 0, etaminus if g prev < 0, else 1
 *       (NaN where g prev is NaN);  s <- clamp(s f, step_size_min, step_size_max);
 *       g <- 0 where g prev < 0;  p <- p - sign(g) s;  prev <- g
 * sign(g) is NaN for a NaN g, so a NaN gradient reaches the parameter.
 */
#define RPROP_KERNELS(T, S)                                                            \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *prevs;                      \
        T *const *step_sizes; const fg_rprop_args *a;                                  \
    } rprop_ctx_##S;                                                                   \
                                                                                       \
    FG_SIMD_CLONES static void rprop_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const rprop_ctx_##S *c = vctx;                                                 \
        const fg_rprop_args *a = c->a;                                                 \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict prev = c->prevs[t] + lo;                                           \
        T *restrict s = c->step_sizes[t] + lo;                                         \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T etaminus = (T)a->etaminus, etaplus = (T)a->etaplus;                    \
        const T lo_size = (T)a->step_size_min, hi_size = (T)a->step_size_max;          \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i];                                                        \
            T gp = gi * prev[i];                                                       \
            T f = gp > 0 ? etaplus : (gp < 0 ? etaminus : (gp == 0 ? (T)1 : gp));      \
            T si = s[i] * f;                                                           \
            si = si < lo_size ? lo_size : si;                                          \
            si = si > hi_size ? hi_size : si;                                          \
            gi = gp < 0 ? (T)0 : gi;                                                   \
            T sg = gi > 0 ? (T)1 : (gi < 0 ? (T)-1 : gi);                              \
            s[i] = si;                                                                 \
            prev[i] = gi;                                                              \
            p[i] = p[i] - sg * si;                                                     \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_rprop_step_##S(T *const *params, const T *const *grads, T *const *prevs,   \
                           T *const *step_sizes, const int64_t *lengths, int64_t ntensors, \
                           const fg_rprop_args *a)                                     \
    {                                                                                  \
        rprop_ctx_##S c = {params, grads, prevs, step_sizes, a};                       \
        for_each_range(lengths, ntensors, rprop_range_##S, &c);                        \
    }

RPROP_KERNELS(float, f32)
RPROP_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * ASGD:  g <- -g (maximize);  g <- g + wd p;  p <- p decay - eta g
 *       (decay = 1 - lambd eta);  ax <- ax + (p - ax) mu, or ax <- p when mu == 1
 */
#define ASGD_KERNELS(T, S)                                                             \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *axs; const fg_asgd_args *a; \
    } asgd_ctx_##S;                                                                    \
                                                                                       \
    FG_SIMD_CLONES static void asgd_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const asgd_ctx_##S *c = vctx;                                                  \
        const fg_asgd_args *a = c->a;                                                  \
        T *restrict p = c->params[t] + lo;                                             \
        const T *restrict g = c->grads[t] + lo;                                        \
        T *restrict ax = c->axs[t] + lo;                                               \
        const int64_t n = hi - lo;                                                     \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T wd = (T)a->weight_decay, decay = (T)a->decay, eta = (T)a->eta;         \
        const T mu = (T)a->mu;                                                         \
        const int copy = a->mu == 1.0;                                                 \
        for (int64_t i = 0; i < n; i++) {                                              \
            T gi = sign * g[i] + wd * p[i];                                            \
            T pi = p[i] * decay;                                                       \
            pi = pi - eta * gi;                                                        \
            p[i] = pi;                                                                 \
            ax[i] = copy ? pi : ax[i] + (pi - ax[i]) * mu;                             \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_asgd_step_##S(T *const *params, const T *const *grads, T *const *axs,      \
                          const int64_t *lengths, int64_t ntensors, const fg_asgd_args *a) \
    {                                                                                  \
        asgd_ctx_##S c = {params, grads, axs, a};                                      \
        for_each_range(lengths, ntensors, asgd_range_##S, &c);                         \
    }

ASGD_KERNELS(float, f32)
ASGD_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Norms of gradients (for clipping) and in-place scaling.
 * The sum of squares accumulates in double for both element types.
 * max |x| propagates NaN so that a non-finite norm is always seen.
 */
#define NORM_KERNELS(T, S)                                                             \
    typedef struct { const T *const *xs; } norm_ctx_##S;                               \
                                                                                       \
    FG_SIMD_CLONES static double sumsq_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const T *restrict x = ((const norm_ctx_##S *)vctx)->xs[t];                     \
        double acc = 0.0;                                                              \
        _Pragma("omp simd reduction(+:acc)")                                           \
        for (int64_t i = lo; i < hi; i++)                                              \
            acc += (double)x[i] * (double)x[i];                                        \
        return acc;                                                                    \
    }                                                                                  \
                                                                                       \
    FG_SIMD_CLONES static double maxabs_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const T *restrict x = ((const norm_ctx_##S *)vctx)->xs[t];                     \
        T acc = (T)0;                                                                  \
        int nan = 0;                                                                   \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T v = FG_FABS_##S(x[i]);                                                   \
            acc = v > acc ? v : acc;                                                   \
            nan |= v != v;                                                             \
        }                                                                              \
        return nan ? (double)NAN : (double)acc;                                        \
    }                                                                                  \
                                                                                       \
    double fg_sum_squares_##S(const T *const *xs, const int64_t *lengths, int64_t ntensors) \
    {                                                                                  \
        norm_ctx_##S c = {xs};                                                         \
        return sum_ranges(lengths, ntensors, sumsq_range_##S, &c);                     \
    }                                                                                  \
                                                                                       \
    double fg_max_abs_##S(const T *const *xs, const int64_t *lengths, int64_t ntensors) \
    {                                                                                  \
        norm_ctx_##S c = {xs};                                                         \
        return max_ranges(lengths, ntensors, maxabs_range_##S, &c);                    \
    }                                                                                  \
                                                                                       \
    typedef struct { T *const *xs; T factor; } scale_ctx_##S;                          \
                                                                                       \
    FG_SIMD_CLONES static void scale_range_##S(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const scale_ctx_##S *c = vctx;                                                 \
        T *restrict x = c->xs[t];                                                      \
        const T f = c->factor;                                                         \
        for (int64_t i = lo; i < hi; i++)                                              \
            x[i] = x[i] * f;                                                           \
    }                                                                                  \
                                                                                       \
    void fg_scale_##S(T *const *xs, const int64_t *lengths, int64_t ntensors, double factor) \
    {                                                                                  \
        scale_ctx_##S c = {xs, (T)factor};                                             \
        for_each_range(lengths, ntensors, scale_range_##S, &c);                        \
    }

NORM_KERNELS(float, f32)
NORM_KERNELS(double, f64)
