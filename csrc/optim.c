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
#include <math.h>
#include "fastgrad.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

/* Square roots of a block, in place, with vector instructions.
 * NOTE: a sqrt call inside a loop keeps the compiler from vectorizing it
 * (sqrt may set errno), so the updates below work in blocks of FG_BLOCK
 * elements: a vectorized pass up to the square root, this pass, then a
 * vectorized pass after it.  The block stays in L1 between the passes. */
#define FG_BLOCK 256

static inline void sqrt_block_f32(float *x, int64_t n)
{
    int64_t k = 0;
#if defined(__SSE2__)
    for (; k + 4 <= n; k += 4)
        _mm_storeu_ps(x + k, _mm_sqrt_ps(_mm_loadu_ps(x + k)));
#endif
    for (; k < n; k++)
        x[k] = sqrtf(x[k]);
}

static inline void sqrt_block_f64(double *x, int64_t n)
{
    int64_t k = 0;
#if defined(__SSE2__)
    for (; k + 2 <= n; k += 2)
        _mm_storeu_pd(x + k, _mm_sqrt_pd(_mm_loadu_pd(x + k)));
#endif
    for (; k < n; k++)
        x[k] = sqrt(x[k]);
}

/* On x86-64 with GCC or Clang, Adam's pass is also compiled for AVX2 and
 * AVX-512 and chosen at run time from the CPU (cpu_level); other builds use
 * the baseline version only.  Results are the same: the arithmetic is
 * identical and the build contracts nothing into FMA (-std=c99). */
#if defined(__GNUC__) && defined(__x86_64__)
#define FG_X86_DISPATCH 1
#include <immintrin.h>
#define FG_AVX2 __attribute__((target("avx2")))
#define FG_AVX512 __attribute__((target("avx512f,prefer-vector-width=512")))

FG_AVX2 static void sqrt_block_f32_avx2(float *x, int64_t n)
{
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        _mm256_storeu_ps(x + k, _mm256_sqrt_ps(_mm256_loadu_ps(x + k)));
    sqrt_block_f32(x + k, n - k);
}

FG_AVX2 static void sqrt_block_f64_avx2(double *x, int64_t n)
{
    int64_t k = 0;
    for (; k + 4 <= n; k += 4)
        _mm256_storeu_pd(x + k, _mm256_sqrt_pd(_mm256_loadu_pd(x + k)));
    sqrt_block_f64(x + k, n - k);
}

FG_AVX512 static void sqrt_block_f32_avx512(float *x, int64_t n)
{
    int64_t k = 0;
    for (; k + 16 <= n; k += 16)
        _mm512_storeu_ps(x + k, _mm512_sqrt_ps(_mm512_loadu_ps(x + k)));
    sqrt_block_f32(x + k, n - k);
}

FG_AVX512 static void sqrt_block_f64_avx512(double *x, int64_t n)
{
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        _mm512_storeu_pd(x + k, _mm512_sqrt_pd(_mm512_loadu_pd(x + k)));
    sqrt_block_f64(x + k, n - k);
}

static int cpu_best(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
}
#endif

/* The instruction set Adam's pass uses: 2 AVX-512F, 1 AVX2, 0 baseline;
 * the best the CPU has unless lowered by fg_optim_isa.  Read outside
 * parallel regions. */
static int isa_level = -1;

static int cpu_level(void)
{
    if (isa_level < 0) {
#ifdef FG_X86_DISPATCH
        isa_level = cpu_best();
#else
        isa_level = 0;
#endif
    }
    return isa_level;
}

int fg_optim_isa(int level)
{
    if (level >= 0) {
#ifdef FG_X86_DISPATCH
        int best = cpu_best();
#else
        int best = 0;
#endif
        isa_level = level < best ? level : best;
    }
    return cpu_level();
}

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

#ifdef _OPENMP
static void share(int64_t total, int nth, int tid, int64_t *lo, int64_t *hi)
{
    int64_t chunk = (total + nth - 1) / nth;
    chunk = (chunk + FG_SHARE_ALIGN - 1) / FG_SHARE_ALIGN * FG_SHARE_ALIGN;
    int64_t a = (int64_t)tid * chunk;
    int64_t b = a + chunk;
    *lo = a < total ? a : total;
    *hi = b < total ? b : total;
}
#endif

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
 *       p <- p - step_size m / (sqrt(v) * (1 / sqrt(1 - beta2^t)) + eps)
 * with step_size = lr / (1 - beta1^t): bias corrections folded into scalars
 * computed once in double.
 */
