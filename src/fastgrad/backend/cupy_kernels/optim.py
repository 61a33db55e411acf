"""CuPy kernels of the optimizer steps and gradient norms: csrc/optim.c, body for body.

Each step is one fused in-place kernel over (param, grad, state) per
parameter; the per-step scalars are computed once, in double, by
fastgrad/optim/functional.py, and converted to the element type by CuPy, as
the C kernel converts them once.  State buffers that are unused (no momentum, no
amsgrad, not centered) select a kernel without them.  The step functions take
the lists and scalars of the C kernels and of the reference twins in
fastgrad/backend/reference/optim.py and update the arrays in place, one
kernel launch per parameter.
"""
from ._build import Elementwise, Reduction, collect

# ---- SGD --------------------------------------------------------------------
SGD = Elementwise(
    "fastgrad_sgd_step", "T g, T sign, T lr, T wd", "T p",
    """
    T gi = sign * g + wd * p;
    p = p - lr * gi;
    """)

SGD_MOMENTUM = Elementwise(
    "fastgrad_sgd_momentum_step", "T g, T sign, T lr, T wd, T mom, T keep, int32 nesterov, int32 init",
    "T p, T buf",
    """
    T gi = sign * g + wd * p;
    T bi = init ? gi : mom * buf + keep * gi;
    buf = bi;
    T step = nesterov ? gi + mom * bi : bi;
    p = p - lr * step;
    """)

# ---- Adam / AdamW and its variants ---------------------------------------------
# The weight decay (p shrunk by `decay`, or g + l2 p) and the two moments, as in C.
_MOMENTS = """
    T pi = p * decay;
    T gi = sign * g + l2 * pi;
    T mi = m + w1 * (gi - m);
    T vi = beta2 * v + w2 * gi * gi;
    m = mi;
    v = vi;
    """

# ibc2 = 1 / sqrt(1 - beta2^t), computed in double by the caller as in C
_ADAM_PARAMS = "T g, T sign, T l2, T decay, T w1, T beta2, T w2, T step_size, T ibc2, T eps"

ADAM = Elementwise(
    "fastgrad_adam_step", _ADAM_PARAMS, "T p, T m, T v",
    _MOMENTS + """
    p = pi - step_size * (mi / (sqrt(vi) * ibc2 + eps));
    """)

ADAM_AMSGRAD = Elementwise(
    "fastgrad_adam_amsgrad_step", _ADAM_PARAMS, "T p, T m, T v, T vmax",
    _MOMENTS + """
    T mx = vmax > vi ? vmax : vi;
    vmax = mx;
    p = pi - step_size * (mi / (sqrt(mx) * ibc2 + eps));
    """)

# ---- RMSprop: square average s, optional centered average a and momentum buffer b
_RMSPROP_PARAMS = "T g, T sign, T lr, T wd, T alpha, T w, T eps, T mom"
_RMSPROP_HEAD = """
    T gi = sign * g + wd * p;
    T si = alpha * s + w * gi * gi;
    s = si;
    """
_RMSPROP_CENTERED = """
    T ai = ga + w * (gi - ga);
    ga = ai;
    T d = sqrt(si - ai * ai) + eps;
    """
_RMSPROP_PLAIN = """
    T d = sqrt(si) + eps;
    """
_RMSPROP_MOMENTUM = """
    T bi = mom * buf + gi / d;
    buf = bi;
    p = p - lr * bi;
    """
_RMSPROP_NO_MOMENTUM = """
    p = p - lr * (gi / d);
    """

RMSPROP = Elementwise("fastgrad_rmsprop_step", _RMSPROP_PARAMS, "T p, T s",
                      _RMSPROP_HEAD + _RMSPROP_PLAIN + _RMSPROP_NO_MOMENTUM)
RMSPROP_CENTERED = Elementwise("fastgrad_rmsprop_centered_step", _RMSPROP_PARAMS, "T p, T s, T ga",
                               _RMSPROP_HEAD + _RMSPROP_CENTERED + _RMSPROP_NO_MOMENTUM)
RMSPROP_MOMENTUM = Elementwise("fastgrad_rmsprop_momentum_step", _RMSPROP_PARAMS, "T p, T s, T buf",
                               _RMSPROP_HEAD + _RMSPROP_PLAIN + _RMSPROP_MOMENTUM)
RMSPROP_CENTERED_MOMENTUM = Elementwise("fastgrad_rmsprop_centered_momentum_step", _RMSPROP_PARAMS,
                                        "T p, T s, T ga, T buf",
                                        _RMSPROP_HEAD + _RMSPROP_CENTERED + _RMSPROP_MOMENTUM)

# ---- Adagrad --------------------------------------------------------------------
ADAGRAD = Elementwise(
    "fastgrad_adagrad_step", "T g, T sign, T clr, T wd, T eps", "T p, T s",
    """
    T gi = sign * g + wd * p;
    T si = s + gi * gi;
    s = si;
    p = p - clr * (gi / (sqrt(si) + eps));
    """)

