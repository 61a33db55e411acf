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
int64_t fg_team_backoffs(void);
void fg_set_num_threads(int n);

/* ---- activations (activations.c) ----
 * fwd: x -> y.  bwd: (s, gy) -> gx, where s is what the forward saved: y for
 * sigmoid, relu, tanh and leaky_relu with slope >= 0; x otherwise.  Every
 * activation has these two signatures; its scalar parameters, if any, come in
 * fg_act_params (the others ignore it). */
typedef struct {
    double slope;      /* leaky_relu: the slope for x <= 0 */
    double beta;       /* softplus: log(1 + exp(beta x)) / beta, beta != 0 */
    double threshold;  /* softplus: y = x where beta x > threshold */
} fg_act_params;
typedef void fg_act_forward_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
typedef void fg_act_forward_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
typedef void fg_act_backward_f32(const float *restrict s, const float *restrict gy, float *restrict gx,
                                 int64_t n, const fg_act_params *p);
typedef void fg_act_backward_f64(const double *restrict s, const double *restrict gy, double *restrict gx,
                                 int64_t n, const fg_act_params *p);
void fg_sigmoid_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_sigmoid_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_sigmoid_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                        const fg_act_params *p);
void fg_sigmoid_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                        const fg_act_params *p);
void fg_relu_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_relu_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_relu_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_relu_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_tanh_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_tanh_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_tanh_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_tanh_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_gelu_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_gelu_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_gelu_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_gelu_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_gelu_tanh_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_gelu_tanh_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_gelu_tanh_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                          const fg_act_params *p);
void fg_gelu_tanh_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                          const fg_act_params *p);
void fg_silu_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_silu_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_silu_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_silu_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                     const fg_act_params *p);
void fg_leaky_relu_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_leaky_relu_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_leaky_relu_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                           const fg_act_params *p);
void fg_leaky_relu_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                           const fg_act_params *p);
void fg_softplus_fwd_f32(const float *restrict x, float *restrict y, int64_t n, const fg_act_params *p);
void fg_softplus_fwd_f64(const double *restrict x, double *restrict y, int64_t n, const fg_act_params *p);
void fg_softplus_bwd_f32(const float *restrict s, const float *restrict gy, float *restrict gx, int64_t n,
                         const fg_act_params *p);
void fg_softplus_bwd_f64(const double *restrict s, const double *restrict gy, double *restrict gx, int64_t n,
                         const fg_act_params *p);

/* ---- softmax family (softmax.c) and losses (losses.c) ----
 * Row kernels act along the last axis of a C-contiguous (rows, cols) array.
 * Cross entropy writes the loss per row, and its backward takes the
 * per-row gradient grad; class weights (cols entries) may be NULL for class
 * indices and are required for probabilities.  Pointwise losses write loss
 * when it is not NULL and return its sum; their backward is
 * gx = scale * (gy, or 1 when gy is NULL) * dloss/dx.  pos_weight (NULL for
 * none) has cols entries, repeated over rows. */
void fg_softmax_fwd_f32(const float *restrict x, float *restrict y, int64_t rows, int64_t cols);
void fg_softmax_fwd_f64(const double *restrict x, double *restrict y, int64_t rows, int64_t cols);
void fg_softmax_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx, int64_t rows,
                        int64_t cols);
void fg_softmax_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx, int64_t rows,
                        int64_t cols);
void fg_log_softmax_fwd_f32(const float *restrict x, float *restrict y, int64_t rows, int64_t cols);
void fg_log_softmax_fwd_f64(const double *restrict x, double *restrict y, int64_t rows, int64_t cols);
void fg_log_softmax_bwd_f32(const float *restrict y, const float *restrict gy, float *restrict gx,
                            int64_t rows, int64_t cols);
void fg_log_softmax_bwd_f64(const double *restrict y, const double *restrict gy, double *restrict gx,
                            int64_t rows, int64_t cols);
void fg_cross_entropy_fwd_f32(const float *restrict x, const int64_t *restrict target,
                              const float *restrict weight, float *restrict loss, int64_t rows, int64_t cols,
                              int64_t ignore_index, float label_smoothing);
void fg_cross_entropy_fwd_f64(const double *restrict x, const int64_t *restrict target,
                              const double *restrict weight, double *restrict loss, int64_t rows, int64_t cols,
                              int64_t ignore_index, double label_smoothing);
void fg_cross_entropy_bwd_f32(const float *restrict x, const int64_t *restrict target,
                              const float *restrict weight, const float *restrict grad, float *restrict gx,
                              int64_t rows, int64_t cols, int64_t ignore_index, float label_smoothing);
void fg_cross_entropy_bwd_f64(const double *restrict x, const int64_t *restrict target,
                              const double *restrict weight, const double *restrict grad, double *restrict gx,
                              int64_t rows, int64_t cols, int64_t ignore_index, double label_smoothing);
