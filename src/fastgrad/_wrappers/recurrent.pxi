# The gates of one LSTM or GRU time step, and LSTM and GRU layers over a sequence (csrc/recurrent.c).
# Step arrays are (rows, k * hidden): the gate arrays positionally, the states and gradients
# of other widths as keywords.

cdef extern from "fastgrad.h":
    enum: fg_lstm_cell_fwd, fg_lstm_cell_bwd, fg_gru_cell_fwd, fg_gru_cell_bwd
    enum: fg_lstm_seq_fwd, fg_lstm_seq_bwd, fg_gru_seq_fwd, fg_gru_seq_bwd, fg_rnn_seq_fwd, fg_rnn_seq_bwd


cdef object gate_input(str op, str arg, object a, int gates, bint sequence=False):
    """a as a kernel-ready float ([steps,] rows, gates * hidden) array, or raise."""
    a = float_input(op, arg, a)
    if a.ndim != 2 + sequence or a.shape[a.ndim - 1] % gates:
        axes = "(steps, rows, " if sequence else "(rows, "
        raise ValueError(f"{op}: argument '{arg}' must be {2 + sequence}-d {axes}{gates} * hidden), got shape "
                         f"{a.shape}")
    return a


cdef object shape_checked(str op, str arg, object a, object like, tuple shape):
    """a as a kernel-ready array of like's dtype and the given shape, or raise."""
    return kernel_ready(matching(op, arg, a, like.dtype, shape))


cdef object state_input(str op, str arg, object a, object like, Py_ssize_t width):
    """a as a kernel-ready (rows, width) array of like's dtype, or raise."""
    return shape_checked(op, arg, a, like, (like.shape[0], width))


def lstm_cell_fwd(gates, *, c_prev):
    """(hc, act): gates (rows, 4 hidden: i, f, g, o), c_prev (rows, hidden) -> hc = [h, c] with c = s(f) c_prev
    + s(i) tanh(g), h = s(o) tanh(c), s = sigmoid; act holds the activated gates."""
    op = "lstm_cell"
    gates = gate_input(op, "gates", gates, 4)
    cdef int64_t rows = gates.shape[0], hidden = gates.shape[1] // 4
    c_prev = state_input(op, "c_prev", c_prev, gates, hidden)
    hc = new_output((rows, 2 * hidden), gates.dtype)
    act = new_output(gates.shape, gates.dtype)
    cdef address pa = data_of(gates), pc = data_of(c_prev), ph = data_of(hc), ps = data_of(act)
    cdef bint f32 = is_f32(gates)
    with nogil:
        by_dtype(f32, fg_lstm_cell_fwd, pa, pc, ph, ps, rows, hidden)
    return hc, act


def lstm_cell_bwd(act, *, c_prev, hc, grad):
    """(ggates, gc_prev) of lstm_cell_fwd from its act and hc, c_prev and grad, the gradient of hc."""
    op = "lstm_cell_backward"
    act = gate_input(op, "act", act, 4)
    cdef int64_t rows = act.shape[0], hidden = act.shape[1] // 4
    c_prev = state_input(op, "c_prev", c_prev, act, hidden)
    hc = state_input(op, "hc", hc, act, 2 * hidden)
    grad = state_input(op, "grad", grad, act, 2 * hidden)
    ggates = new_output(act.shape, act.dtype)
    gc_prev = new_output((rows, hidden), act.dtype)
    cdef address ps = data_of(act), pc = data_of(c_prev), ph = data_of(hc), pg = data_of(grad)
    cdef address pga = data_of(ggates), pgc = data_of(gc_prev)
    cdef bint f32 = is_f32(act)
    with nogil:
        by_dtype(f32, fg_lstm_cell_bwd, ps, pc, ph, pg, pga, pgc, rows, hidden)
    return ggates, gc_prev


