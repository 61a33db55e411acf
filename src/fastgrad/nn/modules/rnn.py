"""Recurrent layers RNN, LSTM and GRU and their single-step cells, with PyTorch's arguments,
gate order, initialisation, state_dict keys and return values.

Each layer and direction is one primitive over the whole sequence
(fastgrad.ops.recurrent.lstm_sequence, gru_sequence, rnn_sequence): the inputs of all
time steps projected with one GEMM, then each time step the recurrent product (a GEMM)
and one fused pass over the gates (the nonlinearity for the Elman RNN), the time loop
in C where it can be.  On a PackedSequence the same primitive runs on each run of time steps
with one batch size (RNNBase._run_packed), so each sequence stops at its own length.
"""
import math
import warnings

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from ...ops.recurrent import gru_cell, gru_sequence, lstm_cell, lstm_sequence, rnn_sequence
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, packed_runs
from .module import Module

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# ---- one time step: `gi` is the input projection W_ih x + b_ih, already computed ---------------

def _rnn_step(gi, h, w_hh, b_hh, nonlinearity):
    pre = gi + F.linear(h, w_hh, b_hh)
    return ops.tanh(pre) if nonlinearity == "tanh" else ops.relu(pre)


def _lstm_step(gi, h, c, w_hh, b_hh):
    return lstm_cell(gi + F.linear(h, w_hh, b_hh), c)


def _gru_step(gi, h, w_hh, b_hh):
    return gru_cell(gi, F.linear(h, w_hh, b_hh), h)


def _projected_lstm(x, w_ih, w_hh, b_ih, b_hh, w_hr, h, c):
    """An LSTM layer and direction with a projection (proj_size > 0), step by step: the inputs of all
    steps projected with one GEMM, then per step the recurrent product, the fused gate pass and
    the projection h = h_full W_hr^T.  Returns the outputs (steps, batch, proj_size) and (h_T, c_T)."""
    projected = F.linear(x, w_ih, b_ih)
    outputs = []
    for t in range(x.shape[0]):
        h_full, c = _lstm_step(projected[t], h, c, w_hh, b_hh)
        h = F.linear(h_full, w_hr)
        outputs.append(h)
    output = ops.stack(outputs, axis=0) if outputs else _zeros((0,) + tuple(h.shape), h)
    return output, (h, c)


def _zeros(shape, like):
    return Tensor(np.zeros(shape, dtype=like.dtype))


def _host_indices(indices):
    """A PackedSequence's index tensor as a NumPy int64 array, for indexing."""
    return np.asarray(indices.tolist(), dtype=np.int64)