void fg_soft_cross_entropy_fwd_f32(const float *restrict x, const float *restrict q,
                                   const float *restrict weight, float *restrict loss, int64_t rows,
                                   int64_t cols, float label_smoothing);
void fg_soft_cross_entropy_fwd_f64(const double *restrict x, const double *restrict q,
                                   const double *restrict weight, double *restrict loss, int64_t rows,
                                   int64_t cols, double label_smoothing);
void fg_soft_cross_entropy_bwd_f32(const float *restrict x, const float *restrict q,
                                   const float *restrict weight, const float *restrict grad,
                                   float *restrict gx, int64_t rows, int64_t cols, float label_smoothing);
void fg_soft_cross_entropy_bwd_f64(const double *restrict x, const double *restrict q,
                                   const double *restrict weight, const double *restrict grad,
                                   double *restrict gx, int64_t rows, int64_t cols, double label_smoothing);
double fg_mse_loss_fwd_f32(const float *restrict x, const float *restrict t, float *restrict loss, int64_t n);
double fg_mse_loss_fwd_f64(const double *restrict x, const double *restrict t, double *restrict loss,
                           int64_t n);
void fg_mse_loss_bwd_f32(const float *restrict x, const float *restrict t, const float *restrict gy,
                         float *restrict gx, int64_t n, float scale);
void fg_mse_loss_bwd_f64(const double *restrict x, const double *restrict t, const double *restrict gy,
                         double *restrict gx, int64_t n, double scale);
double fg_l1_loss_fwd_f32(const float *restrict x, const float *restrict t, float *restrict loss, int64_t n);
double fg_l1_loss_fwd_f64(const double *restrict x, const double *restrict t, double *restrict loss,
                          int64_t n);
void fg_l1_loss_bwd_f32(const float *restrict x, const float *restrict t, const float *restrict gy,
                        float *restrict gx, int64_t n, float scale);
void fg_l1_loss_bwd_f64(const double *restrict x, const double *restrict t, const double *restrict gy,
                        double *restrict gx, int64_t n, double scale);
double fg_huber_loss_fwd_f32(const float *restrict x, const float *restrict t, float *restrict loss, int64_t n,
                             float delta);
double fg_huber_loss_fwd_f64(const double *restrict x, const double *restrict t, double *restrict loss,
                             int64_t n, double delta);
void fg_huber_loss_bwd_f32(const float *restrict x, const float *restrict t, const float *restrict gy,
                           float *restrict gx, int64_t n, float scale, float delta);
void fg_huber_loss_bwd_f64(const double *restrict x, const double *restrict t, const double *restrict gy,
                           double *restrict gx, int64_t n, double scale, double delta);
double fg_binary_cross_entropy_with_logits_fwd_f32(const float *restrict x, const float *restrict t,
                                                   const float *restrict pos_weight, float *restrict loss,
                                                   int64_t rows, int64_t cols);
double fg_binary_cross_entropy_with_logits_fwd_f64(const double *restrict x, const double *restrict t,
                                                   const double *restrict pos_weight, double *restrict loss,
                                                   int64_t rows, int64_t cols);
void fg_binary_cross_entropy_with_logits_bwd_f32(const float *restrict x, const float *restrict t,
                                                 const float *restrict pos_weight, const float *restrict gy,
                                                 float *restrict gx, int64_t rows, int64_t cols, float scale);
void fg_binary_cross_entropy_with_logits_bwd_f64(const double *restrict x, const double *restrict t,
                                                 const double *restrict pos_weight, const double *restrict gy,
                                                 double *restrict gx, int64_t rows, int64_t cols,
                                                 double scale);
double fg_binary_cross_entropy_fwd_f32(const float *restrict p, const float *restrict t, float *restrict loss,
                                       int64_t n, int64_t *invalid);
double fg_binary_cross_entropy_fwd_f64(const double *restrict p, const double *restrict t,
                                       double *restrict loss, int64_t n, int64_t *invalid);
void fg_binary_cross_entropy_bwd_f32(const float *restrict p, const float *restrict t,
                                     const float *restrict gy, float *restrict gx, int64_t n, float scale);
void fg_binary_cross_entropy_bwd_f64(const double *restrict p, const double *restrict t,
                                     const double *restrict gy, double *restrict gx, int64_t n, double scale);

/* ---- linear layer epilogues (linear.c) ----
 * fwd: z (rows, cols) holds x W^T; adds bias (NULL for none) in place and
 * writes act(z) to y (y may be z).  bwd: gz = gy * act'(s), s being y, or z
 * for the gelus; gbias (NULL for none) gets the column sums of gz; gz may be
 * NULL for FG_ACT_NONE (then only the column sums are computed). */