def gru_cell_fwd(gi, gh, *, h_prev):
    """(h, act): gi = W_ih x + b_ih, gh = W_hh h_prev + b_hh (rows, 3 hidden: r, z, n) -> h = (1 - z) n + z h_prev
    with r, z = sigmoid(gi + gh), n = tanh(gi_n + r gh_n); act holds r, z, n."""
    op = "gru_cell"
    gi = gate_input(op, "gi", gi, 3)
    gh = shape_checked(op, "gh", gh, gi, gi.shape)
    cdef int64_t rows = gi.shape[0], hidden = gi.shape[1] // 3
    h_prev = state_input(op, "h_prev", h_prev, gi, hidden)
    h = new_output((rows, hidden), gi.dtype)
    act = new_output(gi.shape, gi.dtype)
    cdef address px = data_of(gi), py = data_of(gh), pp = data_of(h_prev), ph = data_of(h), ps = data_of(act)
    cdef bint f32 = is_f32(gi)
    with nogil:
        by_dtype(f32, fg_gru_cell_fwd, px, py, pp, ph, ps, rows, hidden)
    return h, act


def gru_cell_bwd(act, gh, *, h_prev, grad):
    """(ggi, ggh, gh_prev) of gru_cell_fwd from its act, gh, h_prev and grad, the gradient of h."""
    op = "gru_cell_backward"
    act = gate_input(op, "act", act, 3)
    gh = shape_checked(op, "gh", gh, act, act.shape)
    cdef int64_t rows = act.shape[0], hidden = act.shape[1] // 3
    h_prev = state_input(op, "h_prev", h_prev, act, hidden)
    grad = state_input(op, "grad", grad, act, hidden)
    ggi = new_output(act.shape, act.dtype)
    ggh = new_output(act.shape, act.dtype)
    gh_prev = new_output((rows, hidden), act.dtype)
    cdef address ps = data_of(act), py = data_of(gh), pp = data_of(h_prev), pg = data_of(grad)
    cdef address pgi = data_of(ggi), pgh = data_of(ggh), pgp = data_of(gh_prev)
    cdef bint f32 = is_f32(act)
    with nogil:
        by_dtype(f32, fg_gru_cell_bwd, ps, py, pp, pg, pgi, pgh, pgp, rows, hidden)
    return ggi, ggh, gh_prev


cdef extern from "fastgrad.h":
    enum: FG_PRODUCTS_BLAS, FG_PRODUCTS_ONEDNN, FG_PRODUCTS_FAILED


cdef int products_of(str op, bint onednn, object a) except -1:
    """FG_PRODUCTS_ONEDNN when oneDNN runs the products (float32 only), else FG_PRODUCTS_BLAS."""
    if not onednn:
        return FG_PRODUCTS_BLAS
    if not is_f32(a):
        raise ValueError(f"{op}: onednn=True runs float32 products only, got {a.dtype}")
    return FG_PRODUCTS_ONEDNN


cdef check_gemm_status(str op, int status):
    if status == FG_PRODUCTS_FAILED:
        raise RuntimeError(f"{op}: oneDNN's matmul is not loaded or refused the product "
                           "(see fastgrad.backend.onednn_gemm)")
    if status == FG_BLAS_NOT_LOADED:
        raise RuntimeError(f"{op}: the sequence kernel runs its products through MKL, which is not "
                           "loaded (pip install mkl; fastgrad.set_blas('mkl'))")
    if status != FG_BLAS_OK:
        raise ValueError(f"{op}: the sizes do not fit the BLAS library's integers")


def lstm_seq_fwd(gates, *, w_hh, h0, c0, bias=None, onednn=False):
    """(hc, act) of an LSTM layer over gates (steps, rows, 4 hidden) = x_t W_ih^T, w_hh (4 hidden, hidden), h0, c0,
    bias (4 hidden) or None, with MKL's GEMM (oneDNN's matmul if onednn, float32): hc (2, steps + 1, rows,
    hidden) holds h and c, act the gates."""
    op = "lstm_sequence"
    gates = gate_input(op, "gates", gates, 4, True)
    cdef int products = products_of(op, onednn, gates)
    cdef int64_t steps = gates.shape[0], rows = gates.shape[1], hidden = gates.shape[2] // 4
    w_hh = shape_checked(op, "w_hh", w_hh, gates, (4 * hidden, hidden))
    h0 = shape_checked(op, "h0", h0, gates, (rows, hidden))
    c0 = shape_checked(op, "c0", c0, gates, (rows, hidden))
    if bias is not None:
        bias = shape_checked(op, "bias", bias, gates, (4 * hidden,))
    hc = new_output((2, steps + 1, rows, hidden), gates.dtype)
    hc[0, 0] = h0
    hc[1, 0] = c0
    act = new_output(gates.shape, gates.dtype)
    scratch = new_output((rows, 4 * hidden), gates.dtype)
    cdef address px = data_of(gates), pb = data_of(bias), pw = data_of(w_hh), ph = data_of(hc)
    cdef address ps = data_of(act), pt = data_of(scratch)
    cdef bint f32 = is_f32(gates)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_lstm_seq_fwd, px, pb, pw, ph, ps, pt, steps, rows, hidden, products)
    check_gemm_status(op, status)
    return hc, act