# ---- NAdam, RAdam, Adamax ---------------------------------------------------------
NADAM = Elementwise(
    "fastgrad_nadam_step", "T g, T sign, T l2, T decay, T w1, T beta2, T w2, T bc2, T eps, T grad_coef, T avg_coef",
    "T p, T m, T v",
    _MOMENTS + """
    T d = sqrt(vi / bc2) + eps;
    pi = pi + grad_coef * (gi / d);
    p = pi + avg_coef * (mi / d);
    """)

RADAM = Elementwise(
    "fastgrad_radam_step",
    "T g, T sign, T l2, T decay, T w1, T beta2, T w2, T bc1, T bc2_sqrt, T lr, T rect, int32 rectified, T eps",
    "T p, T m, T v",
    _MOMENTS + """
    T u = (mi / bc1) * lr;
    if (rectified) u = (u * (bc2_sqrt / (sqrt(vi) + eps))) * rect;
    p = pi - u;
    """)

ADAMAX = Elementwise(
    "fastgrad_adamax_step", "T g, T sign, T wd, T w1, T beta2, T eps, T clr", "T p, T m, T u",
    """
    T gi = sign * g + wd * p;
    T mi = m + w1 * (gi - m);
    T decayed = u * beta2;
    T fresh = fabs(gi) + eps;
    T ui = (decayed > fresh || decayed != decayed) ? decayed : fresh;
    m = mi;
    u = ui;
    p = p - clr * (mi / ui);
    """)

ADADELTA = Elementwise(
    "fastgrad_adadelta_step", "T g, T sign, T wd, T rho, T w, T eps, T lr", "T p, T s, T acc",
    """
    T gi = sign * g + wd * p;
    T si = rho * s + w * (gi * gi);
    T di = (sqrt(acc + eps) / sqrt(si + eps)) * gi;
    s = si;
    acc = rho * acc + w * (di * di);
    p = p - lr * di;
    """)

RPROP = Elementwise(
    "fastgrad_rprop_step", "T g, T sign, T etaminus, T etaplus, T lo_size, T hi_size", "T p, T prev, T s",
    """
    T gi = sign * g;
    T gp = gi * prev;
    T f = gp > 0 ? etaplus : (gp < 0 ? etaminus : (gp == 0 ? (T)1 : gp));
    T si = s * f;
    si = si < lo_size ? lo_size : si;
    si = si > hi_size ? hi_size : si;
    gi = gp < 0 ? (T)0 : gi;
    T sg = gi > 0 ? (T)1 : (gi < 0 ? (T)-1 : gi);
    s = si;
    prev = gi;
    p = p - sg * si;
    """)

ASGD = Elementwise(
    "fastgrad_asgd_step", "T g, T sign, T wd, T decay, T eta, T mu, int32 copy", "T p, T ax",
    """
    T gi = sign * g + wd * p;
    T pi = p * decay;
    pi = pi - eta * gi;
    p = pi;
    ax = copy ? pi : ax + (pi - ax) * mu;
    """)

# ---- gradient norms and scaling -------------------------------------------------
# Sum of squares accumulated in double; max |x| propagates NaN.
SUM_SQUARES = Reduction("fastgrad_sum_squares_fwd", "T x", "float64 y",
                        "(double)x * (double)x", "a + b", "y = a", "0", "double")
MAX_ABS = Reduction("fastgrad_max_abs_fwd", "T x", "float64 y",
                    "(double)fabs(x)", "(a > b || a != a) ? a : b", "y = a", "0", "double")
SCALE = Elementwise("fastgrad_scale_step", "float64 factor", "T x", "T f = (T)factor; x = x * f;")

KERNELS = collect(globals())


def _sign(maximize):
    return -1.0 if maximize else 1.0


def _column(arrays, n):
    return [None] * n if arrays is None else arrays


def sgd_step(params, grads, momentum_buffers, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
             nesterov=False, maximize=False, init_buffer=False):
    """SGD (with optional momentum / Nesterov) on lists of parameters, in place."""
    for param, grad, buf in zip(params, grads, _column(momentum_buffers, len(params))):
        if buf is None:
            SGD(grad, _sign(maximize), lr, weight_decay, param)
        else:
            SGD_MOMENTUM(grad, _sign(maximize), lr, weight_decay, momentum, 1.0 - dampening,
                         int(bool(nesterov)), int(bool(init_buffer)), param, buf)


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, *, lr, beta1, beta2, eps, weight_decay,
              step_size, bias_correction2_sqrt, maximize=False, decoupled=False):
    """Adam (decoupled=False) or AdamW (decoupled=True) on lists of parameters, in place."""
    l2, decay = _decays(lr, weight_decay, decoupled)
    scalars = (_sign(maximize), l2, decay, 1.0 - beta1, beta2, 1.0 - beta2, step_size,
               1.0 / bias_correction2_sqrt, eps)
    for param, grad, m, v, vmax in zip(params, grads, exp_avgs, exp_avg_sqs,
                                       _column(max_exp_avg_sqs, len(params))):
        if vmax is None:
            ADAM(grad, *scalars, param, m, v)
        else:
            ADAM_AMSGRAD(grad, *scalars, param, m, v, vmax)