#define FG_ACT_NONE 0
#define FG_ACT_RELU 1
#define FG_ACT_SIGMOID 2
#define FG_ACT_TANH 3
#define FG_ACT_GELU 4
#define FG_ACT_GELU_TANH 5
void fg_bias_act_fwd_f32(const float *bias, float *z, float *y, int64_t rows, int64_t cols, int act);
void fg_bias_act_fwd_f64(const double *bias, double *z, double *y, int64_t rows, int64_t cols, int act);
void fg_bias_act_bwd_f32(const float *s, const float *gy, float *gz, float *gbias, int64_t rows, int64_t cols,
                         int act);
void fg_bias_act_bwd_f64(const double *s, const double *gy, double *gz, double *gbias, int64_t rows,
                         int64_t cols, int act);

/* ---- optimizers (optim.c) ----
 * Each step updates a list of tensors in place in one call: tensor t has
 * lengths[t] elements at params[t], grads[t] and its state buffers.  Optional
 * state lists are NULL when unused (no momentum, no amsgrad, not centered).
 * The scalars are computed once per step, in double, by the caller. */
typedef struct {
    double lr, momentum, dampening, weight_decay;
    int nesterov, maximize;
    int init_buffer;              /* first step of a "sum" momentum buffer: buf = g */
} fg_sgd_args;

typedef struct {
    double lr, beta1, beta2, eps, weight_decay;
    double step_size;             /* lr / (1 - beta1^t) */
    double bias_correction2_sqrt; /* sqrt(1 - beta2^t) */
    int maximize;
    int decoupled;                /* AdamW: p *= 1 - lr wd, instead of g += wd p */
} fg_adam_args;

typedef struct {
    double lr, alpha, eps, weight_decay, momentum;
    int maximize;
} fg_rmsprop_args;

typedef struct {
    double clr;                   /* lr / (1 + (t - 1) lr_decay) */
    double eps, weight_decay;
    int maximize;
} fg_adagrad_args;

typedef struct {
    double lr, beta1, beta2, eps, weight_decay;
    double bias_correction2;      /* 1 - beta2^t */
    double grad_coef, avg_coef;   /* -lr (1 - mu_t) / (1 - prod mu), -lr mu_{t+1} / (1 - prod mu mu_{t+1}) */
    int maximize;
    int decoupled;                /* p *= 1 - lr wd, instead of g += wd p */
} fg_nadam_args;

typedef struct {
    double lr, beta1, beta2, eps, weight_decay;
    double bias_correction1;      /* 1 - beta1^t */
    double bias_correction2_sqrt; /* sqrt(1 - beta2^t) */
    double rect;                  /* the variance rectification term (rectified steps) */
    int rectified;                /* rho_t > 5: the adaptive step; else plain momentum */
    int maximize;
    int decoupled;
} fg_radam_args;

typedef struct {
    double beta1, beta2, eps, weight_decay;
    double clr;                   /* lr / (1 - beta1^t) */
    int maximize;
} fg_adamax_args;

typedef struct {
    double lr, rho, eps, weight_decay;
    int maximize;
} fg_adadelta_args;

typedef struct {
    double etaminus, etaplus, step_size_min, step_size_max;
    int maximize;
} fg_rprop_args;

typedef struct {
    double decay, eta, mu, weight_decay;
    int maximize;
} fg_asgd_args;

void fg_sgd_step_f32(float *const *params, const float *const *grads, float *const *bufs,
                     const int64_t *lengths, int64_t ntensors, const fg_sgd_args *a);
void fg_sgd_step_f64(double *const *params, const double *const *grads, double *const *bufs,
                     const int64_t *lengths, int64_t ntensors, const fg_sgd_args *a);
void fg_adam_step_f32(float *const *params, const float *const *grads, float *const *exp_avgs,
                      float *const *exp_avg_sqs, float *const *max_exp_avg_sqs,
                      const int64_t *lengths, int64_t ntensors, const fg_adam_args *a);
void fg_adam_step_f64(double *const *params, const double *const *grads, double *const *exp_avgs,
                      double *const *exp_avg_sqs, double *const *max_exp_avg_sqs,
                      const int64_t *lengths, int64_t ntensors, const fg_adam_args *a);
void fg_rmsprop_step_f32(float *const *params, const float *const *grads, float *const *square_avgs,
                         float *const *grad_avgs, float *const *bufs,
                         const int64_t *lengths, int64_t ntensors, const fg_rmsprop_args *a);
void fg_rmsprop_step_f64(double *const *params, const double *const *grads, double *const *square_avgs,
                         double *const *grad_avgs, double *const *bufs,
                         const int64_t *lengths, int64_t ntensors, const fg_rmsprop_args *a);
void fg_adagrad_step_f32(float *const *params, const float *const *grads, float *const *sums,
                         const int64_t *lengths, int64_t ntensors, const fg_adagrad_args *a);
