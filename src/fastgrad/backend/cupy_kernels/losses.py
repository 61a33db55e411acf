"""CuPy kernels of the softmax family and the losses: csrc/softmax.c and csrc/losses.c, body for body.

A C row kernel makes passes over one row; here each pass over all rows is a
kernel: the row maximum (cupy.max), the row sums as ReductionKernels along
the last axis accumulating in double (as the C sums do), then one
ElementwiseKernel that finishes each element from its row's values.
Pointwise losses are one ElementwiseKernel, or one ReductionKernel (sum in
double) for reduction="sum".  The functions take the arguments of the
reference twins in fastgrad/backend/reference/losses.py.
"""
from ._build import Elementwise, Reduction, collect
from .math import MATH

# ---- row sums (double accumulators) -------------------------------------------------------
ROW_SUM_EXP = Reduction("fastgrad_row_sum_exp_fwd", "T x, T m", "float64 s",
                        "exp(x - m)", "a + b", "s = a", "0", "double")
ROW_DOT = Reduction("fastgrad_row_dot_bwd", "T y, T gy", "float64 d",
                    "(double)gy * y", "a + b", "d = a", "0", "double")
ROW_SUM = Reduction("fastgrad_row_sum_bwd", "T gy", "float64 s", "gy", "a + b", "s = a", "0", "double")
ROW_WEIGHTED_SHIFT = Reduction("fastgrad_row_weighted_shift_fwd", "T x, T m, T w", "float64 sx",
                               "(double)w * (x - m)", "a + b", "sx = a", "0", "double")

# ---- softmax and log_softmax ---------------------------------------------------------------
SOFTMAX_FWD = Elementwise("fastgrad_softmax_fwd", "T x, T m, float64 s", "T y",
                          "T e = exp(x - m); T inv = (T)(1.0 / s); y = e * inv;")
# gx = y (gy - sum(gy y))
SOFTMAX_BWD = Elementwise("fastgrad_softmax_bwd", "T y, T gy, float64 dot", "T gx",
                          "T d = (T)dot; gx = y * (gy - d);")
# y = (x - m) - log sum exp(x - m): x - m is exact near the maximum
LOG_SOFTMAX_FWD = Elementwise("fastgrad_log_softmax_fwd", "T x, T m, float64 s", "T y",
                              "T log_s = (T)log(s); y = (x - m) - log_s;")
# gx = gy - exp(y) sum(gy)
LOG_SOFTMAX_BWD = Elementwise("fastgrad_log_softmax_bwd", "T y, T gy, float64 sg", "T gx",
                              "T g = (T)sg; gx = gy - exp(y) * g;")

# ---- cross entropy with class indices ----------------------------------------------------------
# loss_r = (1 - e) w_t (lse - x_t) + (e / C) sum_c w_c (lse - x_c), the sum taken as
# W log(s) - sum_c w_c (x_c - m); rows whose target is ignore_index get 0.
CROSS_ENTROPY_FWD = Elementwise(
    "fastgrad_cross_entropy_fwd",
    "T m, float64 s, float64 sx, T xt, float64 wt, int64 t, int64 ignore_index, float64 eps, "
    "float64 wsum, int64 cols",
    "T loss",
    """
    if (t == ignore_index) {
        loss = 0;
    } else {
        double log_s = log(s);
        double v = (1 - eps) * wt * (log_s - ((double)xt - m));
        if (eps != 0)
            v += eps / (double)cols * (wsum * log_s - sx);
        loss = (T)v;
    }
    """)
# dloss_r/dx_c = p_c ((1 - e) w_t + (e / C) W) - (1 - e) w_t [c == t] - (e / C) w_c, with p recomputed
# from the row maximum m and sum s (a saved log-sum-exp would round badly at large logits in float32)
CROSS_ENTROPY_BWD = Elementwise(
    "fastgrad_cross_entropy_bwd",
    "T x, T m, float64 s, int64 t, T g, float64 wt, T wc, int64 ignore_index, float64 eps, float64 wsum, "
    "int64 cols",
    "T gx",
    """
    if (t == ignore_index) {
        gx = 0;
    } else {
        T e = exp(x - m);
        T eps_c = (T)(eps / (double)cols);
        T a = (T)((double)g * ((1 - eps) * wt + eps / (double)cols * wsum) / s);
        T ge = g * eps_c;
        T out = a * e - ge * wc;
        if (i % cols == t)
            out -= (T)((double)g * (1 - eps) * wt);
        gx = out;
    }
    """)

