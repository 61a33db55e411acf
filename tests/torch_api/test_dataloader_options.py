"""DataLoader's PyTorch options: sampler, batch_sampler, drop_last, collate_fn, batch_size=None and
generator work as in PyTorch, and worker processes give the same batches."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.data import (BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler,
                                 SubsetRandomSampler, TensorDataset)

from torch_parity import needs_torch, torch
tdata = torch.utils.data if torch is not None else None


class EveryThird(Sampler):
    """A user sampler: an iterable of indices with a length."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(0, self.n, 3))

    def __len__(self):
        return len(range(0, self.n, 3))


def _batches(loader, to_numpy):
    return [[to_numpy(t).tolist() for t in batch] for batch in loader]


def _both(make):
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    ours = make(fg.utils.data, TensorDataset(x, y), fg)
    theirs = make(tdata, tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), torch)
    return _batches(ours, lambda t: np.asarray(t.data)), _batches(theirs, lambda t: t.numpy())


@needs_torch
@pytest.mark.parametrize("case", ["sampler", "user_sampler", "batch_sampler", "drop_last", "batch_sampler_drop",
                                  "collate_fn", "sequential"])
def test_loader_options_give_pytorchs_batches(case):
    makers = {
        "sampler": lambda m, ds, T: m.DataLoader(ds, batch_size=3, sampler=m.SequentialSampler(ds)),
        "user_sampler": lambda m, ds, T: m.DataLoader(ds, batch_size=2, sampler=EveryThird(len(ds))),
        "batch_sampler": lambda m, ds, T: m.DataLoader(ds, batch_sampler=[[3, 1], [0, 9, 2], [5]]),
        "drop_last": lambda m, ds, T: m.DataLoader(ds, batch_size=4, drop_last=True),
        "batch_sampler_drop": lambda m, ds, T: m.DataLoader(
            ds, batch_sampler=m.BatchSampler(m.SequentialSampler(ds), 4, drop_last=True)),
        "collate_fn": lambda m, ds, T: m.DataLoader(ds, batch_size=4, collate_fn=lambda items: (
            T.stack([a for a, _ in items]).sum(dim=1), T.stack([b for _, b in items]) * 2)),
        "sequential": lambda m, ds, T: m.DataLoader(ds, batch_size=3),
    }
    ours, theirs = _both(makers[case])
    assert ours == theirs


@needs_torch
def test_lengths_match_pytorch():
    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None},
                   {"batch_sampler": [[0, 1], [2]]}):
        ours = DataLoader(TensorDataset(np.zeros((10, 2))), **kwargs)
        theirs = tdata.DataLoader(tdata.TensorDataset(torch.zeros(10, 2)), **kwargs)
        assert len(ours) == len(theirs), kwargs


def test_batch_size_none_yields_single_samples():
    loader = DataLoader(TensorDataset(np.arange(6.0).reshape(3, 2)), batch_size=None)
    samples = list(loader)
    assert len(samples) == 3 and samples[1][0].shape == (2,)
    np.testing.assert_array_equal(samples[2][0].data, [4.0, 5.0])


def test_shuffle_with_generator_repeats_and_covers_every_index():
    ds = TensorDataset(np.arange(12))
    first = [b[0].data.tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=7)]
    again = [b[0].data.tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=7)]
    assert first == again and sorted(sum(first, [])) == list(range(12))


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    order = list(RandomSampler(range(6), generator=np.random.default_rng(0)))
    assert sorted(order) == list(range(6))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=10, generator=1))
    assert len(draws) == 10 and set(draws) <= {0, 1, 2}
    assert sorted(SubsetRandomSampler([4, 7, 9], generator=2)) == [4, 7, 9]
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, drop_last=True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, drop_last=False)) == 3
    with pytest.raises(ValueError, match="RandomSampler: num_samples needs replacement=True"):
        RandomSampler(range(3), num_samples=2)


@needs_torch
def test_worker_options_match_pytorch():
    # Worker processes are tested in tests/utils/test_data_workers.py; here the same batches as PyTorch's.
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    ours = [b.numpy().tolist() for b in DataLoader(x, batch_size=5, num_workers=2, prefetch_factor=1)]
    theirs = [b.tolist() for b in tdata.DataLoader(torch.tensor(x), batch_size=5, num_workers=0)]
    assert ours == theirs


@needs_torch
@pytest.mark.parametrize("kwargs", [
    {"batch_sampler": [[0]], "batch_size": 2}, {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]}, {"batch_sampler": [[0]], "drop_last": True},
    {"sampler": [0], "shuffle": True}, {"batch_size": None, "drop_last": True},
])
def test_conflicting_options_raise_as_in_pytorch(kwargs):
    with pytest.raises(ValueError, match="DataLoader: .*mutually exclusive"):
        DataLoader(TensorDataset(np.zeros(4)), **kwargs)
    with pytest.raises(ValueError):
        tdata.DataLoader(tdata.TensorDataset(torch.zeros(4)), **kwargs)


def test_pin_memory_says_it_has_no_effect():
    with pytest.warns(UserWarning, match="pin_memory=True has no effect"):
        DataLoader(TensorDataset(np.zeros(4)), pin_memory=True)