void fg_adagrad_step_f64(double *const *params, const double *const *grads, double *const *sums,
                         const int64_t *lengths, int64_t ntensors, const fg_adagrad_args *a);
void fg_nadam_step_f32(float *const *params, const float *const *grads, float *const *exp_avgs,
                       float *const *exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                       const fg_nadam_args *a);
void fg_nadam_step_f64(double *const *params, const double *const *grads, double *const *exp_avgs,
                       double *const *exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                       const fg_nadam_args *a);
void fg_radam_step_f32(float *const *params, const float *const *grads, float *const *exp_avgs,
                       float *const *exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                       const fg_radam_args *a);
void fg_radam_step_f64(double *const *params, const double *const *grads, double *const *exp_avgs,
                       double *const *exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                       const fg_radam_args *a);
void fg_adamax_step_f32(float *const *params, const float *const *grads, float *const *exp_avgs,
                        float *const *exp_infs, const int64_t *lengths, int64_t ntensors,
                        const fg_adamax_args *a);
void fg_adamax_step_f64(double *const *params, const double *const *grads, double *const *exp_avgs,
                        double *const *exp_infs, const int64_t *lengths, int64_t ntensors,
                        const fg_adamax_args *a);
void fg_adadelta_step_f32(float *const *params, const float *const *grads, float *const *square_avgs,
                          float *const *acc_deltas, const int64_t *lengths, int64_t ntensors,
                          const fg_adadelta_args *a);
void fg_adadelta_step_f64(double *const *params, const double *const *grads, double *const *square_avgs,
                          double *const *acc_deltas, const int64_t *lengths, int64_t ntensors,
                          const fg_adadelta_args *a);
void fg_rprop_step_f32(float *const *params, const float *const *grads, float *const *prevs,
                       float *const *step_sizes, const int64_t *lengths, int64_t ntensors,
                       const fg_rprop_args *a);
void fg_rprop_step_f64(double *const *params, const double *const *grads, double *const *prevs,
                       double *const *step_sizes, const int64_t *lengths, int64_t ntensors,
                       const fg_rprop_args *a);
void fg_asgd_step_f32(float *const *params, const float *const *grads, float *const *axs,
                      const int64_t *lengths, int64_t ntensors, const fg_asgd_args *a);
void fg_asgd_step_f64(double *const *params, const double *const *grads, double *const *axs,
                      const int64_t *lengths, int64_t ntensors, const fg_asgd_args *a);
/* Gradient norms over a list of tensors (sum of squares in double; max |x|
 * is NaN when any element is NaN) and in-place scaling x *= factor. */
double fg_sum_squares_f32(const float *const *xs, const int64_t *lengths, int64_t ntensors);
double fg_sum_squares_f64(const double *const *xs, const int64_t *lengths, int64_t ntensors);
double fg_max_abs_f32(const float *const *xs, const int64_t *lengths, int64_t ntensors);
double fg_max_abs_f64(const double *const *xs, const int64_t *lengths, int64_t ntensors);
void fg_scale_f32(float *const *xs, const int64_t *lengths, int64_t ntensors, double factor);
void fg_scale_f64(double *const *xs, const int64_t *lengths, int64_t ntensors, double factor);

/* ---- GEMM through a runtime-loaded BLAS (gemm.c) ---- */
/* Load MKL's runtime library from `path` (once); on failure write why into
 * `message`.  64-bit integer entry points unless use_32bit_integers or the
 * library lacks them.  Returns FG_BLAS_OK or FG_BLAS_NOT_LOADED. */
#define FG_BLAS_OK 0
#define FG_BLAS_NOT_LOADED 1
#define FG_BLAS_TOO_LARGE 2
int fg_blas_load(const char *path, int use_32bit_integers, char *message, int64_t message_len);
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

/* ---- convolution (conv.c) ----
 * Input x is (batch, channels, height, width), C-contiguous.  im2col fwd
 * writes col (batch * out_h * out_w, channels * kernel_h * kernel_w): row
 * (n, oh, ow) holds x[n, c, oh * stride_h - pad_h + i * dilation_h,
 * ow * stride_w - pad_w + j * dilation_w] at column (c, i, j), 0 outside x.
 * im2col bwd (col2im) writes gx (x's shape): the sum of the col entries read
 * from each position.  pad_h / pad_w are the top / left padding; the bottom
 * and right padding follow from out_h / out_w. */
typedef struct {
    int64_t batch, channels, height, width;
    int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    int64_t out_h, out_w;
} fg_conv_geometry;

