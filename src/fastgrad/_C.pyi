"""Type stub of the compiled module fastgrad._C, written by tools/make_stubs.py; do not edit."""
from typing import Any

class Activation(Any): ...

class ArrayList(Any): ...

class KernelOrTwin(Any): ...

class LogitRows(Any): ...

class Operands(Any): ...

class PoolWindows(Any): ...

class StepLists(Any): ...

def adadelta_step(params: Any, grads: Any, square_avgs: Any, acc_deltas: Any, *, lr: Any, rho: Any, eps: Any, weight_decay: Any = ..., maximize: Any = ...) -> Any:
    """Adadelta in place."""
    ...

def adagrad_step(params: Any, grads: Any, state_sums: Any, *, clr: Any, eps: Any, weight_decay: Any = ..., maximize: Any = ...) -> Any:
    """Adagrad in place; clr = lr / (1 + (t - 1) * lr_decay)."""
    ...

def adam_step(params: Any, grads: Any, exp_avgs: Any, exp_avg_sqs: Any, max_exp_avg_sqs: Any, *, lr: Any, beta1: Any, beta2: Any, eps: Any, weight_decay: Any, step_size: Any, bias_correction2_sqrt: Any, maximize: Any = ..., decoupled: Any = ...) -> Any:
    """Adam, or AdamW (decoupled), in place; step_size = lr / (1 - beta1**t), bias_correction2_sqrt ="""
    ...

def adamax_step(params: Any, grads: Any, exp_avgs: Any, exp_infs: Any, *, beta1: Any, beta2: Any, eps: Any, weight_decay: Any, clr: Any, maximize: Any = ...) -> Any:
    """Adamax in place; clr = lr / (1 - beta1**t)."""
    ...

def asgd_step(params: Any, grads: Any, axs: Any, *, decay: Any, eta: Any, mu: Any, weight_decay: Any = ..., maximize: Any = ...) -> Any:
    """ASGD in place."""
    ...

def attention_softmax_bwd(p: Any, gp: Any, *, keep: Any = ..., keep_scale: Any = ...) -> Any:
    """gs = p (d - sum(p d)) along the last axis, d = gp * keep * keep_scale: the scores' gradient from the"""
    ...

def attention_softmax_fwd(scores: Any, *, mask: Any = ..., causal: Any = ...) -> Any:
    """p = softmax(scores + mask) along the last axis, columns c > r of row r left out when causal; a row"""
    ...

def avg_pool2d_bwd(gy: Any, *, height: Any, width: Any, h_start: Any, h_count: Any, w_start: Any, w_count: Any, h_divisor: Any, w_divisor: Any, dilation: Any = ...) -> Any:
    """gx (..., height, width): each gy[..., i, j] / (h_divisor[i] * w_divisor[j]) spread over its window."""
    ...

def avg_pool2d_fwd(x: Any, *, h_start: Any, h_count: Any, w_start: Any, w_count: Any, h_divisor: Any, w_divisor: Any, dilation: Any = ...) -> Any:
    """y[..., i, j] = (sum of x over window (i, j)) / (h_divisor[i] * w_divisor[j])."""
    ...

def batch_norm_bwd(x: Any, gy: Any, *, mean: Any, var: Any, weight: Any = ..., eps: Any = ..., training: Any = ..., input_grad: Any = ..., weight_grad: Any = ..., bias_grad: Any = ...) -> Any:
    """(gx, gweight, gbias), each None unless asked for, of batch_norm_fwd at the same x, mean, var."""
    ...

def batch_norm_fwd(x: Any, *, weight: Any = ..., bias: Any = ..., mean: Any = ..., var: Any = ..., eps: Any = ..., training: Any = ...) -> Any:
    """(y, mean, var): y = (x - mean) / sqrt(var + eps) * weight + bias per channel of x (outer, C, inner);"""
    ...

def bf16_bits(x: Any) -> Any:
    """float32 array -> uint16 array of its bfloat16 bits, rounded to nearest (ties to even); NaN stays NaN."""
    ...

def bf16_round(x: Any) -> Any:
    """float32 array -> float32 array: each value rounded to the nearest bfloat16 (ties to even)."""
    ...

def bias_act_bwd(s: Any, gy: Any, *, bias_grad: Any = ..., activation: Any = ...) -> Any:
    """(gz, gbias or None): gz = gy * act'(s) (gy itself for 'none') and, with bias_grad, gz summed"""
    ...

