/* Scalar math shared by the activation, loss and linear kernels.
 *
 * Everything here is `static inline` and free of calls, so loops that use it
 * vectorize without -ffast-math.  float versions have their own exp/expm1/
 * log1p (Cody-Waite range reduction and short polynomials, within 2 ulp);
 * double versions call libm, whose accuracy the tests compare against.
 * Kernel files ask GCC to contract a * b + c into fused multiply-adds
 * where the CPU has them (the AVX2 and AVX-512 clones of fg_parallel.h).
 */
#ifndef FASTGRAD_MATH_H
#define FASTGRAD_MATH_H

#include <math.h>
#include <stdint.h>

/* Selects between already computed values are written as x * (c ? 1 : e)
 * rather than c ? x : x * e: with GCC's default -ftrapping-math a
 * floating-point operation used on one side of a condition cannot be
 * speculated, which would keep the loop from vectorizing.  Files that
 * include this header also ask GCC for -fno-trapping-math (the kernels do
 * not rely on floating-point exception flags) and -ffp-contract=fast. */

#define FG_LOG2E_F 1.44269504088896341f
#define FG_LN2_HI_F 0.693145751953125f      /* ln 2 with its low 8 bits cleared: k * hi is exact */
#define FG_LN2_LO_F 1.428606765330187e-06f  /* ln 2 - hi */
#define FG_SQRT1_2 0.70710678118654752440   /* 1 / sqrt(2) */
#define FG_INV_SQRT_2PI 0.39894228040143267794  /* 1 / sqrt(2 pi) */
#define FG_SQRT_2_OVER_PI 0.79788456080286535588 /* sqrt(2 / pi) */
#define FG_GELU_KAPPA 0.044715

/* 2**k for -252 <= k <= 254, as two normal factors whose product may be
 * subnormal or overflow to inf exactly as exp does.  (Unsigned arithmetic:
 * for a NaN input k is an arbitrary integer, and the factors do not matter.) */
static inline void fg_pow2_split_f32(int32_t k, float *s1, float *s2)
{
    int32_t k1 = k >> 1;
    int32_t k2 = k - k1;
    union { uint32_t u; float f; } a, b;
    a.u = ((uint32_t)k1 + 127u) << 23;
    b.u = ((uint32_t)k2 + 127u) << 23;
    *s1 = a.f;
    *s2 = b.f;
}

/* Shared reduction: x = k ln2 + r, |r| <= ln2/2.  Clamping to [-104, 89]
 * keeps k in range; below -104 exp rounds to 0 and above 89 to inf anyway.
 * k is rounded to nearest through the 1.5 * 2**23 trick: t = x log2(e) +
 * 1.5 * 2**23 holds k in its low mantissa bits, read as an integer (no call
 * to rintf, and no float-to-int conversion, which is undefined for NaN).
 * NaN passes through the clamps and poisons t, kf and r, so the result is
 * NaN whatever integer k is read; there is no separate NaN path, which lets
 * GCC vectorize one straight line (a select there made it compute the whole
 * polynomial twice). */
#define FG_ROUND_SHIFT_F 12582912.0f        /* 1.5 * 2**23 */
#define FG_ROUND_SHIFT_BITS 0x4B400000u     /* its bits */

static inline float fg_round_log2e_f32(float x, int32_t *k)
{
    union { float f; uint32_t u; } t;
    t.f = x * FG_LOG2E_F + FG_ROUND_SHIFT_F;
    *k = (int32_t)(t.u - FG_ROUND_SHIFT_BITS);
    return t.f - FG_ROUND_SHIFT_F;
}

static inline float fg_reduce_f32(float x, int32_t *k)
{
    x = x < -104.0f ? -104.0f : x;
    x = x > 89.0f ? 89.0f : x;
    float kf = fg_round_log2e_f32(x, k);
    return (x - kf * FG_LN2_HI_F) - kf * FG_LN2_LO_F;
}

