/* Optimizer steps, gradient norms and gradient scaling over lists of tensors.
 *
 * Every kernel takes a list of tensors (arrays of pointers plus lengths), so a
 * model's many small parameters cost one call per step.  The elements of all
 * tensors together are split evenly over the threads (a thread's share may
 * span tensor boundaries), inside one parallel region.
 *
 * The per-step scalars (bias corrections, step size, ...) arrive already
 * computed in double; each kernel converts them once to the element type and
 * then runs one in-place pass over (param, grad, state).  The arithmetic
 * follows the order of the reference twins in
 * fastgrad/backend/reference/optim.py.
 */
#if defined(__GNUC__) && !defined(__clang__)
/* sqrt of a negative number cannot happen here (it is taken of sums of
 * squares); without errno bookkeeping sqrt vectorizes. */
#pragma GCC optimize("no-math-errno")
#endif
#include <math.h>
#include "fastgrad.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* A pass over elements [lo, hi) of tensor t. */
typedef void (*range_fn)(const void *ctx, int64_t t, int64_t lo, int64_t hi);
/* Same, returning a partial reduction. */
typedef double (*reduce_fn)(const void *ctx, int64_t t, int64_t lo, int64_t hi);

/* Threads' shares start on 16-element boundaries (one cache line of floats). */
#define FG_SHARE_ALIGN 16

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
            if (is_max)
                acc = (part > acc || part != part) ? part : acc;
            else
                acc += part;
        }
        offset += n;
    }
    return acc;
}

static void share(int64_t total, int nth, int tid, int64_t *lo, int64_t *hi)
{
    int64_t chunk = (total + nth - 1) / nth;
    chunk = (chunk + FG_SHARE_ALIGN - 1) / FG_SHARE_ALIGN * FG_SHARE_ALIGN;
    int64_t a = (int64_t)tid * chunk;
    int64_t b = a + chunk;
    *lo = a < total ? a : total;
    *hi = b < total ? b : total;
}