# ---- cross entropy with class probabilities q -----------------------------------------------
# wq = ((1 - e) q + e / C) w;  loss_r = sum_c wq (lse - x_c) = a log(s) - b
SOFT_WQ_SUM = Reduction("fastgrad_soft_cross_entropy_weight_fwd", "T q, T w, T keep, T eps_c", "float64 wq_sum",
                        "(keep * q + eps_c) * w", "a + b", "wq_sum = a", "0", "double")
SOFT_WQ_SHIFT = Reduction("fastgrad_soft_cross_entropy_shift_fwd", "T x, T m, T q, T w, T keep, T eps_c",
                          "float64 shift", "(double)((keep * q + eps_c) * w) * (x - m)", "a + b", "shift = a",
                          "0", "double")
SOFT_CROSS_ENTROPY_FWD = Elementwise(
    "fastgrad_soft_cross_entropy_fwd", "float64 s, float64 wq_sum, float64 shift", "T loss",
    "loss = (T)(wq_sum * log(s) - shift);")
# dloss_r/dx_c = p_c A - wq_c, p recomputed from the row maximum and sum
SOFT_CROSS_ENTROPY_BWD = Elementwise(
    "fastgrad_soft_cross_entropy_bwd", "T x, T m, float64 s, T q, T w, T keep, T eps_c, float64 wq_sum, T g",
    "T gx", "T e = exp(x - m); T ga = (T)((double)g * wq_sum / s); gx = ga * e - g * ((keep * q + eps_c) * w);")

# ---- pointwise losses: loss of d = x - t, and gx = scale * (gy or 1) * dloss/dx ----------------
_POINTWISE = {
    # mse: d^2, 2 d
    "mse_loss": ("d * d", "(T)2 * d", ""),
    # l1: |d|, sign(d) with sign(0) = 0 and NaN kept
    "l1_loss": ("(d < 0 ? -d : d)", "(d > 0 ? (T)1 : d < 0 ? (T)-1 : d * (T)0)", ""),
    # huber: d^2 / 2 inside |d| < delta, delta (|d| - delta / 2) outside; gradient d clamped to [-delta, delta]
    "huber_loss": ("((d < 0 ? -d : d) < delta ? (T)0.5 * d * d : delta * ((d < 0 ? -d : d) - (T)0.5 * delta))",
                   "(d < -delta ? -delta : d > delta ? delta : d)", ", T delta"),
}


def _pointwise_kernels(op, loss, grad, params):
    return (Elementwise(f"fastgrad_{op}_fwd", "T x, T t" + params, "T loss", f"T d = x - t; loss = {loss};"),
            Reduction(f"fastgrad_{op}_sum_fwd", "T x, T t" + params, "T y",
                      f"_loss_{op}(x, t{', delta' if params else ''})", "a + b", "y = (T)a", "0", "double",
                      preamble=f"template <typename T> __device__ T _loss_{op}(T x, T t{', T delta' if params else ''})"
                               f" {{ T d = x - t; return {loss}; }}"),
            Elementwise(f"fastgrad_{op}_bwd", "T x, T t, T gy, T scale" + params, "T gx",
                        f"T d = x - t; gx = scale * gy * ({grad});"),
            Elementwise(f"fastgrad_{op}_scaled_bwd", "T x, T t, T scale" + params, "T gx",
                        f"T d = x - t; gx = scale * ({grad});"))


MSE_LOSS = _pointwise_kernels("mse_loss", *_POINTWISE["mse_loss"])
L1_LOSS = _pointwise_kernels("l1_loss", *_POINTWISE["l1_loss"])
HUBER_LOSS = _pointwise_kernels("huber_loss", *_POINTWISE["huber_loss"])