/* fg_reduce_f32 for x <= 0 (or NaN): only the lower clamp can apply. */
static inline float fg_reduce_nonpos_f32(float x, int32_t *k)
{
    x = x < -104.0f ? -104.0f : x;
    float kf = fg_round_log2e_f32(x, k);
    return (x - kf * FG_LN2_HI_F) - kf * FG_LN2_LO_F;
}

/* (e^r - 1 - r) / r^2 on |r| <= ln2/2: a degree-4 polynomial fitted for the
 * smallest relative error of e^r (3e-9 before float rounding). */
static inline float fg_exp_tail_f32(float r)
{
    return 0.4999999404f + r * (0.1666652113f + r * (0.04166838899f + r * (0.008368710056f
           + r * 0.001381461276f)));
}

static inline float fg_expf(float x)
{
    int32_t k;
    float r = fg_reduce_f32(x, &k);
    float p = 1.0f + (r + r * r * fg_exp_tail_f32(r));
    float s1, s2;
    fg_pow2_split_f32(k, &s1, &s2);
    return (p * s1) * s2;
}

/* exp(x) for x <= 0 (or NaN), as sigmoid takes it: the same value as fg_expf (same k, r and
 * polynomial) with fewer operations.  No upper clamp is needed, and since -150 <= k <= 0,
 * p 2**(k + 64) is a normal number computed exactly; the final multiply by 2**-64 rounds
 * once, to a subnormal where exp does, as fg_pow2_split_f32's two factors would. */
static inline float fg_exp_nonpos_f32(float x)
{
    int32_t k;
    float r = fg_reduce_nonpos_f32(x, &k);
    float p = 1.0f + (r + r * r * fg_exp_tail_f32(r));
    union { uint32_t u; float f; } scale;
    scale.u = ((uint32_t)k + 64u + 127u) << 23;
    return (p * scale.f) * 5.42101086242752217e-20f; /* 2**-64 */
}

/* exp(x) - 1 without cancellation near 0: 2**k (e**r - 1) + (2**k - 1). */
static inline float fg_expm1f(float x)
{
    int32_t k;
    float r = fg_reduce_f32(x, &k);
    float q = r + r * r * fg_exp_tail_f32(r);
    float s1, s2;
    fg_pow2_split_f32(k, &s1, &s2);
    float s = s1 * s2;
    return s * q + (s - 1.0f); /* exactly q when k == 0 (s == 1) */
}

/* log(1 + u) for u in [0, 1]: 2 atanh(s) with s = u / (2 + u) in [0, 1/3]. */
static inline float fg_log1p_unit_f32(float u)
{
    float s = u / (2.0f + u);
    float s2 = s * s;
    float p = 1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9
              + s2 * (1.0f / 11 + s2 * (1.0f / 13 + s2 * (1.0f / 15 + s2 * (1.0f / 17))))))));
    return 2.0f * s * p;
}

static inline float fg_abs_f32(float v) { return fabsf(v); }
static inline double fg_abs_f64(double v) { return fabs(v); }
static inline float fg_copysign_f32(float m, float s) { return copysignf(m, s); }
static inline double fg_copysign_f64(double m, double s) { return copysign(m, s); }
static inline double fg_log1p_unit_f64(double u) { return log1p(u); }
static inline double fg_exp_f64(double x) { return exp(x); }
static inline double fg_expm1_f64(double x) { return expm1(x); }
static inline float fg_exp_f32(float x) { return fg_expf(x); }
static inline float fg_expm1_f32(float x) { return fg_expm1f(x); }
static inline double fg_exp_nonpos_f64(double x) { return exp(x); }

/* ---- activations of one element, and their derivatives ---- */

/* Stable logistic: exp is only ever taken of a non-positive number. */
#define FG_DEFINE_SIGMOID(T, S)                                               \
    static inline T fg_sigmoid_##S(T v)                                       \
    {                                                                         \
        T e = fg_exp_nonpos_##S(-fg_abs_##S(v));                              \
        T r = (T)1 / ((T)1 + e);                                              \
        return r * (v >= 0 ? (T)1 : e);                                       \
    }

