# Softmax family and losses (csrc/losses.c).
# Positional arguments are float arrays of one shape and dtype (what the NumPy
# backend's dispatch checks); everything else is a keyword: class indices,
# weights, per-row gradients, scalar parameters.

cdef extern from "fastgrad.h":
    void fg_softmax_fwd_f32(const float *x, float *y, int64_t rows, int64_t cols) nogil
    void fg_softmax_fwd_f64(const double *x, double *y, int64_t rows, int64_t cols) nogil
    void fg_softmax_bwd_f32(const float *y, const float *gy, float *gx, int64_t rows, int64_t cols) nogil
    void fg_softmax_bwd_f64(const double *y, const double *gy, double *gx, int64_t rows, int64_t cols) nogil
    void fg_log_softmax_fwd_f32(const float *x, float *y, int64_t rows, int64_t cols) nogil
    void fg_log_softmax_fwd_f64(const double *x, double *y, int64_t rows, int64_t cols) nogil
    void fg_log_softmax_bwd_f32(const float *y, const float *gy, float *gx, int64_t rows, int64_t cols) nogil
    void fg_log_softmax_bwd_f64(const double *y, const double *gy, double *gx, int64_t rows, int64_t cols) nogil
    void fg_cross_entropy_fwd_f32(const float *x, const int64_t *target, const float *weight, float *loss,
                                  int64_t rows, int64_t cols, int64_t ignore_index, float label_smoothing) nogil
    void fg_cross_entropy_fwd_f64(const double *x, const int64_t *target, const double *weight, double *loss,
                                  int64_t rows, int64_t cols, int64_t ignore_index, double label_smoothing) nogil
    void fg_cross_entropy_bwd_f32(const float *x, const int64_t *target, const float *weight, const float *grad,
                                  float *gx, int64_t rows, int64_t cols, int64_t ignore_index,
                                  float label_smoothing) nogil
    void fg_cross_entropy_bwd_f64(const double *x, const int64_t *target, const double *weight,
                                  const double *grad, double *gx, int64_t rows, int64_t cols,
                                  int64_t ignore_index, double label_smoothing) nogil
    void fg_soft_cross_entropy_fwd_f32(const float *x, const float *q, const float *weight, float *loss,
                                       int64_t rows, int64_t cols, float label_smoothing) nogil
    void fg_soft_cross_entropy_fwd_f64(const double *x, const double *q, const double *weight, double *loss,
                                       int64_t rows, int64_t cols, double label_smoothing) nogil
    void fg_soft_cross_entropy_bwd_f32(const float *x, const float *q, const float *weight, const float *grad,
                                       float *gx, int64_t rows, int64_t cols, float label_smoothing) nogil
    void fg_soft_cross_entropy_bwd_f64(const double *x, const double *q, const double *weight,
                                       const double *grad, double *gx, int64_t rows, int64_t cols,
                                       double label_smoothing) nogil
    double fg_mse_loss_fwd_f32(const float *x, const float *t, float *loss, int64_t n) nogil
    double fg_mse_loss_fwd_f64(const double *x, const double *t, double *loss, int64_t n) nogil
    void fg_mse_loss_bwd_f32(const float *x, const float *t, const float *gy, float *gx, int64_t n, float scale) nogil
    void fg_mse_loss_bwd_f64(const double *x, const double *t, const double *gy, double *gx, int64_t n,
                             double scale) nogil
    double fg_l1_loss_fwd_f32(const float *x, const float *t, float *loss, int64_t n) nogil
    double fg_l1_loss_fwd_f64(const double *x, const double *t, double *loss, int64_t n) nogil
    void fg_l1_loss_bwd_f32(const float *x, const float *t, const float *gy, float *gx, int64_t n, float scale) nogil
    void fg_l1_loss_bwd_f64(const double *x, const double *t, const double *gy, double *gx, int64_t n,
                            double scale) nogil
    double fg_huber_loss_fwd_f32(const float *x, const float *t, float *loss, int64_t n, float delta) nogil
    double fg_huber_loss_fwd_f64(const double *x, const double *t, double *loss, int64_t n, double delta) nogil
    void fg_huber_loss_bwd_f32(const float *x, const float *t, const float *gy, float *gx, int64_t n, float scale,
                               float delta) nogil
    void fg_huber_loss_bwd_f64(const double *x, const double *t, const double *gy, double *gx, int64_t n,
                               double scale, double delta) nogil
    double fg_binary_cross_entropy_with_logits_fwd_f32(const float *x, const float *t, const float *pos_weight,
                                                       float *loss, int64_t rows, int64_t cols) nogil
    double fg_binary_cross_entropy_with_logits_fwd_f64(const double *x, const double *t, const double *pos_weight,
                                                       double *loss, int64_t rows, int64_t cols) nogil
    void fg_binary_cross_entropy_with_logits_bwd_f32(const float *x, const float *t, const float *pos_weight,
                                                     const float *gy, float *gx, int64_t rows, int64_t cols,
                                                     float scale) nogil
    void fg_binary_cross_entropy_with_logits_bwd_f64(const double *x, const double *t, const double *pos_weight,
                                                     const double *gy, double *gx, int64_t rows, int64_t cols,
                                                     double scale) nogil
    double fg_binary_cross_entropy_fwd_f32(const float *p, const float *t, float *loss, int64_t n,
                                           int64_t *invalid) nogil
    double fg_binary_cross_entropy_fwd_f64(const double *p, const double *t, double *loss, int64_t n,
                                           int64_t *invalid) nogil
    void fg_binary_cross_entropy_bwd_f32(const float *p, const float *t, const float *gy, float *gx, int64_t n,
                                         float scale) nogil
    void fg_binary_cross_entropy_bwd_f64(const double *p, const double *t, const double *gy, double *gx,
                                         int64_t n, double scale) nogil

