"""nn.EmbeddingBag / F.embedding_bag against PyTorch (float64, the same weights): modes,
offsets, 2-d input, per_sample_weights, padding_idx, empty bags, max_norm; numerical
gradients, PyTorch's initialisation and state_dict keys, and errors."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

TOL = dict(rtol=1e-12, atol=1e-13)
ROWS, DIM = 9, 4


def _both(torch, rng, kwargs, idx, offsets=None, per_sample=False):
    """Runs both modules (same weights) and compares the outputs and the weight (and
    per_sample_weights) gradients."""
    peer = torch.nn.EmbeddingBag(ROWS, DIM, **kwargs).double()
    mine = nn.EmbeddingBag(ROWS, DIM, **kwargs, dtype=np.float64)
    assert list(mine.state_dict()) == list(peer.state_dict()) == ["weight"]
    mine.load_state_dict({"weight": fg.tensor(peer.weight.detach().numpy())})
    samples = rng.standard_normal(idx.shape) if per_sample else None
    sm = fg.tensor(samples, requires_grad=True) if per_sample else None
    st = torch.tensor(samples, requires_grad=True) if per_sample else None
    got = mine(idx, offsets, per_sample_weights=sm)
    expected = peer(torch.tensor(idx), None if offsets is None else torch.tensor(offsets), per_sample_weights=st)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TOL)
    seed = rng.standard_normal(got.shape)
    (got * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(mine.weight.grad.data, peer.weight.grad.numpy(), **TOL)
    if per_sample:
        np.testing.assert_allclose(sm.grad.data, st.grad.numpy(), **TOL)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("offsets, include_last_offset", [([0, 3, 3, 7], False), ([0, 4, 4, 9, 12], True),
                                                          ([0], False)])
def test_offsets_match_torch(mode, padding_idx, offsets, include_last_offset, rng):
    torch = pytest.importorskip("torch")
    idx = rng.integers(0, ROWS, 12)
    idx[[1, 5]] = 2  # padding entries (when padding_idx is 2), one bag gets two of them
    _both(torch, rng, dict(mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset), idx,
          np.array(offsets))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_two_dimensional_input_matches_torch(mode, rng):
    torch = pytest.importorskip("torch")
    idx = rng.integers(0, ROWS, (5, 3))
    idx[2] = 0  # a bag made only of padding
    _both(torch, rng, dict(mode=mode, padding_idx=0), idx)


@pytest.mark.parametrize("two_d", [False, True])
def test_per_sample_weights_match_torch(two_d, rng):
    torch = pytest.importorskip("torch")
    if two_d:
        _both(torch, rng, dict(mode="sum"), rng.integers(0, ROWS, (4, 3)), per_sample=True)
    else:
        _both(torch, rng, dict(mode="sum", padding_idx=1), rng.integers(0, ROWS, 10), np.array([0, 2, 6]),
              per_sample=True)


def test_empty_input_and_max_norm_match_torch(rng):
    torch = pytest.importorskip("torch")
    _both(torch, rng, dict(mode="mean"), np.zeros(0, np.int64), np.array([0, 0, 0]))
    _both(torch, rng, dict(mode="sum", max_norm=1.0), rng.integers(0, ROWS, 8), np.array([0, 5]))


def test_embedding_bag_numerical_gradients(rng):
    idx, offsets = np.array([0, 2, 2, 4, 1, 3]), np.array([0, 2, 5])
    for mode in ("sum", "mean", "max"):
        w = fg.tensor(rng.standard_normal((5, 3)), requires_grad=True)
        assert fg.gradcheck(lambda a: F.embedding_bag(idx, a, offsets, mode=mode, padding_idx=3), [w])
    w, s = (fg.tensor(rng.standard_normal(shape), requires_grad=True) for shape in ((5, 3), (6,)))
    assert fg.gradcheck(lambda a, b: F.embedding_bag(idx, a, offsets, mode="sum", per_sample_weights=b), [w, s])


def test_initialisation_and_padding_row():
    fg.manual_seed(0)
    bag = nn.EmbeddingBag(500, 8, padding_idx=-1)
    assert bag.padding_idx == 499 and bag.weight.dtype == np.float32 and bag.mode == "mean"
    np.testing.assert_array_equal(bag.weight.data[499], 0.0)
    assert abs(bag.weight.data[:499].std() - 1.0) < 0.1


def test_from_pretrained_copies_and_freezes(rng):
    table = rng.standard_normal((4, 3))
    bag = nn.EmbeddingBag.from_pretrained(fg.tensor(table), mode="sum")
    assert not bag.weight.requires_grad and bag.mode == "sum"
    np.testing.assert_array_equal(bag(np.array([[0, 3]])).data, table[[0]] + table[[3]])
    table[0] = 0.0
    assert bag.weight.data[0].any()  # a copy
    assert nn.EmbeddingBag.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="EmbeddingBag.from_pretrained: embeddings must be 2-D"):
        nn.EmbeddingBag.from_pretrained(np.ones(3))


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.embedding_bag(np.array([0, 1]), fg.ones(3, 2)), ValueError, "'offsets' is required"),
    (lambda: F.embedding_bag(np.array([[0, 1]]), fg.ones(3, 2), np.array([0])), ValueError,
     "'offsets' must be None"),
    (lambda: F.embedding_bag(np.array([0, 1]), fg.ones(3, 2), np.array([1])), ValueError, "must start at 0"),
    (lambda: F.embedding_bag(np.array([0, 1]), fg.ones(3, 2), np.array([0, 3])), ValueError, "non-decreasing"),
    (lambda: F.embedding_bag(np.array([0, 5]), fg.ones(3, 2), np.array([0])), IndexError, "out of range"),
    (lambda: F.embedding_bag(np.array([0.5]), fg.ones(3, 2), np.array([0])), TypeError, "'input' must hold"),
    (lambda: F.embedding_bag(np.array([0]), fg.ones(3, 2), np.array([0]), mode="min"), ValueError, "'mode'"),
    (lambda: F.embedding_bag(np.array([0]), fg.ones(3, 2), np.array([0]), mode="mean",
                             per_sample_weights=fg.ones(1)), ValueError, "only supported for mode='sum'"),
    (lambda: F.embedding_bag(np.array([0]), fg.ones(3, 2), np.array([0]), mode="sum",
                             per_sample_weights=fg.ones(2)), ValueError, "'per_sample_weights' has shape"),
    (lambda: F.embedding_bag(np.array([0]), fg.ones(3), np.array([0])), ValueError, "'weight' must be 2-d"),
    (lambda: F.embedding_bag(np.array([0]), fg.ones(3, 2), np.array([0]), scale_grad_by_freq=True),
     NotImplementedError, "scale_grad_by_freq"),
    (lambda: nn.EmbeddingBag(3, 2, mode="min"), ValueError, "EmbeddingBag: mode"),
    (lambda: nn.EmbeddingBag(3, 2, padding_idx=3), ValueError, "EmbeddingBag: padding_idx"),
])
def test_bad_arguments_name_the_function_and_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