/* tanh(|v|) = -expm1(-2|v|) / (2 + expm1(-2|v|)), accurate near 0 as well;
 * the sign is v's (so tanh(-0) = -0, as in libm). */
#define FG_DEFINE_TANH(T, S)                                                  \
    static inline T fg_tanh_##S(T v)                                          \
    {                                                                         \
        T m = fg_expm1_##S((T)-2 * fg_abs_##S(v));                            \
        return fg_copysign_##S(((T)0 - m) / ((T)2 + m), v);                   \
    }

/* softplus(v) = max(v, 0) + log1p(exp(-|v|)), never overflowing. */
#define FG_DEFINE_SOFTPLUS(T, S)                                              \
    static inline T fg_softplus_##S(T v)                                      \
    {                                                                         \
        T a = fg_abs_##S(v);                                                  \
        return (v > 0 ? v : (T)0) + fg_log1p_unit_##S(fg_exp_##S(-a));        \
    }

FG_DEFINE_SIGMOID(float, f32)
FG_DEFINE_SIGMOID(double, f64)
FG_DEFINE_TANH(float, f32)
FG_DEFINE_TANH(double, f64)
FG_DEFINE_SOFTPLUS(float, f32)
FG_DEFINE_SOFTPLUS(double, f64)

/* GELU, tanh form: v * sigmoid(2u), u = sqrt(2/pi) (v + 0.044715 v^3), which
 * equals 0.5 v (1 + tanh u) without the cancellation of 1 + tanh u for v < 0. */
#define FG_DEFINE_GELU_TANH(T, S)                                             \
    static inline T fg_gelu_tanh_##S(T v)                                     \
    {                                                                         \
        T u = (T)FG_SQRT_2_OVER_PI * (v + (T)FG_GELU_KAPPA * v * v * v);      \
        return v * fg_sigmoid_##S((T)2 * u);                                  \
    }                                                                         \
    static inline T fg_gelu_tanh_grad_##S(T v)                                \
    {                                                                         \
        T u = (T)FG_SQRT_2_OVER_PI * (v + (T)FG_GELU_KAPPA * v * v * v);      \
        T du = (T)FG_SQRT_2_OVER_PI * ((T)1 + (T)(3 * FG_GELU_KAPPA) * v * v); \
        T s = fg_sigmoid_##S((T)2 * u);                                       \
        return s + (T)2 * v * s * ((T)1 - s) * du;                            \
    }

FG_DEFINE_GELU_TANH(float, f32)
FG_DEFINE_GELU_TANH(double, f64)

static inline float fg_silu_grad_f32(float v) { float s = fg_sigmoid_f32(v); return s * (1.0f + v * (1.0f - s)); }
static inline double fg_silu_grad_f64(double v) { double s = fg_sigmoid_f64(v); return s * (1.0 + v * (1.0 - s)); }

/* GELU, exact: v Phi(v), Phi(v) = erfc(-v / sqrt 2) / 2 (erfc keeps the
 * relative accuracy of the left tail); derivative Phi(v) + v phi(v). */
static inline float fg_gelu_f32(float v) { return 0.5f * v * erfcf(-v * (float)FG_SQRT1_2); }
static inline double fg_gelu_f64(double v) { return 0.5 * v * erfc(-v * FG_SQRT1_2); }
static inline float fg_gelu_grad_f32(float v)
{
    return 0.5f * erfcf(-v * (float)FG_SQRT1_2) + v * (float)FG_INV_SQRT_2PI * fg_expf(-0.5f * v * v);
}
static inline double fg_gelu_grad_f64(double v)
{
    return 0.5 * erfc(-v * FG_SQRT1_2) + v * FG_INV_SQRT_2PI * exp(-0.5 * v * v);
}

#endif
