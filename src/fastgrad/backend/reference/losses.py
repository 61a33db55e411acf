"""Reference twins of the softmax and loss kernels (csrc/softmax.c, csrc/losses.c).

Row kernels act along the last axis.  Positional arguments are float arrays
of one shape; class indices, weights, per-row gradients and parameters are
keywords.  Cross-entropy backward twins take the logits (not a saved
softmax), so that on Tensors (create_graph) their result stays
differentiable in them.
"""
from .activations import sigmoid_fwd
from .devices import same_device


def _as_rows(xp, x):
    """x with at least one axis (a 0-d array is one row of one)."""
    return xp.reshape(x, (1,)) if x.ndim == 0 else x


def _logsumexp(xp, x):
    """log sum exp over the last axis, keepdims, the maximum subtracted first."""
    m = xp.max(x, axis=-1, keepdims=True)
    return m + xp.log(xp.sum(xp.exp(x - m), axis=-1, keepdims=True))


def softmax_fwd(xp, x):
    x1 = _as_rows(xp, x)
    if x1.shape[-1] == 0:
        return x * 1
    e = xp.exp(x1 - xp.max(x1, axis=-1, keepdims=True))
    return xp.reshape(e / xp.sum(e, axis=-1, keepdims=True), x.shape)


def softmax_bwd(xp, y, gy):
    y1, g1 = _as_rows(xp, y), _as_rows(xp, gy)
    return xp.reshape(y1 * (g1 - xp.sum(g1 * y1, axis=-1, keepdims=True)), y.shape)


def log_softmax_fwd(xp, x):
    x1 = _as_rows(xp, x)
    if x1.shape[-1] == 0:
        return x * 1
    shifted = x1 - xp.max(x1, axis=-1, keepdims=True)  # exact near the maximum
    return xp.reshape(shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True)), x.shape)


def log_softmax_bwd(xp, y, gy):
    y1, g1 = _as_rows(xp, y), _as_rows(xp, gy)
    return xp.reshape(g1 - xp.exp(y1) * xp.sum(g1, axis=-1, keepdims=True), y.shape)


# ---- cross entropy -----------------------------------------------------------------------

def _check_smoothing(label_smoothing):
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: argument 'label_smoothing' must be in [0, 1], got {label_smoothing}")


def _class_terms(xp, logits, target, weight, ignore_index):
    """For class-index targets: (valid rows, one-hot of the targets, class
    weights as a (1, C) row or 1, weight of each row's target)."""
    classes = logits.shape[-1]
    if target.ndim != 1 or target.shape[0] != logits.shape[0]:
        raise ValueError(f"cross_entropy: argument 'target' has shape {tuple(target.shape)}, expected "
                         f"({logits.shape[0]},)")
    valid = target != ignore_index
    bad = _out_of_range(target, valid, classes)
    if _on_host(xp) and bool(xp.any(bad)):
        raise IndexError(f"cross_entropy: a target is out of bounds for {classes} classes "
                         f"(expected 0 to {classes - 1}, or ignore_index={ignore_index})")
    hot = (xp.reshape(target, (-1, 1)) == xp.arange(classes, **same_device(target))) & xp.reshape(valid, (-1, 1))
    if weight is None:
        w = 1
        wt = xp.astype(valid, logits.dtype)
        wsum = classes
    else:
        w = xp.reshape(weight, (1, classes))
        wt = xp.sum(xp.where(hot, w, xp.zeros_like(w)), axis=-1)
        wsum = xp.sum(weight)
    return valid, hot, w, wt, wsum


def _on_host(xp):
    return getattr(xp, "__name__", "") == "numpy"


def _out_of_range(target, valid, classes):
    return valid & ((target < 0) | (target >= classes))


def _poison_out_of_range(xp, values, target, valid, classes):
    """NaN in the rows whose target is out of range, for arrays off the host: reading
    the check back would wait for the device in every step (NumPy raises instead)."""
    if _on_host(xp):
        return values
    bad = _out_of_range(target, valid, classes)
    if values.ndim == 2:
        bad = xp.reshape(bad, (-1, 1))
    return xp.where(bad, xp.asarray(float("nan"), dtype=values.dtype, device=values.device), values)


def _neg_log_softmax(xp, logits):
    """lse - x along the last axis, with x - max taken first (exact near the maximum)."""
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    return xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True)) - shifted


