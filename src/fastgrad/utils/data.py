"""Datasets and mini-batch loading (PyTorch's `torch.utils.data` names), for NumPy arrays and Tensors.

    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    >>> for xb, yb in loader:          # Tensors holding rows of x and y
    ...     ...

Plain NumPy arrays are accepted directly: `DataLoader(x)` yields batches of
x, `DataLoader((x, y))` yields (xb, yb) pairs.  Datasets of arrays are
batched by one fancy-indexing gather per array, not row by row.
"""
import copy
import functools
import math
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..creation import default_generator

__all__ = ["BatchSampler", "DataLoader", "Dataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
           "SubsetRandomSampler", "TensorDataset", "default_collate", "get_worker_info", "random_split"]


class Dataset:
    """A map-style dataset: `dataset[i]` and `len(dataset)`; `a + b` concatenates two."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define `__iter__` (yielding samples); a
    DataLoader batches what it yields, in order (no sampler, no shuffle).

    >>> class Counter(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(10))
    """

    def __iter__(self):
        raise NotImplementedError

    def __len__(self):
        raise TypeError(f"{type(self).__name__}: this IterableDataset has no length (define __len__ to give one)")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__}: an IterableDataset is read by iterating, not by index")

    def __add__(self, other):
        return ChainDataset([self, other])


class ConcatDataset(Dataset):
    """The samples of several map-style datasets, one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {i} is an IterableDataset; it takes map-style datasets")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        index = int(index)
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index %= n
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """The samples of several IterableDatasets, one stream after the other (what `a + b` gives
    for iterable datasets); its length, where each has one, is the sum."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for i, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: dataset {i} is a {type(d).__name__}, not an IterableDataset "
                                "(ConcatDataset joins map-style datasets)")

    def __iter__(self):
        for d in self.datasets:
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class StackDataset(Dataset):
    """Sample i is (a[i], b[i], ...) for StackDataset(a, b, ...), or {"x": a[i], ...} for
    StackDataset(x=a, ...): map-style datasets of one length, read side by side."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("StackDataset: give the datasets as positional arguments (tuple samples) or as "
                             "keywords (dict samples), not both")
        if not args and not kwargs:
            raise ValueError("StackDataset: at least one dataset is needed")
        self.datasets = args or kwargs
        lengths = {name: len(d) for name, d in (kwargs.items() if kwargs else enumerate(args))}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"StackDataset: the datasets must have one length, got {lengths}")
        self._length = next(iter(lengths.values()))

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {name: d[index] for name, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


def _as_array(a, op):
    if isinstance(a, Tensor):
        return a._data
    if isinstance(a, np.ndarray) or namespace_of(a) is not np:   # NumPy, CuPy or array-API arrays
        return a
    arr = np.asarray(a)
    if arr.dtype == object:
        raise TypeError(f"{op}: cannot make an array from {type(a).__name__}")
    return arr


class TensorDataset(Dataset):
    """Rows of several arrays or Tensors of the same length: dataset[i] = (a[i], b[i], ...).

    >>> ds = TensorDataset(np.random.rand(100, 3), np.arange(100))
    >>> len(ds)
    100
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = [_as_array(t, "TensorDataset") for t in tensors]
        for i, a in enumerate(self.arrays):
            if getattr(a, "ndim", 0) == 0:
                raise ValueError(f"TensorDataset: argument {i} is 0-d; each needs a first (sample) dimension")
        n = self.arrays[0].shape[0]
        for i, a in enumerate(self.arrays[1:], 1):
            if a.shape[0] != n:
                raise ValueError(f"TensorDataset: size mismatch between tensors: argument 0 has {n} rows, "
                                 f"argument {i} has {a.shape[0]}")
        self.tensors = tuple(Tensor(a) for a in self.arrays)

    def __getitem__(self, index):
        return tuple(Tensor(a[index]) for a in self.arrays)

    def __getitems__(self, indices):
        """A whole batch at once: one gather per array."""
        return tuple(Tensor(a[indices]) for a in self.arrays)

    def __len__(self):
        return self.arrays[0].shape[0]


class Subset(Dataset):
    """The rows `indices` of another dataset."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices):
        inner = self.indices[np.asarray(indices)]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(inner)
        return default_collate([self.dataset[int(i)] for i in inner])

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split a dataset into non-overlapping random subsets of the given lengths (or fractions)."""
    n = len(dataset)
    if all(0 <= f <= 1 for f in lengths) and math.isclose(sum(lengths), 1) and sum(lengths) <= 1 + 1e-9 \
            and any(isinstance(f, float) for f in lengths):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths sum to {sum(lengths)}, the dataset has {n} samples")
    rng = _generator(generator, None)
    order = rng.permutation(n)
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, order[start:start + k]))
        start += k
    return out