void fg_im2col_fwd_f32(const float *restrict x, float *restrict col, const fg_conv_geometry *g);
void fg_im2col_fwd_f64(const double *restrict x, double *restrict col, const fg_conv_geometry *g);
void fg_im2col_bwd_f32(const float *restrict col, float *restrict gx, const fg_conv_geometry *g);
void fg_im2col_bwd_f64(const double *restrict col, double *restrict gx, const fg_conv_geometry *g);

/* ---- pooling (pool.c) ----
 * x is `planes` C-contiguous (height, width) planes; y and index are planes
 * of (out_h, out_w).  Output (i, j) pools x at rows h_start[i] + r *
 * dilation_h (r < h_count[i]) and columns w_start[j] + c * dilation_w
 * (c < w_count[j]) that lie inside the plane.  Max keeps the plane index
 * h * width + w of the first maximum (-1 for a window with no element);
 * average divides the sum by h_divisor[i] * w_divisor[j].  Backwards write
 * gx with x's planes. */
typedef struct {
    int64_t planes, height, width, out_h, out_w, dilation_h, dilation_w;
    const int64_t *h_start, *h_count, *w_start, *w_count;
    const double *h_divisor, *w_divisor;
} fg_pool_windows;

void fg_max_pool2d_fwd_f32(const float *restrict x, float *restrict y, int32_t *restrict index,
                           const fg_pool_windows *p);
void fg_max_pool2d_fwd_f64(const double *restrict x, double *restrict y, int32_t *restrict index,
                           const fg_pool_windows *p);
void fg_max_pool2d_bwd_f32(const float *restrict gy, const int32_t *restrict index, float *restrict gx,
                           const fg_pool_windows *p);
void fg_max_pool2d_bwd_f64(const double *restrict gy, const int32_t *restrict index, double *restrict gx,
                           const fg_pool_windows *p);
void fg_avg_pool2d_fwd_f32(const float *restrict x, float *restrict y, const fg_pool_windows *p);
void fg_avg_pool2d_fwd_f64(const double *restrict x, double *restrict y, const fg_pool_windows *p);
void fg_avg_pool2d_bwd_f32(const float *restrict gy, float *restrict gx, const fg_pool_windows *p);
void fg_avg_pool2d_bwd_f64(const double *restrict gy, double *restrict gx, const fg_pool_windows *p);

/* ---- normalization (norm.c) ----
 * batch_norm: x and y are (outer, channels, inner); weight, bias (NULL for
 * none), mean and var have `channels` entries.  training: mean and the
 * biased var of each channel over its outer * inner values are written;
 * otherwise they are read (running statistics).  y = (x - mean) /
 * sqrt(var + eps) * weight + bias.  The backward writes gx (NULL: skipped),
 * gweight and gbias (NULL: skipped); with training the batch statistics'
 * dependence on x is included.
 * group_norm: x and y are (rows, channels_per_group * inner) and row r is
 * normalized over its values; element k of row r has the weight and bias of
 * channel (r % groups) * channels_per_group + k / inner.  mean and rstd
 * (= 1 / sqrt(var + eps)) have `rows` entries, written by the forward and read
 * by the backward. */
typedef struct {
    int64_t rows, groups, channels_per_group, inner;
} fg_group_norm_shape;

void fg_batch_norm_fwd_f32(const float *restrict x, const float *weight, const float *bias, float *mean,
                           float *var, float *restrict y, int64_t outer, int64_t channels, int64_t inner,
                           double eps, int training);
void fg_batch_norm_fwd_f64(const double *restrict x, const double *weight, const double *bias, double *mean,
                           double *var, double *restrict y, int64_t outer, int64_t channels, int64_t inner,
                           double eps, int training);
void fg_batch_norm_bwd_f32(const float *restrict x, const float *restrict gy, const float *mean, const float *var,
                           const float *weight, float *restrict gx, float *gweight, float *gbias, int64_t outer,
                           int64_t channels, int64_t inner, double eps, int training);
void fg_batch_norm_bwd_f64(const double *restrict x, const double *restrict gy, const double *mean,
                           const double *var, const double *weight, double *restrict gx, double *gweight,
                           double *gbias, int64_t outer, int64_t channels, int64_t inner, double eps,
                           int training);
void fg_group_norm_fwd_f32(const float *restrict x, const float *weight, const float *bias, float *restrict y,
                           float *mean, float *rstd, const fg_group_norm_shape *g, double eps);
void fg_group_norm_fwd_f64(const double *restrict x, const double *weight, const double *bias,
                           double *restrict y, double *mean, double *rstd, const fg_group_norm_shape *g,
                           double eps);
void fg_group_norm_bwd_f32(const float *restrict x, const float *restrict gy, const float *mean,
                           const float *rstd, const float *weight, float *restrict gx, float *gweight,
                           float *gbias, const fg_group_norm_shape *g);