def rmsprop_step(params, grads, square_avgs, grad_avgs, momentum_buffers, *, lr, alpha, eps,
                 weight_decay=0.0, momentum=0.0, maximize=False):
    """RMSprop (optionally centered, with momentum) on lists of parameters, in place."""
    scalars = (_sign(maximize), lr, weight_decay, alpha, 1.0 - alpha, eps, momentum)
    n = len(params)
    for param, grad, s, ga, buf in zip(params, grads, square_avgs, _column(grad_avgs, n),
                                       _column(momentum_buffers, n)):
        if ga is None and buf is None:
            RMSPROP(grad, *scalars, param, s)
        elif buf is None:
            RMSPROP_CENTERED(grad, *scalars, param, s, ga)
        elif ga is None:
            RMSPROP_MOMENTUM(grad, *scalars, param, s, buf)
        else:
            RMSPROP_CENTERED_MOMENTUM(grad, *scalars, param, s, ga, buf)


def adagrad_step(params, grads, state_sums, *, clr, eps, weight_decay=0.0, maximize=False):
    """Adagrad on lists of parameters, in place; clr = lr / (1 + (t - 1) lr_decay)."""
    for param, grad, s in zip(params, grads, state_sums):
        ADAGRAD(grad, _sign(maximize), clr, weight_decay, eps, param, s)


def _decays(lr, weight_decay, decoupled):
    """(l2, decay): the weight decay as a gradient term, or as a shrinking of the parameter."""
    return (0.0, 1.0 - lr * weight_decay) if decoupled else (weight_decay, 1.0)


def nadam_step(params, grads, exp_avgs, exp_avg_sqs, *, lr, beta1, beta2, eps, weight_decay, bias_correction2,
               grad_coef, avg_coef, maximize=False, decoupled=False):
    """NAdam on lists of parameters, in place."""
    scalars = (_sign(maximize), *_decays(lr, weight_decay, decoupled), 1.0 - beta1, beta2, 1.0 - beta2,
               bias_correction2, eps, grad_coef, avg_coef)
    for param, grad, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
        NADAM(grad, *scalars, param, m, v)


def radam_step(params, grads, exp_avgs, exp_avg_sqs, *, lr, beta1, beta2, eps, weight_decay, bias_correction1,
               bias_correction2_sqrt, rect, rectified, maximize=False, decoupled=False):
    """RAdam on lists of parameters, in place."""
    scalars = (_sign(maximize), *_decays(lr, weight_decay, decoupled), 1.0 - beta1, beta2, 1.0 - beta2,
               bias_correction1, bias_correction2_sqrt, lr, rect, int(bool(rectified)), eps)
    for param, grad, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
        RADAM(grad, *scalars, param, m, v)


def adamax_step(params, grads, exp_avgs, exp_infs, *, beta1, beta2, eps, weight_decay, clr, maximize=False):
    """Adamax on lists of parameters, in place."""
    for param, grad, m, u in zip(params, grads, exp_avgs, exp_infs):
        ADAMAX(grad, _sign(maximize), weight_decay, 1.0 - beta1, beta2, eps, clr, param, m, u)


def adadelta_step(params, grads, square_avgs, acc_deltas, *, lr, rho, eps, weight_decay=0.0, maximize=False):
    """Adadelta on lists of parameters, in place."""
    for param, grad, s, acc in zip(params, grads, square_avgs, acc_deltas):
        ADADELTA(grad, _sign(maximize), weight_decay, rho, 1.0 - rho, eps, lr, param, s, acc)


def rprop_step(params, grads, prevs, step_sizes, *, etaminus, etaplus, step_size_min, step_size_max,
               maximize=False):
    """Rprop on lists of parameters, in place."""
    for param, grad, prev, s in zip(params, grads, prevs, step_sizes):
        RPROP(grad, _sign(maximize), etaminus, etaplus, step_size_min, step_size_max, param, prev, s)


def asgd_step(params, grads, axs, *, decay, eta, mu, weight_decay=0.0, maximize=False):
    """ASGD on lists of parameters, in place."""
    for param, grad, ax in zip(params, grads, axs):
        ASGD(grad, _sign(maximize), weight_decay, decay, eta, mu, int(mu == 1.0), param, ax)


def sum_squares(arrays):
    """sum over all arrays of sum(x**2) in double: one reduction per array, left on the GPU (0-d float64)."""
    import cupy

    parts = [SUM_SQUARES(a) for a in arrays]
    if not parts:
        return cupy.zeros((), dtype=cupy.float64)
    return parts[0] if len(parts) == 1 else cupy.stack(parts).sum()


def max_abs(arrays):
    """max over all arrays of |x| (NaN if any element is NaN), left on the GPU (0-d float64)."""
    import cupy

    parts = [MAX_ABS(a) for a in arrays]
    if not parts:
        return cupy.zeros((), dtype=cupy.float64)
    if len(parts) == 1:
        return parts[0]
    return MAX_ABS(cupy.stack(parts))


def scale_(arrays, factor):
    """x *= factor for every array, in place; `factor` may be a number or a 0-d GPU array."""
    for a in arrays:
        SCALE(factor, a)
