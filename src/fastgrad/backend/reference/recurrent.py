"""Reference twins of the recurrent gate kernels (csrc/recurrent.c).

Arrays are (rows, k * hidden), the gate blocks in PyTorch's order.
lstm_cell_fwd(gates, c_prev) -> (hc, act): gates holds the pre-activations
i, f, g, o; c = sigmoid(f) c_prev + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c),
hc = [h, c] and act = [sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)].
lstm_cell_bwd(act, c_prev, hc, grad) -> (ggates, gc_prev), grad the gradient of hc.
gru_cell_fwd(gi, gh, h_prev) -> (h, act): r = sigmoid(gi_r + gh_r),
z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h = n + z (h_prev - n),
act = [r, z, n].
gru_cell_bwd(act, gh, h_prev, grad) -> (ggi, ggh, gh_prev).
"""
from . import activations as _activations
from .activations import sigmoid_fwd


def _blocks(a, count):
    hidden = a.shape[1] // count
    return [a[:, k * hidden:(k + 1) * hidden] for k in range(count)]


def lstm_cell_fwd(xp, gates, c_prev):
    a_i, a_f, a_g, a_o = _blocks(gates, 4)
    i, f, g, o = sigmoid_fwd(xp, a_i), sigmoid_fwd(xp, a_f), xp.tanh(a_g), sigmoid_fwd(xp, a_o)
    c = f * c_prev + i * g
    return xp.concat([o * xp.tanh(c), c], axis=1), xp.concat([i, f, g, o], axis=1)


def lstm_cell_bwd(xp, act, c_prev, hc, grad):
    i, f, g, o = _blocks(act, 4)
    c = _blocks(hc, 2)[1]
    gh, gc_in = _blocks(grad, 2)
    tc = xp.tanh(c)
    gc = gc_in + gh * o * (1 - tc * tc)
    ggates = xp.concat([gc * g * i * (1 - i), gc * c_prev * f * (1 - f), gc * i * (1 - g * g),
                        gh * tc * o * (1 - o)], axis=1)
    return ggates, gc * f


def gru_cell_fwd(xp, gi, gh, h_prev):
    x_r, x_z, x_n = _blocks(gi, 3)
    h_r, h_z, h_n = _blocks(gh, 3)
    r, z = sigmoid_fwd(xp, x_r + h_r), sigmoid_fwd(xp, x_z + h_z)
    n = xp.tanh(x_n + r * h_n)
    return n + z * (h_prev - n), xp.concat([r, z, n], axis=1)


def gru_cell_bwd(xp, act, gh, h_prev, grad):
    r, z, n = _blocks(act, 3)
    h_n = _blocks(gh, 3)[2]
    dn = grad * (1 - z) * (1 - n * n)
    dr = dn * h_n * r * (1 - r)
    dz = grad * (h_prev - n) * z * (1 - z)
    return xp.concat([dr, dz, dn], axis=1), xp.concat([dr, dz, dn * r], axis=1), grad * z


# ---- an LSTM layer over a whole sequence ------------------------------------------------------------
# lstm_seq_fwd(gates, w_hh, h0, c0, bias) -> (hc, act): gates (steps, rows, 4 hidden) the input
# projection of every step; step t's pre-activations are gates[t] + bias + h_t w_hh^T.
# hc (2, steps + 1, rows, hidden) stacks h_0 .. h_T and c_0 .. c_T; act (steps, rows, 4 hidden).
# lstm_seq_bwd(act, w_hh, hc, grad) -> (ggates, grad0): grad the gradient of hc; ggates
# (steps, rows, 4 hidden) that of the pre-activations, grad0 (2, rows, hidden) that of h_0, c_0.
# gru_seq_fwd(gi, w_hh, h0, bias) -> (h, gh, act): gi (steps, rows, 3 hidden) the input projection
# x_t W_ih^T + b_ih of every step, gh[t] = h_t w_hh^T + bias, h (steps + 1, rows, hidden).
# gru_seq_bwd(act, gh, w_hh, h, grad) -> (ggi, ggh, grad0): grad the gradient of h.
# onednn (the kernels' choice of library for the products, float32) does not change the values here.