# ---- binary cross entropy on logits ------------------------------------------------------------
# l = 1 + (pw - 1) t;  loss = (1 - t) x + l softplus(-x);  dloss/dx = l sigmoid(x) - pw t
BCE_LOGITS_MATH = MATH + r"""
template <typename T> __device__ T bce_logits(T v, T tt, T pw)
{
    T l = (T)1 + (pw - (T)1) * tt;
    return ((T)1 - tt) * v + l * fg_softplus<T>(-v);
}

template <typename T> __device__ T bce_logits_grad(T v, T tt, T pw)
{
    T l = (T)1 + (pw - (T)1) * tt;
    return l * fg_sigmoid<T>(v) - pw * tt;
}
"""
BCE_LOGITS = (
    Elementwise("fastgrad_binary_cross_entropy_with_logits_fwd", "T x, T t, T pw", "T loss",
                "loss = bce_logits<T>(x, t, pw);", BCE_LOGITS_MATH),
    Reduction("fastgrad_binary_cross_entropy_with_logits_sum_fwd", "T x, T t, T pw", "T y",
              "bce_logits<T>(x, t, pw)", "a + b", "y = (T)a", "0", "double", BCE_LOGITS_MATH),
    Elementwise("fastgrad_binary_cross_entropy_with_logits_bwd", "T x, T t, T pw, T gy, T scale", "T gx",
                "gx = scale * gy * bce_logits_grad<T>(x, t, pw);", BCE_LOGITS_MATH),
    Elementwise("fastgrad_binary_cross_entropy_with_logits_scaled_bwd", "T x, T t, T pw, T scale", "T gx",
                "gx = scale * bce_logits_grad<T>(x, t, pw);", BCE_LOGITS_MATH),
)

# ---- binary cross entropy on probabilities ------------------------------------------------------
# loss = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100));
# gradient (p - t) / max(p (1 - p), eps) with PyTorch's eps, the float 1e-12f (also in double)
BCE_MATH = r"""
template <typename T> __device__ T bce(T v, T tt)
{
    T lp = log(v), lq = log1p(-v);
    lp = lp < (T)-100 ? (T)-100 : lp;
    lq = lq < (T)-100 ? (T)-100 : lq;
    return -(tt * lp + ((T)1 - tt) * lq);
}

template <typename T> __device__ T bce_grad(T v, T tt)
{
    T den = ((T)1 - v) * v;
    den = den < (T)1e-12f ? (T)1e-12f : den;
    return (v - tt) / den;
}
"""
BCE = (
    Reduction("fastgrad_binary_cross_entropy_check_fwd", "T p, T t", "int64 bad",
              "(p < 0) | (p > 1) | (t < 0) | (t > 1)", "a + b", "bad = a", "0", "long long"),
    Elementwise("fastgrad_binary_cross_entropy_fwd", "T p, T t", "T loss", "loss = bce<T>(p, t);", BCE_MATH),
    Reduction("fastgrad_binary_cross_entropy_sum_fwd", "T p, T t", "T y", "bce<T>(p, t)", "a + b", "y = (T)a",
              "0", "double", BCE_MATH),
    Elementwise("fastgrad_binary_cross_entropy_bwd", "T p, T t, T gy, T scale", "T gx",
                "gx = scale * gy * bce_grad<T>(p, t);", BCE_MATH),
    Elementwise("fastgrad_binary_cross_entropy_scaled_bwd", "T p, T t, T scale", "T gx",
                "gx = scale * bce_grad<T>(p, t);", BCE_MATH),
)

KERNELS = collect(globals())


# ---- the functions with the twins' arguments -------------------------------------------------------

def _cupy():
    import cupy

    return cupy


def _as_rows(x):
    return x.reshape((1,)) if x.ndim == 0 else x


def _row_max(x):
    return _cupy().max(x, axis=-1, keepdims=True)


def _rows_fwd(x, kernel):
    """kernel(x, row max, row sum of exp(x - max)) over the last axis (the softmax family)."""
    x1 = _as_rows(x)
    if x1.shape[-1] == 0:
        return x.copy()
    m = _row_max(x1)
    return kernel(x1, m, ROW_SUM_EXP(x1, m, axis=-1, keepdims=True)).reshape(x.shape)


def _rows_bwd(y, gy, row_reduction, kernel):
    """kernel(y, gy, row_reduction(...)) over the last axis, row_reduction taking (y, gy) or gy."""
    y1, g1 = _as_rows(y), _as_rows(gy)
    if y1.shape[-1] == 0:
        return gy.copy()
    return kernel(y1, g1, row_reduction(y1, g1)).reshape(y.shape)


def softmax_fwd(x):
    """Softmax over the last axis."""
    return _rows_fwd(x, SOFTMAX_FWD)


def softmax_bwd(y, gy):
    return _rows_bwd(y, gy, lambda y1, g1: ROW_DOT(y1, g1, axis=-1, keepdims=True), SOFTMAX_BWD)