void fg_group_norm_bwd_f64(const double *restrict x, const double *restrict gy, const double *mean,
                           const double *rstd, const double *weight, double *restrict gx, double *gweight,
                           double *gbias, const fg_group_norm_shape *g);

/* ---- attention (attention.c) ----
 * Scores are C-contiguous (outer, heads, rows, cols): outer * heads matrices
 * of rows x cols.  attention_softmax_fwd writes p = softmax(scores + mask)
 * along each row; mask (NULL for none) is read at element
 * o * mask_outer + h * mask_heads + r * mask_row + c * mask_col (strides in
 * elements, 0 along broadcast axes), and with `causal` the columns c > r
 * are left out.  A row with no column left (all -inf) becomes zeros.
 * attention_softmax_bwd writes gs = p (d - sum(p d)) along each row with
 * d = gp * keep * keep_scale, keep the elements dropout kept (one byte each;
 * NULL: d = gp), so the probabilities are kept once, not also dropped. */
typedef struct {
    int64_t outer, heads, rows, cols;
    int64_t mask_outer, mask_heads, mask_row, mask_col;
    int causal;
} fg_attention_shape;

void fg_attention_softmax_fwd_f32(const float *restrict scores, const float *mask, float *restrict p,
                                  const fg_attention_shape *a);
void fg_attention_softmax_fwd_f64(const double *restrict scores, const double *mask, double *restrict p,
                                  const fg_attention_shape *a);
void fg_attention_softmax_bwd_f32(const float *restrict p, const float *restrict gp, const uint8_t *keep,
                                  float *restrict gs, const fg_attention_shape *a, double keep_scale);
void fg_attention_softmax_bwd_f64(const double *restrict p, const double *restrict gp, const uint8_t *keep,
                                  double *restrict gs, const fg_attention_shape *a, double keep_scale);

/* ---- recurrent gates (recurrent.c) ----
 * One time step of LSTM and GRU over `rows` batch rows of `hidden` units,
 * the gate blocks of a row in PyTorch's order, all arrays C-contiguous.
 * lstm_cell_fwd: gates (rows, 4 hidden: i, f, g, o pre-activations) and
 * c_prev (rows, hidden) -> hc (rows, 2 hidden: h, then c) and act (rows,
 * 4 hidden: sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)), with
 * c = f c_prev + i g and h = o tanh(c).
 * lstm_cell_bwd: act, c_prev, hc and ghc (the gradient of hc) -> ggates
 * (rows, 4 hidden) and gc_prev (rows, hidden).
 * gru_cell_fwd: gi = W_ih x + b_ih and gh = W_hh h_prev + b_hh (rows,
 * 3 hidden: r, z, n) and h_prev -> h (rows, hidden) and act (rows, 3 hidden:
 * r, z, n after their nonlinearities), with n = tanh(gi_n + r gh_n) and
 * h = (1 - z) n + z h_prev.
 * gru_cell_bwd: act, gh, h_prev and gy -> ggi, ggh (rows, 3 hidden) and
 * gh_prev (rows, hidden). */
void fg_lstm_cell_fwd_f32(const float *restrict gates, const float *restrict c_prev, float *restrict hc,
                          float *restrict act, int64_t rows, int64_t hidden);
void fg_lstm_cell_fwd_f64(const double *restrict gates, const double *restrict c_prev, double *restrict hc,
                          double *restrict act, int64_t rows, int64_t hidden);
void fg_lstm_cell_bwd_f32(const float *restrict act, const float *restrict c_prev, const float *restrict hc,
                          const float *restrict ghc, float *restrict ggates, float *restrict gc_prev, int64_t rows,
                          int64_t hidden);
void fg_lstm_cell_bwd_f64(const double *restrict act, const double *restrict c_prev, const double *restrict hc,
                          const double *restrict ghc, double *restrict ggates, double *restrict gc_prev,
                          int64_t rows, int64_t hidden);
void fg_gru_cell_fwd_f32(const float *restrict gi, const float *restrict gh, const float *restrict h_prev,
                         float *restrict h, float *restrict act, int64_t rows, int64_t hidden);
void fg_gru_cell_fwd_f64(const double *restrict gi, const double *restrict gh, const double *restrict h_prev,
                         double *restrict h, double *restrict act, int64_t rows, int64_t hidden);
void fg_gru_cell_bwd_f32(const float *restrict act, const float *restrict gh, const float *restrict h_prev,
                         const float *restrict gy, float *restrict ggi, float *restrict ggh, float *restrict gh_prev,
                         int64_t rows, int64_t hidden);
void fg_gru_cell_bwd_f64(const double *restrict act, const double *restrict gh, const double *restrict h_prev,
                         const double *restrict gy, double *restrict ggi, double *restrict ggh,
                         double *restrict gh_prev, int64_t rows, int64_t hidden);