def lstm_seq_fwd(xp, gates, w_hh, h0, c0, bias=None, onednn=False):
    def cell(pre, c_prev):
        return lstm_cell_fwd(xp, pre, c_prev)
    return lstm_steps_forward(xp, xp.matmul, cell, gates, xp.matrix_transpose(w_hh), h0, c0, bias)


def lstm_seq_bwd(xp, act, w_hh, hc, grad, onednn=False):
    def cell(step_act, c_prev, step_hc, step_grad):
        return lstm_cell_bwd(xp, step_act, c_prev, step_hc, step_grad)
    return lstm_steps_backward(xp, xp.matmul, cell, act, w_hh, hc, grad)


def lstm_steps_forward(xp, matmul, cell, gates, w_hh_t, h0, c0, bias=None):
    """lstm_seq_fwd as a loop over steps, each the product matmul(h, w_hh_t) and cell(pre, c_prev),
    which returns lstm_cell_fwd's (hc, act): the twin's loop, and the library's on other arrays."""
    hidden = h0.shape[1]
    hs, cs, acts = [h0], [c0], []
    for t in range(gates.shape[0]):
        pre = gates[t, ...] + matmul(hs[-1], w_hh_t)
        if bias is not None:
            pre = pre + bias
        hc, act = cell(pre, cs[-1])
        hs.append(hc[:, :hidden])
        cs.append(hc[:, hidden:])
        acts.append(act)
    act = xp.stack(acts) if acts else xp.zeros(gates.shape, dtype=gates.dtype)
    return xp.stack([xp.stack(hs), xp.stack(cs)]), act


def lstm_steps_backward(xp, matmul, cell, act, w_hh, hc, grad):
    """lstm_seq_bwd as a loop over steps in reverse, each cell(act, c_prev, hc, grad) (lstm_cell_bwd's
    arguments and results) and the product matmul(ggates, w_hh)."""
    steps = act.shape[0]
    concat = getattr(xp, "concat", None) or xp.concatenate  # CuPy before 13 has only the latter
    gh, gc, ggates = grad[0, steps, ...], grad[1, steps, ...], [None] * steps
    for t in range(steps - 1, -1, -1):
        step_hc = concat([hc[0, t + 1, ...], hc[1, t + 1, ...]], axis=1)
        step_grad = concat([gh, gc], axis=1)
        ggates[t], gc_prev = cell(act[t, ...], hc[1, t, ...], step_hc, step_grad)
        gh = grad[0, t, ...] + matmul(ggates[t], w_hh)
        gc = grad[1, t, ...] + gc_prev
    ggates = xp.stack(ggates) if steps else xp.zeros(act.shape, dtype=act.dtype)
    return ggates, xp.stack([gh, gc])


def gru_seq_fwd(xp, gi, w_hh, h0, bias=None, onednn=False):
    def cell(step_gi, step_gh, h_prev):
        return gru_cell_fwd(xp, step_gi, step_gh, h_prev)
    return gru_steps_forward(xp, xp.matmul, cell, gi, xp.matrix_transpose(w_hh), h0, bias)


def gru_seq_bwd(xp, act, gh, w_hh, h, grad, onednn=False):
    def cell(step_act, step_gh, h_prev, step_grad):
        return gru_cell_bwd(xp, step_act, step_gh, h_prev, step_grad)
    return gru_steps_backward(xp, xp.matmul, cell, act, gh, w_hh, h, grad)


