"""Run with mpiexec -n 2: DDP over 2 ranks on half batches equals one process on the full batch.

For each fused optimizer and bucket size: float64 parameters agree with the
single-process run to 1e-9 after several steps, and are bit-identical across ranks.
Also checks that gradients of full buckets are sent while backward still runs.
"""
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad import optim
from fastgrad.nn import functional as F
from fastgrad.nn.parallel import DistributedDataParallel

from _models import assert_same_on_every_rank, batches, mlp

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
STEPS, BATCH = 6, 16
OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda p: optim.Adam(p, lr=1e-2),
    "adamw": lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.1),
    "rmsprop": lambda p: optim.RMSprop(p, lr=1e-2),
    "adagrad": lambda p: optim.Adagrad(p, lr=1e-1),
}


def train(model, opt, data, shard):
    for x, y in data:
        if shard:
            rows = slice(rank * BATCH // world, (rank + 1) * BATCH // world)
            x, y = x[rows], y[rows]
        loss = F.cross_entropy(model(fg.tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


data = batches(STEPS, BATCH)
for name, make in OPTIMIZERS.items():
    for bucket_cap_mb in (25, 0.0005):        # one bucket; one parameter or two per bucket
        reference = mlp(seed=1)
        train(reference, make(reference.parameters()), data, shard=False)

        replica = mlp(seed=1 + rank)          # differs per rank: DDP copies rank 0's weights
        model = DistributedDataParallel(replica, bucket_cap_mb=bucket_cap_mb)
        assert (len(model._reducer.buckets) == 1) == (bucket_cap_mb == 25), len(model._reducer.buckets)
        train(model, make(model.parameters()), data, shard=True)

        for (key, p), q in zip(replica.named_parameters(), reference.parameters()):
            np.testing.assert_allclose(p._data, q._data, rtol=1e-9, atol=1e-12, err_msg=f"{name} {key}")
        assert_same_on_every_rank([p._data for p in replica.parameters()], f"{name} parameters")
        assert_same_on_every_rank([p.grad for p in replica.parameters()], f"{name} gradients")

# several buckets: the first ones start their all-reduce while backward still runs
model = DistributedDataParallel(mlp(seed=3), bucket_cap_mb=0.0005)
buckets = len(model._reducer.buckets)
assert buckets >= 4, buckets
first_weight = model.module[0].weight   # the last gradient to be done, with its bias
launched_then = []
first_weight.register_post_accumulate_grad_hook(lambda p: launched_then.append(model._reducer.launched))
x, y = data[0]
F.cross_entropy(model(fg.tensor(x[:8])), y[:8]).backward()
assert 0 < launched_then[0] < buckets, (launched_then, buckets)
assert model._reducer.launched == buckets

# state_dict names as PyTorch's DDP: "module." in front
assert list(model.state_dict())[0] == "module.0.weight"
print(f"rank {rank}: ddp equivalence ok")