/* ---- an LSTM layer over a whole sequence (recurrent.c) ----
 * gates (steps, rows, 4 hidden): the input projection x_t W_ih^T of every
 * step; bias (4 hidden, b_ih + b_hh) or NULL; w_hh (4 hidden, hidden).
 * hc (2, steps + 1, rows, hidden): the hidden and the cell states, [.][0]
 * given, the others written; act (steps, rows, 4 hidden) as lstm_cell_fwd's.
 * lstm_seq_bwd: grad, the gradient of hc -> ggates (steps, rows, 4 hidden)
 * and grad0 (2, rows, hidden), the gradients of h_0 and c_0.  scratch:
 * (rows, 4 hidden) forward, 3 (rows, hidden) backward.  The products run
 * through MKL's GEMM (products FG_PRODUCTS_BLAS) or oneDNN's float32 matmul
 * (FG_PRODUCTS_ONEDNN, float32 only).  Return FG_BLAS_OK, the GEMM layer's
 * status (FG_BLAS_NOT_LOADED without a loaded BLAS) or FG_PRODUCTS_FAILED
 * (oneDNN not loaded or refusing, or float64 asked of it). */
#define FG_PRODUCTS_BLAS 0
#define FG_PRODUCTS_ONEDNN 1
#define FG_PRODUCTS_FAILED 3
int fg_lstm_seq_fwd_f32(const float *restrict gates, const float *restrict bias, const float *restrict w_hh,
                        float *restrict hc, float *restrict act, float *restrict scratch, int64_t steps,
                        int64_t rows, int64_t hidden, int products);
int fg_lstm_seq_fwd_f64(const double *restrict gates, const double *restrict bias, const double *restrict w_hh,
                        double *restrict hc, double *restrict act, double *restrict scratch, int64_t steps,
                        int64_t rows, int64_t hidden, int products);
int fg_lstm_seq_bwd_f32(const float *restrict act, const float *restrict w_hh, const float *restrict hc,
                        const float *restrict grad, float *restrict ggates, float *restrict grad0,
                        float *restrict scratch, int64_t steps, int64_t rows, int64_t hidden, int products);
int fg_lstm_seq_bwd_f64(const double *restrict act, const double *restrict w_hh, const double *restrict hc,
                        const double *restrict grad, double *restrict ggates, double *restrict grad0,
                        double *restrict scratch, int64_t steps, int64_t rows, int64_t hidden, int products);

/* ---- a GRU layer over a whole sequence (recurrent.c) ----
 * gi (steps, rows, 3 hidden): x_t W_ih^T + b_ih of every step; b_hh (3 hidden)
 * or NULL; w_hh (3 hidden, hidden).  h (steps + 1, rows, hidden): h[0] given,
 * the others written; gh (steps, rows, 3 hidden): h_t W_hh^T + b_hh, written;
 * act as gru_cell_fwd's.  gru_seq_bwd: grad, the gradient of h -> ggi, ggh
 * (steps, rows, 3 hidden) and grad0 (rows, hidden), the gradient of h_0;
 * scratch 2 (rows, hidden).  products and the status as for the LSTM's. */
int fg_gru_seq_fwd_f32(const float *restrict gi, const float *restrict b_hh, const float *restrict w_hh,
                       float *restrict h, float *restrict gh, float *restrict act, int64_t steps, int64_t rows,
                       int64_t hidden, int products);
int fg_gru_seq_fwd_f64(const double *restrict gi, const double *restrict b_hh, const double *restrict w_hh,
                       double *restrict h, double *restrict gh, double *restrict act, int64_t steps, int64_t rows,
                       int64_t hidden, int products);
int fg_gru_seq_bwd_f32(const float *restrict act, const float *restrict gh, const float *restrict w_hh,
                       const float *restrict h, const float *restrict grad, float *restrict ggi,
                       float *restrict ggh, float *restrict grad0, float *restrict scratch, int64_t steps,
                       int64_t rows, int64_t hidden, int products);
int fg_gru_seq_bwd_f64(const double *restrict act, const double *restrict gh, const double *restrict w_hh,
                       const double *restrict h, const double *restrict grad, double *restrict ggi,
                       double *restrict ggh, double *restrict grad0, double *restrict scratch, int64_t steps,
                       int64_t rows, int64_t hidden, int products);

/* ---- mixed precision: bfloat16 conversions (bf16.c) and oneDNN's bf16 GEMM (onednn.c) ----
 * bfloat16 values are stored as their 16 bits (uint16_t).  float32 -> bfloat16
 * rounds to nearest, ties to even; NaN stays NaN. */