#define ADAM_CTX(T, SUFFIX)                                                            \
    typedef struct {                                                                   \
        T *const *params; const T *const *grads; T *const *exp_avgs;                   \
        T *const *exp_avg_sqs; T *const *max_exp_avg_sqs; const fg_adam_args *a;       \
    } adam_ctx_##SUFFIX;

#define ADAM_RANGE(T, SUFFIX, ISA, ATTR)                                               \
    ATTR static void adam_range_##SUFFIX##ISA(const void *vctx, int64_t t, int64_t lo, int64_t hi) \
    {                                                                                  \
        const adam_ctx_##SUFFIX *c = vctx;                                             \
        const fg_adam_args *a = c->a;                                                  \
        T *restrict p = c->params[t];                                                  \
        const T *restrict g = c->grads[t];                                             \
        T *restrict m = c->exp_avgs[t];                                                \
        T *restrict v = c->exp_avg_sqs[t];                                             \
        T *restrict vmax = c->max_exp_avg_sqs ? c->max_exp_avg_sqs[t] : NULL;          \
        const T sign = a->maximize ? (T)-1 : (T)1;                                     \
        const T l2 = a->decoupled ? (T)0 : (T)a->weight_decay;                         \
        const T decay = a->decoupled ? (T)(1.0 - a->lr * a->weight_decay) : (T)1;      \
        const T w1 = (T)(1.0 - a->beta1), beta2 = (T)a->beta2, w2 = (T)(1.0 - a->beta2); \
        const T step_size = (T)a->step_size, ibc2 = (T)(1.0 / a->bias_correction2_sqrt); \
        const T eps = (T)a->eps;                                                       \
        T root[FG_BLOCK];                                                              \
        for (int64_t b = lo; b < hi; b += FG_BLOCK) {                                  \
            const int64_t n = hi - b < FG_BLOCK ? hi - b : FG_BLOCK;                   \
            T *restrict pb = p + b, *restrict mb = m + b, *restrict vb = v + b;        \
            const T *restrict gb = g + b;                                              \
            for (int64_t k = 0; k < n; k++) {                                          \
                T gi = sign * gb[k] + l2 * pb[k];                                      \
                T mi = mb[k] + w1 * (gi - mb[k]);                                      \
                T vi = beta2 * vb[k] + w2 * gi * gi;                                   \
                mb[k] = mi;                                                            \
                vb[k] = vi;                                                            \
                root[k] = vi;                                                          \
            }                                                                          \
            if (vmax != NULL) {                                                        \
                T *restrict xb = vmax + b;                                             \
                for (int64_t k = 0; k < n; k++) {                                      \
                    T mx = xb[k] > root[k] ? xb[k] : root[k];                          \
                    xb[k] = mx;                                                        \
                    root[k] = mx;                                                      \
                }                                                                      \
            }                                                                          \
            sqrt_block_##SUFFIX##ISA(root, n);                                         \
            for (int64_t k = 0; k < n; k++)                                            \
                pb[k] = pb[k] * decay - step_size * (mb[k] / (root[k] * ibc2 + eps));   \
        }                                                                              \
    }

#ifdef FG_X86_DISPATCH
#define ADAM_CHOOSE(SUFFIX)                                                            \
    (cpu_level() == 2 ? adam_range_##SUFFIX##_avx512 :                                 \
     cpu_level() == 1 ? adam_range_##SUFFIX##_avx2 : adam_range_##SUFFIX)
#else
#define ADAM_CHOOSE(SUFFIX) adam_range_##SUFFIX
#endif

#define ADAM_STEP(T, SUFFIX)                                                           \
    void fg_adam_step_##SUFFIX(T *const *params, const T *const *grads, T *const *exp_avgs, \
                               T *const *exp_avg_sqs, T *const *max_exp_avg_sqs,       \
                               const int64_t *lengths, int64_t ntensors,               \
                               const fg_adam_args *a)                                  \
    {                                                                                  \
        adam_ctx_##SUFFIX c = {params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, a}; \
        for_each_range(lengths, ntensors, ADAM_CHOOSE(SUFFIX), &c);                    \
    }

