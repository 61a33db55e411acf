# Softmax family and losses (csrc/losses.c).
# Positional arguments are float arrays of one shape and dtype (what the NumPy
# backend's dispatch checks); everything else is a keyword: class indices,
# weights, per-row gradients, scalar parameters.

cdef extern from "fastgrad.h":
    enum: fg_softmax_fwd, fg_softmax_bwd, fg_log_softmax_fwd, fg_log_softmax_bwd
    enum: fg_cross_entropy_fwd, fg_cross_entropy_bwd, fg_soft_cross_entropy_fwd, fg_soft_cross_entropy_bwd
    enum: fg_mse_loss_fwd, fg_mse_loss_bwd, fg_l1_loss_fwd, fg_l1_loss_bwd, fg_huber_loss_fwd, fg_huber_loss_bwd
    enum: fg_binary_cross_entropy_with_logits_fwd, fg_binary_cross_entropy_with_logits_bwd
    enum: fg_binary_cross_entropy_fwd, fg_binary_cross_entropy_bwd

cdef object _I64 = np.dtype(np.int64)
_REDUCTIONS = ("none", "sum")


cdef struct Rows:
    # x seen as `rows` rows of its last axis, `cols` long (a 0-d array is one row of one)
    bint f32
    int64_t rows, cols
    address x, g, out


