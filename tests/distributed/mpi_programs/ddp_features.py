"""Run with mpiexec -n 2 (argv[1]: a folder both ranks can write to): no_sync accumulation,
unused parameters, buffers, checkpoints saved by rank 0, DistributedSampler shards, model mismatch."""
import os
import sys

import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad import nn
from fastgrad.nn import functional as F
from fastgrad.nn.parallel import DistributedDataParallel
from fastgrad.utils.data import DataLoader, DistributedSampler, TensorDataset

from _models import assert_same_on_every_rank, batches, mlp

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
folder = sys.argv[1]


def shard(x, y):
    rows = slice(rank * len(x) // world, (rank + 1) * len(x) // world)
    return fg.tensor(x[rows]), y[rows]


# ---- no_sync: two local backwards, then one synchronized backward averages all three
micro = batches(3, 8, seed=5)
reference = mlp(seed=2)
for x, y in micro:
    F.cross_entropy(reference(fg.tensor(x)), y).backward()
model = DistributedDataParallel(mlp(seed=2), bucket_cap_mb=0.001)
with model.no_sync():
    for x, y in micro[:2]:
        F.cross_entropy(model(*shard(x, y)[:1]), shard(x, y)[1]).backward()
local = model.module[0].weight.grad.copy()
gathered = [np.empty_like(local) for _ in range(world)]
dist.all_gather(gathered, local)
assert not np.array_equal(gathered[0], gathered[1]), "inside no_sync the gradients must stay local"
x, y = micro[2]
F.cross_entropy(model(shard(x, y)[0]), shard(x, y)[1]).backward()
for p, q in zip(model.module.parameters(), reference.parameters()):
    np.testing.assert_allclose(p.grad, q.grad, rtol=1e-9, atol=1e-12)
assert_same_on_every_rank([p.grad for p in model.parameters()], "no_sync gradients")


# ---- unused parameters
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        fg.manual_seed(4)
        self.body = nn.Linear(4, 5)
        self.head_a = nn.Linear(5, 2)
        self.head_b = nn.Linear(5, 2)
        self.double()

    def forward(self, x, use_b):
        h = self.body(x).tanh()
        out = self.head_a(h).sum()
        return out + self.head_b(h).sum() if use_b else out


x = fg.tensor(np.random.default_rng(rank).standard_normal((3, 4)))
local_model = TwoHeads()
local_model(x, use_b=rank == 0).backward()          # what this rank alone computes
expected = local_model.head_b.weight.grad / world if rank == 0 else np.empty((2, 5))
dist.broadcast(expected, src=0)                     # rank 0's share of the average, and zeros from rank 1
model = DistributedDataParallel(TwoHeads(), find_unused_parameters=True)
model(x, use_b=rank == 0).backward()                # head_b used on rank 0 only
np.testing.assert_allclose(model.module.head_b.weight.grad, expected, rtol=1e-12)
assert_same_on_every_rank([p.grad for p in model.parameters()], "unused-parameter gradients")
model.zero_grad()
model(x, use_b=False).backward()                    # head_b used by no rank: its .grad stays None
assert model.module.head_b.weight.grad is None and model.module.head_a.weight.grad is not None
model(x, use_b=False)                               # a forward that no backward follows is fine
model.zero_grad()
model(x, use_b=rank == 0).backward()
np.testing.assert_allclose(model.module.head_b.weight.grad, expected, rtol=1e-12)

strict = DistributedDataParallel(TwoHeads())        # without find_unused_parameters
strict(x, use_b=False).backward()
try:
    strict(x, use_b=False)
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e) and "head_b.weight" in str(e), str(e)
else:
    raise AssertionError("a parameter without gradient must be reported at the next forward")


# ---- buffers: rank 0's are copied at wrap time and before each forward
class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.register_buffer("scale", fg.tensor(np.full(2, float(rank + 1))))

    def forward(self, x):
        return self.lin(x) * self.scale


buffered = DistributedDataParallel(WithBuffer())
assert buffered.module.scale._data.tolist() == [1.0, 1.0]
buffered.module.scale._data[...] = 10.0 * (rank + 1)
buffered(fg.tensor(np.ones((1, 2), np.float32)))
assert buffered.module.scale._data.tolist() == [10.0, 10.0]


# ---- checkpoints: rank 0 writes, every rank reads the same weights
path = os.path.join(folder, "ddp-checkpoint.npz")
if rank == 0:
    fg.save(model.module.state_dict(), path)
dist.barrier()
fresh = TwoHeads()
for p in fresh.parameters():
    p._data[...] = 0
fresh.load_state_dict(fg.load(path))
for p, q in zip(fresh.parameters(), model.module.parameters()):
    np.testing.assert_array_equal(p._data, q._data)


# ---- DistributedSampler from the process group: disjoint equal shares covering the data
for n, drop_last, share in ((10, False, 5), (11, False, 6), (11, True, 5)):
    dataset = TensorDataset(np.arange(n))
    sampler = DistributedSampler(dataset, shuffle=True, seed=3, drop_last=drop_last)
    sampler.set_epoch(1)
    assert (sampler.num_replicas, sampler.rank, len(sampler)) == (world, rank, share)
    rows = np.concatenate([batch[0]._data for batch in DataLoader(dataset, batch_size=4, sampler=sampler)])
    everyone = [np.empty(share, rows.dtype) for _ in range(world)]
    dist.all_gather(everyone, rows)
    union = np.concatenate(everyone)
    if drop_last:
        assert len(set(union.tolist())) == world * share          # disjoint
    else:
        assert set(union.tolist()) == set(range(n))               # everything, padded by repeats
    assert_same_on_every_rank([union], "sampler shares")


# ---- the model must be the same on every rank
try:
    DistributedDataParallel(mlp(seed=0, sizes=(6, 16 + rank, 3)))
except ValueError as e:
    assert "differs between rank 0 and rank 1" in str(e) and "0.weight of shape (16, 6)" in str(e), str(e)
else:
    raise AssertionError("different models on the ranks must be refused")

print(f"rank {rank}: ddp features ok")
