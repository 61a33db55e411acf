# The gates of one LSTM or GRU time step (csrc/recurrent.c).  Arrays are (rows, k * hidden):
# the gate arrays positionally, the states and gradients of other widths as keywords.

cdef extern from "fastgrad.h":
    void fg_lstm_cell_fwd_f32(const float *gates, const float *c_prev, float *hc, float *act, int64_t rows,
                              int64_t hidden) nogil
    void fg_lstm_cell_fwd_f64(const double *gates, const double *c_prev, double *hc, double *act, int64_t rows,
                              int64_t hidden) nogil
    void fg_lstm_cell_bwd_f32(const float *act, const float *c_prev, const float *hc, const float *ghc,
                              float *ggates, float *gc_prev, int64_t rows, int64_t hidden) nogil
    void fg_lstm_cell_bwd_f64(const double *act, const double *c_prev, const double *hc, const double *ghc,
                              double *ggates, double *gc_prev, int64_t rows, int64_t hidden) nogil
    void fg_gru_cell_fwd_f32(const float *gi, const float *gh, const float *h_prev, float *h, float *act,
                             int64_t rows, int64_t hidden) nogil
    void fg_gru_cell_fwd_f64(const double *gi, const double *gh, const double *h_prev, double *h, double *act,
                             int64_t rows, int64_t hidden) nogil
    void fg_gru_cell_bwd_f32(const float *act, const float *gh, const float *h_prev, const float *gy, float *ggi,
                             float *ggh, float *gh_prev, int64_t rows, int64_t hidden) nogil
    void fg_gru_cell_bwd_f64(const double *act, const double *gh, const double *h_prev, const double *gy,
                             double *ggi, double *ggh, double *gh_prev, int64_t rows, int64_t hidden) nogil


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
    cdef void *pa = cnp.PyArray_DATA(gates)
    cdef void *pc = cnp.PyArray_DATA(c_prev)
    cdef void *ph = cnp.PyArray_DATA(hc)
    cdef void *ps = cnp.PyArray_DATA(act)
    if is_f32(gates):
        with nogil:
            fg_lstm_cell_fwd_f32(<const float *>pa, <const float *>pc, <float *>ph, <float *>ps, rows, hidden)
    else:
        with nogil:
            fg_lstm_cell_fwd_f64(<const double *>pa, <const double *>pc, <double *>ph, <double *>ps, rows, hidden)
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
    cdef void *ps = cnp.PyArray_DATA(act)
    cdef void *pc = cnp.PyArray_DATA(c_prev)
    cdef void *ph = cnp.PyArray_DATA(hc)
    cdef void *pg = cnp.PyArray_DATA(grad)
    cdef void *pga = cnp.PyArray_DATA(ggates)
    cdef void *pgc = cnp.PyArray_DATA(gc_prev)
    if is_f32(act):
        with nogil:
            fg_lstm_cell_bwd_f32(<const float *>ps, <const float *>pc, <const float *>ph, <const float *>pg,
                                 <float *>pga, <float *>pgc, rows, hidden)
    else:
        with nogil:
            fg_lstm_cell_bwd_f64(<const double *>ps, <const double *>pc, <const double *>ph, <const double *>pg,
                                 <double *>pga, <double *>pgc, rows, hidden)
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
    cdef void *px = cnp.PyArray_DATA(gi)
    cdef void *py = cnp.PyArray_DATA(gh)
    cdef void *pp = cnp.PyArray_DATA(h_prev)
    cdef void *ph = cnp.PyArray_DATA(h)
    cdef void *ps = cnp.PyArray_DATA(act)
    if is_f32(gi):
        with nogil:
            fg_gru_cell_fwd_f32(<const float *>px, <const float *>py, <const float *>pp, <float *>ph, <float *>ps,
                                rows, hidden)
    else:
        with nogil:
            fg_gru_cell_fwd_f64(<const double *>px, <const double *>py, <const double *>pp, <double *>ph,
                                <double *>ps, rows, hidden)
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
    cdef void *ps = cnp.PyArray_DATA(act)
    cdef void *py = cnp.PyArray_DATA(gh)
    cdef void *pp = cnp.PyArray_DATA(h_prev)
    cdef void *pg = cnp.PyArray_DATA(grad)
    cdef void *pgi = cnp.PyArray_DATA(ggi)
    cdef void *pgh = cnp.PyArray_DATA(ggh)
    cdef void *pgp = cnp.PyArray_DATA(gh_prev)
    if is_f32(act):
        with nogil:
            fg_gru_cell_bwd_f32(<const float *>ps, <const float *>py, <const float *>pp, <const float *>pg,
                                <float *>pgi, <float *>pgh, <float *>pgp, rows, hidden)
    else:
        with nogil:
            fg_gru_cell_bwd_f64(<const double *>ps, <const double *>py, <const double *>pp, <const double *>pg,
                                <double *>pgi, <double *>pgh, <double *>pgp, rows, hidden)
    return ggi, ggh, gh_prev
