# The softmax of scaled dot-product attention (csrc/attention.c).  Scores are
# (..., rows, cols) with any leading axes; the mask is a float array of the
# scores' dtype that broadcasts to them, read through its strides (never
# copied unless more than two leading axes have to be folded into two).

cdef extern from "fastgrad.h":
    ctypedef struct fg_attention_shape:
        int64_t outer, heads, rows, cols
        int64_t mask_outer, mask_heads, mask_row, mask_col
        int causal
    enum: fg_attention_softmax_fwd, fg_attention_softmax_bwd


cdef tuple four_axes(tuple shape):
    """(outer, heads, rows, cols) of a (..., rows, cols) shape: leading axes folded into two."""
    cdef Py_ssize_t n = len(shape)
    lead = (1, 1) + shape[:n - 2]
    cdef Py_ssize_t m = len(lead)
    outer = 1
    for size in lead[:m - 1]:
        outer *= size
    return (outer, lead[m - 1], shape[n - 2], shape[n - 1])


cdef object attention_scores(str op, object scores):
    scores = float_input(op, "scores", scores)
    if scores.ndim < 2:
        raise ValueError(f"{op}: argument 'scores' must have at least 2 axes (rows, cols), got shape "
                         f"{scores.shape}")
    return scores


cdef object attention_mask(str op, object mask, object scores, fg_attention_shape *a):
    """The mask as a 4-d broadcast view of the scores' dtype; its element strides go into a."""
    a.mask_outer = a.mask_heads = a.mask_row = a.mask_col = 0
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"{op}: argument 'mask' must be a numpy.ndarray or None, got {type(mask).__name__}")
    if mask.dtype.kind != "f":
        raise TypeError(f"{op}: argument 'mask' has dtype {mask.dtype}; expected a float mask (added to the "
                        "scores)")
    try:
        view = np.broadcast_to(mask.astype(scores.dtype, copy=False), scores.shape)
    except ValueError:
        raise ValueError(f"{op}: argument 'mask' of shape {mask.shape} does not broadcast to the scores' shape "
                         f"{scores.shape}") from None
    view = view.reshape(four_axes(scores.shape))
    itemsize = view.dtype.itemsize
    if not view.flags.aligned or any(s % itemsize for s in view.strides):
        view = np.ascontiguousarray(view)
    a.mask_outer, a.mask_heads, a.mask_row, a.mask_col = [s // itemsize for s in view.strides]
    return view


cdef void fill_attention_shape(fg_attention_shape *a, tuple shape, bint causal):
    a.outer, a.heads, a.rows, a.cols = four_axes(shape)
    a.causal = 1 if causal else 0


def attention_softmax_fwd(scores, *, mask=None, causal=False):
    """p = softmax(scores + mask) along the last axis, columns c > r of row r left out when causal; a row
    with nothing left (all -inf) is zeros.  mask: None or a float array broadcasting to scores."""
    op = "attention_softmax"
    scores = attention_scores(op, scores)
    cdef fg_attention_shape a
    fill_attention_shape(&a, scores.shape, causal)
    view = attention_mask(op, mask, scores, &a)
    p = new_output(scores.shape, scores.dtype)
    cdef address ps = data_of(scores), pm = data_of(view), pp = data_of(p)
    cdef bint f32 = is_f32(scores)
    with nogil:
        by_dtype(f32, fg_attention_softmax_fwd, ps, pm, pp, &a)
    return p


def attention_softmax_bwd(p, gp, *, keep=None, keep_scale=1.0):
    """gs = p (d - sum(p d)) along the last axis, d = gp * keep * keep_scale: the scores' gradient from the
    probabilities p and the gradient gp of the kept ones (keep: None or dropout's bool array of p's shape)."""
    op = "attention_softmax_backward"
    p = attention_scores(op, p)
    gp = kernel_ready(matching(op, "grad", gp, p.dtype, p.shape))
    if not isinstance(keep_scale, (int, float, np.floating, np.integer)):
        raise TypeError(f"{op}: argument 'keep_scale' must be a number, got {type(keep_scale).__name__}")
    cdef double ks = float(keep_scale)
    if keep is not None:
        if not isinstance(keep, np.ndarray) or keep.dtype != np.bool_:
            raise TypeError(f"{op}: argument 'keep' must be a bool numpy.ndarray or None, got "
                            f"{getattr(keep, 'dtype', type(keep).__name__)}")
        if keep.shape != p.shape:
            raise ValueError(f"{op}: argument 'keep' has shape {keep.shape}, expected {p.shape}")
        keep = kernel_ready(keep)
    cdef fg_attention_shape a
    fill_attention_shape(&a, p.shape, False)
    a.mask_outer = a.mask_heads = a.mask_row = a.mask_col = 0
    gs = new_output(p.shape, p.dtype)
    cdef address pp = data_of(p), pg = data_of(gp), pk = data_of(keep), po = data_of(gs)
    cdef bint f32 = is_f32(p)
    with nogil:
        by_dtype(f32, fg_attention_softmax_bwd, pp, pg, pk, po, &a, ks)
    return gs