def log_softmax_fwd(x):
    """log softmax over the last axis."""
    return _rows_fwd(x, LOG_SOFTMAX_FWD)


def log_softmax_bwd(y, gy):
    return _rows_bwd(y, gy, lambda y1, g1: ROW_SUM(g1, axis=-1, keepdims=True), LOG_SOFTMAX_BWD)


def _smoothing(label_smoothing, dtype):
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: argument 'label_smoothing' must be in [0, 1], got {label_smoothing}")
    return float(dtype.type(label_smoothing))  # the C kernel takes it as the element type


def _class_targets(logits, target, weight, ignore_index):
    """(safe target indices, weight of each row's target in double, W = sum of the weights)."""
    cp = _cupy()
    rows, classes = logits.shape
    if target is None or target.ndim != 1 or target.shape[0] != rows:
        shape = None if target is None else tuple(target.shape)
        raise ValueError(f"cross_entropy: argument 'target' has shape {shape}, expected ({rows},)")
    valid = target != ignore_index
    # Out-of-range targets are not looked up on the host (that would wait for the GPU
    # in every step): their rows' losses and gradients become NaN instead.
    bad = valid & ((target < 0) | (target >= classes))
    safe = cp.where(valid & ~bad, target, 0).astype(cp.int64)
    if weight is None:
        return safe, 1.0, float(classes), bad
    wsum = weight.astype(cp.float64).sum()
    return safe, weight[safe].astype(cp.float64), wsum, bad