ctypedef void (*rows_f32)(const float *, float *, int64_t, int64_t) noexcept nogil
ctypedef void (*rows_f64)(const double *, double *, int64_t, int64_t) noexcept nogil
ctypedef void (*rows2_f32)(const float *, const float *, float *, int64_t, int64_t) noexcept nogil
ctypedef void (*rows2_f64)(const double *, const double *, double *, int64_t, int64_t) noexcept nogil
ctypedef double (*loss_f32)(const float *, const float *, float *, int64_t) noexcept nogil
ctypedef double (*loss_f64)(const double *, const double *, double *, int64_t) noexcept nogil
ctypedef void (*loss_grad_f32)(const float *, const float *, const float *, float *, int64_t, float) noexcept nogil
ctypedef void (*loss_grad_f64)(const double *, const double *, const double *, double *, int64_t,
                               double) noexcept nogil

cdef object _I64 = np.dtype(np.int64)
_REDUCTIONS = ("none", "sum")


cdef inline void *data_or_null(object a):
    return NULL if a is None else cnp.PyArray_DATA(a)


cdef (int64_t, int64_t) rows_cols(object x):
    """(rows, cols) of x seen as rows of its last axis (a 0-d array is one row of one)."""
    if x.ndim == 0:
        return 1, 1
    cdef int64_t cols = x.shape[x.ndim - 1]
    return (x.size // cols if cols else 0), cols


cdef object run_rows(str op, object x, object out, rows_f32 k32, rows_f64 k64):
    x = float_input(op, "x", x)
    y = result_for(op, out, x)
    check_no_partial_overlap(op, y, x)
    rows, cols = rows_cols(x)
    cdef int64_t r = rows, c = cols
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    if x.size == 0:
        return y
    if is_f32(x):
        with nogil:
            k32(<const float *>px, <float *>py, r, c)
    else:
        with nogil:
            k64(<const double *>px, <double *>py, r, c)
    return y


cdef object run_rows2(str op, object y, object gy, object out, rows2_f32 k32, rows2_f64 k64):
    y = float_array(op, "y", y)
    gy = kernel_ready(same_array(op, "grad", gy, y))
    y = kernel_ready(y)
    gx = result_for(op, out, y)
    check_no_partial_overlap(op, gx, y)
    check_no_partial_overlap(op, gx, gy)
    rows, cols = rows_cols(y)
    cdef int64_t r = rows, c = cols
    cdef void *py = cnp.PyArray_DATA(y)
    cdef void *pg = cnp.PyArray_DATA(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if y.size == 0:
        return gx
    if is_f32(y):
        with nogil:
            k32(<const float *>py, <const float *>pg, <float *>po, r, c)
    else:
        with nogil:
            k64(<const double *>py, <const double *>pg, <double *>po, r, c)
    return gx


def softmax_fwd(x, out=None):
    """y = exp(x - max) / sum(exp(x - max)) along the last axis."""
    return run_rows("softmax", x, out, fg_softmax_fwd_f32, fg_softmax_fwd_f64)


def softmax_bwd(y, gy, out=None):
    """gx = y * (gy - sum(gy * y)) along the last axis, from the output y."""
    return run_rows2("softmax_backward", y, gy, out, fg_softmax_bwd_f32, fg_softmax_bwd_f64)


def log_softmax_fwd(x, out=None):
    """y = x - logsumexp(x) along the last axis (the maximum subtracted first)."""
    return run_rows("log_softmax", x, out, fg_log_softmax_fwd_f32, fg_log_softmax_fwd_f64)


def log_softmax_bwd(y, gy, out=None):
    """gx = gy - exp(y) * sum(gy) along the last axis, from the output y."""
    return run_rows2("log_softmax_backward", y, gy, out, fg_log_softmax_bwd_f32, fg_log_softmax_bwd_f64)


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


cdef object class_indices(str op, object target, object logits, int64_t ignore_index):
    """target as C-contiguous int64 of shape (rows,), every entry a class or ignore_index."""
    if not isinstance(target, np.ndarray):
        raise TypeError(f"{op}: argument 'target' must be a numpy.ndarray, got {type(target).__name__}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'target' has dtype {target.dtype}; class indices must be integers")
    if target.shape != (logits.shape[0],):
        raise ValueError(f"{op}: argument 'target' has shape {target.shape}, expected ({logits.shape[0]},)")
    cdef int64_t classes = logits.shape[1]
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
    rows, cols = logits.shape
    loss = np.empty(rows, dtype=logits.dtype)
    cdef int64_t r = rows, c = cols
    cdef void *px = cnp.PyArray_DATA(logits)
    cdef int64_t *pt = <int64_t *>cnp.PyArray_DATA(target)
    cdef void *pw = data_or_null(weight)
    cdef void *pl = cnp.PyArray_DATA(loss)
    if is_f32(logits):
        with nogil:
            fg_cross_entropy_fwd_f32(<const float *>px, pt, <const float *>pw, <float *>pl, r, c, ignore,
                                     <float>eps)
    else:
        with nogil:
            fg_cross_entropy_fwd_f64(<const double *>px, pt, <const double *>pw, <double *>pl, r, c, ignore, eps)
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
    rows, cols = logits.shape
    cdef int64_t r = rows, c = cols
    cdef void *px = cnp.PyArray_DATA(logits)
    cdef int64_t *pt = <int64_t *>cnp.PyArray_DATA(target)
    cdef void *pw = data_or_null(weight)
    cdef void *pg = cnp.PyArray_DATA(grad)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(logits):
        with nogil:
            fg_cross_entropy_bwd_f32(<const float *>px, pt, <const float *>pw, <const float *>pg, <float *>po,
                                     r, c, ignore, <float>eps)
    else:
        with nogil:
            fg_cross_entropy_bwd_f64(<const double *>px, pt, <const double *>pw, <const double *>pg,
                                     <double *>po, r, c, ignore, eps)
    return gx


cdef object ones_weight(object weight, object logits):
    return np.ones(logits.shape[1], dtype=logits.dtype) if weight is None else weight


def soft_cross_entropy_fwd(logits, target, *, weight=None, label_smoothing=0.0):
    """Per-row loss of cross entropy with class probabilities.

    logits and target (rows, C).  With q' = (1 - e) target + e / C, returns
    the (rows,) loss sum_c w_c q'_c (lse - x_c)."""
    op = "cross_entropy"
    logits = logits_input(op, logits)
    target = same_array(op, "target", target, logits)
    weight = ones_weight(class_weight(op, weight, logits), logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits = kernel_ready(logits)
    target = kernel_ready(target)
    rows, cols = logits.shape
    loss = np.empty(rows, dtype=logits.dtype)
    cdef int64_t r = rows, c = cols
    cdef void *px = cnp.PyArray_DATA(logits)
    cdef void *pq = cnp.PyArray_DATA(target)
    cdef void *pw = cnp.PyArray_DATA(weight)
    cdef void *pl = cnp.PyArray_DATA(loss)
    if is_f32(logits):
        with nogil:
            fg_soft_cross_entropy_fwd_f32(<const float *>px, <const float *>pq, <const float *>pw, <float *>pl,
                                          r, c, <float>eps)
    else:
        with nogil:
            fg_soft_cross_entropy_fwd_f64(<const double *>px, <const double *>pq, <const double *>pw,
                                          <double *>pl, r, c, eps)
    return loss


def soft_cross_entropy_bwd(logits, target, *, grad, weight=None, label_smoothing=0.0, out=None):
    """Gradient in the logits of soft_cross_entropy_fwd's per-row loss:
    gx = grad_r * (p_c sum_k w_k q'_k - w_c q'_c)."""
    op = "cross_entropy_backward"
    logits = logits_input(op, logits)
    target = same_array(op, "target", target, logits)
    weight = ones_weight(class_weight(op, weight, logits), logits)
    grad = row_vector(op, "grad", grad, logits)
    cdef double eps = smoothing(op, label_smoothing)
    logits = kernel_ready(logits)
    target = kernel_ready(target)
    gx = result_for(op, out, logits)
    check_no_partial_overlap(op, gx, logits)
    # The kernel reads a whole row of the target after writing the row's
    # output, so even an exactly aliased target would be overwritten.
    check_no_overlap(op, gx, target, "target")
    check_no_overlap(op, gx, grad, "grad")
    check_no_overlap(op, gx, weight, "weight")
    rows, cols = logits.shape
    cdef int64_t r = rows, c = cols
    cdef void *px = cnp.PyArray_DATA(logits)
    cdef void *pq = cnp.PyArray_DATA(target)
    cdef void *pw = cnp.PyArray_DATA(weight)
    cdef void *pg = cnp.PyArray_DATA(grad)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(logits):
        with nogil:
            fg_soft_cross_entropy_bwd_f32(<const float *>px, <const float *>pq, <const float *>pw,
                                          <const float *>pg, <float *>po, r, c, <float>eps)
    else:
        with nogil:
            fg_soft_cross_entropy_bwd_f64(<const double *>px, <const double *>pq, <const double *>pw,
                                          <const double *>pg, <double *>po, r, c, eps)
    return gx


# ---- pointwise losses ------------------------------------------------------------------

cdef object reduced_output(str op, object reduction, object x):
    """The loss array for reduction='none', or None for 'sum' (the kernel only sums)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: argument 'reduction' must be 'none' or 'sum' here, got {reduction!r}")
    return new_output(x.shape, x.dtype) if reduction == "none" else None


cdef object loss_result(object loss, double total, object x):
    return loss if loss is not None else np.array(total, dtype=x.dtype)


cdef object optional_grad(str op, object gy, object like):
    return None if gy is None else same_array(op, "grad", gy, like)


cdef object ready_or_none(object a):
    return None if a is None else kernel_ready(a)


cdef object run_loss(str op, object x, object t, object reduction, loss_f32 k32, loss_f64 k64):
    # IN x, t (same shape); OUT the elementwise loss, or its sum as a 0-d array
    x = float_array(op, "input", x)
    t = kernel_ready(same_array(op, "target", t, x))
    x = kernel_ready(x)
    loss = reduced_output(op, reduction, x)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pl = data_or_null(loss)
    cdef double total
    if is_f32(x):
        with nogil:
            total = k32(<const float *>px, <const float *>pt, <float *>pl, n)
    else:
        with nogil:
            total = k64(<const double *>px, <const double *>pt, <double *>pl, n)
    return loss_result(loss, total, x)


cdef object run_loss_grad(str op, object x, object t, object gy, object scale, object out,
                          loss_grad_f32 k32, loss_grad_f64 k64):
    # IN x, t, gy (same shape, gy optional); OUT gx = scale * gy * dloss/dx
    x = float_array(op, "input", x)
    t = same_array(op, "target", t, x)
    gy = ready_or_none(optional_grad(op, gy, x))
    x, t = kernel_ready(x), kernel_ready(t)
    gx = result_for(op, out, x)
    check_no_partial_overlap(op, gx, x)
    check_no_partial_overlap(op, gx, t)
    if gy is not None:
        check_no_partial_overlap(op, gx, gy)
    cdef double s = float(scale)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pg = data_or_null(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(x):
        with nogil:
            k32(<const float *>px, <const float *>pt, <const float *>pg, <float *>po, n, <float>s)
    else:
        with nogil:
            k64(<const double *>px, <const double *>pt, <const double *>pg, <double *>po, n, s)
    return gx


def mse_loss_fwd(x, t, *, reduction="none"):
    """(x - t)^2 elementwise, or its sum (reduction='sum') as a 0-d array."""
    return run_loss("mse_loss", x, t, reduction, fg_mse_loss_fwd_f32, fg_mse_loss_fwd_f64)


def mse_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * 2 (x - t) (gy = 1 when not given)."""
    return run_loss_grad("mse_loss_backward", x, t, gy, scale, out, fg_mse_loss_bwd_f32, fg_mse_loss_bwd_f64)


def l1_loss_fwd(x, t, *, reduction="none"):
    """|x - t| elementwise, or its sum (reduction='sum') as a 0-d array."""
    return run_loss("l1_loss", x, t, reduction, fg_l1_loss_fwd_f32, fg_l1_loss_fwd_f64)


def l1_loss_bwd(x, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * sign(x - t), sign(0) = 0."""
    return run_loss_grad("l1_loss_backward", x, t, gy, scale, out, fg_l1_loss_bwd_f32, fg_l1_loss_bwd_f64)


cdef double positive_param(str op, str arg, object value) except -1:
    cdef double v = float(value)
    if not v > 0:
        raise ValueError(f"{op}: argument '{arg}' must be positive, got {value}")
    return v


def huber_loss_fwd(x, t, *, delta=1.0, reduction="none"):
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = x - t."""
    op = "huber_loss"
    cdef double dl = positive_param(op, "delta", delta)
    x = float_array(op, "input", x)
    t = kernel_ready(same_array(op, "target", t, x))
    x = kernel_ready(x)
    loss = reduced_output(op, reduction, x)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pl = data_or_null(loss)
    cdef double total
    if is_f32(x):
        with nogil:
            total = fg_huber_loss_fwd_f32(<const float *>px, <const float *>pt, <float *>pl, n, <float>dl)
    else:
        with nogil:
            total = fg_huber_loss_fwd_f64(<const double *>px, <const double *>pt, <double *>pl, n, dl)
    return loss_result(loss, total, x)


def huber_loss_bwd(x, t, gy=None, *, delta=1.0, scale=1.0, out=None):
    """gx = scale * gy * clip(x - t, -delta, delta)."""
    op = "huber_loss_backward"
    cdef double dl = positive_param(op, "delta", delta)
    x = float_array(op, "input", x)
    t = same_array(op, "target", t, x)
    gy = ready_or_none(optional_grad(op, gy, x))
    x, t = kernel_ready(x), kernel_ready(t)
    gx = result_for(op, out, x)
    check_no_partial_overlap(op, gx, x)
    check_no_partial_overlap(op, gx, t)
    if gy is not None:
        check_no_partial_overlap(op, gx, gy)
    cdef double s = float(scale)
    cdef int64_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pg = data_or_null(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(x):
        with nogil:
            fg_huber_loss_bwd_f32(<const float *>px, <const float *>pt, <const float *>pg, <float *>po, n,
                                  <float>s, <float>dl)
    else:
        with nogil:
            fg_huber_loss_bwd_f64(<const double *>px, <const double *>pt, <const double *>pg, <double *>po, n,
                                  s, dl)
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
    op = "binary_cross_entropy_with_logits"
    x = float_array(op, "input", x)
    t = same_array(op, "target", t, x)
    loss = reduced_output(op, reduction, x)
    cdef int64_t rows, cols
    pw = pos_weight_rows(op, pos_weight, x, &rows, &cols)
    x, t = kernel_ready(x), kernel_ready(t)
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pp = data_or_null(pw)
    cdef void *pl = data_or_null(loss)
    cdef double total
    if is_f32(x):
        with nogil:
            total = fg_binary_cross_entropy_with_logits_fwd_f32(<const float *>px, <const float *>pt,
                                                                <const float *>pp, <float *>pl, rows, cols)
    else:
        with nogil:
            total = fg_binary_cross_entropy_with_logits_fwd_f64(<const double *>px, <const double *>pt,
                                                                <const double *>pp, <double *>pl, rows, cols)
    return loss_result(loss, total, x)


def binary_cross_entropy_with_logits_bwd(x, t, gy=None, *, pos_weight=None, scale=1.0, out=None):
    """gx = scale * gy * ((1 + (pw - 1) t) sigmoid(x) - pw t)."""
    op = "binary_cross_entropy_with_logits_backward"
    x = float_array(op, "input", x)
    t = same_array(op, "target", t, x)
    gy = optional_grad(op, gy, x)
    cdef int64_t rows, cols
    pw = pos_weight_rows(op, pos_weight, x, &rows, &cols)
    x, t, gy = kernel_ready(x), kernel_ready(t), ready_or_none(gy)
    gx = result_for(op, out, x)
    check_no_partial_overlap(op, gx, x)
    check_no_partial_overlap(op, gx, t)
    if gy is not None:
        check_no_partial_overlap(op, gx, gy)
    cdef double s = float(scale)
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pp = data_or_null(pw)
    cdef void *pg = data_or_null(gy)
    cdef void *po = cnp.PyArray_DATA(gx)
    if is_f32(x):
        with nogil:
            fg_binary_cross_entropy_with_logits_bwd_f32(<const float *>px, <const float *>pt, <const float *>pp,
                                                        <const float *>pg, <float *>po, rows, cols, <float>s)
    else:
        with nogil:
            fg_binary_cross_entropy_with_logits_bwd_f64(<const double *>px, <const double *>pt,
                                                        <const double *>pp, <const double *>pg, <double *>po,
                                                        rows, cols, s)
    return gx


def binary_cross_entropy_fwd(p, t, *, reduction="none"):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100, elementwise or summed.

    Raises ValueError when an input or target lies outside [0, 1]."""
    op = "binary_cross_entropy"
    p = float_array(op, "input", p)
    t = kernel_ready(same_array(op, "target", t, p))
    p = kernel_ready(p)
    loss = reduced_output(op, reduction, p)
    cdef int64_t n = p.size, invalid = 0
    cdef void *pp = cnp.PyArray_DATA(p)
    cdef void *pt = cnp.PyArray_DATA(t)
    cdef void *pl = data_or_null(loss)
    cdef double total
    if is_f32(p):
        with nogil:
            total = fg_binary_cross_entropy_fwd_f32(<const float *>pp, <const float *>pt, <float *>pl, n, &invalid)
    else:
        with nogil:
            total = fg_binary_cross_entropy_fwd_f64(<const double *>pp, <const double *>pt, <double *>pl, n,
                                                    &invalid)
    if invalid:
        raise ValueError(f"{op}: all elements of input and target should be between 0 and 1 "
                         f"({invalid} are not)")
    return loss_result(loss, total, p)


def binary_cross_entropy_bwd(p, t, gy=None, *, scale=1.0, out=None):
    """gx = scale * gy * (p - t) / max(p (1 - p), 1e-12)."""
    return run_loss_grad("binary_cross_entropy_backward", p, t, gy, scale, out, fg_binary_cross_entropy_bwd_f32,
                         fg_binary_cross_entropy_bwd_f64)
