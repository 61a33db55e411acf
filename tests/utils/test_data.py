"""TensorDataset and DataLoader: batching, shuffling with seeds, drop_last, NumPy inputs, collate."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.data import DataLoader, Dataset, TensorDataset, default_collate, random_split


def _xy(n=10):
    return np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n)


def test_tensor_dataset():
    x, y = _xy()
    ds = TensorDataset(fg.tensor(x), y)
    assert len(ds) == 10
    xi, yi = ds[3]
    assert isinstance(xi, fg.Tensor) and xi.data.tolist() == [6.0, 7.0] and int(yi.item()) == 3
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(x, y[:5])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


@pytest.mark.parametrize("drop_last,sizes", [(False, [4, 4, 2]), (True, [4, 4])])
def test_batches_in_order(drop_last, sizes):
    x, y = _xy()
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) and [len(b[1]) for b in batches] == sizes
    assert all(isinstance(t, fg.Tensor) and not t.requires_grad for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]), np.arange(sum(sizes)))
    assert batches[0][0].dtype == np.float32


def test_shuffle_is_a_permutation_reproducible_by_seed_and_new_each_epoch():
    x, y = _xy(50)
    a = DataLoader((x, y), batch_size=8, shuffle=True, seed=1)
    b = DataLoader((x, y), batch_size=8, shuffle=True, generator=np.random.default_rng(1))
    epoch1 = np.concatenate([yb.data for _, yb in a])
    epoch2 = np.concatenate([yb.data for _, yb in a])
    assert sorted(epoch1) == list(range(50)) and not np.array_equal(epoch1, np.arange(50))
    assert not np.array_equal(epoch1, epoch2)
    np.testing.assert_array_equal(epoch1, np.concatenate([yb.data for _, yb in b]))
    for xb, yb in DataLoader((x, y), batch_size=8, shuffle=True, seed=3):
        np.testing.assert_array_equal(xb.data[:, 0], 2 * yb.data)   # rows stay paired
    fg.manual_seed(5)
    first = [yb.data.tolist() for _, yb in DataLoader((x, y), batch_size=50, shuffle=True)]
    fg.manual_seed(5)
    assert first == [yb.data.tolist() for _, yb in DataLoader((x, y), batch_size=50, shuffle=True)]


def test_plain_array_yields_tensors():
    x, _ = _xy()
    batches = list(DataLoader(x, batch_size=3))
    assert [b.shape for b in batches] == [(3, 2), (3, 2), (3, 2), (1, 2)]


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.array([i, i], np.float64), "y": i * i}


def test_generic_dataset_with_default_and_custom_collate():
    batch = next(iter(DataLoader(Squares(), batch_size=5)))
    assert batch["x"].shape == (5, 2) and batch["y"].data.tolist() == [0, 1, 4, 9, 16]
    sums = list(DataLoader(Squares(), batch_size=2, collate_fn=lambda items: sum(d["y"] for d in items)))
    assert sums == [1, 13, 16]
    assert default_collate([(1, 2.0), (3, 4.0)])[1].data.tolist() == [2.0, 4.0]


def test_random_split():
    x, y = _xy(10)
    a, b = random_split(TensorDataset(x, y), [7, 3], generator=np.random.default_rng(0))
    ids = sorted(int(a[i][1].item()) for i in range(len(a))) + sorted(int(b[i][1].item()) for i in range(len(b)))
    assert len(a) == 7 and len(b) == 3 and sorted(ids) == list(range(10))
    assert len(list(DataLoader(a, batch_size=4))) == 2
    with pytest.raises(ValueError, match="sum"):
        random_split(TensorDataset(x), [3, 3])


def test_bad_arguments():
    x, y = _xy()
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader((x, y), batch_size=0)
    with pytest.raises(ValueError, match="either generator or seed"):
        DataLoader((x, y), shuffle=True, seed=1, generator=np.random.default_rng(1))