def lstm_seq_bwd(act, *, w_hh, hc, grad, onednn=False):
    """(ggates, grad0) of lstm_seq_fwd from its act, hc, w_hh and grad (of hc): ggates (steps, rows, 4 hidden)
    of the pre-activations, grad0 (2, rows, hidden) of h0 and c0."""
    op = "lstm_sequence_backward"
    act = gate_input(op, "act", act, 4, True)
    cdef int products = products_of(op, onednn, act)
    cdef int64_t steps = act.shape[0], rows = act.shape[1], hidden = act.shape[2] // 4
    w_hh = shape_checked(op, "w_hh", w_hh, act, (4 * hidden, hidden))
    hc = shape_checked(op, "hc", hc, act, (2, steps + 1, rows, hidden))
    grad = shape_checked(op, "grad", grad, act, (2, steps + 1, rows, hidden))
    ggates = new_output(act.shape, act.dtype)
    grad0 = new_output((2, rows, hidden), act.dtype)
    scratch = new_output((3, rows, hidden), act.dtype)
    cdef address ps = data_of(act), pw = data_of(w_hh), ph = data_of(hc), pg = data_of(grad)
    cdef address pgg = data_of(ggates), pg0 = data_of(grad0), pt = data_of(scratch)
    cdef bint f32 = is_f32(act)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_lstm_seq_bwd, ps, pw, ph, pg, pgg, pg0, pt, steps, rows, hidden, products)
    check_gemm_status(op, status)
    return ggates, grad0


def gru_seq_fwd(gi, *, w_hh, h0, bias=None, onednn=False):
    """(h, gh, act) of a GRU layer over gi (steps, rows, 3 hidden) = x_t W_ih^T + b_ih, w_hh (3 hidden, hidden),
    h0, bias b_hh or None, with MKL's GEMM (or oneDNN's if onednn): h (steps + 1, rows, hidden),
    gh = h_t W_hh^T + b_hh, act the gates."""
    op = "gru_sequence"
    gi = gate_input(op, "gi", gi, 3, True)
    cdef int products = products_of(op, onednn, gi)
    cdef int64_t steps = gi.shape[0], rows = gi.shape[1], hidden = gi.shape[2] // 3
    w_hh = shape_checked(op, "w_hh", w_hh, gi, (3 * hidden, hidden))
    h0 = shape_checked(op, "h0", h0, gi, (rows, hidden))
    if bias is not None:
        bias = shape_checked(op, "bias", bias, gi, (3 * hidden,))
    h = new_output((steps + 1, rows, hidden), gi.dtype)
    h[0] = h0
    gh = new_output(gi.shape, gi.dtype)
    act = new_output(gi.shape, gi.dtype)
    cdef address px = data_of(gi), pb = data_of(bias), pw = data_of(w_hh), ph = data_of(h)
    cdef address py = data_of(gh), ps = data_of(act)
    cdef bint f32 = is_f32(gi)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_gru_seq_fwd, px, pb, pw, ph, py, ps, steps, rows, hidden, products)
    check_gemm_status(op, status)
    return h, gh, act


