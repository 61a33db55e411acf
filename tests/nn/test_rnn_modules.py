"""RNN, LSTM, GRU and their cells: PyTorch's initialisation and state_dict keys, and outputs,
input gradients and every parameter gradient of the same weights against PyTorch's modules."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-10, atol=1e-12)


def _flatten(result):
    """(output, h_n) or (output, (h_n, c_n)) as a flat list of tensors."""
    out, state = result
    return [out] + (list(state) if isinstance(state, tuple) else [state])


def _compare(mine, peer, x, states, rng):
    """Runs both modules, checks every output, then back-propagates the same random seeds
    through all outputs and checks the input, state and parameter gradients."""
    torch = pytest.importorskip("torch")
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sm = [fg.tensor(s, requires_grad=True) for s in states]
    st = [torch.tensor(s, requires_grad=True) for s in states]
    pack = (lambda s: tuple(s)) if len(states) == 2 else (lambda s: s[0])
    if states:
        got, expected = mine(xm, pack(sm)), peer(xt, pack(st))
    else:
        got, expected = mine(xm), peer(xt)
    unpack = _as_list if isinstance(mine, nn.RNNCellBase) else _flatten
    got, expected = unpack(got), unpack(expected)
    assert len(got) == len(expected)
    check_outputs_and_gradients(torch, mine, peer, got, expected, [xm, *sm], [xt, *st], rng, TOL)


def _as_list(result):
    return list(result) if isinstance(result, tuple) else [result]


LAYER_CONFIGS = [
    dict(num_layers=1),
    dict(num_layers=2),
    dict(num_layers=1, bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=2, batch_first=True, bias=False),
]


def _layer_case(name, kwargs, initial_state, rng):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    extra = {"nonlinearity": "relu"} if name == "RNN_relu" else {}
    cls = name.split("_")[0]
    peer = getattr(torch.nn, cls)(5, 4, **kwargs, **extra).double()
    mine = getattr(nn, cls)(5, 4, **kwargs, **extra, dtype=np.float64)
    copy_weights(mine, peer)
    seq, batch = 6, 3
    x = rng.standard_normal((batch, seq, 5) if kwargs.get("batch_first") else (seq, batch, 5))
    layers = kwargs["num_layers"] * (2 if kwargs.get("bidirectional") else 1)
    count = 2 if cls == "LSTM" else 1
    states = [rng.standard_normal((layers, batch, 4)) for _ in range(count)] if initial_state else []
    _compare(mine, peer, x, states, rng)


@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("kwargs", LAYER_CONFIGS)
def test_lstm_matches_torch(kwargs, initial_state, rng):
    _layer_case("LSTM", kwargs, initial_state, rng)


@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("kwargs", LAYER_CONFIGS)
def test_gru_matches_torch(kwargs, initial_state, rng):
    _layer_case("GRU", kwargs, initial_state, rng)


@pytest.mark.parametrize("name", ["RNN", "RNN_relu"])
@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("kwargs", LAYER_CONFIGS)
def test_rnn_matches_torch(name, kwargs, initial_state, rng):
    _layer_case(name, kwargs, initial_state, rng)


@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("kwargs", LAYER_CONFIGS)
def test_lstm_with_projection_matches_torch(kwargs, initial_state, rng):
    """proj_size: h (and h_0, h_n, the output, W_hh) of size proj_size, h = h_full W_hr^T."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    peer = torch.nn.LSTM(5, 4, proj_size=2, **kwargs).double()
    mine = nn.LSTM(5, 4, proj_size=2, **kwargs, dtype=np.float64)
    copy_weights(mine, peer)
    seq, batch = 6, 3
    x = rng.standard_normal((batch, seq, 5) if kwargs.get("batch_first") else (seq, batch, 5))
    layers = kwargs["num_layers"] * (2 if kwargs.get("bidirectional") else 1)
    states = [rng.standard_normal((layers, batch, 2)), rng.standard_normal((layers, batch, 4))] if initial_state else []
    _compare(mine, peer, x, states, rng)


def test_unbatched_lstm_with_projection_matches_torch(rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=3).double()
    mine = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=3, dtype=np.float64)
    copy_weights(mine, peer)
    _compare(mine, peer, rng.standard_normal((5, 3)), [rng.standard_normal((4, 3)), rng.standard_normal((4, 4))], rng)