def gru_steps_forward(xp, matmul, cell, gi, w_hh_t, h0, bias=None):
    """gru_seq_fwd as a loop over steps, each the product matmul(h, w_hh_t) and cell(gi, gh, h_prev),
    which returns gru_cell_fwd's (h, act)."""
    hs, ghs, acts = [h0], [], []
    for t in range(gi.shape[0]):
        gh = matmul(hs[-1], w_hh_t)
        if bias is not None:
            gh = gh + bias
        h, act = cell(gi[t, ...], gh, hs[-1])
        hs.append(h)
        ghs.append(gh)
        acts.append(act)
    if not acts:
        empty = xp.zeros(gi.shape, dtype=gi.dtype)
        return xp.stack(hs), empty, empty
    return xp.stack(hs), xp.stack(ghs), xp.stack(acts)


def gru_steps_backward(xp, matmul, cell, act, gh, w_hh, h, grad):
    """gru_seq_bwd as a loop over steps in reverse, each cell(act, gh, h_prev, grad) (gru_cell_bwd's
    arguments and results) and the product matmul(ggh, w_hh)."""
    steps = act.shape[0]
    gy, ggi, ggh = grad[steps, ...], [None] * steps, [None] * steps
    for t in range(steps - 1, -1, -1):
        ggi[t], ggh[t], g_prev = cell(act[t, ...], gh[t, ...], h[t, ...], gy)
        gy = grad[t, ...] + g_prev + matmul(ggh[t], w_hh)
    if not steps:
        return xp.zeros(act.shape, dtype=act.dtype), xp.zeros(act.shape, dtype=act.dtype), gy
    return xp.stack(ggi), xp.stack(ggh), gy


# ---- an Elman RNN layer over a whole sequence ------------------------------------------------------------
# rnn_seq_fwd(gi, w_hh, h0, relu) -> h (steps + 1, rows, hidden): gi (steps, rows, hidden) the input projection
# x_t W_ih^T + b_ih + b_hh of every step; h_(t+1) = tanh (relu when relu) of gi[t] + h_t w_hh^T.
# rnn_seq_bwd(h, w_hh, grad, relu) -> (gpre, grad0): grad the gradient of h; gpre (steps, rows, hidden) that
# of the pre-activations, grad0 that of h_0.

def rnn_seq_fwd(xp, gi, w_hh, h0, relu=False, onednn=False):
    def act(pre):
        return _activations.relu_fwd(xp, pre) if relu else _activations.tanh_fwd(xp, pre)
    return rnn_steps_forward(xp, xp.matmul, act, gi, xp.matrix_transpose(w_hh), h0)


def rnn_seq_bwd(xp, h, w_hh, grad, relu=False, onednn=False):
    def act_bwd(y, gy):
        return _activations.relu_bwd(xp, y, gy) if relu else _activations.tanh_bwd(xp, y, gy)
    return rnn_steps_backward(xp, xp.matmul, act_bwd, h, w_hh, grad)


def rnn_steps_forward(xp, matmul, act, gi, w_hh_t, h0):
    """rnn_seq_fwd as a loop over steps, each act(gi[t] + matmul(h, w_hh_t)): the twin's loop, and the
    library's on other arrays."""
    hs = [h0]
    for t in range(gi.shape[0]):
        hs.append(act(gi[t, ...] + matmul(hs[-1], w_hh_t)))
    return xp.stack(hs)


def rnn_steps_backward(xp, matmul, act_bwd, h, w_hh, grad):
    """rnn_seq_bwd as a loop over steps in reverse, each act_bwd(y, gy) (the activation's backward from
    its output) and the product matmul(gpre, w_hh)."""
    steps = h.shape[0] - 1
    gy, gpre = grad[steps, ...], [None] * steps
    for t in range(steps - 1, -1, -1):
        gpre[t] = act_bwd(h[t + 1, ...], gy)
        gy = grad[t, ...] + matmul(gpre[t], w_hh)
    if not steps:
        return xp.zeros((0,) + tuple(h.shape[1:]), dtype=h.dtype), gy
    return xp.stack(gpre), gy