cdef object rows_operands(str op, object x, object gy, object out, Rows *r):
    """Check x (and the gradient gy when given) and out; fill r; return the output.
    x and gy must already be float_input / same_input results (kept alive by the caller)."""
    y = result_for(op, out, x)
    check_no_partial_overlap(op, y, x)
    if gy is not None:
        check_no_partial_overlap(op, y, gy)
    r.f32, r.x, r.g, r.out = is_f32(x), data_of(x), data_of(gy), data_of(y)
    r.cols = 1 if x.ndim == 0 else x.shape[x.ndim - 1]
    r.rows = (x.size // r.cols if r.cols else 0) if x.ndim else 1
    return y


def softmax_fwd(x, out=None):
    """y = exp(x - max) / sum(exp(x - max)) along the last axis."""
    cdef Rows r
    x = float_input("softmax", "x", x)
    y = rows_operands("softmax", x, None, out, &r)
    if x.size:
        with nogil:
            by_dtype(r.f32, fg_softmax_fwd, r.x, r.out, r.rows, r.cols)
    return y


def softmax_bwd(y, gy, out=None):
    """gx = y * (gy - sum(gy * y)) along the last axis, from the output y."""
    cdef Rows r
    gy = same_input("softmax_backward", "grad", gy, float_array("softmax_backward", "y", y))
    y = kernel_ready(y)
    gx = rows_operands("softmax_backward", y, gy, out, &r)
    if y.size:
        with nogil:
            by_dtype(r.f32, fg_softmax_bwd, r.x, r.g, r.out, r.rows, r.cols)
    return gx


def log_softmax_fwd(x, out=None):
    """y = x - logsumexp(x) along the last axis (the maximum subtracted first)."""
    cdef Rows r
    x = float_input("log_softmax", "x", x)
    y = rows_operands("log_softmax", x, None, out, &r)
    if x.size:
        with nogil:
            by_dtype(r.f32, fg_log_softmax_fwd, r.x, r.out, r.rows, r.cols)
    return y


def log_softmax_bwd(y, gy, out=None):
    """gx = gy - exp(y) * sum(gy) along the last axis, from the output y."""
    cdef Rows r
    gy = same_input("log_softmax_backward", "grad", gy, float_array("log_softmax_backward", "y", y))
    y = kernel_ready(y)
    gx = rows_operands("log_softmax_backward", y, gy, out, &r)
    if y.size:
        with nogil:
            by_dtype(r.f32, fg_log_softmax_bwd, r.x, r.g, r.out, r.rows, r.cols)
    return gx


# ---- cross entropy ---------------------------------------------------------------------

cdef object logits_input(str op, object logits):
    """Check the (rows, classes) logits; the caller makes them kernel_ready after
    checking the other arguments."""
    logits = float_array(op, "input", logits)
    if logits.ndim != 2:
        raise ValueError(f"{op}: argument 'input' must be 2-d (rows, classes), got shape {logits.shape}")
    return logits


cdef object row_vector(str op, str arg, object a, object like):
    """A (rows,) array of like's dtype (converted), C-contiguous."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    if a.shape != (like.shape[0],):
        raise ValueError(f"{op}: argument '{arg}' has shape {a.shape}, expected ({like.shape[0]},)")
    return kernel_ready_as(a, like.dtype)


cdef object class_weight(str op, object weight, object logits):
    if weight is None:
        return None
    if not isinstance(weight, np.ndarray):
        raise TypeError(f"{op}: argument 'weight' must be a numpy.ndarray, got {type(weight).__name__}")
    if weight.shape != (logits.shape[1],):
        raise ValueError(f"{op}: argument 'weight' has shape {weight.shape}, expected ({logits.shape[1]},) "
                         "(one weight per class)")
    return kernel_ready_as(weight, logits.dtype)


cdef double smoothing(str op, object label_smoothing) except -1:
    cdef double e = float(label_smoothing)
    if not 0.0 <= e <= 1.0:
        raise ValueError(f"{op}: argument 'label_smoothing' must be in [0, 1], got {label_smoothing}")
    return e


cdef Py_ssize_t first_bad_index(const int64_t *target, Py_ssize_t n, int64_t classes, int64_t ignore_index) nogil:
    """The position of the first entry that is neither a class nor ignore_index, or -1."""
    cdef Py_ssize_t i
    for i in range(n):
        if (target[i] < 0 or target[i] >= classes) and target[i] != ignore_index:
            return i
    return -1


cdef object class_indices(str op, object target, object logits, int64_t ignore_index):
    """target as C-contiguous int64 of shape (rows,), every entry a class or ignore_index."""
    if not isinstance(target, np.ndarray):
        raise TypeError(f"{op}: argument 'target' must be a numpy.ndarray, got {type(target).__name__}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'target' has dtype {target.dtype}; class indices must be integers")
    if target.shape != (logits.shape[0],):
        raise ValueError(f"{op}: argument 'target' has shape {target.shape}, expected ({logits.shape[0]},)")
    cdef int64_t classes = logits.shape[1]
    cdef Py_ssize_t bad_at
    if target.dtype == _I64:  # the usual case: checked in one C loop
        target = kernel_ready_as(target, _I64)
        bad_at = first_bad_index(<const int64_t *>cnp.PyArray_DATA(target), target.size, classes, ignore_index)
        if bad_at >= 0:
            raise IndexError(f"{op}: target {int(target[bad_at])} at position {bad_at} is out of bounds for "
                             f"{classes} classes (expected 0 to {classes - 1}, or ignore_index={ignore_index})")
        return target
    if target.size:
        # Checked in the target's own dtype: converting first would wrap a uint64
        # index above 2**63 to a negative number, possibly ignore_index itself.
        bad = (target != ignore_index) & ((target < 0) | (target >= classes))
        if bad.any():
            i = int(np.argmax(bad))
            raise IndexError(f"{op}: target {int(target[i])} at position {i} is out of bounds for "
                             f"{classes} classes (expected 0 to {classes - 1}, or ignore_index={ignore_index})")
    return kernel_ready_as(target, _I64)


def cross_entropy_fwd(logits, *, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    """Per-row loss of softmax cross entropy with class indices.

    logits (rows, C); target (rows,) integers.  Returns the (rows,) loss
    (1 - e) w_t (lse - x_t) + (e / C) sum_c w_c (lse - x_c), 0 where
    target == ignore_index.
    """
    op = "cross_entropy"
    logits = logits_input(op, logits)
    cdef int64_t ignore = ignore_index
    target = class_indices(op, target, logits, ignore)
    weight = class_weight(op, weight, logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits = kernel_ready(logits)
    loss = np.empty(logits.shape[0], dtype=logits.dtype)
    cdef int64_t r = logits.shape[0], c = logits.shape[1]
    cdef address px = data_of(logits), pt = data_of(target), pw = data_of(weight), pl = data_of(loss)
    cdef bint f32 = is_f32(logits)
    with nogil:
        by_dtype(f32, fg_cross_entropy_fwd, px, pt, pw, pl, r, c, ignore, eps)
    return loss


def cross_entropy_bwd(logits, *, grad, target, weight=None, ignore_index=-100, label_smoothing=0.0, out=None):
    """Gradient of cross_entropy_fwd's per-row loss, given its per-row gradient `grad`:
    gx = grad_r * (p ((1 - e) w_t + (e / C) W) - (1 - e) w_t [c == t] - (e / C) w_c)."""
    op = "cross_entropy_backward"
    logits = logits_input(op, logits)
    cdef int64_t ignore = ignore_index
    target = class_indices(op, target, logits, ignore)
    weight = class_weight(op, weight, logits)
    grad = row_vector(op, "grad", grad, logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits = kernel_ready(logits)
    gx = result_for(op, out, logits)
    check_no_partial_overlap(op, gx, logits)
    check_no_overlap(op, gx, grad, "grad")
    if weight is not None:
        check_no_overlap(op, gx, weight, "weight")
    cdef int64_t r = logits.shape[0], c = logits.shape[1]
    cdef address px = data_of(logits), pt = data_of(target), pw = data_of(weight), pg = data_of(grad)
    cdef address po = data_of(gx)
    cdef bint f32 = is_f32(logits)
    with nogil:
        by_dtype(f32, fg_cross_entropy_bwd, px, pt, pw, pg, po, r, c, ignore, eps)
    return gx


cdef object soft_target_weight(str op, object target, object weight, object logits):
    """Check the soft target (like the logits) and return the class weights (ones when not given)."""
    same_array(op, "target", target, logits)
    weight = class_weight(op, weight, logits)
    return np.ones(logits.shape[1], dtype=logits.dtype) if weight is None else weight


def soft_cross_entropy_fwd(logits, target, *, weight=None, label_smoothing=0.0):
    """Per-row loss of cross entropy with class probabilities.

    logits and target (rows, C).  With q' = (1 - e) target + e / C, returns
    the (rows,) loss sum_c w_c q'_c (lse - x_c)."""
    op = "cross_entropy"
    logits = logits_input(op, logits)
    weight = soft_target_weight(op, target, weight, logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits, target = kernel_ready(logits), kernel_ready(target)
    loss = np.empty(logits.shape[0], dtype=logits.dtype)
    cdef int64_t r = logits.shape[0], c = logits.shape[1]
    cdef address px = data_of(logits), pq = data_of(target), pw = data_of(weight), pl = data_of(loss)
    cdef bint f32 = is_f32(logits)
    with nogil:
        by_dtype(f32, fg_soft_cross_entropy_fwd, px, pq, pw, pl, r, c, eps)
    return loss


def soft_cross_entropy_bwd(logits, target, *, grad, weight=None, label_smoothing=0.0, out=None):
    """Gradient in the logits of soft_cross_entropy_fwd's per-row loss:
    gx = grad_r * (p_c sum_k w_k q'_k - w_c q'_c)."""
    op = "cross_entropy_backward"
    logits = logits_input(op, logits)
    weight = soft_target_weight(op, target, weight, logits)
    grad = row_vector(op, "grad", grad, logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits, target = kernel_ready(logits), kernel_ready(target)
    gx = result_for(op, out, logits)
    check_no_partial_overlap(op, gx, logits)
    # The kernel reads a whole row of the target after writing the row's
    # output, so even an exactly aliased target would be overwritten.
    check_no_overlap(op, gx, target, "target")
    check_no_overlap(op, gx, grad, "grad")
    check_no_overlap(op, gx, weight, "weight")
    cdef int64_t r = logits.shape[0], c = logits.shape[1]
    cdef address px = data_of(logits), pq = data_of(target), pw = data_of(weight), pg = data_of(grad)
    cdef address po = data_of(gx)
    cdef bint f32 = is_f32(logits)
    with nogil:
        by_dtype(f32, fg_soft_cross_entropy_bwd, px, pq, pw, pg, po, r, c, eps)
    return gx


# ---- pointwise losses ------------------------------------------------------------------
# Forward kernels return the sum of the loss and write the elementwise loss
# when given an array (reduction='none'); backward kernels write
# gx = scale * gy * dloss/dx (gy = 1 when not given).

cdef struct Pointwise:
    bint f32
    int64_t n
    address x, t, g, out


cdef check_reduction(str op, object reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: argument 'reduction' must be 'none' or 'sum' here, got {reduction!r}")


cdef object loss_operands(str op, object x, object t, object reduction, Pointwise *p):
    """Check the forward's reduction; fill p from the kernel-ready x and t; return the
    elementwise loss array for reduction='none', or None for 'sum' (the kernel only sums)."""
    check_reduction(op, reduction)
    loss = new_output(x.shape, x.dtype) if reduction == "none" else None
    p.f32, p.n, p.x, p.t, p.g, p.out = is_f32(x), x.size, data_of(x), data_of(t), NULL, data_of(loss)
    return loss


cdef object loss_result(object loss, double total, object x):
    return loss if loss is not None else np.array(total, dtype=x.dtype)


cdef object optional_grad(str op, object gy, object like):
    return None if gy is None else same_array(op, "grad", gy, like)


cdef object ready_or_none(object a):
    return None if a is None else kernel_ready(a)


cdef object grad_operands(str op, object x, object t, object gy, object out, Pointwise *p):
    """Check the backward's output against the kernel-ready x, t and gy (which may be
    None); fill p; return the output."""
    gx = result_for(op, out, x)
    check_no_partial_overlap(op, gx, x)
    check_no_partial_overlap(op, gx, t)
    if gy is not None:
        check_no_partial_overlap(op, gx, gy)
    p.f32, p.n, p.x, p.t, p.g, p.out = is_f32(x), x.size, data_of(x), data_of(t), data_of(gy), data_of(gx)
    return gx


def mse_loss_fwd(x, t, *, reduction="none"):
    """(x - t)^2 elementwise, or its sum (reduction='sum') as a 0-d array."""
    cdef Pointwise p
    cdef double total
    t = same_input("mse_loss", "target", t, float_array("mse_loss", "input", x))
    x = kernel_ready(x)
    loss = loss_operands("mse_loss", x, t, reduction, &p)
    with nogil:
        total = by_dtype_double(p.f32, fg_mse_loss_fwd, p.x, p.t, p.out, p.n)
    return loss_result(loss, total, x)


def mse_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * 2 (x - t) (gy = 1 when not given)."""
    cdef Pointwise p
    op = "mse_loss_backward"
    t = same_array(op, "target", t, float_array(op, "input", x))
    gy = ready_or_none(optional_grad(op, gy, x))
    x, t = kernel_ready(x), kernel_ready(t)
    gx = grad_operands(op, x, t, gy, out, &p)
    cdef double s = float(scale)
    with nogil:
        by_dtype(p.f32, fg_mse_loss_bwd, p.x, p.t, p.g, p.out, p.n, s)
    return gx


def l1_loss_fwd(x, t, *, reduction="none"):
    """|x - t| elementwise, or its sum (reduction='sum') as a 0-d array."""
    cdef Pointwise p
    cdef double total
    t = same_input("l1_loss", "target", t, float_array("l1_loss", "input", x))
    x = kernel_ready(x)
    loss = loss_operands("l1_loss", x, t, reduction, &p)
    with nogil:
        total = by_dtype_double(p.f32, fg_l1_loss_fwd, p.x, p.t, p.out, p.n)
    return loss_result(loss, total, x)


def l1_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * sign(x - t), sign(0) = 0."""
    cdef Pointwise p
    op = "l1_loss_backward"
    t = same_array(op, "target", t, float_array(op, "input", x))
    gy = ready_or_none(optional_grad(op, gy, x))
    x, t = kernel_ready(x), kernel_ready(t)
    gx = grad_operands(op, x, t, gy, out, &p)
    cdef double s = float(scale)
    with nogil:
        by_dtype(p.f32, fg_l1_loss_bwd, p.x, p.t, p.g, p.out, p.n, s)
    return gx


cdef double positive_param(str op, str arg, object value) except -1:
    cdef double v = float(value)
    if not v > 0:
        raise ValueError(f"{op}: argument '{arg}' must be positive, got {value}")
    return v


def huber_loss_fwd(x, t, *, delta=1.0, reduction="none"):
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - t."""
    cdef Pointwise p
    cdef double total, dl = positive_param("huber_loss", "delta", delta)
    t = same_input("huber_loss", "target", t, float_array("huber_loss", "input", x))
    x = kernel_ready(x)
    loss = loss_operands("huber_loss", x, t, reduction, &p)
    with nogil:
        total = by_dtype_double(p.f32, fg_huber_loss_fwd, p.x, p.t, p.out, p.n, dl)
    return loss_result(loss, total, x)


def huber_loss_bwd(x, t, gy=None, *, delta=1.0, scale=1.0, out=None):
    """gx = scale * gy * clip(x - t, -delta, delta)."""
    cdef Pointwise p
    op = "huber_loss_backward"
    cdef double dl = positive_param(op, "delta", delta)
    t = same_array(op, "target", t, float_array(op, "input", x))
    gy = ready_or_none(optional_grad(op, gy, x))
    x, t = kernel_ready(x), kernel_ready(t)
    gx = grad_operands(op, x, t, gy, out, &p)
    cdef double s = float(scale)
    with nogil:
        by_dtype(p.f32, fg_huber_loss_bwd, p.x, p.t, p.g, p.out, p.n, s, dl)
    return gx


cdef object pos_weight_rows(str op, object pos_weight, object x, int64_t *rows, int64_t *cols):
    """pos_weight laid out as `cols` contiguous values repeated over `rows` rows of x.

    pos_weight broadcasts against x; it varies only along x's trailing axes
    from the first one where its (left-padded) shape is not 1."""
    cdef int64_t n = x.size
    if pos_weight is None:
        rows[0], cols[0] = 1, n
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
    trailing = x.shape[k:]
    block = kernel_ready_as(np.broadcast_to(pw.reshape(shape[k:]), trailing), x.dtype).reshape(-1)
    cols[0] = block.size
    rows[0] = n // block.size if block.size else 0
    return block


def binary_cross_entropy_with_logits_fwd(x, t, *, pos_weight=None, reduction="none"):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x) elementwise, or its sum.

    pos_weight (pw, default 1) broadcasts against x."""
    cdef Pointwise p
    cdef double total
    cdef int64_t rows, cols
    op = "binary_cross_entropy_with_logits"
    x = float_array(op, "input", x)
    t = same_array(op, "target", t, x)
    check_reduction(op, reduction)
    pw = pos_weight_rows(op, pos_weight, x, &rows, &cols)
    x, t = kernel_ready(x), kernel_ready(t)
    loss = loss_operands(op, x, t, reduction, &p)
    cdef address pp = data_of(pw)
    with nogil:
        total = by_dtype_double(p.f32, fg_binary_cross_entropy_with_logits_fwd, p.x, p.t, pp, p.out, rows, cols)
    return loss_result(loss, total, x)


def binary_cross_entropy_with_logits_bwd(x, t, gy=None, *, pos_weight=None, scale=1.0, out=None):
    """gx = scale * gy * ((1 + (pw - 1) t) sigmoid(x) - pw t)."""
    cdef Pointwise p
    cdef int64_t rows, cols
    op = "binary_cross_entropy_with_logits_backward"
    t = same_array(op, "target", t, float_array(op, "input", x))
    gy = optional_grad(op, gy, x)
    pw = pos_weight_rows(op, pos_weight, x, &rows, &cols)
    x, t, gy = kernel_ready(x), kernel_ready(t), ready_or_none(gy)
    gx = grad_operands(op, x, t, gy, out, &p)
    cdef double s = float(scale)
    cdef address pp = data_of(pw)
    with nogil:
        by_dtype(p.f32, fg_binary_cross_entropy_with_logits_bwd, p.x, p.t, pp, p.g, p.out, rows, cols, s)
    return gx


def binary_cross_entropy_fwd(p, t, *, reduction="none"):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100, elementwise or summed.

    Raises ValueError when an input or target lies outside [0, 1]."""
    cdef Pointwise o
    cdef double total
    cdef int64_t invalid = 0
    op = "binary_cross_entropy"
    t = same_input(op, "target", t, float_array(op, "input", p))
    p = kernel_ready(p)
    loss = loss_operands(op, p, t, reduction, &o)
    with nogil:
        total = by_dtype_double(o.f32, fg_binary_cross_entropy_fwd, o.x, o.t, o.out, o.n, &invalid)
    if invalid:
        raise ValueError(f"{op}: all elements of input and target should be between 0 and 1 "
                         f"({invalid} are not)")
    return loss_result(loss, total, p)


def binary_cross_entropy_bwd(p, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * (p - t) / max(p (1 - p), 1e-12)."""
    cdef Pointwise o
    op = "binary_cross_entropy_backward"
    t = same_array(op, "target", t, float_array(op, "input", p))
    gy = ready_or_none(optional_grad(op, gy, p))
    p, t = kernel_ready(p), kernel_ready(t)
    gx = grad_operands(op, p, t, gy, out, &o)
    cdef double s = float(scale)
    with nogil:
        by_dtype(o.f32, fg_binary_cross_entropy_bwd, o.x, o.t, o.g, o.out, o.n, s)
    return gx
