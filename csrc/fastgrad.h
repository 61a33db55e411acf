/* fastgrad's C kernels: every kernel the library has, in one list.
 *
 * Plain C99: raw pointers and lengths, no Python.h, no allocation.
 * Naming: fg_<op>_<fwd|bwd|step>_<f32|f64>.  Arguments marked IN are read,
 * OUT are written; n is the number of elements.  Kernels use OpenMP above
 * FG_OMP_THRESHOLD elements when the library was built with it.
 */
#ifndef FASTGRAD_H
#define FASTGRAD_H

#include <stddef.h>
#include <stdint.h>

#define FG_OMP_THRESHOLD 32768

/* ---- runtime (runtime.c) ---- */
int fg_openmp_enabled(void);
int fg_get_num_threads(void);
void fg_set_num_threads(int n);

/* ---- activations (activations.c) ---- */
void fg_sigmoid_fwd_f32(const float *restrict x, float *restrict y, int64_t n);
void fg_sigmoid_fwd_f64(const double *restrict x, double *restrict y, int64_t n);
void fg_sigmoid_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx, int64_t n);
void fg_sigmoid_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx, int64_t n);
void fg_relu_fwd_f32(const float *restrict x, float *restrict y, int64_t n);
void fg_relu_fwd_f64(const double *restrict x, double *restrict y, int64_t n);
void fg_relu_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx, int64_t n);
void fg_relu_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx, int64_t n);

/* ---- losses (losses.c) ---- */

/* ---- linear layer epilogues (linear.c) ---- */

/* ---- optimizers (optim.c) ---- */

/* ---- GEMM through a runtime-loaded BLAS (gemm.c) ---- */

#endif