def _uniform_parameters(module):
    """PyTorch's initialisation of recurrent weights and biases: U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    bound = 1 / math.sqrt(module.hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _check_state(name, what, state, expected):
    if not isinstance(state, Tensor):
        state = Tensor(state)
    if tuple(state.shape) != tuple(expected):
        raise ValueError(f"{name}: expected {what} of shape {tuple(expected)}, got {tuple(state.shape)}")
    return state


def _check_input(name, input, input_size, dims):
    if not isinstance(input, Tensor):
        input = Tensor(input)
    if input.ndim not in dims:
        raise ValueError(f"{name}: input must have {' or '.join(map(str, dims))} dimensions, "
                         f"got shape {tuple(input.shape)}")
    if input.shape[-1] != input_size:
        raise ValueError(f"{name}: input.size(-1) must be equal to input_size. Expected {input_size}, "
                         f"got {input.shape[-1]}")
    return input


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrence shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"{name}: hidden_size must be a positive integer, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"{name}: num_layers must be a positive integer, got {num_layers!r}")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if not isinstance(proj_size, int) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError(f"{name}: proj_size must be an integer >= 0, got {proj_size!r}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size is supported by LSTM only")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size ({proj_size}) must be smaller than hidden_size ({hidden_size})")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} applies between recurrent layers only, so it changes "
                          f"nothing with num_layers=1", UserWarning, stacklevel=3)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        gate_size = _GATES[mode] * hidden_size
        state_size = proj_size or hidden_size  # the size of h: projected to proj_size when proj_size > 0
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else state_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, state_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for prefix, shape in shapes:
                    self.register_parameter(prefix + suffix, Parameter(np.empty(shape, dtype=dtype)))
                    self._flat_weights_names.append(prefix + suffix)
        self.reset_parameters()
        self._place_on(device)

    def reset_parameters(self):
        _uniform_parameters(self)

    def flatten_parameters(self):
        """PyTorch's call to pack the weights into one cuDNN buffer after loading or moving them.

        fastgrad's recurrent kernels read each layer's weights where they are, so there is
        nothing to pack: the call returns None and changes nothing, on every device."""
        return None

    def _weights(self, layer, direction):
        """w_ih, w_hh, b_ih, b_hh (None without bias), and w_hr when proj_size > 0."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        bias = (getattr(self, "bias_ih" + suffix), getattr(self, "bias_hh" + suffix)) if self.bias else (None, None)
        weights = (getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix), bias[0], bias[1])
        return weights + (getattr(self, "weight_hr" + suffix),) if self.proj_size else weights

    def _run_sequence(self, layer_input, state, weights, reverse):
        """One layer and direction as one primitive, from the state (h,) or (h, c); returns the
        outputs and the final state, a tuple likewise."""
        steps = layer_input.shape[0]
        sequence = ops.flip(layer_input, 0) if reverse else layer_input
        if self.mode == "LSTM" and self.proj_size:
            output, final = _projected_lstm(sequence, *weights, *state)
        elif self.mode == "LSTM":
            hc = lstm_sequence(sequence, *weights, state[0], state[1])
            output, final = hc[0, 1:], (hc[0, steps], hc[1, steps])
        else:
            if self.mode == "GRU":
                h = gru_sequence(sequence, *weights, state[0])
            else:
                h = rnn_sequence(sequence, *weights, state[0], "tanh" if self.mode == "RNN_TANH" else "relu")
            output, final = h[1:], (h[steps],)
        return (ops.flip(output, 0) if reverse else output), final

    def _run_layers(self, layer_input, states, run, feature_axis):
        """Every layer and direction in turn, run(layer_input, state, weights, reverse) giving each
        one's output and final state; states and finals are tuples (h,) or (h, c).  Returns the
        last layer's output and the final states stacked over layers and directions."""
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                layer_input = F.dropout(layer_input, self.dropout, True)
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                output, final = run(layer_input, tuple(s[index] for s in states), self._weights(layer, direction),
                                    direction == 1)
                outputs.append(output)
                finals.append(final)
            layer_input = outputs[0] if directions == 1 else ops.concatenate(outputs, axis=feature_axis)
        return layer_input, tuple(ops.stack([f[i] for f in finals], axis=0) for i in range(len(states)))

    def _state_shapes(self, batch):
        """The shapes of h_0 and c_0 (layers * directions, batch, size)."""
        c_shape = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        return c_shape[:2] + (self.proj_size or self.hidden_size,), c_shape

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = type(self).__name__
        input = _check_input(name, input, self.input_size, (2, 3))
        batched = input.ndim == 3
        if not batched:
            input = ops.unsqueeze(input, 1)
        elif self.batch_first:
            input = ops.swapaxes(input, 0, 1)
        states = self._initial_states(name, hx, self._state_shapes(input.shape[1]), batched, input)
        output, final_states = self._run_layers(input, states, self._run_sequence, 2)
        if not batched:
            output = ops.squeeze(output, 1)
            final_states = tuple(ops.squeeze(s, 1) for s in final_states)
        elif self.batch_first:
            output = ops.swapaxes(output, 0, 1)
        return output, final_states if self.mode == "LSTM" else final_states[0]

    def _forward_packed(self, packed, hx):
        """forward on a PackedSequence: returns a PackedSequence (same batch_sizes and indices) and
        the final states in the original batch order, each sequence's at its own last step."""
        name = type(self).__name__
        data = _check_input(name, packed.data, self.input_size, (2,))
        runs = packed_runs(packed.batch_sizes)
        states = self._initial_states(name, hx, self._state_shapes(runs[0][2] if runs else 0), True, data)
        if hx is not None and packed.sorted_indices is not None:
            states = tuple(s[:, _host_indices(packed.sorted_indices)] for s in states)

        def run(layer_input, state, weights, reverse):
            return self._run_packed(layer_input, runs, state, weights, reverse)
        output, final_states = self._run_layers(data, states, run, 1)
        if packed.unsorted_indices is not None:
            final_states = tuple(s[:, _host_indices(packed.unsorted_indices)] for s in final_states)
        output = PackedSequence(output, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        return output, final_states if self.mode == "LSTM" else final_states[0]

    def _run_packed(self, data, runs, state, weights, reverse):
        """One layer and direction over packed data (rows, features): _run_sequence on each run of
        steps with one batch size, the state carried from run to run.  Forwards, the batch shrinks
        from run to run and the rows that end keep their state as their final one; in reverse the
        runs go from last to first, the batch grows, and the rows that join start from their
        initial state.  Returns the packed outputs and the final state (h,) or (h, c)."""
        def advance(start, end, size, offset, current):
            block = data[offset:offset + (end - start) * size].reshape(end - start, size, data.shape[1])
            output, final = self._run_sequence(block, current, weights, reverse)
            return output.reshape(-1, output.shape[2]), final

        outputs = []
        if not reverse:
            current, ended = state, []
            for start, end, size, offset in runs:
                if size < current[0].shape[0]:
                    ended.append(tuple(s[size:] for s in current))
                    current = tuple(s[:size] for s in current)
                output, current = advance(start, end, size, offset, current)
                outputs.append(output)
            ended.append(current)
            final = tuple(ops.concatenate([e[i] for e in reversed(ended)], axis=0) for i in range(len(state)))
        else:
            current = None
            for start, end, size, offset in reversed(runs):
                if current is None:
                    current = tuple(s[:size] for s in state)
                elif size > current[0].shape[0]:
                    joined = current[0].shape[0]
                    current = tuple(ops.concatenate([c, s[joined:size]], axis=0) for c, s in zip(current, state))
                output, current = advance(start, end, size, offset, current)
                outputs.append(output)
            outputs.reverse()
            final = current
        return ops.concatenate(outputs, axis=0), final

    def _initial_states(self, name, hx, shapes, batched, input):
        """h_0 (and c_0 for LSTM), checked against shapes (h's, c's), with a batch axis."""
        count = 2 if self.mode == "LSTM" else 1
        if hx is None:
            return tuple(_zeros(shape, input) for shape in shapes[:count])
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
            given = tuple(hx)
        else:
            given = (hx,)
        checked = []
        for what, state, shape in zip(("h_0", "c_0"), given, shapes):
            state = _check_state(name, what, state, shape if batched else (shape[0], shape[2]))
            checked.append(state if batched else ops.unsqueeze(state, 1))
        return tuple(checked)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = nonlinearity(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh), nonlinearity 'tanh' or 'relu'.

    Returns (output, h_n): output (seq, batch, D * hidden) (batch first if batch_first),
    h_n (D * num_layers, batch, hidden).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self):
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else text + ", nonlinearity='relu'"


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gate order (input, forget, cell, output):

        c_t = sigmoid(f) * c_(t-1) + sigmoid(i) * tanh(g),   h_t = sigmoid(o) * tanh(c_t)

    With proj_size > 0, h_t = (sigmoid(o) * tanh(c_t)) W_hr^T (size proj_size), and h_0, h_n,
    the output and W_hh follow that size, as in PyTorch.

    Returns (output, (h_n, c_n)).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's gate order (reset, update, new):

        n = tanh(x_n + r * (W_hn h + b_hn)),   h_t = (1 - z) * n + z * h_(t-1)

    Returns (output, h_n).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ---- cells: one time step, input (batch, input_size) or (input_size,) -------------------------