def bias_act_fwd(z: Any, *, bias: Any = ..., activation: Any = ..., inplace: Any = ...) -> Any:
    """(y, saved): y = act(z + bias) over the rows of z (rows, out); saved, what bias_act_bwd takes, is y"""
    ...

def bias_act_fwd_bf16(z: Any, *, bias: Any = ..., activation: Any = ..., inplace: Any = ...) -> Any:
    """(y, saved, y_bits): bias_act_fwd of float32 z, and y's bfloat16 bits (uint16, y's shape), each"""
    ...

def binary_cross_entropy_bwd(p: Any, t: Any, gy: Any = ..., *, scale: Any = ..., out: Any = ...) -> Any:
    """gx = scale * gy * (p - t) / max(p (1 - p), 1e-12)."""
    ...

def binary_cross_entropy_fwd(p: Any, t: Any, *, reduction: Any = ...) -> Any:
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100, elementwise or summed;"""
    ...

def binary_cross_entropy_with_logits_bwd(x: Any, t: Any, gy: Any = ..., *, pos_weight: Any = ..., scale: Any = ..., out: Any = ...) -> Any:
    """gx = scale * gy * ((1 + (pw - 1) t) sigmoid(x) - pw t)."""
    ...

def binary_cross_entropy_with_logits_fwd(x: Any, t: Any, *, pos_weight: Any = ..., reduction: Any = ...) -> Any:
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x) elementwise, or its sum; pos_weight pw (default 1)"""
    ...

def blas_gemm(a: Any, b: Any, out: Any = ..., alpha: Any = ..., beta: Any = ...) -> Any:
    """out = alpha * (a @ b) + beta * out with the loaded BLAS and np.matmul's shape rules; NotImplemented"""
    ...

def blas_info() -> Any:
    """None when no BLAS is loaded, else a dict: version, threading layer, threads, integer width."""
    ...

def blas_load(path: Any, use_32bit_integers: Any = ...) -> Any:
    """Load MKL's runtime library at `path` (once), with its 64-bit-integer entry points unless"""
    ...

def buffer_pool(enabled: Any = ..., max_free_bytes: Any = ...) -> Any:
    """Whether large kernel outputs are reused from the pool: a bool switches it (off releases every pooled"""
    ...

def buffer_pool_info() -> Any:
    """{'arrays': tracked arrays, 'bytes': their bytes, 'free_bytes': bytes ready for reuse}."""
    ...

def compile_flags() -> Any:
    """The C compiler flags the extension was built with."""
    ...

def contention_backoffs() -> Any:
    """How many times the kernels have found their thread team late (other processes busy on the"""
    ...

def cross_entropy_bwd(logits: Any, *, grad: Any, target: Any, weight: Any = ..., ignore_index: Any = ..., label_smoothing: Any = ..., out: Any = ...) -> Any:
    """Gradient in the logits of cross_entropy_fwd's per-row loss, given its per-row gradient `grad`."""
    ...

def cross_entropy_fwd(logits: Any, *, target: Any, weight: Any = ..., ignore_index: Any = ..., label_smoothing: Any = ...) -> Any:
    """Per-row loss of softmax cross entropy with class indices target (rows,): (1 - e) w_t (lse - x_t)"""
    ...

def first_unlike(arrays: Any, like: Any) -> Any:
    """The index of the first of `arrays` that is not an ndarray of the dtype and shape of its"""
    ...

