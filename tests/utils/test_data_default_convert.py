"""fastgrad.utils.data.default_convert against torch.utils.data.default_convert (the same structure,
types and values for arrays, NumPy scalars, containers and the values it leaves alone) and the
DataLoader's unbatched samples (batch_size=None), which it converts as PyTorch's does."""
import collections

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.data import DataLoader, Dataset, IterableDataset, default_convert

Pair = collections.namedtuple("Pair", "features label")


def _samples():
    return [np.arange(3, dtype=np.float32), np.float64(2.5), np.int64(7), np.bool_(True), np.array(4.0), 3, 2.0,
            "text", b"raw", np.array(["a", "b"]), np.array([1, "x"], dtype=object),
            (np.ones(2), [np.int32(1)], {"k": np.zeros((1, 2))}), Pair(np.ones(1), 5),
            {"image": np.ones((2, 2), dtype=np.uint8), "names": ["a", "b"]}, [np.zeros(0)]]


def _same(mine, theirs, torch):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(mine, fg.Tensor) and str(mine.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(mine) is type(theirs) and list(mine) == list(theirs)
        for key in theirs:
            _same(mine[key], theirs[key], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            _same(a, b, torch)
    elif isinstance(theirs, np.ndarray):
        assert type(mine) is np.ndarray and mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    else:
        assert type(mine) is type(theirs) and mine == theirs


@pytest.mark.parametrize("index", range(len(_samples())))
def test_matches_pytorch(index):
    torch = pytest.importorskip("torch")
    sample = _samples()[index]
    _same(default_convert(sample), torch.utils.data.default_convert(sample), torch)


def test_tensors_pass_through_unchanged():
    t = fg.ones(2, requires_grad=True)
    assert default_convert(t) is t and default_convert([t])[0] is t


class _Pairs(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return np.full(2, float(i)), np.int64(i)


class _Stream(IterableDataset):
    def __iter__(self):
        return iter([{"x": np.ones(2)}, {"x": np.zeros(2)}])


def test_unbatched_loader_converts_each_sample():
    samples = list(DataLoader(_Pairs(), batch_size=None))
    assert len(samples) == 3
    for i, (features, label) in enumerate(samples):        # the tuple became a list, as in PyTorch
        assert isinstance(features, fg.Tensor) and isinstance(label, fg.Tensor)
        assert features.tolist() == [float(i)] * 2 and label.item() == i
    streamed = list(DataLoader(_Stream(), batch_size=None))
    assert all(isinstance(s["x"], fg.Tensor) for s in streamed)
    raw = list(DataLoader(_Pairs(), batch_size=None, collate_fn=lambda s: s))
    assert isinstance(raw[0][0], np.ndarray)                # a collate_fn replaces the conversion
