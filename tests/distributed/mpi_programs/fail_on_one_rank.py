"""Run with mpiexec -n 2: rank 1 raises in the middle of training while rank 0 waits for it
in a collective.  The job must end (MPI abort) with a nonzero exit and the rank named."""
import numpy as np

import fastgrad as fg
import fastgrad.distributed as dist
from fastgrad.nn import functional as F
from fastgrad.nn.parallel import DistributedDataParallel

from _models import batches, mlp

dist.init_process_group(backend="mpi")
rank = dist.get_rank()
model = DistributedDataParallel(mlp(seed=0))
for step, (x, y) in enumerate(batches(5, 8)):
    if rank == 1 and step == 2:
        raise ValueError("a deliberate failure in step 2")
    F.cross_entropy(model(fg.tensor(x)), y).backward()
dist.barrier()
print(f"rank {rank}: should never get here")
