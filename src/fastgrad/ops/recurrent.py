"""The elementwise part of one LSTM or GRU time step as one primitive each, on fused kernels.

lstm_cell(gates, c) takes the pre-activations i, f, g, o (rows, 4 hidden) of a step and the
previous cell state; gru_cell(gi, gh, h) the input and recurrent projections (rows, 3 hidden)
and the previous hidden state (csrc/recurrent.c: lstm_cell_*, gru_cell_*).  The backward keeps
the activated gates (and for the GRU the recurrent projection, whose n block r multiplies).
"""
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor


class LSTMCellGates(Function):
    """[h, c] (rows, 2 hidden) of one LSTM step."""

    @staticmethod
    def forward(ctx, b, gates, c_prev):
        hc, act = b.lstm_cell_fwd(gates, c_prev=c_prev)
        ctx.save_for_backward(gates, c_prev, act, hc)
        return hc

    @staticmethod
    def backward(ctx, b, g):
        gates, c_prev, act, hc = ctx.saved_arrays
        if isinstance(gates, Tensor) or isinstance(c_prev, Tensor):
            # NOTE: with create_graph the activations are recomputed from the inputs, so that
            # second derivatives see how they depend on them.
            hc, act = b.lstm_cell_fwd(gates, c_prev=c_prev)
        ggates, gc_prev = b.lstm_cell_bwd(act, c_prev=c_prev, hc=hc, grad=g)
        return ggates, gc_prev


class GRUCellGates(Function):
    """h (rows, hidden) of one GRU step."""

    @staticmethod
    def forward(ctx, b, gi, gh, h_prev):
        h, act = b.gru_cell_fwd(gi, gh, h_prev=h_prev)
        ctx.save_for_backward(gi, gh, h_prev, act)
        return h

    @staticmethod
    def backward(ctx, b, g):
        gi, gh, h_prev, act = ctx.saved_arrays
        if isinstance(gi, Tensor) or isinstance(gh, Tensor) or isinstance(h_prev, Tensor):
            # NOTE: recomputed for create_graph, as in LSTMCellGates.
            _, act = b.gru_cell_fwd(gi, gh, h_prev=h_prev)
        return b.gru_cell_bwd(act, gh, h_prev=h_prev, grad=g)


def lstm_cell(gates, c_prev):
    """(h, c) of one LSTM step from its gate pre-activations (..., 4 hidden: i, f, g, o, PyTorch's
    order) and the previous cell state (..., hidden):

        c = sigmoid(f) * c_prev + sigmoid(i) * tanh(g),   h = sigmoid(o) * tanh(c)
    """
    hidden = c_prev.shape[-1]
    lead = tuple(c_prev.shape[:-1])
    hc = LSTMCellGates.apply(gates.reshape(-1, 4 * hidden), c_prev.reshape(-1, hidden))
    return hc[:, :hidden].reshape(lead + (hidden,)), hc[:, hidden:].reshape(lead + (hidden,))


def gru_cell(gi, gh, h_prev):
    """h of one GRU step from the input projection gi = W_ih x + b_ih, the recurrent projection
    gh = W_hh h_prev + b_hh (..., 3 hidden: r, z, n) and h_prev (..., hidden):

        r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n),
        h = (1 - z) * n + z * h_prev
    """
    hidden = h_prev.shape[-1]
    lead = tuple(h_prev.shape[:-1])
    h = GRUCellGates.apply(gi.reshape(-1, 3 * hidden), gh.reshape(-1, 3 * hidden), h_prev.reshape(-1, hidden))
    return h.reshape(lead + (hidden,))
