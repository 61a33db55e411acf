# Softmax family and losses (csrc/softmax.c, csrc/losses.c).  Positional arguments are float
# arrays of one shape and dtype; class indices, weights, per-row gradients and
# scalar parameters are keywords.

cdef extern from "fastgrad.h":
    enum: fg_softmax_fwd, fg_softmax_bwd, fg_log_softmax_fwd, fg_log_softmax_bwd
    enum: fg_cross_entropy_fwd, fg_cross_entropy_bwd, fg_soft_cross_entropy_fwd, fg_soft_cross_entropy_bwd
    enum: fg_mse_loss_fwd, fg_mse_loss_bwd, fg_l1_loss_fwd, fg_l1_loss_bwd, fg_huber_loss_fwd, fg_huber_loss_bwd
    enum: fg_binary_cross_entropy_with_logits_fwd, fg_binary_cross_entropy_with_logits_bwd
    enum: fg_binary_cross_entropy_fwd, fg_binary_cross_entropy_bwd


def softmax_fwd(x, out=None):
    """y = exp(x - max) / sum(exp(x - max)) along the last axis."""
    cdef Operands o = operands("softmax", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_softmax_fwd, o.a, o.out, o.rows, o.cols)
    return o.y


def softmax_bwd(y, gy, out=None):
    """gx = y * (gy - sum(gy * y)) along the last axis, from the output y."""
    cdef Operands o = operands("softmax_backward", out, True, "y", y, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_softmax_bwd, o.a, o.b, o.out, o.rows, o.cols)
    return o.y


def log_softmax_fwd(x, out=None):
    """y = x - logsumexp(x) along the last axis (the maximum subtracted first)."""
    cdef Operands o = operands("log_softmax", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_log_softmax_fwd, o.a, o.out, o.rows, o.cols)
    return o.y


def log_softmax_bwd(y, gy, out=None):
    """gx = gy - exp(y) * sum(gy) along the last axis, from the output y."""
    cdef Operands o = operands("log_softmax_backward", out, True, "y", y, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_log_softmax_bwd, o.a, o.b, o.out, o.rows, o.cols)
    return o.y


# ---- cross entropy: logits (rows, classes) ----------------------------------------------
# The forward kernels write the per-row loss (rows,); the backward kernels the
# gradient in the logits, given the per-row gradient `grad`.

cdef Py_ssize_t first_bad_index(const int64_t *target, Py_ssize_t n, int64_t classes, int64_t ignore_index) nogil:
    """The position of the first entry that is neither a class nor ignore_index, or -1."""
    cdef Py_ssize_t i
    for i in range(n):
        if (target[i] < 0 or target[i] >= classes) and target[i] != ignore_index:
            return i
    return -1


cdef object class_indices(str op, object target, object logits, int64_t ignore_index):
    """target as kernel-ready int64 of shape (rows,), every entry a class or ignore_index."""
    if not isinstance(target, np.ndarray):
        raise TypeError(f"{op}: argument 'target' must be a numpy.ndarray, got {type(target).__name__}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'target' has dtype {target.dtype}; class indices must be integers")
    if target.shape != (logits.shape[0],):
        raise ValueError(f"{op}: argument 'target' has shape {target.shape}, expected ({logits.shape[0]},)")
    cdef int64_t classes = logits.shape[1]
    cdef Py_ssize_t bad_at = -1
    if target.dtype == _I64:  # the usual case: checked in one C loop
        target = kernel_ready(target)
        bad_at = first_bad_index(<const int64_t *>cnp.PyArray_DATA(target), target.size, classes, ignore_index)
    elif target.size:
        # Checked in the target's own dtype: converting first would wrap a uint64
        # index above 2**63 to a negative number, possibly ignore_index itself.
        bad = (target != ignore_index) & ((target < 0) | (target >= classes))
        bad_at = int(np.argmax(bad)) if bad.any() else -1
    if bad_at >= 0:
        raise IndexError(f"{op}: target {int(target[bad_at])} at position {bad_at} is out of bounds for "
                         f"{classes} classes (expected 0 to {classes - 1}, or ignore_index={ignore_index})")
    return kernel_ready(np.asarray(target, dtype=_I64))


