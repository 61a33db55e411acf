"""The elementwise part of one LSTM or GRU time step as one primitive each, on fused kernels,
and an LSTM or GRU layer over a whole sequence as one primitive (lstm_sequence, gru_sequence).

lstm_cell(gates, c) takes the pre-activations i, f, g, o (rows, 4 hidden) of a step and the
previous cell state; gru_cell(gi, gh, h) the input and recurrent projections (rows, 3 hidden)
and the previous hidden state (csrc/recurrent.c: lstm_cell_*, gru_cell_*).  The backward keeps
the activated gates (and for the GRU the recurrent projection, whose n block r multiplies).
"""
import numpy as np

from .. import _C
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend.blas import get_blas
from ..backend.mixed_precision import autocast_backend
from ..backend.numpy_backend import NumpyBackend
from ..backend.onednn_gemm import runs_on_onednn
from ..backend.reference.recurrent import (gru_steps_backward, gru_steps_forward, lstm_steps_backward,
                                           lstm_steps_forward, rnn_steps_backward, rnn_steps_forward)

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


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


# ---- an LSTM layer over a whole sequence ---------------------------------------------------------------

class LSTMSequence(Function):
    """hc (2, steps + 1, batch, hidden): h_0 .. h_T and c_0 .. c_T of one LSTM layer and direction.

    The inputs of all steps are projected with one GEMM.  Then, on NumPy float32 arrays while
    oneDNN runs the recurrent products (backend/onednn_gemm.py), or float32/float64 arrays while
    MKL is fastgrad's BLAS, the time loop runs in C (lstm_seq_fwd/bwd: per step the recurrent
    product and the fused gate pass); otherwise (CuPy arrays, NumPy's own BLAS, other dtypes,
    and the backward under create_graph) it runs here, per step a product and the fused step
    kernel.  With oneDNN, every product of the layer, forward and backward, is its matmul.
    Either way the backward ends with one GEMM each for the input and both
    weight gradients over all steps, and one column sum for the biases.
    """

    @staticmethod
    def forward(ctx, b, x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        b = autocast_backend(ctx, b)
        ctx.in_c = _in_c(b, (x, w_ih, w_hh, b_ih, b_hh, h0, c0))
        hc, act = _lstm_forward(b, ctx.in_c, x, w_ih, w_hh, b_ih, b_hh, h0, c0)
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, hc)
        return hc

    @staticmethod
    def backward(ctx, b, g):
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, hc = ctx.saved_arrays
        on_tensors = _on_tensors(x, w_ih, w_hh, b_ih, b_hh, h0, c0)
        if on_tensors:
            hc, act = _lstm_forward(b, None, x, w_ih, w_hh, b_ih, b_hh, h0, c0)
        in_c = None if on_tensors or isinstance(g, Tensor) else ctx.in_c
        if in_c:
            ggates, grad0 = b.lstm_seq_bwd(act, w_hh=w_hh, hc=hc, grad=g, onednn=in_c == "onednn")
        else:
            ggates, grad0 = _steps_backward(b, act, w_hh, hc, g)
        grads = _layer_grads(b, in_c, ctx.needs_input_grad, x, w_ih, hc[0, :x.shape[0]], ggates, ggates,
                             b_ih is not None)
        return grads + (grad0[0], grad0[1])