def cross_entropy_fwd(logits, target=None, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Per-row loss of softmax cross entropy with class-index targets."""
    eps = _smoothing(label_smoothing, logits.dtype)
    safe, wt, wsum, bad = _class_targets(logits, target, weight, ignore_index)
    rows, classes = logits.shape
    m = _row_max(logits)
    s = ROW_SUM_EXP(logits, m, axis=-1)
    sx = ROW_WEIGHTED_SHIFT(logits, m, 1.0 if weight is None else weight, axis=-1) if eps != 0 else 0.0
    xt = _cupy().take_along_axis(logits, safe.reshape(rows, 1), axis=1).reshape(rows)
    loss = CROSS_ENTROPY_FWD(m.reshape(rows), s, sx, xt, wt, target.astype(_cupy().int64), ignore_index, eps,
                             wsum, classes)
    return _cupy().where(bad, _cupy().nan, loss).astype(loss.dtype, copy=False)


def cross_entropy_bwd(logits, grad=None, target=None, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Gradient in the logits of cross_entropy_fwd's per-row loss times `grad`."""
    if grad is None:
        raise ValueError("cross_entropy_backward: argument 'grad' (one value per row) is required")
    eps = _smoothing(label_smoothing, logits.dtype)
    safe, wt, wsum, bad = _class_targets(logits, target, weight, ignore_index)
    rows, classes = logits.shape
    m = _row_max(logits)
    s = ROW_SUM_EXP(logits, m, axis=-1, keepdims=True)
    column = (rows, 1)
    wt_rows = wt.reshape(column) if hasattr(wt, "reshape") else wt
    wc = 1.0 if weight is None else weight.reshape(1, classes)
    # an out-of-range target matches no column in the kernel; its row is made NaN here
    gx = CROSS_ENTROPY_BWD(logits, m, s, target.astype(_cupy().int64).reshape(column), grad.reshape(column),
                           wt_rows, wc, ignore_index, eps, wsum, classes)
    return _cupy().where(bad.reshape(column), _cupy().nan, gx).astype(gx.dtype, copy=False)


def _soft_scalars(logits, label_smoothing):
    eps = _smoothing(label_smoothing, logits.dtype)
    t = logits.dtype.type
    # keep = 1 - e and eps_c = e / C computed in the element type, as the C kernel does
    return float(t(1) - t(eps)), float(t(eps) / t(logits.shape[-1]))


def soft_cross_entropy_fwd(logits, target, weight=None, label_smoothing=0.0):
    """Per-row loss of cross entropy with class probabilities."""
    keep, eps_c = _soft_scalars(logits, label_smoothing)
    w = 1.0 if weight is None else weight
    m = _row_max(logits)
    s = ROW_SUM_EXP(logits, m, axis=-1)
    a = SOFT_WQ_SUM(target, w, keep, eps_c, axis=-1)
    b = SOFT_WQ_SHIFT(logits, m, target, w, keep, eps_c, axis=-1)
    return SOFT_CROSS_ENTROPY_FWD(s, a, b, _cupy().empty(s.shape, dtype=logits.dtype))


def soft_cross_entropy_bwd(logits, target, grad=None, weight=None, label_smoothing=0.0):
    """Gradient in the logits: grad_r (p_c sum_k wq_k - wq_c)."""
    if grad is None:
        raise ValueError("cross_entropy_backward: argument 'grad' (one value per row) is required")
    keep, eps_c = _soft_scalars(logits, label_smoothing)
    w = 1.0 if weight is None else weight
    m = _row_max(logits)
    s = ROW_SUM_EXP(logits, m, axis=-1, keepdims=True)
    a = SOFT_WQ_SUM(target, w, keep, eps_c, axis=-1, keepdims=True)
    column = logits.shape[:-1] + (1,)
    return SOFT_CROSS_ENTROPY_BWD(logits, m, s, target, w, keep, eps_c, a, grad.reshape(column))


def _reduction(op, reduction):
    if reduction not in ("none", "sum"):
        raise ValueError(f"{op}: argument 'reduction' must be 'none' or 'sum' here, got {reduction!r}")
    return reduction == "sum"


def _pointwise(kernels, op):
    fwd, fwd_sum, bwd, bwd_scaled = kernels

    def forward(x, t, reduction="none", **params):
        args = (x, t) + tuple(params.values())
        return fwd_sum(*args) if _reduction(op, reduction) else fwd(*args)

    def backward(x, t, gy=None, scale=1.0, **params):
        if gy is None:
            return bwd_scaled(x, t, scale, *params.values())
        return bwd(x, t, gy, scale, *params.values())

    return forward, backward


_mse_fwd, _mse_bwd = _pointwise(MSE_LOSS, "mse_loss")
_l1_fwd, _l1_bwd = _pointwise(L1_LOSS, "l1_loss")
_huber_fwd, _huber_bwd = _pointwise(HUBER_LOSS, "huber_loss")


def mse_loss_fwd(x, t, reduction="none"):
    """(x - t)^2 elementwise, or its sum."""
    return _mse_fwd(x, t, reduction)


def mse_loss_bwd(x, t, gy=None, scale=1.0):
    return _mse_bwd(x, t, gy, scale)


def l1_loss_fwd(x, t, reduction="none"):
    """|x - t| elementwise, or its sum."""
    return _l1_fwd(x, t, reduction)


def l1_loss_bwd(x, t, gy=None, scale=1.0):
    return _l1_bwd(x, t, gy, scale)


def huber_loss_fwd(x, t, delta=1.0, reduction="none"):
    """Huber loss elementwise, or its sum."""
    if not delta > 0:
        raise ValueError(f"huber_loss: argument 'delta' must be positive, got {delta}")
    return _huber_fwd(x, t, reduction, delta=delta)


def huber_loss_bwd(x, t, gy=None, delta=1.0, scale=1.0):
    return _huber_bwd(x, t, gy, scale, delta=delta)


def binary_cross_entropy_with_logits_fwd(x, t, pos_weight=None, reduction="none"):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x), elementwise or summed."""
    pw = 1.0 if pos_weight is None else pos_weight
    fwd, fwd_sum = BCE_LOGITS[0], BCE_LOGITS[1]
    return fwd_sum(x, t, pw) if _reduction("binary_cross_entropy_with_logits", reduction) else fwd(x, t, pw)


def binary_cross_entropy_with_logits_bwd(x, t, gy=None, pos_weight=None, scale=1.0):
    pw = 1.0 if pos_weight is None else pos_weight
    if gy is None:
        return BCE_LOGITS[3](x, t, pw, scale)
    return BCE_LOGITS[2](x, t, pw, gy, scale)


def binary_cross_entropy_fwd(p, t, reduction="none"):
    """-(t max(log p, -100) + (1 - t) max(log(1 - p), -100)), elementwise or summed."""
    check, fwd, fwd_sum = BCE[0], BCE[1], BCE[2]
    total = _reduction("binary_cross_entropy", reduction)
    if int(check(p, t)):
        raise ValueError("binary_cross_entropy: all elements of input and target should be between 0 and 1")
    return fwd_sum(p, t) if total else fwd(p, t)


def binary_cross_entropy_bwd(p, t, gy=None, scale=1.0):
    if gy is None:
        return BCE[4](p, t, scale)
    return BCE[3](p, t, gy, scale)