def test_lstm_with_projection_has_pytorchs_parameters():
    torch = pytest.importorskip("torch")
    peer = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    fg.manual_seed(0)
    mine = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    values = np.concatenate([p.data.ravel() for p in mine.parameters()])
    assert np.abs(values).max() <= 1 / math.sqrt(5)  # U(-1/sqrt(hidden), 1/sqrt(hidden)), W_hr too
    assert "proj_size=2" in repr(mine)


def test_gradcheck_lstm_with_projection(rng):
    fg.manual_seed(1)
    module = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2, dtype=np.float64)
    x = fg.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    h0 = fg.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
    c0 = fg.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)

    def run(x, h0, c0):
        out, (h, c) = module(x, (h0, c0))
        return out.sum() + (h * h).sum() + (c * c).sum()
    assert fg.gradcheck(run, (x, h0, c0))


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_unbatched_input_matches_torch(cls, rng):
    torch = pytest.importorskip("torch")
    peer = getattr(torch.nn, cls)(3, 2, num_layers=2, bidirectional=True).double()
    mine = getattr(nn, cls)(3, 2, num_layers=2, bidirectional=True, dtype=np.float64)
    copy_weights(mine, peer)
    states = [rng.standard_normal((4, 2)) for _ in range(2 if cls == "LSTM" else 1)]
    _compare(mine, peer, rng.standard_normal((5, 3)), states, rng)


@pytest.mark.parametrize("cls, kwargs", [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}),
                                         ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {"bias": False}),
                                         ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_cell_matches_torch(cls, kwargs, initial_state, batched, rng):
    torch = pytest.importorskip("torch")
    peer = getattr(torch.nn, cls)(5, 4, **kwargs).double()
    mine = getattr(nn, cls)(5, 4, **kwargs, dtype=np.float64)
    copy_weights(mine, peer)
    lead = (3,) if batched else ()
    count = 2 if cls == "LSTMCell" else 1
    states = [rng.standard_normal(lead + (4,)) for _ in range(count)] if initial_state else []
    _compare(mine, peer, rng.standard_normal(lead + (5,)), states, rng)


def test_dropout_between_layers_only_while_training(rng):
    fg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5, dtype=np.float64)
    x = fg.tensor(rng.standard_normal((5, 2, 3)))
    first, _ = lstm(x)
    second, _ = lstm(x)
    assert not np.allclose(first.data, second.data)  # a fresh mask each call
    lstm.eval()
    a, _ = lstm(x)
    b, _ = lstm(x)
    np.testing.assert_array_equal(a.data, b.data)
    # with one layer there is nothing between layers to drop: PyTorch warns so, and so does fastgrad
    with pytest.warns(UserWarning, match="GRU: dropout=0.5 applies between recurrent layers only"):
        single = nn.GRU(3, 4, dropout=0.5, dtype=np.float64)
    np.testing.assert_array_equal(single(x)[0].data, single(x)[0].data)


def test_flatten_parameters_is_accepted_and_changes_nothing(rng):
    """Scripts call rnn.flatten_parameters() after loading weights (for cuDNN's packed buffer);
    fastgrad's kernels read the weights in place, so the call keeps every output."""
    lstm = nn.LSTM(3, 4, num_layers=2, dtype=np.float64)
    x = fg.tensor(rng.standard_normal((5, 2, 3)))
    before, _ = lstm(x)
    weights = [p for p in lstm.parameters()]
    assert lstm.flatten_parameters() is None
    assert all(a is b for a, b in zip(lstm.parameters(), weights))
    np.testing.assert_array_equal(lstm(x)[0].data, before.data)