def cross_entropy_fwd(xp, logits, target=None, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Per-row loss of softmax cross entropy with class indices:
    (1 - e) w_t (lse - x_t) + (e / C) sum_c w_c (lse - x_c), 0 where ignored."""
    _check_smoothing(label_smoothing)
    valid, hot, w, wt, wsum = _class_terms(xp, logits, target, weight, ignore_index)
    classes = logits.shape[-1]
    nls = _neg_log_softmax(xp, logits)
    loss = (1 - label_smoothing) * wt * xp.sum(xp.where(hot, nls, xp.zeros_like(nls)), axis=-1)
    if label_smoothing:
        loss = loss + label_smoothing / classes * xp.sum(w * nls, axis=-1)
    return _poison_out_of_range(xp, xp.where(valid, loss, xp.zeros_like(loss)), target, valid, classes)


def cross_entropy_bwd(xp, logits, grad=None, target=None, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Gradient in the logits of cross_entropy_fwd's per-row loss times `grad`."""
    _check_smoothing(label_smoothing)
    valid, hot, w, wt, wsum = _class_terms(xp, logits, target, weight, ignore_index)
    classes = logits.shape[-1]
    p = softmax_fwd(xp, logits)
    g = xp.reshape(xp.where(valid, grad, xp.zeros_like(grad)), (-1, 1))
    a = xp.reshape((1 - label_smoothing) * wt + label_smoothing / classes * wsum, (-1, 1))
    hot_w = xp.where(hot, xp.reshape(wt, (-1, 1)), xp.zeros_like(p))
    gx = g * (p * a - (1 - label_smoothing) * hot_w - label_smoothing / classes * w)
    return _poison_out_of_range(xp, gx, target, valid, classes)


def _smoothed_weighted(xp, logits, target, weight, label_smoothing):
    classes = logits.shape[-1]
    q = (1 - label_smoothing) * target + label_smoothing / classes
    return q if weight is None else q * xp.reshape(weight, (1, classes))


def soft_cross_entropy_fwd(xp, logits, target, weight=None, label_smoothing=0.0):
    """Per-row loss of cross entropy with class probabilities:
    sum_c w_c q'_c (lse - x_c), q' = (1 - e) target + e / C."""
    _check_smoothing(label_smoothing)
    wq = _smoothed_weighted(xp, logits, target, weight, label_smoothing)
    return xp.sum(wq * _neg_log_softmax(xp, logits), axis=-1)


def soft_cross_entropy_bwd(xp, logits, target, grad=None, weight=None, label_smoothing=0.0):
    """Gradient in the logits: grad_r (p_c sum_k w_k q'_k - w_c q'_c)."""
    _check_smoothing(label_smoothing)
    wq = _smoothed_weighted(xp, logits, target, weight, label_smoothing)
    p = softmax_fwd(xp, logits)
    g = xp.reshape(grad, (-1, 1))
    return g * (p * xp.sum(wq, axis=-1, keepdims=True) - wq)


# ---- pointwise losses --------------------------------------------------------------------

def _reduce(xp, loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        # NOTE: 16-bit floats are summed in float32 (and the sum stays float32: the
        # caller divides for a mean, then casts), as their range ends at 65504.
        if str(loss.dtype) in ("float16", "bfloat16"):
            return xp.sum(loss, dtype=xp.float32)
        return xp.sum(loss)
    raise ValueError(f"argument 'reduction' must be 'none' or 'sum' here, got {reduction!r}")


def _scaled(grad, gy, scale):
    return scale * grad if gy is None else scale * gy * grad


def mse_loss_fwd(xp, x, t, reduction="none"):
    d = x - t
    return _reduce(xp, d * d, reduction)


def mse_loss_bwd(xp, x, t, gy=None, scale=1.0):
    return _scaled(2 * (x - t), gy, scale)


def l1_loss_fwd(xp, x, t, reduction="none"):
    return _reduce(xp, xp.abs(x - t), reduction)


def l1_loss_bwd(xp, x, t, gy=None, scale=1.0):
    # NOTE: sign(0) = 0, as PyTorch's subgradient.
    return _scaled(xp.sign(x - t), gy, scale)


def huber_loss_fwd(xp, x, t, delta=1.0, reduction="none"):
    if not delta > 0:
        raise ValueError(f"huber_loss: argument 'delta' must be positive, got {delta}")
    d = x - t
    a = xp.abs(d)
    return _reduce(xp, xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


def huber_loss_bwd(xp, x, t, gy=None, delta=1.0, scale=1.0):
    return _scaled(xp.clip(x - t, -delta, delta), gy, scale)


def _softplus_neg(xp, x):
    """softplus(-x) = max(-x, 0) + log1p(exp(-|x|))."""
    return xp.maximum(-x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def binary_cross_entropy_with_logits_fwd(xp, x, t, pos_weight=None, reduction="none"):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x)."""
    weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
    return _reduce(xp, (1 - t) * x + weight * _softplus_neg(xp, x), reduction)


def binary_cross_entropy_with_logits_bwd(xp, x, t, gy=None, pos_weight=None, scale=1.0):
    """(1 + (pw - 1) t) sigmoid(x) - pw t."""
    if pos_weight is None:
        grad = sigmoid_fwd(xp, x) - t
    else:
        grad = (1 + (pos_weight - 1) * t) * sigmoid_fwd(xp, x) - pos_weight * t
    return _scaled(grad, gy, scale)


_BCE_EPS = 9.999999960041972e-13  # 1e-12 rounded to float32, as PyTorch's binary_cross_entropy


def clamped_logs(xp, p):
    """max(log p, -100) and max(log(1 - p), -100), never taking log(0); NaN stays NaN."""
    zero, one = p == 0, p == 1
    log_p = xp.log(xp.where(zero, 1 + 0 * p, p))
    log_q = xp.log1p(-xp.where(one, 0 * p, p))
    return (xp.where(zero, -100 + 0 * p, xp.maximum(log_p, -100.0)),
            xp.where(one, -100 + 0 * p, xp.maximum(log_q, -100.0)))


def binary_cross_entropy_fwd(xp, p, t, reduction="none"):
    """-(t max(log p, -100) + (1 - t) max(log(1 - p), -100))."""
    outside = (p < 0) | (p > 1) | (t < 0) | (t > 1)
    if bool(xp.any(outside)):
        raise ValueError("binary_cross_entropy: all elements of input and target should be between 0 and 1")
    log_p, log_q = clamped_logs(xp, p)
    return _reduce(xp, -(t * log_p + (1 - t) * log_q), reduction)


def binary_cross_entropy_bwd(xp, p, t, gy=None, scale=1.0):
    """(p - t) / max(p (1 - p), eps), eps being PyTorch's float 1e-12."""
    return _scaled((p - t) / xp.maximum((1 - p) * p, _BCE_EPS), gy, scale)
