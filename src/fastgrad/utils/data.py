"""Datasets and mini-batch loading (PyTorch's `torch.utils.data` names), for NumPy arrays and Tensors.

    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    >>> for xb, yb in loader:          # Tensors holding rows of x and y
    ...     ...

Plain NumPy arrays are accepted directly: `DataLoader(x)` yields batches of
x, `DataLoader((x, y))` yields (xb, yb) pairs.  Datasets of arrays are
batched by one fancy-indexing gather per array, not row by row.
"""
import math

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..creation import default_generator

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "random_split", "Subset"]


class Dataset:
    """A map-style dataset: `dataset[i]` and `len(dataset)`."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError


def _as_array(a, op):
    if isinstance(a, Tensor):
        return a.data
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
        return Tensor(np.stack([b.data for b in batch]))
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
    drops the last incomplete batch.

    >>> for xb, yb in DataLoader((x, y), batch_size=32, shuffle=True, seed=0):
    ...     loss = F.mse_loss(model(xb), yb)
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 generator=None, *, seed=None, prefetch_factor=None, persistent_workers=False):
        self._single = False
        if isinstance(dataset, (np.ndarray, Tensor)):
            dataset = TensorDataset(dataset)
            self._single = True
        elif isinstance(dataset, tuple) and dataset and all(isinstance(a, (np.ndarray, Tensor)) for a in dataset):
            dataset = TensorDataset(*dataset)
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.sampler = sampler
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.generator = _generator(generator, seed) if shuffle else None

    def _order(self):
        n = len(self.dataset)
        if self.sampler is not None:
            return np.fromiter((int(i) for i in self.sampler), dtype=np.int64)
        if self.shuffle:
            return self.generator.permutation(n)
        return np.arange(n)

    def __iter__(self):
        order = self._order()
        bs = self.batch_size or 1
        stop = len(order) - (len(order) % bs if self.drop_last else 0)
        fetch_many = getattr(self.dataset, "__getitems__", None)
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if self.collate_fn is None and fetch_many is not None:
                batch = fetch_many(idx)
            else:
                samples = [self.dataset[int(i)] for i in idx]
                batch = (self.collate_fn or default_collate)(samples)
            yield batch[0] if self._single else batch

    def __len__(self):
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        bs = self.batch_size or 1
        return n // bs if self.drop_last else math.ceil(n / bs)


from .distributed_sampler import DistributedSampler  # noqa: E402,F401  (data-parallel shards)