@pytest.mark.parametrize("make, keys", [
    (lambda: nn.LSTM(3, 8, num_layers=2, bidirectional=True),
     [f"{p}_l{k}{s}" for k in range(2) for s in ("", "_reverse")
      for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]),
    (lambda: nn.GRU(3, 8, bias=False), ["weight_ih_l0", "weight_hh_l0"]),
    (lambda: nn.RNNCell(3, 8), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]),
])
def test_initialisation_and_keys_are_pytorchs(make, keys):
    fg.manual_seed(0)
    module = make()
    assert list(module.state_dict()) == keys
    bound = 1 / math.sqrt(8)
    values = np.concatenate([p.data.ravel() for p in module.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.25 * bound / math.sqrt(3)


def test_parameter_shapes_match_torch():
    torch = pytest.importorskip("torch")
    for cls in ("LSTM", "GRU", "RNN"):
        peer = getattr(torch.nn, cls)(3, 5, num_layers=2, bidirectional=True)
        mine = getattr(nn, cls)(3, 5, num_layers=2, bidirectional=True)
        assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_gradcheck_small_layer(cls, rng):
    fg.manual_seed(1)
    module = getattr(nn, cls)(2, 3, num_layers=2, bidirectional=True, dtype=np.float64)
    x = fg.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    h0 = fg.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)

    def run(x, h0):
        return module(x, (h0, h0 * 0.5) if cls == "LSTM" else h0)[0]

    assert fg.gradcheck(run, (x, h0))


@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell", "RNNCell"])
def test_gradcheck_cell(cls, rng):
    fg.manual_seed(2)
    cell = getattr(nn, cls)(3, 2, dtype=np.float64)
    x = fg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    h = fg.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    c = fg.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    if cls == "LSTMCell":
        assert fg.gradcheck(lambda x, h, c: fg.stack(cell(x, (h, c))), (x, h, c))
    else:
        assert fg.gradcheck(lambda x, h: cell(x, h), (x, h))


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_layer_bad_input_raises(cls):
    module = getattr(nn, cls)(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=rf"{cls}: input.size\(-1\) must be equal to input_size. Expected 3, got 5"):
        module(fg.zeros(6, 2, 5))
    with pytest.raises(ValueError, match=rf"{cls}: input must have 2 or 3 dimensions"):
        module(fg.zeros(6, 2, 3, 1))
    bad = fg.zeros(1, 2, 4)
    with pytest.raises(ValueError, match=rf"{cls}: expected h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        module(fg.zeros(6, 2, 3), (bad, fg.zeros(2, 2, 4)) if cls == "LSTM" else bad)


def test_lstm_bad_states_raise():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape \(1, 2, 4\), got \(1, 2, 5\)"):
        lstm(fg.zeros(6, 2, 3), (fg.zeros(1, 2, 4), fg.zeros(1, 2, 5)))
    with pytest.raises(ValueError, match=r"LSTM: hx must be a tuple \(h_0, c_0\)"):
        lstm(fg.zeros(6, 2, 3), fg.zeros(1, 2, 4))
    projected = nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"LSTM: expected h_0 of shape \(1, 2, 2\), got \(1, 2, 4\)"):
        projected(fg.zeros(6, 2, 3), (fg.zeros(1, 2, 4), fg.zeros(1, 2, 4)))
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape \(1, 2, 4\), got \(1, 2, 2\)"):
        projected(fg.zeros(6, 2, 3), (fg.zeros(1, 2, 2), fg.zeros(1, 2, 2)))


@pytest.mark.parametrize("proj_size, message", [
    (4, r"LSTM: proj_size \(4\) must be smaller than hidden_size \(4\)"),
    (-1, "LSTM: proj_size must be an integer >= 0, got -1"),
    (1.5, "LSTM: proj_size must be an integer >= 0, got 1.5"),
])
def test_bad_proj_size_raises(proj_size, message):
    with pytest.raises(ValueError, match=message):
        nn.LSTM(3, 4, proj_size=proj_size)


@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cell_bad_input_raises(cls):
    cell = getattr(nn, cls)(3, 4)
    with pytest.raises(ValueError, match=rf"{cls}: input.size\(-1\) must be equal to input_size. Expected 3, got 2"):
        cell(fg.zeros(5, 2))
    with pytest.raises(ValueError, match=rf"{cls}: input must have 1 or 2 dimensions"):
        cell(fg.zeros(5, 2, 3))
    state = fg.zeros(5, 3)
    with pytest.raises(ValueError, match=rf"{cls}: expected \w+ of shape \(5, 4\), got \(5, 3\)"):
        cell(fg.zeros(5, 3), (state, state) if cls == "LSTMCell" else state)


def test_bad_constructor_arguments_raise():
    with pytest.raises(ValueError, match="RNN: unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="GRU: dropout must be a number in"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="LSTM: num_layers must be a positive integer"):
        nn.LSTM(3, 4, num_layers=0)