def gru_seq_bwd(act, gh, *, w_hh, h, grad, onednn=False):
    """(ggi, ggh, grad0) of gru_seq_fwd from its act, gh, h, w_hh and grad (of h): ggi and ggh
    (steps, rows, 3 hidden) of gi and gh, grad0 (rows, hidden) of h0."""
    op = "gru_sequence_backward"
    act = gate_input(op, "act", act, 3, True)
    cdef int products = products_of(op, onednn, act)
    gh = shape_checked(op, "gh", gh, act, act.shape)
    cdef int64_t steps = act.shape[0], rows = act.shape[1], hidden = act.shape[2] // 3
    w_hh = shape_checked(op, "w_hh", w_hh, act, (3 * hidden, hidden))
    h = shape_checked(op, "h", h, act, (steps + 1, rows, hidden))
    grad = shape_checked(op, "grad", grad, act, (steps + 1, rows, hidden))
    ggi = new_output(act.shape, act.dtype)
    ggh = new_output(act.shape, act.dtype)
    grad0 = new_output((rows, hidden), act.dtype)
    scratch = new_output((2, rows, hidden), act.dtype)
    cdef address ps = data_of(act), py = data_of(gh), pw = data_of(w_hh), ph = data_of(h)
    cdef address pg = data_of(grad), pgi = data_of(ggi), pgh = data_of(ggh), pg0 = data_of(grad0)
    cdef address pt = data_of(scratch)
    cdef bint f32 = is_f32(act)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_gru_seq_bwd, ps, py, pw, ph, pg, pgi, pgh, pg0, pt, steps, rows, hidden,
                              products)
    check_gemm_status(op, status)
    return ggi, ggh, grad0


def rnn_seq_fwd(gi, *, w_hh, h0, bint relu=False, onednn=False):
    """h (steps + 1, rows, hidden) of an Elman RNN layer over gi (steps, rows, hidden) = x_t W_ih^T + b_ih + b_hh,
    w_hh (hidden, hidden), h0: h_(t+1) = tanh (relu if relu) of gi[t] + h_t W_hh^T, products as lstm_seq_fwd's."""
    op = "rnn_sequence"
    gi = gate_input(op, "gi", gi, 1, True)
    cdef int products = products_of(op, onednn, gi)
    cdef int64_t steps = gi.shape[0], rows = gi.shape[1], hidden = gi.shape[2]
    w_hh = shape_checked(op, "w_hh", w_hh, gi, (hidden, hidden))
    h0 = shape_checked(op, "h0", h0, gi, (rows, hidden))
    h = new_output((steps + 1, rows, hidden), gi.dtype)
    h[0] = h0
    cdef address px = data_of(gi), pw = data_of(w_hh), ph = data_of(h)
    cdef bint f32 = is_f32(gi)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_rnn_seq_fwd, px, pw, ph, steps, rows, hidden, relu, products)
    check_gemm_status(op, status)
    return h


def rnn_seq_bwd(h, *, w_hh, grad, bint relu=False, onednn=False):
    """(gpre, grad0) of rnn_seq_fwd from its h, w_hh and grad (of h): gpre (steps, rows, hidden) of the
    pre-activations, grad0 (rows, hidden) of h0."""
    op = "rnn_sequence_backward"
    h = gate_input(op, "h", h, 1, True)
    cdef int products = products_of(op, onednn, h)
    cdef int64_t steps = h.shape[0] - 1, rows = h.shape[1], hidden = h.shape[2]
    if steps < 0:
        raise ValueError(f"{op}: argument 'h' must hold h_0 .. h_T (at least 1 step), got shape {h.shape}")
    w_hh = shape_checked(op, "w_hh", w_hh, h, (hidden, hidden))
    grad = shape_checked(op, "grad", grad, h, h.shape)
    gpre = new_output((steps, rows, hidden), h.dtype)
    grad0 = new_output((rows, hidden), h.dtype)
    cdef address ph = data_of(h), pw = data_of(w_hh), pg = data_of(grad), pp = data_of(gpre), p0 = data_of(grad0)
    cdef bint f32 = is_f32(h)
    cdef int status
    with nogil:
        status = by_dtype_int(f32, fg_rnn_seq_bwd, ph, pw, pg, pp, p0, steps, rows, hidden, relu, products)
    check_gemm_status(op, status)
    return gpre, grad0
