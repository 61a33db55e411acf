"""Reference twins of the optimizer steps (csrc/optim.c), over lists of arrays.

Each takes the same lists and the same per-step scalars as the C kernel of
its name (computed once by fastgrad/optim/functional.py) and updates every
parameter and its state arrays in place (`a[...] = new`), with the same order
of operations as the fused C pass.  `None` stands for a state list an option
leaves unused (no momentum, no amsgrad, not centered).
"""


def _signed(grad, maximize):
    return -grad if maximize else grad


def _column(arrays, n):
    return [None] * n if arrays is None else arrays


def _moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, maximize, decoupled):
    """The weight decay and Adam's two moments, written back: (p, g, m, v), with p the
    parameter shrunk by 1 - lr wd (decoupled) or g = grad + wd p, and
    m = m + (1 - beta1)(g - m), v = beta2 v + (1 - beta2) g^2."""
    p = param * (1.0 - lr * weight_decay) if decoupled else param
    g = _signed(grad, maximize)
    if not decoupled:
        g = g + weight_decay * p
    m = exp_avg + (1.0 - beta1) * (g - exp_avg)
    v = beta2 * exp_avg_sq + (1.0 - beta2) * g * g
    exp_avg[...] = m
    exp_avg_sq[...] = v
    return p, g, m, v


def sgd_step(xp, params, grads, momentum_buffers, *, lr, momentum=0.0, dampening=0.0,
             weight_decay=0.0, nesterov=False, maximize=False, init_buffer=False):
    """p -= lr * d, where g = grad + wd * p and, with momentum,
    buf = g (first step, init_buffer) or momentum * buf + (1 - dampening) * g,
    d = g + momentum * buf (nesterov) or buf; without momentum d = g."""
    for param, grad, momentum_buffer in zip(params, grads, _column(momentum_buffers, len(params))):
        g = _signed(grad, maximize) + weight_decay * param
        if momentum_buffer is None:
            param[...] = param - lr * g
            continue
        buf = g if init_buffer else momentum * momentum_buffer + (1 - dampening) * g
        momentum_buffer[...] = buf
        step = g + momentum * buf if nesterov else buf
        param[...] = param - lr * step


def adam_step(xp, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, *, lr, beta1, beta2, eps,
              weight_decay, step_size, bias_correction2_sqrt, maximize=False, decoupled=False):
    """Adam (or AdamW when decoupled), with step_size = lr / (1 - beta1^t) and
    bias_correction2_sqrt = sqrt(1 - beta2^t):

    m = m + (1 - beta1) (g - m);  v = beta2 v + (1 - beta2) g^2;  vmax = max(vmax, v)
    p = p - step_size * m / (sqrt(v) * (1 / bias_correction2_sqrt) + eps)
    with g = grad + wd p (Adam) or p = p (1 - lr wd) first (AdamW)."""
    inv_bias_correction2_sqrt = 1.0 / bias_correction2_sqrt
    for param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq in zip(
            params, grads, exp_avgs, exp_avg_sqs, _column(max_exp_avg_sqs, len(params))):
        p, _, m, v = _moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, maximize, decoupled)
        if max_exp_avg_sq is not None:
            v = xp.maximum(max_exp_avg_sq, v)
            max_exp_avg_sq[...] = v
        param[...] = p - step_size * (m / (xp.sqrt(v) * inv_bias_correction2_sqrt + eps))


def rmsprop_step(xp, params, grads, square_avgs, grad_avgs, momentum_buffers, *, lr, alpha, eps,
                 weight_decay=0.0, momentum=0.0, maximize=False):
    """s = alpha s + (1 - alpha) g^2;  d = sqrt(s - a^2) + eps with the centered
    average a = a + (1 - alpha)(g - a), else sqrt(s) + eps;
    p -= lr * buf with buf = momentum buf + g / d, or p -= lr g / d."""
    n = len(params)
    for param, grad, square_avg, grad_avg, momentum_buffer in zip(
            params, grads, square_avgs, _column(grad_avgs, n), _column(momentum_buffers, n)):
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


def adagrad_step(xp, params, grads, state_sums, *, clr, eps, weight_decay=0.0, maximize=False):
    """s = s + g^2;  p -= clr * g / (sqrt(s) + eps), with clr = lr / (1 + (t - 1) lr_decay)."""
    for param, grad, state_sum in zip(params, grads, state_sums):
        g = _signed(grad, maximize) + weight_decay * param
        s = state_sum + g * g
        state_sum[...] = s
        param[...] = param - clr * (g / (xp.sqrt(s) + eps))