ADAM_CTX(float, f32)
ADAM_CTX(double, f64)
ADAM_RANGE(float, f32, , )
ADAM_RANGE(double, f64, , )
#ifdef FG_X86_DISPATCH
ADAM_RANGE(float, f32, _avx2, FG_AVX2)
ADAM_RANGE(float, f32, _avx512, FG_AVX512)
ADAM_RANGE(double, f64, _avx2, FG_AVX2)
ADAM_RANGE(double, f64, _avx512, FG_AVX512)
#endif
ADAM_STEP(float, f32)
ADAM_STEP(double, f64)


/* ------------------------------------------------------------------------
 * RMSprop:  g <- -g (maximize);  g <- g + wd p;
 *       s <- alpha s + (1 - alpha) g^2
 *       centered: a <- a + (1 - alpha) (g - a);  d <- sqrt(s - a^2) + eps
 *       else d <- sqrt(s) + eps
 *       momentum: buf <- momentum buf + g / d;  p <- p - lr buf
 *       else p <- p - lr g / d
 */
#define RMSPROP_KERNELS(T, SUFFIX)                                                     \
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
        T gs[FG_BLOCK], root[FG_BLOCK];                                                \
        for (int64_t b = lo; b < hi; b += FG_BLOCK) {                                  \
            const int64_t n = hi - b < FG_BLOCK ? hi - b : FG_BLOCK;                   \
            T *restrict pb = p + b, *restrict sb = s + b;                              \
            const T *restrict gb = g + b;                                              \
            for (int64_t k = 0; k < n; k++) {                                          \
                T gi = sign * gb[k] + wd * pb[k];                                      \
                T si = alpha * sb[k] + w * gi * gi;                                    \
                sb[k] = si;                                                            \
                gs[k] = gi;                                                            \
                root[k] = si;                                                          \
            }                                                                          \
            if (ga != NULL) {                                                          \
                T *restrict ab = ga + b;                                               \
                for (int64_t k = 0; k < n; k++) {                                      \
                    T ai = ab[k] + w * (gs[k] - ab[k]);                                \
                    ab[k] = ai;                                                        \
                    root[k] = root[k] - ai * ai;                                       \
                }                                                                      \
            }                                                                          \
            sqrt_block_##SUFFIX(root, n);                                              \
            if (buf != NULL) {                                                         \
                T *restrict bb = buf + b;                                              \
                for (int64_t k = 0; k < n; k++) {                                      \
                    T bi = mom * bb[k] + gs[k] / (root[k] + eps);                      \
                    bb[k] = bi;                                                        \
                    pb[k] = pb[k] - lr * bi;                                           \
                }                                                                      \
            } else {                                                                   \
                for (int64_t k = 0; k < n; k++)                                        \
                    pb[k] = pb[k] - lr * (gs[k] / (root[k] + eps));                    \
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

RMSPROP_KERNELS(float, f32)
RMSPROP_KERNELS(double, f64)

/* ------------------------------------------------------------------------
 * Adagrad:  g <- -g (maximize);  g <- g + wd p;
 *       s <- s + g^2;  p <- p - clr g / (sqrt(s) + eps)
 * with clr = lr / (1 + (t - 1) lr_decay).
 */
#define ADAGRAD_KERNELS(T, SUFFIX)                                                     \
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
        T gs[FG_BLOCK], root[FG_BLOCK];                                                \
        for (int64_t b = lo; b < hi; b += FG_BLOCK) {                                  \
            const int64_t n = hi - b < FG_BLOCK ? hi - b : FG_BLOCK;                   \
            T *restrict pb = p + b, *restrict sb = s + b;                              \
            const T *restrict gb = g + b;                                              \
            for (int64_t k = 0; k < n; k++) {                                          \
                T gi = sign * gb[k] + wd * pb[k];                                      \
                T si = sb[k] + gi * gi;                                                \
                sb[k] = si;                                                            \
                gs[k] = gi;                                                            \
                root[k] = si;                                                          \
            }                                                                          \
            sqrt_block_##SUFFIX(root, n);                                              \
            for (int64_t k = 0; k < n; k++)                                            \
                pb[k] = pb[k] - clr * (gs[k] / (root[k] + eps));                       \
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

ADAGRAD_KERNELS(float, f32)
ADAGRAD_KERNELS(double, f64)

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
