"""DistributedSampler with explicit num_replicas and rank (no MPI needed)."""
import numpy as np
import pytest

from fastgrad.utils.data import DataLoader, DistributedSampler, TensorDataset


def shares(n, replicas, **kw):
    dataset = TensorDataset(np.arange(n))
    return [list(DistributedSampler(dataset, num_replicas=replicas, rank=r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n, replicas", [(10, 2), (12, 3), (1, 1), (0, 2)])
def test_even_split_is_disjoint_and_complete(n, replicas):
    parts = shares(n, replicas, shuffle=True, seed=7)
    assert all(len(p) == n // replicas for p in parts)
    assert sorted(i for p in parts for i in p) == list(range(n))


@pytest.mark.parametrize("n, replicas", [(11, 2), (10, 4), (2, 3), (7, 5)])
def test_padding_repeats_indices_to_equal_shares(n, replicas):
    parts = shares(n, replicas, shuffle=False)
    size = -(-n // replicas)
    assert all(len(p) == size for p in parts)
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n))
    padded = list(np.resize(np.arange(n), size * replicas))
    assert [padded[r::replicas] for r in range(replicas)] == parts     # rank r takes every replicas-th


@pytest.mark.parametrize("n, replicas", [(11, 2), (10, 4), (2, 3)])
def test_drop_last_drops_the_tail(n, replicas):
    parts = shares(n, replicas, shuffle=True, seed=1, drop_last=True)
    assert all(len(p) == n // replicas for p in parts)
    flat = [i for p in parts for i in p]
    assert len(set(flat)) == len(flat)


def test_order_depends_on_seed_and_epoch_only():
    dataset = TensorDataset(np.arange(50))
    a = DistributedSampler(dataset, num_replicas=2, rank=0, seed=3)
    b = DistributedSampler(dataset, num_replicas=2, rank=0, seed=3)
    assert list(a) == list(b) and list(a) == list(a)
    first = list(a)
    a.set_epoch(1)
    assert list(a) != first
    b.set_epoch(1)
    assert list(a) == list(b)
    assert list(DistributedSampler(dataset, num_replicas=2, rank=0, shuffle=False)) == list(range(0, 50, 2))


def test_data_loader_takes_it_as_sampler():
    x = np.arange(20.0).reshape(10, 2)
    sampler = DistributedSampler(TensorDataset(x), num_replicas=2, rank=1, shuffle=False)
    loader = DataLoader(x, batch_size=2, sampler=sampler)
    assert len(loader) == 3
    rows = np.concatenate([np.asarray(b.data) for b in loader])
    np.testing.assert_array_equal(rows, x[1::2])


@pytest.mark.parametrize("kw, message", [
    (dict(num_replicas=0, rank=0), "num_replicas must be a positive integer"),
    (dict(num_replicas=2, rank=2), r"rank must be in \[0, 2\), got 2"),
    (dict(num_replicas=2, rank=-1), "rank must be in"),
    (dict(num_replicas=2.0, rank=0), "num_replicas must be a positive integer"),
])
def test_bad_arguments_are_named(kw, message):
    with pytest.raises(ValueError, match=message):
        DistributedSampler(TensorDataset(np.arange(4)), **kw)
