"""The optimizer algorithms as functions over lists of arrays, updated in place.

One function per algorithm.  Each takes the parameters' arrays, their
gradients and their state arrays as lists (one entry per parameter, all at
the same step), computes the step's scalars (bias corrections, step sizes)
once in double, and makes one call to the step kernel of that name (see
_lists.py: C for NumPy float32/float64 arrays, CuPy kernels for CuPy arrays,
the reference twins otherwise).  The optimizer classes keep the state and
the parameter groups and call these.  `foreach=False` makes one kernel call
per parameter and `fused=False` runs the unfused reference form, as PyTorch's
switches of those names choose its implementations; the results are the same
up to rounding.

    from fastgrad.optim import functional as F
    F.adam(params, grads, exp_avgs, exp_avg_sqs, step=t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
"""
import math

import numpy as np

from ._lists import run


def sgd(params, grads, momentum_buffers=None, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
        nesterov=False, maximize=False, first_step=False, foreach=None, fused=None):
    """SGD; `momentum_buffers` is None without momentum.  On the buffers' first step
    (first_step=True) PyTorch's convention sets buf = g."""
    run("sgd_step", [params, grads, momentum_buffers],
        dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
             maximize=maximize, init_buffer=first_step), foreach, fused)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs=None, *, step, lr, beta1, beta2, eps,
         weight_decay=0.0, maximize=False, decoupled_weight_decay=False, foreach=None, fused=None):
    """Adam at step `step` (1-based); amsgrad when `max_exp_avg_sqs` is given.
    decoupled_weight_decay=True is AdamW."""
    run("adam_step", [params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs],
        dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
             step_size=lr / (1.0 - beta1 ** step), bias_correction2_sqrt=math.sqrt(1.0 - beta2 ** step),
             maximize=maximize, decoupled=decoupled_weight_decay), foreach, fused)


def adamw(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs=None, *, step, lr, beta1, beta2, eps,
          weight_decay=1e-2, maximize=False, foreach=None, fused=None):
    """AdamW: Adam with the weight decay applied to the parameter, p <- p (1 - lr wd)."""
    adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step=step, lr=lr, beta1=beta1, beta2=beta2,
         eps=eps, weight_decay=weight_decay, maximize=maximize, decoupled_weight_decay=True, foreach=foreach,
         fused=fused)


def rmsprop(params, grads, square_avgs, grad_avgs=None, momentum_buffers=None, *, lr, alpha, eps,
            weight_decay=0.0, momentum=0.0, maximize=False, foreach=None, fused=None):
    """RMSprop; centered when `grad_avgs` is given, with momentum when `momentum_buffers` is."""
    run("rmsprop_step", [params, grads, square_avgs, grad_avgs, momentum_buffers],
        dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, maximize=maximize),
        foreach, fused)


def adagrad(params, grads, state_sums, *, step, lr, lr_decay=0.0, eps=1e-10, weight_decay=0.0, maximize=False,
            foreach=None, fused=None):
    """Adagrad at step `step` (1-based): the learning rate lr / (1 + (step - 1) lr_decay)."""
    run("adagrad_step", [params, grads, state_sums],
        dict(clr=lr / (1.0 + (step - 1) * lr_decay), eps=eps, weight_decay=weight_decay, maximize=maximize),
        foreach, fused)


def nadam(params, grads, exp_avgs, exp_avg_sqs, *, step, mu_product, lr, beta1, beta2, eps, weight_decay=0.0,
          momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False, foreach=None, fused=None):
    """NAdam at step `step` (1-based); `mu_product` is the product of the momentum
    schedule mu_1 ... mu_{step-1} (1.0 before the first step).  Returns the product
    through mu_step, for the next call.

    mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2).  The product is kept in
    float32, as PyTorch keeps it, so that both take the same steps."""
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product = float(np.float32(mu_product) * np.float32(mu))
    run("nadam_step", [params, grads, exp_avgs, exp_avg_sqs],
        dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
             bias_correction2=1.0 - beta2 ** step, grad_coef=-lr * (1.0 - mu) / (1.0 - mu_product),
             avg_coef=-lr * mu_next / (1.0 - mu_product * mu_next), maximize=maximize,
             decoupled=decoupled_weight_decay),
        foreach, fused)
    return mu_product