def default_collate(batch):
    """Stack a list of samples into a batch: arrays/Tensors/numbers -> one Tensor; tuples and dicts per field."""
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor(np.stack([b._data for b in batch]))
    if isinstance(first, (np.ndarray, np.generic, int, float, bool)):
        return Tensor(np.stack([np.asarray(b) for b in batch]))
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(field)) for field in zip(*batch)) if isinstance(first, tuple) \
            else [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


def _generator(generator, seed):
    if generator is not None and seed is not None:
        raise ValueError("DataLoader: give either generator or seed, not both")
    if isinstance(generator, np.random.Generator):
        return generator
    if generator is not None:
        return np.random.default_rng(generator)
    if seed is not None:
        return np.random.default_rng(seed)
    return default_generator()


class DataLoader:
    """Mini-batches of a dataset, optionally reshuffled every epoch.

    dataset: a Dataset, a NumPy array / Tensor (batches of it), or a tuple of
    arrays (batches of each).  shuffle draws a new order every epoch from
    `generator` (a numpy Generator or a seed) or `seed`; without either it
    uses fastgrad's default generator (`fastgrad.manual_seed`).  drop_last
    drops the last incomplete batch.  sampler (any iterable of indices with
    a length), batch_sampler (an iterable of index lists), collate_fn and
    batch_size=None (single samples) work as in PyTorch.

    num_workers > 0 loads batches in that many worker processes
    (fastgrad/utils/data_workers.py), `prefetch_factor` (default 2) batches
    ahead per worker, in the same order as num_workers=0.  Each worker runs
    `worker_init_fn(worker_id)` first, with NumPy's, Python's and fastgrad's
    generators seeded from the loader's generator (`get_worker_info().seed`);
    `persistent_workers=True` keeps the workers from one epoch to the next;
    `timeout` (seconds) bounds the wait for one batch; `multiprocessing_context`
    ("fork", "spawn", "forkserver" or a context) chooses how workers start
    (the platform's default; spawn and forkserver need a picklable dataset and
    collate_fn).  A worker's exception is raised here with its traceback.

    >>> for xb, yb in DataLoader((x, y), batch_size=32, shuffle=True, seed=0):
    ...     loss = F.mse_loss(model(xb), yb)
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, seed=None, prefetch_factor=None,
                 persistent_workers=False):
        self._single = False
        if isinstance(dataset, (np.ndarray, Tensor)):
            dataset = TensorDataset(dataset)
            self._single = True
        elif isinstance(dataset, tuple) and dataset and all(isinstance(a, (np.ndarray, Tensor)) for a in dataset):
            dataset = TensorDataset(*dataset)
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if pin_memory:
            warnings.warn("DataLoader: pin_memory=True has no effect: batches are host arrays (NumPy) and are "
                          "moved to a device by .to(device)", stacklevel=2)
        if isinstance(dataset, IterableDataset):
            _check_iterable_options(shuffle, sampler, batch_sampler, num_workers)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None (no batching) is mutually exclusive with drop_last")
        self.dataset = dataset
        self.shuffle = shuffle
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._pool = None
        self.generator = _generator(generator, seed) if shuffle else None
        if isinstance(dataset, IterableDataset):
            self.sampler, self.batch_sampler = None, None
            self.batch_size, self.drop_last = batch_size, drop_last
            return
        if sampler is None:
            sampler = RandomSampler(dataset, generator=self.generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            return _stream(self.dataset, self.batch_size, self.drop_last, self.collate_fn)
        batched = self.batch_sampler is not None   # batch_size=None: one sample at a time, not batched
        tasks = self.batch_sampler if batched else self.sampler
        fetch = functools.partial(_fetch, collate_fn=self.collate_fn, batched=batched, single=self._single)
        if self.num_workers == 0:
            return (fetch(self.dataset, indices) for indices in tasks)
        return self._from_workers(fetch, tasks)

    def _from_workers(self, fetch, tasks):
        pool = self._pool
        if pool is None or pool.closed:
            from .data_workers import WorkerPool

            pool = WorkerPool(self.dataset, fetch, self.num_workers, seed=self._worker_seed(), worker_init_fn=self.worker_init_fn,
                              prefetch_factor=self.prefetch_factor, timeout=self.timeout,
                              context=self.multiprocessing_context)
            if self.persistent_workers:
                self._pool = pool
        try:
            yield from pool.run(tasks)
        finally:
            if not self.persistent_workers:
                pool.close()

    def _worker_seed(self):
        """The workers' base seed, new each epoch.  A shuffling loader's own generator is only
        peeked at (a copy draws), so the order of the batches is that of num_workers=0; the
        shuffle advances it for the next epoch.  Otherwise fastgrad's default generator draws."""
        if self.generator is None:
            return int(default_generator().integers(2 ** 62))
        peek = copy.deepcopy(self.generator).integers(2 ** 62)
        return int(np.random.SeedSequence([int(peek), 0x5EED]).generate_state(1, np.uint64)[0] >> 2)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):   # only when the dataset says its length
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()


