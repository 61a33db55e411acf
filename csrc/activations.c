/* Elementwise activations: one pass forward, one pass backward.
 * The backward reads what the forward wrote (y), never the input. */
#include <math.h>
#include "fastgrad.h"

/* Stable logistic: exp is only ever taken of a non-positive number. */
#define SIGMOID_BODY(T, EXP)                                                  \
    _Pragma("omp parallel for schedule(static) if (n > FG_OMP_THRESHOLD)")    \
    for (int64_t i = 0; i < n; i++) {                                         \
        T v = x[i];                                                           \
        T e = EXP(-fabs(v));                                                  \
        T r = (T)1 / ((T)1 + e);                                              \
        y[i] = v >= 0 ? r : e * r;                                            \
    }

void fg_sigmoid_fwd_f32(const float *restrict x, float *restrict y, int64_t n) { SIGMOID_BODY(float, expf) }
void fg_sigmoid_fwd_f64(const double *restrict x, double *restrict y, int64_t n) { SIGMOID_BODY(double, exp) }

#define SIGMOID_BWD_BODY(T)                                                   \
    _Pragma("omp parallel for simd schedule(static) if (n > FG_OMP_THRESHOLD)") \
    for (int64_t i = 0; i < n; i++)                                           \
        gx[i] = gy[i] * y[i] * ((T)1 - y[i]);

void fg_sigmoid_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx, int64_t n) { SIGMOID_BWD_BODY(float) }
void fg_sigmoid_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx, int64_t n) { SIGMOID_BWD_BODY(double) }

/* relu keeps NaN (x > 0 is false for NaN, so write x itself unless x <= 0). */
#define RELU_BODY(T)                                                          \
    _Pragma("omp parallel for simd schedule(static) if (n > FG_OMP_THRESHOLD)") \
    for (int64_t i = 0; i < n; i++)                                           \
        y[i] = x[i] <= (T)0 ? (T)0 : x[i];

void fg_relu_fwd_f32(const float *restrict x, float *restrict y, int64_t n) { RELU_BODY(float) }
void fg_relu_fwd_f64(const double *restrict x, double *restrict y, int64_t n) { RELU_BODY(double) }

/* NOTE: relu'(0) = 0, decided from the output: y > 0 exactly where x > 0. */
#define RELU_BWD_BODY(T)                                                      \
    _Pragma("omp parallel for simd schedule(static) if (n > FG_OMP_THRESHOLD)") \
    for (int64_t i = 0; i < n; i++)                                           \
        gx[i] = y[i] > (T)0 ? gy[i] : (T)0;

void fg_relu_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx, int64_t n) { RELU_BWD_BODY(float) }
void fg_relu_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx, int64_t n) { RELU_BWD_BODY(double) }
