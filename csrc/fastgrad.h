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
/* Load MKL's runtime library from `path` (once); on failure write why into
 * `message`.  Returns FG_BLAS_OK or FG_BLAS_NOT_LOADED. */
#define FG_BLAS_OK 0
#define FG_BLAS_NOT_LOADED 1
#define FG_BLAS_TOO_LARGE 2
int fg_blas_load(const char *path, char *message, int64_t message_len);
int fg_blas_loaded(void);
int fg_blas_ilp64(void);
int fg_blas_threading_layer(void);   /* MKL's code: 0 Intel, 1 sequential, 3 GNU, 4 TBB; -1 none */
int fg_blas_max_threads(void);
void fg_blas_version(char *buf, int64_t len);
/* C = alpha op(A) op(B) + beta C, row-major; op transposes when trans_* != 0.
 * C is m x n, op(A) m x k, op(B) k x n.  Returns an FG_BLAS_* code. */
int fg_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb,
                float beta, float *c, int64_t ldc);
int fg_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                const double *a, int64_t lda, const double *b, int64_t ldb,
                double beta, double *c, int64_t ldc);
/* The same for `batch` products at the matrices a[i], b[i], c[i]. */
int fg_gemm_batch_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float **a, int64_t lda, const float **b, int64_t ldb,
                      float beta, float **c, int64_t ldc, int64_t batch);
int fg_gemm_batch_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                      const double **a, int64_t lda, const double **b, int64_t ldb,
                      double beta, double **c, int64_t ldc, int64_t batch);

#endif
