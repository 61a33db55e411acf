"""Device functions shared by the CuPy kernels: csrc/fg_math.h, line for line.

CUDA's C++ math overloads (exp, expm1, log1p, erfc, fabs on float and
double) stand in for fg_math.h's own float polynomials; the formulas and
their stability tricks are the same.
"""

MATH = r"""
#define FG_SQRT1_2 0.70710678118654752440
#define FG_INV_SQRT_2PI 0.39894228040143267794
#define FG_SQRT_2_OVER_PI 0.79788456080286535588
#define FG_GELU_KAPPA 0.044715

/* Stable logistic: exp is only ever taken of a non-positive number. */
template <typename T> __device__ T fg_sigmoid(T v)
{
    T e = exp(-fabs(v));
    T r = (T)1 / ((T)1 + e);
    return v >= 0 ? r : e * r;
}

/* tanh(|v|) = -expm1(-2|v|) / (2 + expm1(-2|v|)), accurate near 0 as well. */
template <typename T> __device__ T fg_tanh(T v)
{
    T a = fabs(v);
    T m = expm1((T)-2 * a);
    T t = -m / ((T)2 + m);
    return v < 0 ? -t : t;
}

/* softplus(v) = max(v, 0) + log1p(exp(-|v|)), never overflowing. */
template <typename T> __device__ T fg_softplus(T v)
{
    T a = fabs(v);
    return (v > 0 ? v : (T)0) + log1p(exp(-a));
}

/* GELU, tanh form: v * sigmoid(2u), u = sqrt(2/pi) (v + 0.044715 v^3). */
template <typename T> __device__ T fg_gelu_tanh(T v)
{
    T u = (T)FG_SQRT_2_OVER_PI * (v + (T)FG_GELU_KAPPA * v * v * v);
    return v * fg_sigmoid<T>((T)2 * u);
}

template <typename T> __device__ T fg_gelu_tanh_grad(T v)
{
    T u = (T)FG_SQRT_2_OVER_PI * (v + (T)FG_GELU_KAPPA * v * v * v);
    T du = (T)FG_SQRT_2_OVER_PI * ((T)1 + (T)(3 * FG_GELU_KAPPA) * v * v);
    T s = fg_sigmoid<T>((T)2 * u);
    return s + (T)2 * v * s * ((T)1 - s) * du;
}

/* GELU, exact: v Phi(v), Phi(v) = erfc(-v / sqrt 2) / 2; derivative Phi(v) + v phi(v). */
template <typename T> __device__ T fg_gelu(T v)
{
    return (T)0.5 * v * erfc(-v * (T)FG_SQRT1_2);
}

template <typename T> __device__ T fg_gelu_grad(T v)
{
    return (T)0.5 * erfc(-v * (T)FG_SQRT1_2) + v * (T)FG_INV_SQRT_2PI * exp((T)-0.5 * v * v);
}
"""