void fg_bf16_from_f32(const float *restrict x, uint16_t *restrict y, int64_t n);
/* x rounded to bfloat16 and widened back: the values a bfloat16 GEMM reads. */
void fg_bf16_round_f32(const float *restrict x, float *restrict y, int64_t n);
/* fg_bias_act_fwd_f32 (y = act(z + bias), see linear.c) also writing y16, the bfloat16 bits of y. */
void fg_bias_act_bf16_f32(const float *bias, float *z, float *y, uint16_t *y16, int64_t rows, int64_t cols,
                          int act);
#define FG_ONEDNN_OK 0
#define FG_ONEDNN_NOT_LOADED 1
#define FG_ONEDNN_FAILED 2
/* Load libdnnl from `path` (once); on failure write why into `message`. */
int fg_onednn_load(const char *path, char *message, int64_t message_len);
int fg_onednn_loaded(void);
void fg_onednn_version(int *major, int *minor, int *patch);
int fg_onednn_cpu_isa(void);   /* oneDNN's dnnl_cpu_isa_t in effect; -1 when not loaded */
/* C = op(A) op(B), A and B bfloat16, C float32 (m x n, row-major, leading
 * dimension ldc), float32 accumulation.  op(A) is m x k: element (i, p) at
 * a[i * lda + p], or at a[i + p * lda] when trans_a.  Likewise op(B), k x n.
 * Writes the oneDNN implementation's name into `impl`, or why it failed into
 * `message`.  Returns an FG_ONEDNN_* code. */
int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float *c, int64_t ldc, char *impl, int64_t impl_len, char *message, int64_t message_len);

/* ---- float32 convolutions through oneDNN (onednn_conv.c), once fg_onednn_load succeeded ----
 * x (batch, channels, height, width), weights (out_channels, channels / groups,
 * kernel_h, kernel_w), y (batch, out_channels, out_h, out_w), bias (out_channels),
 * all C-contiguous float32.  Forward: y = conv(x, w) + bias (bias NULL when
 * !has_bias), then y = max(y, 0) in the same pass when relu.  Backward data: gx
 * from gy and w.  Backward weights: gw and, when has_bias, gbias (the sum of gy
 * over batch and pixels) from x and gy.  Each returns an FG_ONEDNN_* code, with
 * the reason in `message` on failure. */
typedef struct {
    int64_t batch, channels, height, width, out_channels, groups, kernel_h, kernel_w;
    int64_t stride_h, stride_w, pad_top, pad_bottom, pad_left, pad_right, dilation_h, dilation_w;
    int64_t out_h, out_w, has_bias, relu;
} fg_onednn_conv_shape;

int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, const float *x, const float *w, const float *bias,
                           float *y, char *message, int64_t message_len);
int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, const float *gy, const float *w, float *gx,
                                 char *message, int64_t message_len);
int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, const float *x, const float *gy, float *gw,
                                    float *gbias, char *message, int64_t message_len);

/* ---- float32 GEMM through oneDNN's matmul (onednn_gemm.c), once fg_onednn_load succeeded ----
 * C = op(A) op(B), or C += op(A) op(B) when accumulate; C m x n row-major with
 * leading dimension ldc, op(A) m x k: element (i, p) at a[i * lda + p], or at
 * a[i + p * lda] when trans_a; likewise op(B), k x n.  Returns an FG_ONEDNN_*
 * code, with the reason in `message` on failure. */
int fg_onednn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                       const float *b, int64_t ldb, int accumulate, float *c, int64_t ldc, char *message,
                       int64_t message_len);

/* ---- an Elman RNN layer over a whole sequence (recurrent.c) ----
 * gi (steps, rows, hidden): x_t W_ih^T + b_ih + b_hh of every step; w_hh
 * (hidden, hidden).  h (steps + 1, rows, hidden): h[0] given, h_(t+1) =
 * act(gi[t] + h_t W_hh^T) written, act tanh, or relu when relu.  rnn_seq_bwd:
 * grad, the gradient of h -> gpre (steps, rows, hidden), the gradients of the
 * pre-activations, and grad0 (rows, hidden), that of h_0.  products and the
 * status as for the LSTM's. */
int fg_rnn_seq_fwd_f32(const float *restrict gi, const float *restrict w_hh, float *restrict h, int64_t steps,
                       int64_t rows, int64_t hidden, int relu, int products);
int fg_rnn_seq_fwd_f64(const double *restrict gi, const double *restrict w_hh, double *restrict h, int64_t steps,
                       int64_t rows, int64_t hidden, int relu, int products);
int fg_rnn_seq_bwd_f32(const float *restrict h, const float *restrict w_hh, const float *restrict grad,
                       float *restrict gpre, float *restrict grad0, int64_t steps, int64_t rows, int64_t hidden,
                       int relu, int products);
int fg_rnn_seq_bwd_f64(const double *restrict h, const double *restrict w_hh, const double *restrict grad,
                       double *restrict gpre, double *restrict grad0, int64_t steps, int64_t rows, int64_t hidden,
                       int relu, int products);

#endif
