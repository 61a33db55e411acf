"""The elementwise part of one LSTM or GRU time step as one primitive each, on fused kernels,
and an LSTM layer over a whole sequence as one primitive (lstm_sequence).

lstm_cell(gates, c) takes the pre-activations i, f, g, o (rows, 4 hidden) of a step and the
previous cell state; gru_cell(gi, gh, h) the input and recurrent projections (rows, 3 hidden)
and the previous hidden state (csrc/recurrent.c: lstm_cell_*, gru_cell_*).  The backward keeps
the activated gates (and for the GRU the recurrent projection, whose n block r multiplies).
"""
import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend.blas import get_blas
from ..backend.reference.recurrent import lstm_steps_backward, lstm_steps_forward

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

    The inputs of all steps are projected with one GEMM.  Then, on NumPy float32/float64 arrays
    while MKL is fastgrad's BLAS, the time loop runs in C (lstm_seq_fwd/bwd: per step the
    recurrent GEMM and the fused gate pass); otherwise (CuPy arrays, NumPy's own BLAS, other
    dtypes, and the backward under create_graph) it runs here, per step a product and the
    fused step kernel.  Either way the backward ends with one GEMM each for the input and both
    weight gradients over all steps, and one column sum for the biases.
    """

    @staticmethod
    def forward(ctx, b, x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        steps, batch = x.shape[0], x.shape[1]
        gates = _project(b, x, w_ih).reshape(steps, batch, w_ih.shape[0])
        bias = _bias_sum(b_ih, b_hh)
        ctx.in_c = _in_c(b, (x, w_ih, w_hh, b_ih, b_hh, h0, c0))
        if ctx.in_c:
            hc, act = b.lstm_seq_fwd(gates, w_hh=w_hh, h0=h0, c0=c0, bias=bias)
        else:
            hc, act = _steps_forward(b, gates, w_hh, h0, c0, bias)
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, hc)
        return hc

    @staticmethod
    def backward(ctx, b, g):
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, hc = ctx.saved_arrays
        steps, batch, features = x.shape
        inputs = (x, w_ih, w_hh, b_ih, b_hh, h0, c0)
        if any(isinstance(a, Tensor) for a in inputs):
            # NOTE: with create_graph the states are recomputed from the inputs, so that second
            # derivatives see how they depend on them.
            gates = _project(b, x, w_ih).reshape(steps, batch, w_ih.shape[0])
            hc, act = _steps_forward(b, gates, w_hh, h0, c0, _bias_sum(b_ih, b_hh))
        if ctx.in_c and not isinstance(g, Tensor):
            ggates, grad0 = b.lstm_seq_bwd(act, w_hh=w_hh, hc=hc, grad=g)
        else:
            ggates, grad0 = _steps_backward(b, act, w_hh, hc, g)
        need = ctx.needs_input_grad
        rows = steps * batch
        g2 = ggates.reshape(rows, ggates.shape[2])
        gx = b.matmul(g2, w_ih).reshape(x.shape) if need[0] else None
        gw_ih = b.matmul(_t(b, g2), x.reshape(rows, features)) if need[1] else None
        gw_hh = b.matmul(_t(b, g2), hc[0, :steps].reshape(rows, hc.shape[3])) if need[2] else None
        gb = gb_hh = None
        if b_ih is not None and (need[3] or need[4]):
            gb = g2.sum(axis=0)
            gb_hh = gb + 0  # its own array: the two biases' gradients must not alias
        return gx, gw_ih, gw_hh, gb, gb_hh, grad0[0], grad0[1]


def _in_c(b, arrays):
    """Whether the C sequence kernel runs: NumPy arrays of one float dtype, MKL the BLAS."""
    if b.name != "numpy":
        return False
    dtype = arrays[0].dtype
    if dtype not in _FLOATS:
        return False
    for a in arrays:
        if a is not None and (type(a) is not np.ndarray or a.dtype != dtype):
            return False
    return get_blas() == "mkl"


def _t(b, a):
    """The transpose of a 2-d array: its .T (NumPy, CuPy), or the namespace's for Tensors."""
    return b.xp.matrix_transpose(a) if isinstance(a, Tensor) else a.T


def _project(b, x, w_ih):
    """The input projection of every step, one GEMM: (steps * batch, 4 hidden)."""
    return b.matmul(x.reshape(x.shape[0] * x.shape[1], x.shape[2]), _t(b, w_ih))


def _bias_sum(b_ih, b_hh):
    return None if b_ih is None else b_ih + b_hh


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


def lstm_sequence(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
    """One LSTM layer and direction over a sequence, as one primitive.

    x (steps, batch, input), w_ih (4 hidden, input), w_hh (4 hidden, hidden), b_ih and b_hh
    (4 hidden) or both None, h0 and c0 (batch, hidden).  Returns hc (2, steps + 1, batch,
    hidden): hc[0] the hidden states h_0 .. h_T (the layer's output is hc[0, 1:]), hc[1] the
    cell states c_0 .. c_T.
    """
    if (b_ih is None) != (b_hh is None):
        raise ValueError("lstm_sequence: b_ih and b_hh must both be given or both be None")
    if x.ndim != 3:
        raise ValueError(f"lstm_sequence: argument 'x' must be 3-d (steps, batch, input), got shape {tuple(x.shape)}")
    hidden = w_hh.shape[-1]
    expected = {"w_ih": (4 * hidden, x.shape[2]), "w_hh": (4 * hidden, hidden), "h0": (x.shape[1], hidden),
                "c0": (x.shape[1], hidden)}
    if b_ih is not None:
        expected.update(b_ih=(4 * hidden,), b_hh=(4 * hidden,))
    given = {"w_ih": w_ih, "w_hh": w_hh, "h0": h0, "c0": c0, "b_ih": b_ih, "b_hh": b_hh}
    for name, shape in expected.items():
        if tuple(given[name].shape) != shape:
            raise ValueError(f"lstm_sequence: argument '{name}' has shape {tuple(given[name].shape)}, "
                             f"expected {shape}")
    return LSTMSequence.apply(x, w_ih, w_hh, b_ih, b_hh, h0, c0)
