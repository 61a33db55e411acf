"""PyTorch's one-step recurrent cells as functions of the weights: lstm_cell, gru_cell,
rnn_tanh_cell and rnn_relu_cell (what nn.LSTMCell, nn.GRUCell and nn.RNNCell compute), all
differentiable; the gates run in fastgrad's fused cell kernels (ops/recurrent.py).

    lstm_cell: i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)
               c' = sigmoid(f) c + sigmoid(i) tanh(g),  h' = sigmoid(o) tanh(c')
    gru_cell:  r, z = sigmoid(...),  n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
               h' = (1 - z) n + z h
    rnn_tanh_cell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh)   (rnn_relu_cell: relu)

    import fastgrad as torch
    h, c = torch.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
"""
from ..nn import functional as F
from ..ops import recurrent as _recurrent
from .tensor_methods import _as_tensor

__all__ = ["gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell"]


def _check(op, gates, input, hx, w_ih, w_hh):
    hidden = hx.shape[-1]
    if w_ih.ndim != 2 or w_hh.ndim != 2 or w_ih.shape[0] != gates * hidden or w_hh.shape != (gates * hidden, hidden):
        raise RuntimeError(f"{op}: w_ih must be ({gates} * hidden, input_size) and w_hh ({gates} * hidden, hidden) "
                           f"for hidden size {hidden}, got {tuple(w_ih.shape)} and {tuple(w_hh.shape)}")
    if input.shape[-1] != w_ih.shape[1]:
        raise RuntimeError(f"{op}: input has {input.shape[-1]} features but w_ih expects {w_ih.shape[1]}")
    if tuple(input.shape[:-1]) != tuple(hx.shape[:-1]):
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} and hidden state of shape "
                           f"{tuple(hx.shape)} have different batch sizes")


def _projections(input, hx, w_ih, w_hh, b_ih, b_hh):
    return F.linear(input, w_ih, b_ih), F.linear(hx, w_hh, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') of one LSTM step from input (batch, input_size) and hx = (h, c)."""
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise TypeError("lstm_cell: argument 'hx' must be the pair (h, c)")
    x, h, c = _as_tensor(input), _as_tensor(hx[0]), _as_tensor(hx[1])
    w_ih, w_hh = _as_tensor(w_ih), _as_tensor(w_hh)
    _check("lstm_cell", 4, x, h, w_ih, w_hh)
    gi, gh = _projections(x, h, w_ih, w_hh, b_ih, b_hh)
    return _recurrent.lstm_cell(gi + gh, c)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' of one GRU step from input (batch, input_size) and h."""
    x, h, w_ih, w_hh = (_as_tensor(v) for v in (input, hx, w_ih, w_hh))
    _check("gru_cell", 3, x, h, w_ih, w_hh)
    gi, gh = _projections(x, h, w_ih, w_hh, b_ih, b_hh)
    return _recurrent.gru_cell(gi, gh, h)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh)."""
    x, h, w_ih, w_hh = (_as_tensor(v) for v in (input, hx, w_ih, w_hh))
    _check("rnn_tanh_cell", 1, x, h, w_ih, w_hh)
    gi, gh = _projections(x, h, w_ih, w_hh, b_ih, b_hh)
    return (gi + gh).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(W_ih x + b_ih + W_hh h + b_hh)."""
    x, h, w_ih, w_hh = (_as_tensor(v) for v in (input, hx, w_ih, w_hh))
    _check("rnn_relu_cell", 1, x, h, w_ih, w_hh)
    gi, gh = _projections(x, h, w_ih, w_hh, b_ih, b_hh)
    return (gi + gh).relu()
