"""CuPy recurrent gates: csrc/recurrent.c, body for body.

One ElementwiseKernel per direction and cell over the (rows, hidden) units;
the gate blocks of the (rows, k * hidden) arrays are passed as column views
(CuPy indexes strided arrays), the outputs written into views of the
results.  The functions take the arguments of the reference twins in
fastgrad/backend/reference/recurrent.py.
"""
from . import activations as _activations
from ._build import Elementwise, collect
from ..reference import recurrent as _reference
from .math import MATH

LSTM_CELL_FWD = Elementwise(
    "fastgrad_lstm_cell_fwd", "T ai, T af, T ag, T ao, T cp", "T h, T c, T si, T sf, T sg, T so",
    """
    T gate_i = fg_sigmoid<T>(ai), gate_f = fg_sigmoid<T>(af), gate_g = fg_tanh<T>(ag);
    T gate_o = fg_sigmoid<T>(ao);
    T cj = gate_f * cp + gate_i * gate_g;
    c = cj;
    h = gate_o * fg_tanh<T>(cj);
    si = gate_i; sf = gate_f; sg = gate_g; so = gate_o;
    """, MATH)
# gc = gc_in + gh o (1 - tanh(c)^2); sigmoid' = s (1 - s), tanh' = 1 - t^2 of the kept activations
LSTM_CELL_BWD = Elementwise(
    "fastgrad_lstm_cell_bwd", "T si, T sf, T sg, T so, T cp, T c, T gh, T gcin", "T gai, T gaf, T gag, T gao, T gcp",
    """
    T tc = fg_tanh<T>(c);
    T gc = gcin + gh * so * ((T)1 - tc * tc);
    gai = gc * sg * si * ((T)1 - si);
    gaf = gc * cp * sf * ((T)1 - sf);
    gag = gc * si * ((T)1 - sg * sg);
    gao = gh * tc * so * ((T)1 - so);
    gcp = gc * sf;
    """, MATH)
GRU_CELL_FWD = Elementwise(
    "fastgrad_gru_cell_fwd", "T xr, T xz, T xn, T hr, T hz, T hn, T hp", "T h, T sr, T sz, T sn",
    """
    T reset = fg_sigmoid<T>(xr + hr);
    T update = fg_sigmoid<T>(xz + hz);
    T fresh = fg_tanh<T>(xn + reset * hn);
    h = fresh + update * (hp - fresh);
    sr = reset; sz = update; sn = fresh;
    """, MATH)
GRU_CELL_BWD = Elementwise(
    "fastgrad_gru_cell_bwd", "T sr, T sz, T sn, T hn, T hp, T gy",
    "T gxr, T gxz, T gxn, T ghr, T ghz, T ghn, T ghp",
    """
    T dn = gy * ((T)1 - sz) * ((T)1 - sn * sn);
    T dr = dn * hn * sr * ((T)1 - sr);
    T dz = gy * (hp - sn) * sz * ((T)1 - sz);
    gxr = dr; gxz = dz; gxn = dn;
    ghr = dr; ghz = dz; ghn = dn * sr;
    ghp = gy * sz;
    """, MATH)

KERNELS = collect(globals())


def _cupy():
    import cupy

    return cupy


def _blocks(a, count):
    hidden = a.shape[1] // count
    return [a[:, k * hidden:(k + 1) * hidden] for k in range(count)]


def lstm_cell_fwd(gates, c_prev):
    """(hc, act) of one LSTM step; see reference.recurrent."""
    xp = _cupy()
    rows, hidden = c_prev.shape
    hc = xp.empty((rows, 2 * hidden), dtype=gates.dtype)
    act = xp.empty(gates.shape, dtype=gates.dtype)
    LSTM_CELL_FWD(*_blocks(gates, 4), c_prev, *_blocks(hc, 2), *_blocks(act, 4))
    return hc, act


def lstm_cell_bwd(act, c_prev, hc, grad):
    """(ggates, gc_prev) of lstm_cell_fwd; see reference.recurrent."""
    xp = _cupy()
    ggates = xp.empty(act.shape, dtype=act.dtype)
    gc_prev = xp.empty(c_prev.shape, dtype=act.dtype)
    LSTM_CELL_BWD(*_blocks(act, 4), c_prev, _blocks(hc, 2)[1], *_blocks(grad, 2), *_blocks(ggates, 4), gc_prev)
    return ggates, gc_prev


def gru_cell_fwd(gi, gh, h_prev):
    """(h, act) of one GRU step; see reference.recurrent."""
    xp = _cupy()
    h = xp.empty(h_prev.shape, dtype=gi.dtype)
    act = xp.empty(gi.shape, dtype=gi.dtype)
    GRU_CELL_FWD(*_blocks(gi, 3), *_blocks(gh, 3), h_prev, h, *_blocks(act, 3))
    return h, act


def gru_cell_bwd(act, gh, h_prev, grad):
    """(ggi, ggh, gh_prev) of gru_cell_fwd; see reference.recurrent."""
    xp = _cupy()
    ggi = xp.empty(act.shape, dtype=act.dtype)
    ggh = xp.empty(act.shape, dtype=act.dtype)
    gh_prev = xp.empty(h_prev.shape, dtype=act.dtype)
    GRU_CELL_BWD(*_blocks(act, 3), _blocks(gh, 3)[2], h_prev, grad, *_blocks(ggi, 3), *_blocks(ggh, 3), gh_prev)
    return ggi, ggh, gh_prev


# ---- a layer over a whole sequence: the twin's time loop over the fused step kernels above ------------

def lstm_seq_fwd(gates, w_hh, h0, c0, bias=None):
    """(hc, act) of an LSTM layer over every step; see reference.recurrent."""
    xp = _cupy()
    return _reference.lstm_steps_forward(xp, xp.matmul, lstm_cell_fwd, gates, w_hh.T, h0, c0, bias)


def lstm_seq_bwd(act, w_hh, hc, grad):
    """(ggates, grad0) of lstm_seq_fwd; see reference.recurrent."""
    xp = _cupy()
    return _reference.lstm_steps_backward(xp, xp.matmul, lstm_cell_bwd, act, w_hh, hc, grad)


def gru_seq_fwd(gi, w_hh, h0, bias=None):
    """(h, gh, act) of a GRU layer over every step; see reference.recurrent."""
    xp = _cupy()
    return _reference.gru_steps_forward(xp, xp.matmul, gru_cell_fwd, gi, w_hh.T, h0, bias)


def gru_seq_bwd(act, gh, w_hh, h, grad):
    """(ggi, ggh, grad0) of gru_seq_fwd; see reference.recurrent."""
    xp = _cupy()
    return _reference.gru_steps_backward(xp, xp.matmul, gru_cell_bwd, act, gh, w_hh, h, grad)


def rnn_seq_fwd(gi, w_hh, h0, relu=False):
    """h of an Elman RNN layer over every step; see reference.recurrent."""
    xp = _cupy()
    act = _activations.relu_fwd if relu else _activations.tanh_fwd
    return _reference.rnn_steps_forward(xp, xp.matmul, act, gi, w_hh.T, h0)


def rnn_seq_bwd(h, w_hh, grad, relu=False):
    """(gpre, grad0) of rnn_seq_fwd; see reference.recurrent."""
    xp = _cupy()
    act_bwd = _activations.relu_bwd if relu else _activations.tanh_bwd
    return _reference.rnn_steps_backward(xp, xp.matmul, act_bwd, h, w_hh, grad)
