"""Packed variable-length sequences (fastgrad.nn.utils.rnn) and RNN, LSTM and GRU on them, against
PyTorch in float64 from the same weights: packed layouts, round trips, errors, and the padded
outputs, final states and every gradient of the recurrent layers."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence,
                                   pad_sequence, unpack_sequence, unpad_sequence)
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-10, atol=1e-12)
SORTED_LENGTHS = [5, 5, 3, 1]
UNSORTED_LENGTHS = [3, 5, 1, 5, 2]


def _torch_rnn_utils():
    torch = pytest.importorskip("torch")
    return torch, torch.nn.utils.rnn


def _assert_packed_equal(mine, theirs):
    np.testing.assert_array_equal(mine.data.data, theirs.data.detach().numpy())
    assert mine.batch_sizes.dtype == np.int64
    assert mine.batch_sizes.tolist() == theirs.batch_sizes.tolist()
    for a, b in [(mine.sorted_indices, theirs.sorted_indices), (mine.unsorted_indices, theirs.unsorted_indices)]:
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()


# ---- packing and padding ----------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", [(SORTED_LENGTHS, True), (UNSORTED_LENGTHS, False),
                                                     ([4, 4, 4], True), ([1], True)])
def test_pack_padded_sequence_matches_torch(lengths, enforce_sorted, batch_first, rng):
    torch, tr = _torch_rnn_utils()
    x = rng.standard_normal((len(lengths), 6, 2) if batch_first else (6, len(lengths), 2))
    mine = pack_padded_sequence(fg.tensor(x), lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    theirs = tr.pack_padded_sequence(torch.tensor(x), lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(mine, PackedSequence) and isinstance(mine, tuple)
    _assert_packed_equal(mine, theirs)
    data, batch_sizes, sorted_indices, unsorted_indices = mine
    assert data is mine.data and batch_sizes is mine.batch_sizes


@pytest.mark.parametrize("lengths", [SORTED_LENGTHS, UNSORTED_LENGTHS])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [None, 7])
def test_pad_packed_sequence_matches_torch_and_round_trips(lengths, batch_first, total_length, rng):
    torch, tr = _torch_rnn_utils()
    shape = (len(lengths), max(lengths), 3) if batch_first else (max(lengths), len(lengths), 3)
    x = rng.standard_normal(shape)
    as_lengths = [lengths, np.array(lengths), fg.tensor(np.array(lengths, dtype=np.int64))]
    for given in as_lengths:
        packed = pack_padded_sequence(fg.tensor(x), given, batch_first=batch_first, enforce_sorted=False)
        padded, got_lengths = pad_packed_sequence(packed, batch_first=batch_first, padding_value=-1.5,
                                                  total_length=total_length)
        expected, expected_lengths = tr.pad_packed_sequence(
            tr.pack_padded_sequence(torch.tensor(x), lengths, batch_first=batch_first, enforce_sorted=False),
            batch_first=batch_first, padding_value=-1.5, total_length=total_length)
        np.testing.assert_array_equal(padded.data, expected.numpy())
        assert got_lengths.dtype == np.int64 and got_lengths.tolist() == expected_lengths.tolist() == lengths
    # round trip: the valid steps come back unchanged
    time_axis = 1 if batch_first else 0
    for b, n in enumerate(lengths):
        index = (b, slice(0, n)) if batch_first else (slice(0, n), b)
        np.testing.assert_array_equal(padded.data[index], x[index])
    assert padded.shape[time_axis] == (total_length or max(lengths))


def test_pack_and_pad_are_differentiable_like_torch(rng):
    torch, tr = _torch_rnn_utils()
    x = rng.standard_normal((5, 5, 2))

    def mine(a):
        return pad_packed_sequence(pack_padded_sequence(a, UNSORTED_LENGTHS, enforce_sorted=False),
                                   total_length=6)[0] * 2

    def theirs(a):
        return tr.pad_packed_sequence(tr.pack_padded_sequence(a, UNSORTED_LENGTHS, enforce_sorted=False),
                                      total_length=6)[0] * 2
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    seed = rng.standard_normal((6, 5, 2))
    (mine(xm) * fg.tensor(seed)).sum().backward()
    (theirs(xt) * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(xm.grad.data, xt.grad.numpy())
    assert np.all(xm.grad.data[4:, 0] == 0)  # padding beyond a length gets no gradient


@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_sequence_and_unpack_sequence_match_torch(enforce_sorted, rng):
    torch, tr = _torch_rnn_utils()
    lengths = [4, 2, 2, 1] if enforce_sorted else [2, 4, 1, 3]
    arrays = [rng.standard_normal((n, 3)) for n in lengths]
    mine = pack_sequence([fg.tensor(a) for a in arrays], enforce_sorted=enforce_sorted)
    theirs = tr.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=enforce_sorted)
    _assert_packed_equal(mine, theirs)
    for got, a in zip(unpack_sequence(mine), arrays):
        np.testing.assert_array_equal(got.data, a)
    padded = pad_sequence([fg.tensor(a) for a in arrays], batch_first=True)
    for got, a in zip(unpad_sequence(padded, fg.tensor(np.array(lengths)), batch_first=True), arrays):
        np.testing.assert_array_equal(got.data, a)


def test_packed_sequence_to_casts_the_data_and_keeps_the_indices(rng):
    packed = pack_padded_sequence(fg.tensor(rng.standard_normal((3, 2, 2))), [2, 3], enforce_sorted=False)
    moved = packed.to(np.float32)
    assert moved.data.dtype == np.float32 and moved.batch_sizes is packed.batch_sizes
    assert moved.sorted_indices.tolist() == [1, 0] and moved.unsorted_indices.tolist() == [1, 0]
    assert packed.to("cpu") is packed and packed.double() is packed
    assert not packed.is_cuda
    rebuilt = PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices)
    assert rebuilt.unsorted_indices.tolist() == [1, 0]


@pytest.mark.parametrize("lengths, enforce_sorted, message", [
    ([1, 3], True,
     "pack_padded_sequence: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True"),
    ([3, 0], True, "pack_padded_sequence: Length of all samples has to be greater than 0"),
    ([0, 3], False, "pack_padded_sequence: Length of all samples has to be greater than 0"),
    ([4, 2], True, "pack_padded_sequence: `lengths` holds 4, longer than the input's padded time axis (3 steps)"),
    ([2, 4], False, "pack_padded_sequence: `lengths` holds 4, longer than the input's padded time axis (3 steps)"),
    ([3, 2, 1], True, "pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got 3"),
])
def test_pack_padded_sequence_errors(lengths, enforce_sorted, message):
    with pytest.raises(RuntimeError) as error:
        pack_padded_sequence(fg.zeros((3, 2, 4)), lengths, enforce_sorted=enforce_sorted)
    assert message in str(error.value)


@pytest.mark.parametrize("shape, lengths", [((3, 0, 4), []), ((0, 2, 4), [0, 0])])
def test_pack_padded_sequence_refuses_empty_input(shape, lengths):
    with pytest.raises(RuntimeError, match="pack_padded_sequence: Cannot pack empty tensors"):
        pack_padded_sequence(fg.zeros(shape), lengths)
    with pytest.raises(ValueError, match="pad_sequence: received an empty list of sequences"):
        pack_sequence([])


def test_pack_padded_sequence_refuses_fractional_lengths():
    with pytest.raises(TypeError, match="pack_padded_sequence: argument 'lengths' must be"):
        pack_padded_sequence(fg.zeros((3, 2, 4)), [2.5, 1])


def test_pad_packed_sequence_errors():
    packed = pack_padded_sequence(fg.zeros((3, 2, 4)), [3, 2])
    with pytest.raises(ValueError, match="pad_packed_sequence: Expected total_length to be at least the length of "
                                         "the longest sequence in input, but got total_length=2 and max sequence "
                                         "length being 3"):
        pad_packed_sequence(packed, total_length=2)
    with pytest.raises(TypeError, match="pad_packed_sequence: argument 'sequence' must be a PackedSequence"):
        pad_packed_sequence(fg.zeros((3, 2, 4)))


# ---- recurrent layers on packed input ------------------------------------------------------------

LAYER_CONFIGS = [
    dict(num_layers=1),
    dict(num_layers=2),
    dict(num_layers=1, bidirectional=True),
    dict(num_layers=2, bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=1, batch_first=True, bias=False),
]
LENGTHS = [(SORTED_LENGTHS, True), (UNSORTED_LENGTHS, False), ([4, 4, 4], True), ([1, 1], False)]


def _packed_layer_case(name, kwargs, lengths, enforce_sorted, initial_state, rng, proj_size=0):
    torch, tr = _torch_rnn_utils()
    torch.manual_seed(0)
    cls = name.split("_")[0]
    extra = {"nonlinearity": "relu"} if name == "RNN_relu" else {}
    if proj_size:
        extra["proj_size"] = proj_size
    peer = getattr(torch.nn, cls)(3, 4, **kwargs, **extra).double()
    mine = getattr(nn, cls)(3, 4, **kwargs, **extra, dtype=np.float64)
    copy_weights(mine, peer)
    batch_first = kwargs.get("batch_first", False)
    steps, batch = max(lengths) + 1, len(lengths)  # one step of padding beyond the longest
    x = rng.standard_normal((batch, steps, 3) if batch_first else (steps, batch, 3))
    layers = kwargs["num_layers"] * (2 if kwargs.get("bidirectional") else 1)
    shapes = [(layers, batch, proj_size or 4)] + ([(layers, batch, 4)] if cls == "LSTM" else [])
    states = [rng.standard_normal(s) for s in shapes] if initial_state else []
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sm = [fg.tensor(s, requires_grad=True) for s in states]
    st = [torch.tensor(s, requires_grad=True) for s in states]
    hx_m = (tuple(sm) if cls == "LSTM" else sm[0]) if states else None
    hx_t = (tuple(st) if cls == "LSTM" else st[0]) if states else None
    out_m, final_m = mine(pack_padded_sequence(xm, lengths, batch_first, enforce_sorted), hx_m)
    out_t, final_t = peer(tr.pack_padded_sequence(xt, lengths, batch_first, enforce_sorted), hx_t)
    assert isinstance(out_m, PackedSequence)
    _assert_packed_equal_layout(out_m, out_t)
    padded_m, lengths_m = pad_packed_sequence(out_m, batch_first=batch_first, total_length=steps)
    padded_t, _ = tr.pad_packed_sequence(out_t, batch_first=batch_first, total_length=steps)
    assert lengths_m.tolist() == list(lengths)
    got = [padded_m] + (list(final_m) if cls == "LSTM" else [final_m])
    expected = [padded_t] + (list(final_t) if cls == "LSTM" else [final_t])
    check_outputs_and_gradients(torch, mine, peer, got, expected, [xm, *sm], [xt, *st], rng, TOL)


def _assert_packed_equal_layout(mine, theirs):
    assert mine.batch_sizes.tolist() == theirs.batch_sizes.tolist()
    assert tuple(mine.data.shape) == tuple(theirs.data.shape)
    np.testing.assert_allclose(mine.data.data, theirs.data.detach().numpy(), **TOL)


@pytest.mark.parametrize("initial_state", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", LENGTHS)
@pytest.mark.parametrize("kwargs", LAYER_CONFIGS)
@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN", "RNN_relu"])
def test_packed_layer_matches_torch(name, kwargs, lengths, enforce_sorted, initial_state, rng):
    _packed_layer_case(name, kwargs, lengths, enforce_sorted, initial_state, rng)


@pytest.mark.parametrize("kwargs", [dict(num_layers=1), dict(num_layers=2, bidirectional=True)])
def test_packed_lstm_with_projection_matches_torch(kwargs, rng):
    _packed_layer_case("LSTM", kwargs, UNSORTED_LENGTHS, False, True, rng, proj_size=2)


def test_packed_layer_checks_its_input_and_state():
    lstm = nn.LSTM(3, 4, dtype=np.float64)
    packed = pack_padded_sequence(fg.zeros((3, 2, 5), dtype=np.float64), [3, 2])
    with pytest.raises(ValueError, match="LSTM: input.size\\(-1\\) must be equal to input_size"):
        lstm(packed)
    packed = pack_padded_sequence(fg.zeros((3, 2, 3), dtype=np.float64), [3, 2])
    with pytest.raises(ValueError, match="LSTM: expected h_0 of shape \\(1, 2, 4\\)"):
        lstm(packed, (fg.zeros((1, 3, 4)), fg.zeros((1, 3, 4))))


# ---- end to end: a text classifier on packed sequences ------------------------------------------

class _Classifier:
    """embedding -> packed bidirectional 2-layer LSTM -> linear on the last layer's final states."""

    def __init__(self, lib):
        self.lib = lib
        self.embedding = lib.nn.Embedding(12, 5, padding_idx=0)
        self.lstm = lib.nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
        self.head = lib.nn.Linear(12, 3)
        self.modules = [self.embedding, self.lstm, self.head]

    def parameters(self):
        return [p for m in self.modules for p in m.parameters()]

    def __call__(self, tokens, lengths):
        rnn_utils = self.lib.nn.utils.rnn
        packed = rnn_utils.pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True,
                                                enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.head(self.lib.cat([h_n[-2], h_n[-1]], dim=1))


