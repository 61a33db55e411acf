# The gates of one LSTM or GRU time step (csrc/recurrent.c).  Arrays are (rows, k * hidden):
# the gate arrays positionally, the states and gradients of other widths as keywords.

cdef extern from "fastgrad.h":
    enum: fg_lstm_cell_fwd, fg_lstm_cell_bwd, fg_gru_cell_fwd, fg_gru_cell_bwd


cdef object gate_input(str op, str arg, object a, int gates):
    """a as a C-contiguous float (rows, gates * hidden) array, or raise."""
    a = float_input(op, arg, a)
    if a.ndim != 2 or a.shape[1] % gates:
        raise ValueError(f"{op}: argument '{arg}' must be 2-d (rows, {gates} * hidden), got shape {a.shape}")
    return a


cdef object state_input(str op, str arg, object a, object like, Py_ssize_t width):
    """a as a C-contiguous (rows, width) array of like's dtype, or raise."""
    a = float_array(op, arg, a)
    if a.dtype != like.dtype:
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}, expected {like.dtype}")
    if a.shape != (like.shape[0], width):
        raise ValueError(f"{op}: argument '{arg}' has shape {a.shape}, expected {(like.shape[0], width)}")
    return kernel_ready(a)


def lstm_cell_fwd(gates, *, c_prev):
    """(hc, act): gates (rows, 4 hidden: i, f, g, o) and c_prev (rows, hidden) -> hc = [h, c] (rows, 2 hidden)
    with c = sigmoid(f) c_prev + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c); act holds the activated gates."""
    op = "lstm_cell"
    gates = gate_input(op, "gates", gates, 4)
    cdef int64_t rows = gates.shape[0], hidden = gates.shape[1] // 4
    c_prev = state_input(op, "c_prev", c_prev, gates, hidden)
    hc = np.empty((rows, 2 * hidden), dtype=gates.dtype)
    act = np.empty(gates.shape, dtype=gates.dtype)
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
    ggates = np.empty(act.shape, dtype=act.dtype)
    gc_prev = np.empty((rows, hidden), dtype=act.dtype)
    cdef address ps = data_of(act), pc = data_of(c_prev), ph = data_of(hc), pg = data_of(grad)
    cdef address pga = data_of(ggates), pgc = data_of(gc_prev)
    cdef bint f32 = is_f32(act)
    with nogil:
        by_dtype(f32, fg_lstm_cell_bwd, ps, pc, ph, pg, pga, pgc, rows, hidden)
    return ggates, gc_prev


def gru_cell_fwd(gi, gh, *, h_prev):
    """(h, act): gi = W_ih x + b_ih and gh = W_hh h_prev + b_hh (rows, 3 hidden: r, z, n) and h_prev ->
    h = (1 - z) n + z h_prev with r, z = sigmoid(gi + gh), n = tanh(gi_n + r gh_n); act holds r, z, n."""
    op = "gru_cell"
    gi = gate_input(op, "gi", gi, 3)
    gh = same_input(op, "gh", gh, gi)
    cdef int64_t rows = gi.shape[0], hidden = gi.shape[1] // 3
    h_prev = state_input(op, "h_prev", h_prev, gi, hidden)
    h = np.empty((rows, hidden), dtype=gi.dtype)
    act = np.empty(gi.shape, dtype=gi.dtype)
    cdef address px = data_of(gi), py = data_of(gh), pp = data_of(h_prev), ph = data_of(h)
    cdef address ps = data_of(act)
    cdef bint f32 = is_f32(gi)
    with nogil:
        by_dtype(f32, fg_gru_cell_fwd, px, py, pp, ph, ps, rows, hidden)
    return h, act


def gru_cell_bwd(act, gh, *, h_prev, grad):
    """(ggi, ggh, gh_prev) of gru_cell_fwd from its act, gh, h_prev and grad, the gradient of h."""
    op = "gru_cell_backward"
    act = gate_input(op, "act", act, 3)
    gh = same_input(op, "gh", gh, act)
    cdef int64_t rows = act.shape[0], hidden = act.shape[1] // 3
    h_prev = state_input(op, "h_prev", h_prev, act, hidden)
    grad = state_input(op, "grad", grad, act, hidden)
    ggi = np.empty(act.shape, dtype=act.dtype)
    ggh = np.empty(act.shape, dtype=act.dtype)
    gh_prev = np.empty((rows, hidden), dtype=act.dtype)
    cdef address ps = data_of(act), py = data_of(gh), pp = data_of(h_prev), pg = data_of(grad)
    cdef address pgi = data_of(ggi), pgh = data_of(ggh), pgp = data_of(gh_prev)
    cdef bint f32 = is_f32(act)
    with nogil:
        by_dtype(f32, fg_gru_cell_bwd, ps, py, pp, pg, pgi, pgh, pgp, rows, hidden)
    return ggi, ggh, gh_prev