def nadam_step(xp, params, grads, exp_avgs, exp_avg_sqs, *, lr, beta1, beta2, eps, weight_decay,
               bias_correction2, grad_coef, avg_coef, maximize=False, decoupled=False):
    """NAdam: p = p (1 - lr wd) (decoupled) or g = g + wd p;  m, v as Adam's;
    d = sqrt(v / bias_correction2) + eps;  p = p + grad_coef g / d;  p = p + avg_coef m / d."""
    for param, grad, exp_avg, exp_avg_sq in zip(params, grads, exp_avgs, exp_avg_sqs):
        p, g, m, v = _moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, maximize, decoupled)
        d = xp.sqrt(v / bias_correction2) + eps
        p = p + grad_coef * (g / d)
        param[...] = p + avg_coef * (m / d)


def radam_step(xp, params, grads, exp_avgs, exp_avg_sqs, *, lr, beta1, beta2, eps, weight_decay,
               bias_correction1, bias_correction2_sqrt, rect, rectified, maximize=False, decoupled=False):
    """RAdam: m, v as Adam's;  u = (m / bias_correction1) lr, times
    (bias_correction2_sqrt / (sqrt(v) + eps)) rect on rectified steps;  p = p - u."""
    for param, grad, exp_avg, exp_avg_sq in zip(params, grads, exp_avgs, exp_avg_sqs):
        p, _, m, v = _moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, maximize, decoupled)
        u = (m / bias_correction1) * lr
        if rectified:
            u = (u * (bias_correction2_sqrt / (xp.sqrt(v) + eps))) * rect
        param[...] = p - u


def adamax_step(xp, params, grads, exp_avgs, exp_infs, *, beta1, beta2, eps, weight_decay, clr, maximize=False):
    """Adamax: m = m + (1 - beta1)(g - m);  u = max(beta2 u, |g| + eps);  p = p - clr m / u."""
    for param, grad, exp_avg, exp_inf in zip(params, grads, exp_avgs, exp_infs):
        g = _signed(grad, maximize) + weight_decay * param
        m = exp_avg + (1.0 - beta1) * (g - exp_avg)
        u = xp.maximum(exp_inf * beta2, xp.abs(g) + eps)
        exp_avg[...] = m
        exp_inf[...] = u
        param[...] = param - clr * (m / u)


def adadelta_step(xp, params, grads, square_avgs, acc_deltas, *, lr, rho, eps, weight_decay=0.0, maximize=False):
    """Adadelta: s = rho s + (1 - rho) g^2;  d = sqrt(a + eps) / sqrt(s + eps) g;
    a = rho a + (1 - rho) d^2;  p = p - lr d."""
    for param, grad, square_avg, acc_delta in zip(params, grads, square_avgs, acc_deltas):
        g = _signed(grad, maximize) + weight_decay * param
        s = rho * square_avg + (1.0 - rho) * (g * g)
        d = (xp.sqrt(acc_delta + eps) / xp.sqrt(s + eps)) * g
        square_avg[...] = s
        acc_delta[...] = rho * acc_delta + (1.0 - rho) * (d * d)
        param[...] = param - lr * d


def rprop_step(xp, params, grads, prevs, step_sizes, *, etaminus, etaplus, step_size_min, step_size_max,
               maximize=False):
    """Rprop: f = etaplus where g prev > 0, etaminus where g prev < 0, else 1 (NaN where
    g prev is NaN);  s = clamp(s f, step_size_min, step_size_max);  g = 0 where g prev < 0;
    p = p - sign(g) s;  prev = g."""
    for param, grad, prev, step_size in zip(params, grads, prevs, step_sizes):
        g = _signed(grad, maximize)
        gp = g * prev
        factor = xp.where(gp > 0, etaplus, xp.where(gp < 0, etaminus, xp.where(gp == 0, 1.0, gp)))
        s = step_size * factor
        s = xp.where(s < step_size_min, step_size_min, s)
        s = xp.where(s > step_size_max, step_size_max, s)
        g = xp.where(gp < 0, 0.0, g)
        step_size[...] = s
        prev[...] = g
        param[...] = param - xp.sign(g) * s


def asgd_step(xp, params, grads, axs, *, decay, eta, mu, weight_decay=0.0, maximize=False):
    """ASGD: g = grad + wd p;  p = p decay - eta g (decay = 1 - lambd eta);
    ax = ax + (p - ax) mu, or ax = p when mu == 1."""
    for param, grad, ax in zip(params, grads, axs):
        g = _signed(grad, maximize) + weight_decay * param
        p = param * decay
        p = p - eta * g
        param[...] = p
        ax[...] = p if mu == 1.0 else ax + (p - ax) * mu