class RNNCellBase(Module):
    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"{name}: hidden_size must be a positive integer, got {hidden_size!r}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        gate_size = self._gates * hidden_size
        self.weight_ih = Parameter(np.empty((gate_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((gate_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty((gate_size,), dtype=dtype))
            self.bias_hh = Parameter(np.empty((gate_size,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        self._place_on(device)

    def reset_parameters(self):
        _uniform_parameters(self)

    def _prepare(self, input, states):
        """Checks the input and states; returns them with a batch axis, and whether one was added."""
        name = type(self).__name__
        input = _check_input(name, input, self.input_size, (1, 2))
        batched = input.ndim == 2
        if not batched:
            input = ops.unsqueeze(input, 0)
        shape = (input.shape[0], self.hidden_size)
        prepared = []
        for what, state in states:
            if state is None:
                prepared.append(_zeros(shape, input))
            else:
                state = _check_state(name, what, state, shape if batched else shape[1:])
                prepared.append(state if batched else ops.unsqueeze(state, 0))
        return input, prepared, batched

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias else text + ", bias=False"


class RNNCell(RNNCellBase):
    """One step of the Elman RNN: h' = nonlinearity(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")
        super().__init__(input_size, hidden_size, bias, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, [("hx", hx)])
        h = _rnn_step(F.linear(input, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                      self.nonlinearity)
        return h if batched else ops.squeeze(h, 0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""
    _gates = 4

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError(f"LSTMCell: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        input, (h, c), batched = self._prepare(input, [("h_0", h0), ("c_0", c0)])
        h, c = _lstm_step(F.linear(input, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (ops.squeeze(h, 0), ops.squeeze(c, 0))


class GRUCell(RNNCellBase):
    """One GRU step; returns h'."""
    _gates = 3

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, [("hx", hx)])
        h = _gru_step(F.linear(input, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else ops.squeeze(h, 0)
