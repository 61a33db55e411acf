"""Shared by the MPI test programs: a seeded float64 MLP, its data, and a check that ranks hold equal arrays."""
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad import nn


def mlp(seed, sizes=(6, 16, 8, 3)):
    """A float64 Linear/Tanh stack whose weights depend on `seed` only."""
    fg.manual_seed(seed)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers).double()


def batches(steps, batch, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, features)), rng.integers(0, classes, batch)) for _ in range(steps)]


def assert_same_on_every_rank(arrays, what):
    """Every rank holds bit-identical `arrays` (compared on every rank against rank 0's)."""
    for i, a in enumerate(arrays):
        a = np.ascontiguousarray(a)
        gathered = [np.empty_like(a) for _ in range(dist.get_world_size())]
        dist.all_gather(gathered, a)
        for r, other in enumerate(gathered):
            assert np.array_equal(other, gathered[0]), f"{what}[{i}] differs between rank 0 and rank {r}"