class GRUSequence(Function):
    """h (steps + 1, batch, hidden): h_0 .. h_T of one GRU layer and direction; runs as LSTMSequence
    does (gru_seq_fwd/bwd in C on NumPy arrays with oneDNN or MKL, else a loop over the fused step kernels)."""

    @staticmethod
    def forward(ctx, b, x, w_ih, w_hh, b_ih, b_hh, h0):
        b = autocast_backend(ctx, b)
        ctx.in_c = _in_c(b, (x, w_ih, w_hh, b_ih, b_hh, h0))
        h, gh, act = _gru_forward(b, ctx.in_c, x, w_ih, w_hh, b_ih, b_hh, h0)
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, act, gh, h)
        return h

    @staticmethod
    def backward(ctx, b, g):
        x, w_ih, w_hh, b_ih, b_hh, h0, act, gh, h = ctx.saved_arrays
        on_tensors = _on_tensors(x, w_ih, w_hh, b_ih, b_hh, h0)
        if on_tensors:
            h, gh, act = _gru_forward(b, None, x, w_ih, w_hh, b_ih, b_hh, h0)
        in_c = None if on_tensors or isinstance(g, Tensor) else ctx.in_c
        if in_c:
            ggi, ggh, grad0 = b.gru_seq_bwd(act, gh, w_hh=w_hh, h=h, grad=g, onednn=in_c == "onednn")
        else:
            ggi, ggh, grad0 = _gru_steps_backward(b, act, gh, w_hh, h, g)
        return _layer_grads(b, in_c, ctx.needs_input_grad, x, w_ih, h[:x.shape[0]], ggi, ggh,
                            b_ih is not None) + (grad0,)


class RNNSequence(Function):
    """h (steps + 1, batch, hidden): h_0 .. h_T of one Elman RNN layer and direction, tanh or relu; runs as
    LSTMSequence does (rnn_seq_fwd/bwd in C on NumPy arrays with oneDNN or MKL, else a loop over the
    activation kernels)."""

    @staticmethod
    def forward(ctx, b, x, w_ih, w_hh, b_ih, b_hh, h0, relu=False):
        b = autocast_backend(ctx, b)
        ctx.in_c, ctx.relu = _in_c(b, (x, w_ih, w_hh, b_ih, b_hh, h0)), relu
        h = _rnn_forward(b, ctx.in_c, relu, x, w_ih, w_hh, b_ih, b_hh, h0)
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, h)
        return h

    @staticmethod
    def backward(ctx, b, g):
        x, w_ih, w_hh, b_ih, b_hh, h0, h = ctx.saved_arrays
        on_tensors = _on_tensors(x, w_ih, w_hh, b_ih, b_hh, h0)
        if on_tensors:
            h = _rnn_forward(b, None, ctx.relu, x, w_ih, w_hh, b_ih, b_hh, h0)
        in_c = None if on_tensors or isinstance(g, Tensor) else ctx.in_c
        if in_c:
            gpre, grad0 = b.rnn_seq_bwd(h, w_hh=w_hh, grad=g, relu=ctx.relu, onednn=in_c == "onednn")
        else:
            act_bwd = b.relu_bwd if ctx.relu else b.tanh_bwd
            gpre, grad0 = rnn_steps_backward(b.xp, b.matmul, act_bwd, h, w_hh, g)
        return _layer_grads(b, in_c, ctx.needs_input_grad, x, w_ih, h[:x.shape[0]], gpre, gpre,
                            b_ih is not None) + (grad0,)


def _on_tensors(*inputs):
    """Whether the backward runs under create_graph (on Tensors): the states are then recomputed
    from the inputs, so that second derivatives see how they depend on them."""
    return any(isinstance(a, Tensor) for a in inputs)


def _lstm_forward(b, in_c, x, w_ih, w_hh, b_ih, b_hh, h0, c0):
    gates = _project(b, in_c, x, w_ih)
    bias = None if b_ih is None else b_ih + b_hh
    if in_c:
        return b.lstm_seq_fwd(gates, w_hh=w_hh, h0=h0, c0=c0, bias=bias, onednn=in_c == "onednn")
    return _steps_forward(b, gates, w_hh, h0, c0, bias)


def _gru_forward(b, in_c, x, w_ih, w_hh, b_ih, b_hh, h0):
    gi = _project(b, in_c, x, w_ih)
    if b_ih is not None:
        gi = gi + b_ih
    if in_c:
        return b.gru_seq_fwd(gi, w_hh=w_hh, h0=h0, bias=b_hh, onednn=in_c == "onednn")
    return _gru_steps_forward(b, gi, w_hh, h0, b_hh)


