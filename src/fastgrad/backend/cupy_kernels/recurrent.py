"""CuPy recurrent gates: the reference twins run in the `cupy` namespace.

There is no hand-written CuPy kernel for these yet: CuPy's elementwise
operations compute the gates of a time step on the GPU, several passes
where the C kernels make one.
"""
from ..reference import recurrent as _reference

KERNELS = {}


def _cupy():
    import cupy

    return cupy


def lstm_cell_fwd(gates, c_prev):
    """One LSTM step's gates and state update; see reference.recurrent."""
    return _reference.lstm_cell_fwd(_cupy(), gates, c_prev)


def lstm_cell_bwd(act, c_prev, hc, grad):
    """Gradients of lstm_cell_fwd; see reference.recurrent."""
    return _reference.lstm_cell_bwd(_cupy(), act, c_prev, hc, grad)


def gru_cell_fwd(gi, gh, h_prev):
    """One GRU step's gates and state update; see reference.recurrent."""
    return _reference.gru_cell_fwd(_cupy(), gi, gh, h_prev)


def gru_cell_bwd(act, gh, h_prev, grad):
    """Gradients of gru_cell_fwd; see reference.recurrent."""
    return _reference.gru_cell_bwd(_cupy(), act, gh, h_prev, grad)