cdef class LogitRows:
    """The checked arguments of a cross entropy kernel (kept alive here)."""
    cdef bint f32
    cdef int64_t rows, classes
    cdef double eps
    cdef address x, target, weight, grad, out
    cdef object y, kept


cdef LogitRows logit_rows(str op, object logits, object target, object weight, object label_smoothing,
                          bint soft, int64_t ignore_index, bint backward, object grad, object out):
    """Check logits (rows, C), the target (class indices, or probabilities like the logits when soft),
    the class weights (ones when soft and not given), label smoothing and, backward, grad (rows,) and out."""
    x = float_array(op, "input", logits)
    if x.ndim != 2:
        raise ValueError(f"{op}: argument 'input' must be 2-d (rows, classes), got shape {x.shape}")
    cdef LogitRows r = LogitRows.__new__(LogitRows)
    r.rows, r.classes = x.shape
    if soft:
        target = kernel_ready(matching(op, "target", target, x.dtype, x.shape))
    else:
        target = class_indices(op, target, x, ignore_index)
    weight = converted(op, "weight", weight, x.dtype, (r.classes,), " (one weight per class)")
    if soft and weight is None:
        weight = np.ones(r.classes, dtype=x.dtype)
    if backward and grad is None:
        raise TypeError(f"{op}: argument 'grad' must be a numpy.ndarray, got NoneType")
    grad = converted(op, "grad", grad, x.dtype, (r.rows,))
    r.eps = float(label_smoothing)
    if not 0.0 <= r.eps <= 1.0:
        raise ValueError(f"{op}: argument 'label_smoothing' must be in [0, 1], got {label_smoothing}")
    x = kernel_ready(x)
    r.y = result_for(op, out, x.dtype, x.shape) if backward else new_output((r.rows,), x.dtype)
    if backward:
        check_no_overlap(op, r.y, x, "input", True)
        # The soft kernel reads a whole row of the target after writing the row's
        # output, so even an exactly aliased target would be overwritten.
        check_no_overlap(op, r.y, target if soft else None, "target", False)
        check_no_overlap(op, r.y, grad, "grad", False)
        check_no_overlap(op, r.y, weight, "weight", False)
    r.kept = (x, target, weight, grad)
    r.f32, r.x, r.target = is_f32(x), data_of(x), data_of(target)
    r.weight, r.grad, r.out = data_of(weight), data_of(grad), data_of(r.y)
    return r