def _rnn_forward(b, in_c, relu, x, w_ih, w_hh, b_ih, b_hh, h0):
    gi = _project(b, in_c, x, w_ih)
    if b_ih is not None:
        gi = gi + (b_ih + b_hh)
    if in_c:
        return b.rnn_seq_fwd(gi, w_hh=w_hh, h0=h0, relu=relu, onednn=in_c == "onednn")
    return rnn_steps_forward(b.xp, b.matmul, b.relu_fwd if relu else b.tanh_fwd, gi, _t(b, w_hh), h0)


def _layer_grads(b, in_c, need, x, w_ih, h_prev, g_in, g_rec, bias):
    """Gradients of x, w_ih, w_hh, b_ih and b_hh from those of the input projections g_in and the
    recurrent ones g_rec (steps, batch, gates), each one GEMM or one column sum over all steps;
    h_prev (steps, batch, hidden) holds the hidden state each step started from."""
    rows, features = x.shape[0] * x.shape[1], x.shape[2]
    one_gradient = g_rec is g_in
    g_in = g_in.reshape(rows, g_in.shape[2])
    g_rec = g_rec.reshape(rows, g_rec.shape[2])
    matmul = _matmul(b, in_c)
    gx = matmul(g_in, w_ih).reshape(x.shape) if need[0] else None
    gw_ih = matmul(_t(b, g_in), x.reshape(rows, features)) if need[1] else None
    gw_hh = matmul(_t(b, g_rec), h_prev.reshape(rows, h_prev.shape[2])) if need[2] else None
    gb_ih = g_in.sum(axis=0) if bias and need[3] else None
    gb_hh = None
    if bias and need[4]:
        # its own array even when it equals gb_ih (LSTM): two parameters' gradients must not alias
        gb_hh = gb_ih + 0 if one_gradient and gb_ih is not None else g_rec.sum(axis=0)
    return gx, gw_ih, gw_hh, gb_ih, gb_hh


def _in_c(b, arrays):
    """Where the C sequence kernel runs its products, or None when the loop runs here: NumPy
    arrays of one float dtype and no autocast (whose backend runs every product, the recurrent
    ones too, in 16 bits); "onednn" for float32 while oneDNN runs the recurrent products, else
    "blas" while MKL is the BLAS."""
    if type(b) is not NumpyBackend:
        return None
    dtype = arrays[0].dtype
    if dtype not in _FLOATS:
        return None
    for a in arrays:
        if a is not None and (type(a) is not np.ndarray or a.dtype != dtype):
            return None
    if runs_on_onednn(arrays):
        return "onednn"
    return "blas" if get_blas() == "mkl" else None


def _matmul(b, in_c):
    """The product of a layer's large GEMMs: oneDNN's matmul when it runs the layer, else the backend's."""
    return _C.onednn_gemm if in_c == "onednn" else b.matmul


def _t(b, a):
    """The transpose of a 2-d array: its .T (NumPy, CuPy), or the namespace's for Tensors."""
    return b.xp.matrix_transpose(a) if isinstance(a, Tensor) else a.T


def _project(b, in_c, x, w_ih):
    """The input projection of every step, one GEMM: (steps, batch, gates)."""
    steps, batch, features = x.shape
    return _matmul(b, in_c)(x.reshape(steps * batch, features), _t(b, w_ih)).reshape(steps, batch, w_ih.shape[0])


def _steps_forward(b, gates, w_hh, h0, c0, bias):
    """lstm_seq_fwd as a loop here: per step the recurrent product and the fused step kernel."""
    def cell(pre, c_prev):
        return b.lstm_cell_fwd(pre, c_prev=c_prev)
    return lstm_steps_forward(b.xp, b.matmul, cell, gates, _t(b, w_hh), h0, c0, bias)


def _steps_backward(b, act, w_hh, hc, grad):
    """lstm_seq_bwd as a loop here: per step the fused step kernel and the product with W_hh."""
    def cell(step_act, c_prev, step_hc, step_grad):
        return b.lstm_cell_bwd(step_act, c_prev=c_prev, hc=step_hc, grad=step_grad)
    return lstm_steps_backward(b.xp, b.matmul, cell, act, w_hh, hc, grad)