static void for_each_range(const int64_t *lengths, int64_t ntensors, range_fn fn, const void *ctx)
{
    int64_t total = total_length(lengths, ntensors);
#ifdef _OPENMP
    if (total > FG_OMP_THRESHOLD && omp_get_max_threads() > 1) {
#pragma omp parallel
        {
            int64_t lo, hi;
            share(total, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
            walk(lengths, ntensors, lo, hi, fn, ctx);
        }
        return;
    }
#endif
    walk(lengths, ntensors, 0, total, fn, ctx);
}

static double reduce_ranges(const int64_t *lengths, int64_t ntensors, reduce_fn fn, const void *ctx, int is_max)
{
    int64_t total = total_length(lengths, ntensors);
#ifdef _OPENMP
    if (total > FG_OMP_THRESHOLD && omp_get_max_threads() > 1) {
        double parts[256];
        int used = 0;
#pragma omp parallel
        {
            int nth = omp_get_num_threads();
            int tid = omp_get_thread_num();
            if (nth > 256)
                nth = 256;
            if (tid < nth) {
                int64_t lo, hi;
                share(total, nth, tid, &lo, &hi);
                parts[tid] = walk_reduce(lengths, ntensors, lo, hi, fn, ctx, is_max);
            }
#pragma omp single
            used = nth;
        }
        double acc = 0.0;
        for (int i = 0; i < used; i++) {
            if (is_max)
                acc = (parts[i] > acc || parts[i] != parts[i]) ? parts[i] : acc;
            else
                acc += parts[i];
        }
        return acc;
    }
#endif
    return walk_reduce(lengths, ntensors, 0, total, fn, ctx, is_max);
}

/* ------------------------------------------------------------------------
 * SGD:  g <- -g (maximize);  g <- g + wd p;
 *       momentum: buf <- g on its first step (init_buffer), else
 *                 buf <- momentum buf + (1 - dampening) g;
 *                 g <- g + momentum buf (nesterov) or g <- buf;
 *       p <- p - lr g
 */
#define SGD_KERNELS(T, SUFFIX)                                                         \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *bufs; const fg_sgd_args *a; \
    } sgd_ctx_##SUFFIX;                                                                \
                                                                                       \
    static void sgd_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const sgd_ctx_##SUFFIX *c = vctx;                                              \
        const fg_sgd_args *a = c->a;                                                   \
        T *restrict p = c->params[t];                                                  \
        const T *restrict g = c->grads[t];                                             \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T lr = (T)a->lr, wd = (T)a->weight_decay;                                \
        const T mom = (T)a->momentum, keep = (T)(1.0 - a->dampening);                  \
        if (c->bufs == NULL) {                                                         \
            for (int64_t i = lo; i < hi; i++) {                                        \
                T gi = sign * g[i] + wd * p[i];                                        \
                p[i] = p[i] - lr * gi;                                                 \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        T *restrict buf = c->bufs[t];                                                  \
        const int nesterov = a->nesterov, init = a->init_buffer;                       \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T gi = sign * g[i] + wd * p[i];                                            \
            T bi = init ? gi : mom * buf[i] + keep * gi;                               \
            buf[i] = bi;                                                               \
            T step = nesterov ? gi + mom * bi : bi;                                    \
            p[i] = p[i] - lr * step;                                                   \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_sgd_step_##SUFFIX(T *const *params, const T *const *grads, T *const *bufs,  \
                              const int64_t *lengths, int64_t ntensors,                \
                              const fg_sgd_args *a)                                    \
    {                                                                                  \
        sgd_ctx_##SUFFIX c = {params, grads, bufs, a};                                 \
        for_each_range(lengths, ntensors, sgd_range_##SUFFIX, &c);                     \
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
 *       p <- p - step_size m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * with step_size = lr / (1 - beta1^t): bias correction folded into scalars.
 */
#define ADAM_KERNELS(T, SUFFIX, SQRT)                                                  \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *exp_avgs;                   \
        T *const *exp_avg_sqs; T *const *max_exp_avg_sqs; const fg_adam_args *a;       \
    } adam_ctx_##SUFFIX;                                                               \
                                                                                       \
    static void adam_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adam_ctx_##SUFFIX *c = vctx;                                             \
        const fg_adam_args *a = c->a;                                                  \
        T *restrict p = c->params[t];                                                  \
        const T *restrict g = c->grads[t];                                             \
        T *restrict m = c->exp_avgs[t];                                                \
        T *restrict v = c->exp_avg_sqs[t];                                             \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T l2 = a->decoupled ? (T)0 : (T)a->weight_decay;                         \
        const T decay = a->decoupled ? (T)(1.0 - a->lr * a->weight_decay) : (T)1;      \
        const T w1 = (T)(1.0 - a->beta1), beta2 = (T)a->beta2, w2 = (T)(1.0 - a->beta2); \
        const T step_size = (T)a->step_size, bc2 = (T)a->bias_correction2_sqrt;        \
        const T eps = (T)a->eps;                                                       \
        if (c->max_exp_avg_sqs == NULL) {                                              \
            for (int64_t i = lo; i < hi; i++) {                                        \
                T pi = p[i];                                                           \
                T gi = sign * g[i] + l2 * pi;                                          \
                pi = pi * decay;                                                       \
                T mi = m[i] + w1 * (gi - m[i]);                                        \
                T vi = beta2 * v[i] + w2 * gi * gi;                                    \
                m[i] = mi;                                                             \
                v[i] = vi;                                                             \
                p[i] = pi - step_size * (mi / (SQRT(vi) / bc2 + eps));                 \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        T *restrict vmax = c->max_exp_avg_sqs[t];                                      \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T pi = p[i];                                                               \
            T gi = sign * g[i] + l2 * pi;                                              \
            pi = pi * decay;                                                           \
            T mi = m[i] + w1 * (gi - m[i]);                                            \
            T vi = beta2 * v[i] + w2 * gi * gi;                                        \
            T mx = vmax[i] > vi ? vmax[i] : vi;                                        \
            m[i] = mi;                                                                 \
            v[i] = vi;                                                                 \
            vmax[i] = mx;                                                              \
            p[i] = pi - step_size * (mi / (SQRT(mx) / bc2 + eps));                     \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adam_step_##SUFFIX(T *const *params, const T *const *grads, T *const *exp_avgs, \
                               T *const *exp_avg_sqs, T *const *max_exp_avg_sqs,       \
                               const int64_t *lengths, int64_t ntensors,               \
                               const fg_adam_args *a)                                  \
    {                                                                                  \
        adam_ctx_##SUFFIX c = {params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, a}; \
        for_each_range(lengths, ntensors, adam_range_##SUFFIX, &c);                    \
    }

ADAM_KERNELS(float, f32, sqrtf)
ADAM_KERNELS(double, f64, sqrt)

/* ------------------------------------------------------------------------
 * RMSprop:  g <- -g (maximize);  g <- g + wd p;
 *       s <- alpha s + (1 - alpha) g^2
 *       centered: a <- a + (1 - alpha) (g - a);  d <- sqrt(s - a^2) + eps
 *       else d <- sqrt(s) + eps
 *       momentum: buf <- momentum buf + g / d;  p <- p - lr buf
 *       else p <- p - lr g / d
 */
#define RMSPROP_KERNELS(T, SUFFIX, SQRT)                                               \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *square_avgs;                \
        T *const *grad_avgs; T *const *bufs; const fg_rmsprop_args *a;                 \
    } rmsprop_ctx_##SUFFIX;                                                            \
                                                                                       \
    static void rmsprop_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const rmsprop_ctx_##SUFFIX *c = vctx;                                          \
        const fg_rmsprop_args *a = c->a;                                               \
        T *restrict p = c->params[t];                                                  \
        const T *restrict g = c->grads[t];                                             \
        T *restrict s = c->square_avgs[t];                                             \
        T *restrict ga = c->grad_avgs ? c->grad_avgs[t] : NULL;                        \
        T *restrict buf = c->bufs ? c->bufs[t] : NULL;                                 \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T lr = (T)a->lr, wd = (T)a->weight_decay, eps = (T)a->eps;               \
        const T alpha = (T)a->alpha, w = (T)(1.0 - a->alpha), mom = (T)a->momentum;    \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T gi = sign * g[i] + wd * p[i];                                            \
            T si = alpha * s[i] + w * gi * gi;                                         \
            s[i] = si;                                                                 \
            T d;                                                                       \
            if (ga) {                                                                  \
                T ai = ga[i] + w * (gi - ga[i]);                                       \
                ga[i] = ai;                                                            \
                d = SQRT(si - ai * ai) + eps;                                          \
            } else {                                                                   \
                d = SQRT(si) + eps;                                                    \
            }                                                                          \
            if (buf) {                                                                 \
                T bi = mom * buf[i] + gi / d;                                          \
                buf[i] = bi;                                                           \
                p[i] = p[i] - lr * bi;                                                 \
            } else {                                                                   \
                p[i] = p[i] - lr * (gi / d);                                           \
            }                                                                          \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_rmsprop_step_##SUFFIX(T *const *params, const T *const *grads, T *const *square_avgs, \
                                  T *const *grad_avgs, T *const *bufs,                 \
                                  const int64_t *lengths, int64_t ntensors,            \
                                  const fg_rmsprop_args *a)                            \
    {                                                                                  \
        rmsprop_ctx_##SUFFIX c = {params, grads, square_avgs, grad_avgs, bufs, a};     \
        for_each_range(lengths, ntensors, rmsprop_range_##SUFFIX, &c);                 \
    }

RMSPROP_KERNELS(float, f32, sqrtf)
RMSPROP_KERNELS(double, f64, sqrt)

/* ------------------------------------------------------------------------
 * Adagrad:  g <- -g (maximize);  g <- g + wd p;
 *       s <- s + g^2;  p <- p - clr g / (sqrt(s) + eps)
 * with clr = lr / (1 + (t - 1) lr_decay).
 */
#define ADAGRAD_KERNELS(T, SUFFIX, SQRT)                                               \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *sums; const fg_adagrad_args *a; \
    } adagrad_ctx_##SUFFIX;                                                            \
                                                                                       \
    static void adagrad_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adagrad_ctx_##SUFFIX *c = vctx;                                          \
        const fg_adagrad_args *a = c->a;                                               \
        T *restrict p = c->params[t];                                                  \
        const T *restrict g = c->grads[t];                                             \
        T *restrict s = c->sums[t];                                                    \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T clr = (T)a->clr, wd = (T)a->weight_decay, eps = (T)a->eps;             \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T gi = sign * g[i] + wd * p[i];                                            \
            T si = s[i] + gi * gi;                                                     \
            s[i] = si;                                                                 \
            p[i] = p[i] - clr * (gi / (SQRT(si) + eps));                               \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    void fg_adagrad_step_##SUFFIX(T *const *params, const T *const *grads, T *const *sums, \
                                  const int64_t *lengths, int64_t ntensors,            \
                                  const fg_adagrad_args *a)                            \
    {                                                                                  \
        adagrad_ctx_##SUFFIX c = {params, grads, sums, a};                             \
        for_each_range(lengths, ntensors, adagrad_range_##SUFFIX, &c);                 \
    }

ADAGRAD_KERNELS(float, f32, sqrtf)
ADAGRAD_KERNELS(double, f64, sqrt)

/* ------------------------------------------------------------------------
 * Norms of gradients (for clipping) and in-place scaling.
 * The sum of squares accumulates in double for both element types.
 * max |x| propagates NaN so that a non-finite norm is always seen.
 */
#define NORM_KERNELS(T, SUFFIX, FABS)                                                  \
    typedef struct { const T *const *xs; } norm_ctx_##SUFFIX;                          \
                                                                                       \
    static double sumsq_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const T *restrict x = ((const norm_ctx_##SUFFIX *)vctx)->xs[t];                \
        double acc = 0.0;                                                              \
        _Pragma("omp simd reduction(+:acc)")                                           \
        for (int64_t i = lo; i < hi; i++)                                              \
            acc += (double)x[i] * (double)x[i];                                        \
        return acc;                                                                    \
    }                                                                                  \
                                                                                       \
    static double maxabs_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const T *restrict x = ((const norm_ctx_##SUFFIX *)vctx)->xs[t];                \
        T acc = (T)0;                                                                  \
        int nan = 0;                                                                   \
        for (int64_t i = lo; i < hi; i++) {                                            \
            T v = FABS(x[i]);                                                          \
            acc = v > acc ? v : acc;                                                   \
            nan |= v != v;                                                             \
        }                                                                              \
        return nan ? (double)NAN : (double)acc;                                        \
    }                                                                                  \
                                                                                       \
    double fg_sum_squares_##SUFFIX(const T *const *xs, const int64_t *lengths, int64_t ntensors) \
    {                                                                                  \
        norm_ctx_##SUFFIX c = {xs};                                                    \
        return reduce_ranges(lengths, ntensors, sumsq_range_##SUFFIX, &c, 0);          \
    }                                                                                  \
                                                                                       \
    double fg_max_abs_##SUFFIX(const T *const *xs, const int64_t *lengths, int64_t ntensors) \
    {                                                                                  \
        norm_ctx_##SUFFIX c = {xs};                                                    \
        return reduce_ranges(lengths, ntensors, maxabs_range_##SUFFIX, &c, 1);         \
    }                                                                                  \
                                                                                       \
    typedef struct { T *const *xs; T factor; } scale_ctx_##SUFFIX;                     \
                                                                                       \
    static void scale_range_##SUFFIX(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const scale_ctx_##SUFFIX *c = vctx;                                            \
        T *restrict x = c->xs[t];                                                      \
        const T f = c->factor;                                                         \
        for (int64_t i = lo; i < hi; i++)                                              \
            x[i] = x[i] * f;                                                           \
    }                                                                                  \
                                                                                       \
    void fg_scale_##SUFFIX(T *const *xs, const int64_t *lengths, int64_t ntensors, double factor) \
    {                                                                                  \
        scale_ctx_##SUFFIX c = {xs, (T)factor};                                        \
        for_each_range(lengths, ntensors, scale_range_##SUFFIX, &c);                   \
    }

NORM_KERNELS(float, f32, fabsf)
NORM_KERNELS(double, f64, fabs)