def gelu_bwd(x: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy * (Phi(x) + x * phi(x)), from the forward's input x."""
    ...

def gelu_fwd(x: Any, out: Any = ...) -> Any:
    """y = x * Phi(x), Phi the standard normal CDF (erf form)."""
    ...

def gelu_tanh_bwd(x: Any, gy: Any, out: Any = ...) -> Any:
    """Gradient of gelu_tanh_fwd, from the forward's input x."""
    ...

def gelu_tanh_fwd(x: Any, out: Any = ...) -> Any:
    """y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    ...

def gemm_bf16(a: Any, b: Any, out: Any = ...) -> Any:
    """(out, oneDNN's implementation name): out = a @ b for 2-d bfloat16 (uint16 bits) a (m, k) and b (k, n),"""
    ...

def get_num_threads() -> Any:
    """Threads the kernels use above their size threshold."""
    ...

def group_norm_bwd(x: Any, gy: Any, *, mean: Any, rstd: Any, weight: Any = ..., groups: Any = ..., input_grad: Any = ..., weight_grad: Any = ..., bias_grad: Any = ...) -> Any:
    """(gx, gweight, gbias), each None unless asked for, of group_norm_fwd at the same x, mean, rstd."""
    ...

def group_norm_fwd(x: Any, *, weight: Any = ..., bias: Any = ..., groups: Any = ..., eps: Any = ...) -> Any:
    """(y, mean, rstd): x (N, C, inner) normalized over each of `groups` channel groups per sample, then"""
    ...

def gru_cell_bwd(act: Any, gh: Any, *, h_prev: Any, grad: Any) -> Any:
    """(ggi, ggh, gh_prev) of gru_cell_fwd from its act, gh, h_prev and grad, the gradient of h."""
    ...

def gru_cell_fwd(gi: Any, gh: Any, *, h_prev: Any) -> Any:
    """(h, act): gi = W_ih x + b_ih, gh = W_hh h_prev + b_hh (rows, 3 hidden: r, z, n) -> h = (1 - z) n + z h_prev"""
    ...

def gru_seq_bwd(act: Any, gh: Any, *, w_hh: Any, h: Any, grad: Any, onednn: Any = ...) -> Any:
    """(ggi, ggh, grad0) of gru_seq_fwd from its act, gh, h, w_hh and grad (of h): ggi and ggh"""
    ...

def gru_seq_fwd(gi: Any, *, w_hh: Any, h0: Any, bias: Any = ..., onednn: Any = ...) -> Any:
    """(h, gh, act) of a GRU layer over gi (steps, rows, 3 hidden) = x_t W_ih^T + b_ih, w_hh (3 hidden, hidden),"""
    ...

def huber_loss_bwd(x: Any, t: Any, gy: Any = ..., *, delta: Any = ..., scale: Any = ..., out: Any = ...) -> Any:
    """gx = scale * gy * clip(x - t, -delta, delta)."""
    ...

def huber_loss_fwd(x: Any, t: Any, *, delta: Any = ..., reduction: Any = ...) -> Any:
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - t."""
    ...

def im2col_bwd(col: Any, *, input_shape: Any, kernel_size: Any, stride: Any = ..., padding: Any = ..., dilation: Any = ..., out_size: Any) -> Any:
    """col2im, the adjoint of im2col_fwd: gx of input_shape (N, C, H, W), each position the sum of the"""
    ...

def im2col_fwd(x: Any, *, kernel_size: Any, stride: Any = ..., padding: Any = ..., dilation: Any = ..., out_size: Any) -> Any:
    """The patch matrix col (N * out_h * out_w, C * kh * kw) of x (N, C, H, W): col[(n, oh, ow), (c, i, j)] ="""
    ...

def l1_loss_bwd(x: Any, t: Any, gy: Any = ..., *, scale: Any = ..., out: Any = ...) -> Any:
    """gx = scale * gy * sign(x - t), sign(0) = 0."""
    ...

def l1_loss_fwd(x: Any, t: Any, *, reduction: Any = ...) -> Any:
    """|x - t| elementwise, or its sum (reduction='sum') as a 0-d array."""
    ...

def leaky_relu_bwd(s: Any, gy: Any, out: Any = ..., *, negative_slope: Any = ...) -> Any:
    """gx = gy where s > 0, else negative_slope * gy; s is y when negative_slope >= 0, else x."""
    ...

def leaky_relu_fwd(x: Any, out: Any = ..., *, negative_slope: Any = ...) -> Any:
    """y = x where x > 0, else negative_slope * x."""
    ...

def log_softmax_bwd(y: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy - exp(y) * sum(gy) along the last axis, from the output y."""
    ...

def log_softmax_fwd(x: Any, out: Any = ...) -> Any:
    """y = x - logsumexp(x) along the last axis (the maximum subtracted first)."""
    ...

def lstm_cell_bwd(act: Any, *, c_prev: Any, hc: Any, grad: Any) -> Any:
    """(ggates, gc_prev) of lstm_cell_fwd from its act and hc, c_prev and grad, the gradient of hc."""
    ...

def lstm_cell_fwd(gates: Any, *, c_prev: Any) -> Any:
    """(hc, act): gates (rows, 4 hidden: i, f, g, o), c_prev (rows, hidden) -> hc = [h, c] with c = s(f) c_prev"""
    ...

def lstm_seq_bwd(act: Any, *, w_hh: Any, hc: Any, grad: Any, onednn: Any = ...) -> Any:
    """(ggates, grad0) of lstm_seq_fwd from its act, hc, w_hh and grad (of hc): ggates (steps, rows, 4 hidden)"""
    ...

def lstm_seq_fwd(gates: Any, *, w_hh: Any, h0: Any, c0: Any, bias: Any = ..., onednn: Any = ...) -> Any:
    """(hc, act) of an LSTM layer over gates (steps, rows, 4 hidden) = x_t W_ih^T, w_hh (4 hidden, hidden), h0, c0,"""
    ...

def max_abs(arrays: Any) -> Any:
    """max over all arrays of |x| (NaN if any element is NaN), in one pass."""
    ...

def max_pool2d_bwd(gy: Any, *, index: Any, height: Any, width: Any) -> Any:
    """gx (..., height, width): gy added at each output's saved plane index."""
    ...

def max_pool2d_fwd(x: Any, *, h_start: Any, h_count: Any, w_start: Any, w_count: Any, dilation: Any = ...) -> Any:
    """(y, index): y[..., i, j] the maximum of x over window (i, j) (NaN if any is NaN), index the int32"""
    ...

def mse_loss_bwd(x: Any, t: Any, gy: Any = ..., *, scale: Any = ..., out: Any = ...) -> Any:
    """gx = scale * gy * 2 (x - t) (gy = 1 when not given)."""
    ...

def mse_loss_fwd(x: Any, t: Any, *, reduction: Any = ...) -> Any:
    """(x - t)^2 elementwise, or its sum (reduction='sum') as a 0-d array."""
    ...

def nadam_step(params: Any, grads: Any, exp_avgs: Any, exp_avg_sqs: Any, *, lr: Any, beta1: Any, beta2: Any, eps: Any, weight_decay: Any, bias_correction2: Any, grad_coef: Any, avg_coef: Any, maximize: Any = ..., decoupled: Any = ...) -> Any:
    """NAdam in place; bias_correction2 = 1 - beta2**t, grad_coef and avg_coef from the momentum schedule."""
    ...

def onednn_conv_backward_data(grad: Any, weight: Any, *, input_shape: Any, bias: Any = ..., stride: Any = ..., padding: Any = ..., dilation: Any = ..., groups: Any = ..., relu: Any = ...) -> Any:
    """gx of input_shape: the input gradient of conv2d for the output gradient grad (float32)."""
    ...

def onednn_conv_backward_weights(x: Any, grad: Any, *, weight_shape: Any, bias: Any = ..., stride: Any = ..., padding: Any = ..., dilation: Any = ..., groups: Any = ..., relu: Any = ...) -> Any:
    """(gw of weight_shape, gbias or None): the weight (and bias) gradients of conv2d (float32)."""
    ...

def onednn_conv_forward(x: Any, weight: Any, bias: Any = ..., *, stride: Any = ..., padding: Any = ..., dilation: Any = ..., groups: Any = ..., relu: Any = ...) -> Any:
    """y (N, O, OH, OW) = conv2d(x, weight) + bias through oneDNN (float32); then max(y, 0) when relu."""
    ...

def onednn_gemm(a: Any, b: Any, out: Any = ..., *, accumulate: Any = ...) -> Any:
    """out = a @ b (or out += a @ b when accumulate) with oneDNN's float32 matmul; a (m, k) and b (k, n)"""
    ...

def onednn_info() -> Any:
    """None when oneDNN is not loaded, else a dict: version and the CPU ISA code it uses."""
    ...

def onednn_load(path: Any) -> Any:
    """Load oneDNN's library at `path` (once); raise OSError saying why it failed."""
    ...

def openmp_enabled() -> Any:
    """True when the kernels were compiled with OpenMP."""
    ...

def radam_step(params: Any, grads: Any, exp_avgs: Any, exp_avg_sqs: Any, *, lr: Any, beta1: Any, beta2: Any, eps: Any, weight_decay: Any, bias_correction1: Any, bias_correction2_sqrt: Any, rect: Any, rectified: Any, maximize: Any = ..., decoupled: Any = ...) -> Any:
    """RAdam in place; bias_correction1 = 1 - beta1**t, bias_correction2_sqrt = sqrt(1 - beta2**t),"""
    ...

def relu_bwd(y: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy where y > 0, else 0 (relu'(0) = 0)."""
    ...

def relu_fwd(x: Any, out: Any = ...) -> Any:
    """y = max(x, 0); NaN stays NaN."""
    ...

def rmsprop_step(params: Any, grads: Any, square_avgs: Any, grad_avgs: Any, momentum_buffers: Any, *, lr: Any, alpha: Any, eps: Any, weight_decay: Any = ..., momentum: Any = ..., maximize: Any = ...) -> Any:
    """RMSprop in place; grad_avgs is None unless centered, momentum_buffers None unless momentum > 0."""
    ...

def rnn_seq_bwd(h: Any, *, w_hh: Any, grad: Any, relu: Any = ..., onednn: Any = ...) -> Any:
    """(gpre, grad0) of rnn_seq_fwd from its h, w_hh and grad (of h): gpre (steps, rows, hidden) of the"""
    ...

def rnn_seq_fwd(gi: Any, *, w_hh: Any, h0: Any, relu: Any = ..., onednn: Any = ...) -> Any:
    """h (steps + 1, rows, hidden) of an Elman RNN layer over gi (steps, rows, hidden) = x_t W_ih^T + b_ih + b_hh,"""
    ...

def rprop_step(params: Any, grads: Any, prevs: Any, step_sizes: Any, *, etaminus: Any, etaplus: Any, step_size_min: Any, step_size_max: Any, maximize: Any = ...) -> Any:
    """Rprop in place."""
    ...

def scale_(arrays: Any, factor: Any) -> Any:
    """x *= factor for every array, in place, in one call."""
    ...

def set_num_threads(n: Any) -> Any:
    """Set the kernels' thread count (n >= 1)."""
    ...

def sgd_step(params: Any, grads: Any, momentum_buffers: Any, *, lr: Any, momentum: Any = ..., dampening: Any = ..., weight_decay: Any = ..., nesterov: Any = ..., maximize: Any = ..., init_buffer: Any = ...) -> Any:
    """SGD with momentum (buffers None without), weight decay and Nesterov on lists of arrays, in place."""
    ...

def sigmoid_bwd(y: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy * y * (1 - y), from the forward's output y."""
    ...

def sigmoid_fwd(x: Any, out: Any = ...) -> Any:
    """y = 1 / (1 + exp(-x)), stable for large |x|."""
    ...

def silu_bwd(x: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy * s (1 + x (1 - s)), s = sigmoid(x), from the forward's input x."""
    ...

def silu_fwd(x: Any, out: Any = ...) -> Any:
    """y = x * sigmoid(x)."""
    ...

def soft_cross_entropy_bwd(logits: Any, target: Any, *, grad: Any, weight: Any = ..., label_smoothing: Any = ..., out: Any = ...) -> Any:
    """Gradient in the logits of soft_cross_entropy_fwd's per-row loss: grad_r (p_c sum_k w_k q'_k - w_c q'_c)."""
    ...

def soft_cross_entropy_fwd(logits: Any, target: Any, *, weight: Any = ..., label_smoothing: Any = ...) -> Any:
    """Per-row loss of cross entropy with class probabilities target (rows, C): sum_c w_c q'_c (lse - x_c),"""
    ...

def softmax_bwd(y: Any, gy: Any, out: Any = ...) -> Any:
    """gx = y * (gy - sum(gy * y)) along the last axis, from the output y."""
    ...

def softmax_fwd(x: Any, out: Any = ...) -> Any:
    """y = exp(x - max) / sum(exp(x - max)) along the last axis."""
    ...

def softplus_bwd(x: Any, gy: Any, out: Any = ..., *, beta: Any = ..., threshold: Any = ...) -> Any:
    """gx = gy * sigmoid(beta x), and gy where beta x > threshold; from the input x."""
    ...

def softplus_fwd(x: Any, out: Any = ..., *, beta: Any = ..., threshold: Any = ...) -> Any:
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold."""
    ...

def sum_squares(arrays: Any) -> Any:
    """sum over all arrays of sum(x**2), accumulated in double, in one pass."""
    ...

def tanh_bwd(y: Any, gy: Any, out: Any = ...) -> Any:
    """gx = gy * (1 - y^2), from the forward's output y."""
    ...

def tanh_fwd(x: Any, out: Any = ...) -> Any:
    """y = tanh(x)."""
    ...