def cross_entropy_fwd(logits, *, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Per-row loss of softmax cross entropy with class indices target (rows,): (1 - e) w_t (lse - x_t)
    + (e / C) sum_c w_c (lse - x_c), 0 where target == ignore_index."""
    cdef int64_t ignore = ignore_index
    cdef LogitRows r = logit_rows("cross_entropy", logits, target, weight, label_smoothing, False, ignore,
                                  False, None, None)
    with nogil:
        by_dtype(r.f32, fg_cross_entropy_fwd, r.x, r.target, r.weight, r.out, r.rows, r.classes, ignore, r.eps)
    return r.y


def cross_entropy_bwd(logits, *, grad, target, weight=None, ignore_index=-100, label_smoothing=0.0, out=None):
    """Gradient in the logits of cross_entropy_fwd's per-row loss, given its per-row gradient `grad`."""
    cdef int64_t ignore = ignore_index
    cdef LogitRows r = logit_rows("cross_entropy_backward", logits, target, weight, label_smoothing, False,
                                  ignore, True, grad, out)
    with nogil:
        by_dtype(r.f32, fg_cross_entropy_bwd, r.x, r.target, r.weight, r.grad, r.out, r.rows, r.classes, ignore,
                 r.eps)
    return r.y


def soft_cross_entropy_fwd(logits, target, *, weight=None, label_smoothing=0.0):
    """Per-row loss of cross entropy with class probabilities target (rows, C): sum_c w_c q'_c (lse - x_c),
    q' = (1 - e) target + e / C."""
    cdef LogitRows r = logit_rows("cross_entropy", logits, target, weight, label_smoothing, True, 0, False,
                                  None, None)
    with nogil:
        by_dtype(r.f32, fg_soft_cross_entropy_fwd, r.x, r.target, r.weight, r.out, r.rows, r.classes, r.eps)
    return r.y


def soft_cross_entropy_bwd(logits, target, *, grad, weight=None, label_smoothing=0.0, out=None):
    """Gradient in the logits of soft_cross_entropy_fwd's per-row loss: grad_r (p_c sum_k w_k q'_k - w_c q'_c)."""
    cdef LogitRows r = logit_rows("cross_entropy_backward", logits, target, weight, label_smoothing, True, 0,
                                  True, grad, out)
    with nogil:
        by_dtype(r.f32, fg_soft_cross_entropy_bwd, r.x, r.target, r.weight, r.grad, r.out, r.rows, r.classes,
                 r.eps)
    return r.y


# ---- pointwise losses: input and target of one shape -------------------------------------
# Forward kernels return the sum of the loss and write the elementwise loss
# when given an array (reduction='none'); backward kernels write
# gx = scale * grad * dloss/dx (grad = 1 when not given).

cdef Operands loss_operands(str op, object x, object t, object reduction):
    if reduction not in ("none", "sum"):
        raise ValueError(f"{op}: argument 'reduction' must be 'none' or 'sum' here, got {reduction!r}")
    return operands(op, None, reduction == "none", "input", x, "target", t)


cdef object loss_result(Operands o, double total):
    """The elementwise loss (reduction='none'), or the sum as a 0-d array."""
    return o.y if o.y is not None else np.array(total, dtype=_F32 if o.f32 else _F64)


def mse_loss_fwd(x, t, *, reduction="none"):
    """(x - t)^2 elementwise, or its sum (reduction='sum') as a 0-d array."""
    cdef double total
    cdef Operands o = loss_operands("mse_loss", x, t, reduction)
    with nogil:
        total = by_dtype_double(o.f32, fg_mse_loss_fwd, o.a, o.b, o.out, o.n)
    return loss_result(o, total)


def mse_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * 2 (x - t) (gy = 1 when not given)."""
    cdef double s = float(scale)
    cdef Operands o = operands("mse_loss_backward", out, True, "input", x, "target", t, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_mse_loss_bwd, o.a, o.b, o.c, o.out, o.n, s)
    return o.y


def l1_loss_fwd(x, t, *, reduction="none"):
    """|x - t| elementwise, or its sum (reduction='sum') as a 0-d array."""
    cdef double total
    cdef Operands o = loss_operands("l1_loss", x, t, reduction)
    with nogil:
        total = by_dtype_double(o.f32, fg_l1_loss_fwd, o.a, o.b, o.out, o.n)
    return loss_result(o, total)


def l1_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * sign(x - t), sign(0) = 0."""
    cdef double s = float(scale)
    cdef Operands o = operands("l1_loss_backward", out, True, "input", x, "target", t, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_l1_loss_bwd, o.a, o.b, o.c, o.out, o.n, s)
    return o.y


def huber_loss_fwd(x, t, *, delta=1.0, reduction="none"):
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - t."""
    cdef double total, dl = positive("huber_loss", "delta", delta)
    cdef Operands o = loss_operands("huber_loss", x, t, reduction)
    with nogil:
        total = by_dtype_double(o.f32, fg_huber_loss_fwd, o.a, o.b, o.out, o.n, dl)
    return loss_result(o, total)


def huber_loss_bwd(x, t, gy=None, *, delta=1.0, scale=1.0, out=None):
    """gx = scale * gy * clip(x - t, -delta, delta)."""
    cdef double s = float(scale), dl = positive("huber_loss_backward", "delta", delta)
    cdef Operands o = operands("huber_loss_backward", out, True, "input", x, "target", t, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_huber_loss_bwd, o.a, o.b, o.c, o.out, o.n, s, dl)
    return o.y


cdef object pos_weight_rows(str op, object pos_weight, object x, int64_t *rows, int64_t *cols):
    """pos_weight (broadcasting against x) as `cols` contiguous values repeated over `rows` rows of x:
    it varies only along x's trailing axes from the first where its left-padded shape is not 1."""
    if pos_weight is None:
        rows[0], cols[0] = 1, x.size
        return None
    pw = np.asarray(pos_weight)
    try:
        joint = np.broadcast_shapes(pw.shape, x.shape)
    except ValueError:
        joint = None
    if joint != x.shape:
        raise ValueError(f"{op}: argument 'pos_weight' of shape {pw.shape} does not broadcast to the "
                         f"input's shape {x.shape}")
    shape = (1,) * (x.ndim - pw.ndim) + pw.shape
    k = 0
    while k < x.ndim - 1 and shape[k] == 1:
        k += 1
    block = np.array(np.broadcast_to(pw.reshape(shape[k:]), x.shape[k:]), dtype=x.dtype).reshape(-1)  # a fresh copy
    cols[0] = block.size
    rows[0] = x.size // block.size if block.size else 0
    return block


def binary_cross_entropy_with_logits_fwd(x, t, *, pos_weight=None, reduction="none"):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x) elementwise, or its sum; pos_weight pw (default 1)
    broadcasts against x."""
    cdef double total
    cdef int64_t rows, cols
    op = "binary_cross_entropy_with_logits"
    cdef Operands o = loss_operands(op, x, t, reduction)
    pw = pos_weight_rows(op, pos_weight, o.kept_a, &rows, &cols)
    cdef address pp = data_of(pw)
    with nogil:
        total = by_dtype_double(o.f32, fg_binary_cross_entropy_with_logits_fwd, o.a, o.b, pp, o.out, rows, cols)
    return loss_result(o, total)


def binary_cross_entropy_with_logits_bwd(x, t, gy=None, *, pos_weight=None, scale=1.0, out=None):
    """gx = scale * gy * ((1 + (pw - 1) t) sigmoid(x) - pw t)."""
    cdef int64_t rows, cols
    cdef double s = float(scale)
    op = "binary_cross_entropy_with_logits_backward"
    cdef Operands o = operands(op, out, True, "input", x, "target", t, "grad", gy)
    pw = pos_weight_rows(op, pos_weight, o.kept_a, &rows, &cols)
    cdef address pp = data_of(pw)
    with nogil:
        by_dtype(o.f32, fg_binary_cross_entropy_with_logits_bwd, o.a, o.b, pp, o.c, o.out, rows, cols, s)
    return o.y


def binary_cross_entropy_fwd(p, t, *, reduction="none"):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100, elementwise or summed;
    ValueError when an input or target lies outside [0, 1]."""
    cdef double total
    cdef int64_t invalid = 0
    cdef Operands o = loss_operands("binary_cross_entropy", p, t, reduction)
    with nogil:
        total = by_dtype_double(o.f32, fg_binary_cross_entropy_fwd, o.a, o.b, o.out, o.n, &invalid)
    if invalid:
        raise ValueError(f"binary_cross_entropy: all elements of input and target should be between 0 and 1 "
                         f"({invalid} are not)")
    return loss_result(o, total)


def binary_cross_entropy_bwd(p, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * (p - t) / max(p (1 - p), 1e-12)."""
    cdef double s = float(scale)
    cdef Operands o = operands("binary_cross_entropy_backward", out, True, "input", p, "target", t, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_binary_cross_entropy_bwd, o.a, o.b, o.c, o.out, o.n, s)
    return o.y
