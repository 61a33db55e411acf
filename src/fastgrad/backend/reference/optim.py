"""Reference twins of the optimizer steps (csrc/optim.c), one tensor at a time.

Each updates `param` and its state arrays in place (`a[...] = new`), with the
same order of operations as the fused C pass.  The fused kernels take lists of
tensors; a twin takes one tensor, and the optimizers loop over the list when
they fall back to it (dtypes and array types the C kernels do not take).
"""


def _signed(grad, maximize):
    return -grad if maximize else grad


def sgd_step(xp, param, grad, momentum_buffer=None, *, lr, momentum=0.0, dampening=0.0,
             weight_decay=0.0, nesterov=False, maximize=False, init_buffer=False):
    """p -= lr * d, where g = grad + wd * p and, with momentum,
    buf = g (first step, init_buffer) or momentum * buf + (1 - dampening) * g,
    d = g + momentum * buf (nesterov) or buf; without momentum d = g."""
    g = _signed(grad, maximize) + weight_decay * param
    if momentum_buffer is None:
        param[...] = param - lr * g
        return
    buf = g if init_buffer else momentum * momentum_buffer + (1 - dampening) * g
    momentum_buffer[...] = buf
    step = g + momentum * buf if nesterov else buf
    param[...] = param - lr * step


def adam_step(xp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, lr, beta1, beta2, eps,
              weight_decay, step, maximize=False, decoupled=False):
    """One Adam (or AdamW when decoupled) update at step number `step` (1-based).

    m = m + (1 - beta1) (g - m);  v = beta2 v + (1 - beta2) g^2;  vmax = max(vmax, v)
    p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    with g = grad + wd p (Adam) or p = p (1 - lr wd) first (AdamW).  The division by
    sqrt(1 - beta2^t) is a multiplication by its reciprocal, computed once in double."""
    step_size = lr / (1.0 - beta1 ** step)
    inv_bias_correction2_sqrt = 1.0 / (1.0 - beta2 ** step) ** 0.5
    p = param
    g = _signed(grad, maximize)
    if decoupled:
        p = p * (1.0 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    m = exp_avg + (1.0 - beta1) * (g - exp_avg)
    v = beta2 * exp_avg_sq + (1.0 - beta2) * g * g
    exp_avg[...] = m
    exp_avg_sq[...] = v
    if max_exp_avg_sq is not None:
        v = xp.maximum(max_exp_avg_sq, v)
        max_exp_avg_sq[...] = v
    param[...] = p - step_size * (m / (xp.sqrt(v) * inv_bias_correction2_sqrt + eps))


def rmsprop_step(xp, param, grad, square_avg, grad_avg=None, momentum_buffer=None, *, lr, alpha, eps,
                 weight_decay=0.0, momentum=0.0, maximize=False):
    """s = alpha s + (1 - alpha) g^2;  d = sqrt(s - a^2) + eps with the centered
    average a = a + (1 - alpha)(g - a), else sqrt(s) + eps;
    p -= lr * buf with buf = momentum buf + g / d, or p -= lr g / d."""
    g = _signed(grad, maximize) + weight_decay * param
    s = alpha * square_avg + (1.0 - alpha) * g * g
    square_avg[...] = s
    if grad_avg is not None:
        a = grad_avg + (1.0 - alpha) * (g - grad_avg)
        grad_avg[...] = a
        d = xp.sqrt(s - a * a) + eps
    else:
        d = xp.sqrt(s) + eps
    if momentum_buffer is not None:
        buf = momentum * momentum_buffer + g / d
        momentum_buffer[...] = buf
        param[...] = param - lr * buf
    else:
        param[...] = param - lr * (g / d)


def adagrad_step(xp, param, grad, state_sum, *, lr, eps, step, lr_decay=0.0, weight_decay=0.0,
                 maximize=False):
    """s = s + g^2;  p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)."""
    clr = lr / (1.0 + (step - 1) * lr_decay)
    g = _signed(grad, maximize) + weight_decay * param
    s = state_sum + g * g
    state_sum[...] = s
    param[...] = param - clr * (g / (xp.sqrt(s) + eps))