def test_packed_lstm_classifier_trains_like_torch(rng):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    peer = _Classifier(torch)
    for m in peer.modules:
        m.double()
    mine = _Classifier(fg)
    for a, b in zip(mine.modules, peer.modules):
        a.to(fg.float64)
        copy_weights(a, b)
    lengths = np.array([4, 7, 2, 7, 1, 5])
    tokens = rng.integers(1, 12, size=(6, 7))
    tokens[np.arange(7)[None, :] >= lengths[:, None]] = 0
    labels = rng.integers(0, 3, size=6)
    opt_m = fg.optim.SGD(mine.parameters(), lr=0.5)
    opt_t = torch.optim.SGD(peer.parameters(), lr=0.5)
    losses_m, losses_t = [], []
    for _ in range(4):
        for opt, model, lib, losses in [(opt_m, mine, fg, losses_m), (opt_t, peer, torch, losses_t)]:
            opt.zero_grad()
            lengths_arg = lib.tensor(lengths) if lib is torch else lengths
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(tokens), lengths_arg), lib.tensor(labels))
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
    np.testing.assert_allclose(losses_m, losses_t, rtol=1e-10)
    assert losses_m[-1] < losses_m[0]
    for a, b in zip(mine.parameters(), peer.parameters()):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_packed_layer_dropout_between_layers(rng):
    """dropout between layers acts on the packed data in training and not in eval mode, as in PyTorch."""
    torch, tr = _torch_rnn_utils()
    peer = torch.nn.GRU(3, 4, num_layers=2, dropout=0.5).double().eval()
    mine = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=np.float64)
    copy_weights(mine, peer)
    x = rng.standard_normal((5, 5, 3))
    mine.eval()
    out_m, h_m = mine(pack_padded_sequence(fg.tensor(x), UNSORTED_LENGTHS, enforce_sorted=False))
    out_t, h_t = peer(tr.pack_padded_sequence(torch.tensor(x), UNSORTED_LENGTHS, enforce_sorted=False))
    np.testing.assert_allclose(out_m.data.data, out_t.data.detach().numpy(), **TOL)
    np.testing.assert_allclose(h_m.data, h_t.detach().numpy(), **TOL)
    mine.train()
    fg.manual_seed(0)
    xm = fg.tensor(x, requires_grad=True)
    out_train, h_train = mine(pack_padded_sequence(xm, UNSORTED_LENGTHS, enforce_sorted=False))
    assert not np.allclose(out_train.data.data, out_m.data.data)
    # the first layer's final state sees no dropout
    np.testing.assert_allclose(h_train.data[0], h_m.data[0], **TOL)
    h_train.sum().backward()
    assert np.all(np.isfinite(xm.grad.data)) and np.any(xm.grad.data != 0)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_packed_layer_in_float32_matches_torch(cls, rng):
    torch, tr = _torch_rnn_utils()
    torch.manual_seed(0)
    peer = getattr(torch.nn, cls)(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    mine = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    copy_weights(mine, peer)
    x = rng.standard_normal((5, 5, 3)).astype(np.float32)
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m, _ = mine(pack_padded_sequence(xm, UNSORTED_LENGTHS, batch_first=True, enforce_sorted=False))
    out_t, _ = peer(tr.pack_padded_sequence(xt, UNSORTED_LENGTHS, batch_first=True, enforce_sorted=False))
    padded_m = pad_packed_sequence(out_m, batch_first=True)[0]
    padded_t = tr.pad_packed_sequence(out_t, batch_first=True)[0]
    assert padded_m.dtype == np.float32
    check_outputs_and_gradients(torch, mine, peer, [padded_m], [padded_t], [xm], [xt], rng,
                                dict(rtol=1e-4, atol=1e-5))
