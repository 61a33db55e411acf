"""ConcatDataset, ChainDataset, StackDataset, WeightedRandomSampler and IterableDataset (through
DataLoader), with PyTorch's meanings; PyTorch's backend queries."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.data import (ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, StackDataset,
                                 TensorDataset, WeightedRandomSampler)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.float64(i * i)

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter([np.array([i, -i], dtype=np.float32) for i in range(self.n)])


class SizedStream(Stream):
    def __len__(self):
        return self.n


# ---- ConcatDataset ---------------------------------------------------------------------------------

def test_concat_dataset_indexes_across_its_parts():
    d = ConcatDataset([Squares(3), Squares(0), Squares(2)])
    assert len(d) == 5 and d.cumulative_sizes == [3, 3, 5]
    assert [float(d[i]) for i in range(5)] == [0.0, 1.0, 4.0, 0.0, 1.0]
    assert float(d[-1]) == 1.0 and float(d[-5]) == 0.0
    with pytest.raises(IndexError, match="ConcatDataset: index 5 is out of range for 5 samples"):
        d[5]
    both = Squares(2) + Squares(3)
    assert isinstance(both, ConcatDataset) and len(both) == 5
    batches = list(DataLoader(ConcatDataset([TensorDataset(fg.arange(3)), TensorDataset(fg.arange(10, 12))]),
                              batch_size=2))
    assert [b[0].numpy().tolist() for b in batches] == [[0, 1], [2, 10], [11]]


def test_concat_dataset_matches_pytorch():
    torch = pytest.importorskip("torch")
    ours = ConcatDataset([Squares(3), Squares(4)])
    theirs = torch.utils.data.ConcatDataset([Squares(3), Squares(4)])
    assert len(ours) == len(theirs) and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]


def test_concat_dataset_errors():
    with pytest.raises(ValueError, match="ConcatDataset: datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="ConcatDataset: dataset 1 is an IterableDataset"):
        ConcatDataset([Squares(2), Stream(3)])


# ---- WeightedRandomSampler ----------------------------------------------------------------------------

def test_weighted_sampler_draws_in_proportion_to_the_weights():
    weights = [1.0, 0.0, 3.0]
    s = WeightedRandomSampler(weights, 20000, generator=0)
    drawn = np.array(list(s))
    assert len(s) == 20000 and drawn.size == 20000 and 1 not in drawn
    assert abs(np.mean(drawn == 2) - 0.75) < 0.02
    assert list(WeightedRandomSampler(weights, 50, generator=7)) == list(WeightedRandomSampler(weights, 50,
                                                                                               generator=7))
    fg.manual_seed(3)
    first = list(WeightedRandomSampler(fg.tensor([0.2, 0.8]), 30))
    fg.manual_seed(3)
    assert list(WeightedRandomSampler(fg.tensor([0.2, 0.8]), 30)) == first


def test_weighted_sampler_without_replacement_draws_each_index_once():
    drawn = list(WeightedRandomSampler([1, 2, 3, 4, 0.5], 5, replacement=False, generator=1))
    assert sorted(drawn) == [0, 1, 2, 3, 4]
    loader = DataLoader(TensorDataset(fg.arange(10)), batch_size=4,
                        sampler=WeightedRandomSampler(np.ones(10), 8, replacement=False, generator=2))
    seen = np.concatenate([b[0].numpy() for b in loader])
    assert len(loader) == 2 and seen.size == 8 and len(set(seen.tolist())) == 8


@pytest.mark.parametrize("args,kwargs,words", [
    (([1.0, 2.0], 0), {}, "num_samples should be a positive integer"),
    (([1.0, 2.0], 3), dict(replacement=1), "replacement should be a boolean"),
    (([[1.0, 2.0]], 3), {}, "weights should be a 1-d sequence"),
    (([1.0, -2.0], 3), {}, "weights must be finite, non-negative and not all zero"),
    (([0.0, 0.0], 3), {}, "not all zero"),
    (([1.0, 0.0, 1.0], 3), dict(replacement=False), "cannot draw 3 samples without replacement from 2"),
])
def test_weighted_sampler_errors(args, kwargs, words):
    with pytest.raises(ValueError, match=f"WeightedRandomSampler: .*{words}"):
        WeightedRandomSampler(*args, **kwargs)


# ---- IterableDataset --------------------------------------------------------------------------------

def test_data_loader_batches_an_iterable_dataset_in_order():
    batches = list(DataLoader(Stream(7), batch_size=3))
    assert [b.shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches])[:, 0], np.arange(7))
    assert len(list(DataLoader(Stream(7), batch_size=3, drop_last=True))) == 2
    singles = list(DataLoader(Stream(3), batch_size=None))
    assert [s.tolist() for s in singles] == [[0, 0], [1, -1], [2, -2]]
    summed = list(DataLoader(Stream(4), batch_size=2, collate_fn=lambda batch: float(np.sum(batch))))
    assert summed == [0.0, 0.0]
    assert list(DataLoader(Stream(0), batch_size=2)) == []
    for epoch in range(2):          # a new pass over the stream every epoch
        assert len(list(DataLoader(Stream(5), batch_size=2))) == 3


def test_data_loader_length_of_an_iterable_dataset():
    assert len(DataLoader(SizedStream(7), batch_size=3)) == 3
    assert len(DataLoader(SizedStream(7), batch_size=3, drop_last=True)) == 2
    assert len(DataLoader(SizedStream(7), batch_size=None)) == 7
    with pytest.raises(TypeError, match="this IterableDataset has no length"):
        len(DataLoader(Stream(7), batch_size=3))


def test_data_loader_matches_pytorch_on_an_iterable_dataset():
    torch = pytest.importorskip("torch")

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([np.array([i, -i], dtype=np.float32) for i in range(7)])

    ours = [b.numpy() for b in DataLoader(Stream(7), batch_size=3)]
    theirs = [b.numpy() for b in torch.utils.data.DataLoader(TorchStream(), batch_size=3)]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs,words", [
    (dict(shuffle=True), "expected unspecified shuffle option"),
    (dict(sampler=[0, 1]), "expected unspecified sampler option"),
    (dict(batch_sampler=[[0]], batch_size=1), "expected unspecified batch_sampler option"),
    (dict(num_workers=2), "num_workers > 0 is not supported"),
])
def test_data_loader_refuses_what_an_iterable_dataset_cannot_take(kwargs, words):
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: {words}"):
        DataLoader(Stream(3), **kwargs)


def test_an_iterable_dataset_is_not_indexed():
    with pytest.raises(TypeError, match="read by iterating, not by index"):
        Stream(3)[0]
    with pytest.raises(TypeError, match="ChainDataset: dataset 1 is a Squares, not an IterableDataset"):
        Stream(3) + Squares(2)


def test_chain_dataset_streams_one_after_the_other_and_batches_across_the_seam():
    chained = Stream(3) + Stream(2)
    assert isinstance(chained, ChainDataset)
    assert [int(s[0]) for s in chained] == [0, 1, 2, 0, 1]
    assert len(SizedStream(3) + SizedStream(4)) == 7
    with pytest.raises(TypeError, match="has no length"):
        len(chained)
    batches = [b.numpy() for b in DataLoader(chained, batch_size=2)]
    np.testing.assert_array_equal(np.concatenate(batches)[:, 0], [0, 1, 2, 0, 1])


def test_stack_dataset_reads_datasets_side_by_side():
    by_position = StackDataset(Squares(3), TensorDataset(fg.arange(3)))
    assert len(by_position) == 3
    square, (value,) = by_position[2]
    assert square == 4.0 and int(value) == 2
    by_name = StackDataset(square=Squares(3), cube=[0, 1, 8])
    assert by_name[1] == {"square": 1.0, "cube": 1}
    batch = next(iter(DataLoader(by_name, batch_size=3)))
    np.testing.assert_array_equal(batch["cube"].numpy(), [0, 1, 8])
    with pytest.raises(ValueError, match="StackDataset: the datasets must have one length"):
        StackDataset(Squares(3), Squares(4))
    with pytest.raises(ValueError, match="not both"):
        StackDataset(Squares(3), cube=[0, 1, 8])
    with pytest.raises(ValueError, match="at least one dataset"):
        StackDataset()


def test_pytorch_backend_queries_answer_for_fastgrad():
    assert fg.backends.mkl.is_available() == (fg.get_blas() == "mkl")
    from fastgrad import info
    assert fg.backends.openmp.is_available() == bool(info.collect()["openmp"])