def radam(params, grads, exp_avgs, exp_avg_sqs, *, step, lr, beta1, beta2, eps, weight_decay=0.0,
          decoupled_weight_decay=False, maximize=False, foreach=None, fused=None):
    """RAdam at step `step` (1-based): Adam's moments, with the adaptive step only once the
    variance of its rate is tractable (rho_t > 5), scaled by the rectification term."""
    bias_correction2 = 1.0 - beta2 ** step
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * step * beta2 ** step / bias_correction2
    rectified = rho_t > 5.0
    rect = (((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            if rectified else 1.0)
    run("radam_step", [params, grads, exp_avgs, exp_avg_sqs],
        dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
             bias_correction1=1.0 - beta1 ** step, bias_correction2_sqrt=bias_correction2 ** 0.5, rect=rect,
             rectified=rectified, maximize=maximize, decoupled=decoupled_weight_decay),
        foreach, fused)


def adamax(params, grads, exp_avgs, exp_infs, *, step, lr, beta1, beta2, eps, weight_decay=0.0, maximize=False,
           foreach=None, fused=None):
    """Adamax at step `step` (1-based): the infinity norm u = max(beta2 u, |g| + eps)
    in place of Adam's second moment, and the step lr / (1 - beta1^t)."""
    run("adamax_step", [params, grads, exp_avgs, exp_infs],
        dict(beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, clr=lr / (1.0 - beta1 ** step),
             maximize=maximize),
        foreach, fused)


def adadelta(params, grads, square_avgs, acc_deltas, *, lr, rho, eps, weight_decay=0.0, maximize=False,
             foreach=None, fused=None):
    """Adadelta: running averages of squared gradients (s) and squared updates (a) scale
    each step, d = sqrt(a + eps) / sqrt(s + eps) g, and p <- p - lr d."""
    run("adadelta_step", [params, grads, square_avgs, acc_deltas],
        dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize), foreach, fused)


def rprop(params, grads, prevs, step_sizes, *, etaminus, etaplus, step_size_min, step_size_max, maximize=False,
          foreach=None, fused=None):
    """Rprop: each element's step size grows by etaplus while its gradient keeps its sign and
    shrinks by etaminus when the sign flips (that gradient is then taken as 0), clamped to
    [step_size_min, step_size_max]; p <- p - sign(g) step_size."""
    run("rprop_step", [params, grads, prevs, step_sizes],
        dict(etaminus=etaminus, etaplus=etaplus, step_size_min=step_size_min, step_size_max=step_size_max,
             maximize=maximize), foreach, fused)


def asgd(params, grads, axs, *, step, eta, mu, lr, lambd, alpha, t0, weight_decay=0.0, maximize=False,
         foreach=None, fused=None):
    """ASGD at step `step` (1-based) with this step's rate `eta` and averaging weight `mu`:
    p <- p (1 - lambd eta) - eta g, and the average ax <- ax + mu (p - ax) (ax <- p while
    mu is 1).  Returns the next step's (eta, mu):

        eta = lr / (1 + lambd lr step)^alpha,   mu = 1 / max(1, step - t0)

    kept in float32 (float64 when that is the default dtype), as PyTorch keeps them,
    so that both take the same steps."""
    run("asgd_step", [params, grads, axs],
        dict(decay=1.0 - lambd * eta, eta=eta, mu=mu, weight_decay=weight_decay, maximize=maximize),
        foreach, fused)
    return scalar_state(lr / (1.0 + lambd * lr * step) ** alpha), scalar_state(1.0 / max(1.0, step - t0))


def scalar_state(value):
    """`value` rounded to the dtype PyTorch keeps an optimizer's scalar state in: float32,
    or float64 when that is the default dtype."""
    from ..dtypes import get_default_dtype

    return float(np.float64(value) if get_default_dtype() == np.float64 else np.float32(value))
