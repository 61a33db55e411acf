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