def _gru_steps_forward(b, gi, w_hh, h0, bias):
    def cell(step_gi, step_gh, h_prev):
        return b.gru_cell_fwd(step_gi, step_gh, h_prev=h_prev)
    return gru_steps_forward(b.xp, b.matmul, cell, gi, _t(b, w_hh), h0, bias)


def _gru_steps_backward(b, act, gh, w_hh, h, grad):
    def cell(step_act, step_gh, h_prev, step_grad):
        return b.gru_cell_bwd(step_act, step_gh, h_prev=h_prev, grad=step_grad)
    return gru_steps_backward(b.xp, b.matmul, cell, act, gh, w_hh, h, grad)


def lstm_sequence(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
    """One LSTM layer and direction over a sequence, as one primitive.

    x (steps, batch, input), w_ih (4 hidden, input), w_hh (4 hidden, hidden), b_ih and b_hh
    (4 hidden) or both None, h0 and c0 (batch, hidden).  Returns hc (2, steps + 1, batch,
    hidden): hc[0] the hidden states h_0 .. h_T (the layer's output is hc[0, 1:]), hc[1] the
    cell states c_0 .. c_T.
    """
    _check_layer("lstm_sequence", 4, x, w_ih, w_hh, b_ih, b_hh, h0=h0, c0=c0)
    return LSTMSequence.apply(x, w_ih, w_hh, b_ih, b_hh, h0, c0)


def gru_sequence(x, w_ih, w_hh, b_ih, b_hh, h0):
    """One GRU layer and direction over a sequence, as one primitive.

    x (steps, batch, input), w_ih (3 hidden, input), w_hh (3 hidden, hidden), b_ih and b_hh
    (3 hidden) or both None, h0 (batch, hidden).  Returns h (steps + 1, batch, hidden): h_0 .. h_T
    (the layer's output is h[1:]).
    """
    _check_layer("gru_sequence", 3, x, w_ih, w_hh, b_ih, b_hh, h0=h0)
    return GRUSequence.apply(x, w_ih, w_hh, b_ih, b_hh, h0)


def rnn_sequence(x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity="tanh"):
    """One Elman RNN layer and direction over a sequence, as one primitive:

        h_t = nonlinearity(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh),   nonlinearity 'tanh' or 'relu'

    x (steps, batch, input), w_ih (hidden, input), w_hh (hidden, hidden), b_ih and b_hh (hidden) or
    both None, h0 (batch, hidden).  Returns h (steps + 1, batch, hidden): h_0 .. h_T (the layer's
    output is h[1:]).
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_sequence: argument 'nonlinearity' must be 'tanh' or 'relu', got {nonlinearity!r}")
    _check_layer("rnn_sequence", 1, x, w_ih, w_hh, b_ih, b_hh, h0=h0)
    return RNNSequence.apply(x, w_ih, w_hh, b_ih, b_hh, h0, relu=nonlinearity == "relu")


def _check_layer(op, gates, x, w_ih, w_hh, b_ih, b_hh, **states):
    if (b_ih is None) != (b_hh is None):
        raise ValueError(f"{op}: b_ih and b_hh must both be given or both be None")
    if x.ndim != 3:
        raise ValueError(f"{op}: argument 'x' must be 3-d (steps, batch, input), got shape {tuple(x.shape)}")
    hidden = w_hh.shape[-1]
    expected = {"w_ih": (gates * hidden, x.shape[2]), "w_hh": (gates * hidden, hidden)}
    expected.update({name: (x.shape[1], hidden) for name in states})
    given = dict(states, w_ih=w_ih, w_hh=w_hh)
    if b_ih is not None:
        expected.update(b_ih=(gates * hidden,), b_hh=(gates * hidden,))
        given.update(b_ih=b_ih, b_hh=b_hh)
    for name, shape in expected.items():
        if tuple(given[name].shape) != shape:
            raise ValueError(f"{op}: argument '{name}' has shape {tuple(given[name].shape)}, expected {shape}")