def _fetch(dataset, indices, *, collate_fn, batched, single):
    """One batch (or, unbatched, one sample) of `dataset`, as the DataLoader yields it."""
    if not batched:
        sample = dataset[int(indices)]
        return default_convert(sample) if collate_fn is None else collate_fn(sample)
    fetch_many = getattr(dataset, "__getitems__", None)
    idx = np.asarray(list(indices), dtype=np.int64)
    if collate_fn is None and fetch_many is not None:
        batch = fetch_many(idx)
    else:
        batch = (collate_fn or default_collate)([dataset[int(i)] for i in idx])
    return batch[0] if single else batch


def _check_iterable_options(shuffle, sampler, batch_sampler, num_workers):
    """An IterableDataset's order is its own: PyTorch's refusals, plus worker processes (each
    worker would need its own shard of the stream), which fastgrad does not run for one."""
    for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
        if value:
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but got "
                             f"{name}={value!r}")
    if num_workers:
        raise ValueError("DataLoader with IterableDataset: num_workers > 0 is not supported (the stream is read "
                         "in the main process); use num_workers=0")


def _stream(dataset, batch_size, drop_last, collate_fn):
    """The batches of an IterableDataset: consecutive samples, batch_size at a time."""
    if batch_size is None:
        for sample in dataset:
            yield default_convert(sample) if collate_fn is None else collate_fn(sample)
        return
    collate = collate_fn or default_collate
    batch = []
    for sample in dataset:
        batch.append(sample)
        if len(batch) == batch_size:
            yield collate(batch)
            batch = []
    if batch and not drop_last:
        yield collate(batch)


def get_worker_info():
    """Inside a DataLoader worker process: its (id, num_workers, seed, dataset); None elsewhere."""
    from .data_workers import get_worker_info as info

    return info()


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    """Check the worker options as PyTorch does; returns the prefetch factor to use."""
    if not isinstance(num_workers, int) or isinstance(num_workers, bool) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}")
    if not isinstance(timeout, (int, float)) or timeout < 0:
        raise ValueError(f"DataLoader: timeout must be a non-negative number, got {timeout!r}")
    if num_workers == 0:
        if prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in multiprocessing; "
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None")
        if persistent_workers:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        return None
    if prefetch_factor is None:
        return 2
    if not isinstance(prefetch_factor, int) or isinstance(prefetch_factor, bool) or prefetch_factor < 1:
        raise ValueError(f"DataLoader: prefetch_factor must be a positive integer, got {prefetch_factor!r}")
    return prefetch_factor


# ---- samplers: iterables of indices with a length, as PyTorch's ----------------------------------

class Sampler:
    """Base of samplers: `iter(sampler)` gives dataset indices, `len(sampler)` how many."""

    def __iter__(self):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order each epoch (or num_samples draws with replacement).

    `generator`: a numpy Generator or a seed; fastgrad's default generator
    (`fastgrad.manual_seed`) when None."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, got {num_samples!r}")
        if num_samples is not None and not replacement:
            raise ValueError("RandomSampler: num_samples needs replacement=True (without it every index is "
                             "drawn once)")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        rng = _generator(self.generator, None)
        n = len(self.data_source)
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples).tolist())
        return iter(rng.permutation(n).tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = list(indices)
        self.generator = generator

    def __iter__(self):
        rng = _generator(self.generator, None)
        return iter([self.indices[i] for i in rng.permutation(len(self.indices))])

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of batch_size indices drawn from `sampler` (the last one shorter unless drop_last)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


from .distributed_sampler import DistributedSampler  # noqa: E402,F401  (data-parallel shards)


class WeightedRandomSampler(Sampler):
    """num_samples indices in [0, len(weights)), index i drawn with probability proportional to
    weights[i], with replacement by default (without: each index at most once).

    `generator`: a numpy Generator or a seed; fastgrad's default generator when None."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean value, but got "
                             f"replacement={replacement!r}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1-d sequence, got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement from "
                             f"{np.count_nonzero(w)} non-zero weights")
        self.weights = Tensor(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = _generator(self.generator, None)
        w = self.weights._data
        return iter(rng.choice(w.size, size=self.num_samples, replace=self.replacement, p=w / w.sum()).tolist())

    def __len__(self):
        return self.num_samples


__all__ += ["ChainDataset", "ConcatDataset", "IterableDataset", "StackDataset", "WeightedRandomSampler"]
from .data_convert import default_convert  # noqa: E402  (unbatched samples, as PyTorch converts them)
__all__ += ["default_convert"]
