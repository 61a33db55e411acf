"""DistributedSampler: each rank's share of a dataset's indices, for data-parallel training."""
import math

import numpy as np


class DistributedSampler:
    """Indices of `dataset` for one rank: a disjoint, equal-sized share per rank.

    Every epoch all ranks draw the same permutation (from `seed + epoch`; call
    `set_epoch(epoch)` before each epoch so that the order changes), then rank r
    takes positions r, r + R, r + 2R, ... of it (R = num_replicas).  Shares are
    made equal: by repeating the first indices (the default) or, with
    drop_last=True, by dropping the tail.  num_replicas and rank default to the
    process group's world size and rank.

    >>> sampler = DistributedSampler(dataset, shuffle=True, seed=0)
    >>> loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    >>> for epoch in range(epochs):
    ...     sampler.set_epoch(epoch)
    ...     for xb, yb in loader: ...
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ..distributed.process_group import communicator

            comm = communicator("DistributedSampler")
            num_replicas = comm.Get_size() if num_replicas is None else num_replicas
            rank = comm.Get_rank() if rank is None else rank
        if not isinstance(num_replicas, (int, np.integer)) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer, got {num_replicas!r}")
        if not isinstance(rank, (int, np.integer)) or not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: rank must be in [0, {num_replicas}), got {rank!r}")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.drop_last = bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last:
            self.num_samples = n // self.num_replicas
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch):
        """Choose the epoch whose permutation the next iteration uses (the same on every rank)."""
        self.epoch = int(epoch)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n)
        if self.total_size > n:   # pad by repeating from the start (as often as needed)
            order = np.resize(order, self.total_size)
        order = order[:self.total_size]
        return iter(order[self.rank::self.num_replicas].tolist())

    def __len__(self):
        return self.num_samples
